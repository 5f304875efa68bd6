// Test-only preload for the load test's server (NODE_OPTIONS="--expose-gc --import=<this file>"): on SIGUSR2,
// run two full garbage collections and report the V8 heap and RSS on stderr. Memory is then compared after a forced
// collection: RSS read at a random moment swings by ±20 % with V8's lazy old-space collection, which drowns a leak.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  process.stderr.write(`{"gc_done":${Date.now()},"heap_used":${m.heapUsed},"external":${m.external}}\n`);
});
