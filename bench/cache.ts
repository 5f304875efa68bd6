// Result-cache benchmark: what a miss adds to a call and what a hit costs, with the store holding
// 0, 10,000 and 100,000 entries, for the `file` backend (SQLite) and, for reference, the `memory` backend.
//   node dist/bench/cache.js [--sizes 0,10000,100000] [--ops 500] [--out FILE]
// A "miss" is what the registry does on an uncached call: get (absent) + set. A "hit" is get of a stored key
// (JSON parse and validation included). Values are ~1.7 KB of JSON, the mean size of an analyze_emotion result
// in the measurement (8.7 MB / 5,000 entries). Also reports how long a write-behind flush holds the event
// loop (it only hands the batch to the writer thread) and the store's file size.
import { mkdtempSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ResultCache, type CachedResult } from '../src/server/cache/result-cache.js';
import { SqliteStore } from '../src/server/cache/sqlite-store.js';
import { createHash } from 'node:crypto';
import { arg, emitReport } from '../eval/args.js';

const SIZES = arg('sizes', '0,10000,100000').split(',').map(Number);
const OPS = Number(arg('ops', '500'));
const log = (m: string) => process.stderr.write(`[bench:cache] ${m}\n`);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
};
const summary = (xs: number[]) => ({
  n: xs.length,
  p50_ms: r3(pct(xs, 0.5)),
  p95_ms: r3(pct(xs, 0.95)),
  max_ms: r3(Math.max(...xs)),
});

const key = (i: number) => createHash('sha256').update(`bench-${i}`).digest('hex');
/** A result-shaped value of ~1.7 KB: 28 GoEmotions-like scores and a summary. */
function value(i: number): CachedResult {
  const scores = Array.from({ length: 28 }, (_, k) => ({
    label: `label_${k}`,
    score: ((i * 31 + k * 17) % 1000) / 1000,
    above_threshold: k % 5 === 0,
  }));
  return {
    structured: { language: 'en', tokens: 20 + (i % 7), scores, vad: [0.1, 0.2, 0.3], elapsed_ms: 4 },
    summary: `text ${i}: top emotion label_${i % 28}`,
  };
}

async function measure(backend: 'file' | 'memory', size: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-bench-cache-'));
  const path = join(dir, 'cache.sqlite');
  const cache = new ResultCache(
    { backend, path, ttlSeconds: 7 * 24 * 3600, maxEntries: 10_000_000, maxBytes: 2 ** 40 },
    pino({ level: 'silent' }),
  );
  // The file backend's SQLite store (the flush call itself is what runs on the event loop).
  const store = (cache as unknown as { store: { store?: SqliteStore } | null }).store?.store ?? null;
  if (store && size > 0) {
    // Pre-fill through the store in large transactions (the server would have built this up over time).
    for (let i = 0; i < size; i++) {
      store.set(key(i), cache.stored(key(i), value(i)));
      if (i % 2000 === 1999) await store.flush();
    }
    await store.flush();
  }
  if (backend === 'memory') for (let i = 0; i < size; i++) await cache.set(key(i), value(i));
  // Time the write-behind flushes on the event loop by wrapping the store's flush.
  const flushes: number[] = [];
  if (store) {
    const orig = store.flush.bind(store);
    store.flush = () => {
      const t = performance.now();
      const ok = orig(); // posts the batch to the writer thread; only this synchronous part blocks the loop
      flushes.push(performance.now() - t);
      return ok;
    };
  }
  const miss: number[] = [];
  const hit: number[] = [];
  for (let j = 0; j < OPS; j++) {
    const k = key(size + 1_000_000 + j);
    const t0 = performance.now();
    const got = await cache.get(k);
    await cache.set(k, value(j));
    miss.push(performance.now() - t0);
    if (got !== undefined) throw new Error('miss expected');
    if (size > 0) {
      const i = (j * 7919) % size;
      const t1 = performance.now();
      const h = await cache.get(key(i));
      hit.push(performance.now() - t1);
      if (!h) throw new Error(`hit expected for entry ${i}`);
    }
    if (j % 25 === 24) await new Promise((r) => setTimeout(r, 25)); // let write-behind flushes run, as between calls
  }
  const snap = cache.snapshot();
  await cache.close();
  const fileBytes = backend === 'file' ? statSync(path).size : null;
  const out = {
    entries: snap.entries,
    bytes: snap.bytes,
    miss_overhead: summary(miss),
    hit: size > 0 ? summary(hit) : null,
    flush: flushes.length ? summary(flushes) : null,
    file_bytes: fileBytes,
  };
  log(
    `${backend} @ ${size}: miss p50 ${out.miss_overhead.p50_ms} ms, hit p50 ${out.hit?.p50_ms ?? '-'} ms, flush max ${out.flush?.max_ms ?? '-'} ms`,
  );
  return out;
}

async function main(): Promise<void> {
  const file: Record<string, unknown> = {};
  const memory: Record<string, unknown> = {};
  for (const size of SIZES) {
    file[String(size)] = await measure('file', size);
    memory[String(size)] = await measure('memory', size);
  }
  const report = {
    bench: 'cache',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      availableParallelism: availableParallelism(),
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      node: process.version,
      note: 'shared machine: compare rows of one run, not runs',
    },
    value_bytes: Buffer.byteLength(JSON.stringify(value(1))),
    ops_per_size: OPS,
    file,
    memory,
    targets: { miss_overhead_ms_at_100k: 1, hit_ms_at_100k: 1 },
  };
  emitReport(report);
}

main().catch((err) => {
  process.stderr.write(`bench/cache: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
