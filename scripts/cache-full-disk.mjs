// The file cache on a full disk, measured through the built server over stdio (Linux, root: it mounts tmpfs):
// N bentham_score calls with distinct arguments (each a cache write) with the cache file on a tiny tmpfs (full after
// a few entries) and, as the baseline in the same run, on a roomy one. Prints JSON: RSS before, after the calls and
// after 10 s idle, CPU seconds spent while idle, the cache status, and how long caching takes to resume once the
// tmpfs is enlarged. `npm run build && node scripts/cache-full-disk.mjs [calls=10000]`
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
const N = Number(process.argv[2] ?? 10000);

async function measure(size) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-full-disk-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0)
    throw new Error('mount -t tmpfs failed (needs root on Linux)');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['dist/src/server/cli.js'],
    env: {
      ...process.env,
      RED_HEART_CACHE: 'file',
      RED_HEART_CACHE_PATH: join(dir, 'cache.sqlite'),
      RED_HEART_MODELS_DIR: 'test/fixtures/model',
      RED_HEART_LOG_LEVEL: 'warn',
    },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'm1', version: '0' });
  await client.connect(transport);
  const pid = transport.pid;
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  const cpu = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const status = async () =>
    JSON.parse((await client.readResource({ uri: 'red-heart://status' })).contents[0].text).cache;
  const effect = (i) => ({
    kind: 'pleasure',
    intensity: (i % 997) / 997,
    duration: 0.5,
    certainty: 0.9,
    propinquity: 1,
    fecundity: 0.3,
    purity: 0.9,
  });
  await client.callTool({ name: 'bentham_score', arguments: { parties: [{ name: 'warm', effects: [effect(1)] }] } });
  const rss0 = rss();
  for (let i = 0; i < N; i++)
    await client.callTool({ name: 'bentham_score', arguments: { parties: [{ name: `p${i}`, effects: [effect(i)] }] } });
  const rss1 = rss();
  const cpu1 = cpu();
  const s1 = await status();
  await new Promise((r) => setTimeout(r, 10_000));
  const rss2 = rss();
  const cpu2 = cpu();
  const s2 = await status();
  const health = { degraded: s2.degraded };
  spawnSync('mount', ['-o', 'remount,size=64m', dir]);
  const t0 = Date.now();
  let s3 = await status();
  while (s3.degraded !== null && Date.now() - t0 < 20_000) {
    await new Promise((r) => setTimeout(r, 100));
    s3 = await status();
  }
  const recoveredMs = Date.now() - t0;
  await client.callTool({ name: 'bentham_score', arguments: { parties: [{ name: 'after', effects: [effect(5)] }] } });
  await new Promise((r) => setTimeout(r, 200));
  const s4 = await status();
  const out = {
    tmpfs: size,
    rss_mib: { before: +rss0.toFixed(1), after_calls: +rss1.toFixed(1), after_10s_idle: +rss2.toFixed(1) },
    cpu_s_idle_10s: +(cpu2 - cpu1).toFixed(2),
    after_calls: {
      entries: s1.entries,
      pending: s1.pending,
      dropped: s1.dropped,
      writes: s1.writes,
      degraded: s1.degraded,
    },
    health,
    recovered_after_remount_ms: recoveredMs,
    after_recovery: { entries: s4.entries, pending: s4.pending, degraded: s4.degraded },
  };
  await client.close();
  spawnSync('umount', [dir]);
  return out;
}

const healthy = await measure('64m');
const full = await measure('256k');
const growth = (m) => m.rss_mib.after_10s_idle - m.rss_mib.before;
console.log(
  JSON.stringify(
    {
      bench: 'cache-full-disk',
      calls: N,
      healthy,
      full,
      rss_growth_ratio_full_vs_healthy: +(growth(full) / growth(healthy)).toFixed(2),
    },
    null,
    1,
  ),
);
