// analyze_emotion through the real stdio server with the DEFAULT file cache already holding 20,000 entries,
// against the same calls with --cache none, in the same run. Prints one JSON object.
//   node dist/bench/stdio.js [--entries 20000] [--calls 200] [--model ID] [--out FILE]
// The servers serve --model (a model or ensemble id; default: the manifest's default); the in-process part runs one
// model file: --model when it is a single model, else the default's first member.
// Measures:
//  - p50/p95 of one uncached call (~20-token text) with the filled file cache vs no cache; calls alternate between
//    the two servers (A B, B A, …) so load drift on a shared machine hits both alike; ratio = file / none;
//  - cache hits through the server (same arguments again);
//  - throughput through the server: one `texts` call of 32 texts, and 32 / 128 concurrent single-text calls;
//  - cold start (spawn → first analyze_emotion answer, default settings, fresh cache file) and peak RSS (VmHWM);
//  - in-process engine latency at batch 1 with the ONNX session in a worker thread vs on the main thread.
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pino from 'pino';
import { resolveSelection, selectionModels } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { SqliteStore } from '../src/server/cache/sqlite-store.js';
import { arg, emitReport } from '../eval/args.js';
import { packageRoot } from '../src/server/config.js';

const ROOT = packageRoot();
const CLI = join(ROOT, 'dist', 'src', 'server', 'cli.js');
const ENTRIES = Number(arg('entries', '20000'));
const CALLS = Number(arg('calls', '200'));
const MODEL = arg('model');
const log = (m: string) => process.stderr.write(`[bench:stdio] ${m}\n`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
};
const summary = (xs: number[]) => ({
  n: xs.length,
  p50_ms: r2(pct(xs, 0.5)),
  p95_ms: r2(pct(xs, 0.95)),
  mean_ms: r2(xs.reduce((a, b) => a + b, 0) / xs.length),
});

/** ~20-token English texts: GoEmotions test comments (../shared/data) joined until 18–24 tokens. */
function texts(engine: OnnxTextEngine, n: number): string[] {
  const p = resolve(ROOT, '..', 'shared', 'data', 'goemotions', 'test.tsv');
  let pool: string[];
  try {
    pool = readFileSync(p, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]);
  } catch {
    const words = 'i really love this movie but the ending was sad and a little scary honestly what a day we had'.split(
      ' ',
    );
    pool = Array.from({ length: 5000 }, (_, i) =>
      Array.from({ length: 8 + (i % 5) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '),
    );
  }
  const out: string[] = [];
  let cur = '';
  for (const t of pool) {
    cur = cur ? `${cur} ${t}` : t;
    const tok = engine.countTokens(cur);
    if (tok >= 18 && tok <= 24) {
      out.push(cur);
      cur = '';
    } else if (tok > 24) cur = '';
    if (out.length >= n) break;
  }
  if (out.length < n) throw new Error(`only ${out.length} texts of ~20 tokens found`);
  return out;
}

function resultLike(i: number): string {
  const scores = Array.from({ length: 28 }, (_, k) => ({
    label: `label_${k}`,
    score: ((i * 31 + k * 17) % 1000) / 1000,
  }));
  return JSON.stringify({
    structured: { language: 'en', tokens: 20, scores, filler: 'x'.repeat(600) },
    summary: `prefilled ${i}`,
  });
}

interface Server {
  client: Client;
  pid: number | undefined;
  close(): Promise<void>;
}
async function start(env: Record<string, string>): Promise<Server> {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('RED_HEART_')) full[k] = v;
  Object.assign(full, { RED_HEART_LOG_LEVEL: 'warn' }, MODEL ? { RED_HEART_MODEL: MODEL } : {}, env);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: full,
    stderr: 'ignore',
    cwd: ROOT,
  });
  const client = new Client({ name: 'bench-stdio', version: '0' });
  await client.connect(transport);
  return {
    client,
    pid: (transport as unknown as { _process?: { pid?: number } })._process?.pid,
    close: () => client.close(),
  };
}
async function call(s: Server, args: Record<string, unknown>): Promise<number> {
  const t = performance.now();
  const r = (await s.client.callTool({ name: 'analyze_emotion', arguments: args })) as {
    isError?: boolean;
    content: Array<{ text?: string }>;
  };
  if (r.isError) throw new Error(`server error: ${r.content[0]?.text}`);
  return performance.now() - t;
}
function peakRss(pid: number | undefined): number | null {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const served = resolveSelection(join(ROOT, 'models'), undefined, MODEL);
  const resolved = served.kind === 'model' ? served.model : selectionModels(served)[0];
  const silent = pino({ level: 'silent' });
  const base = { provider: 'cpu' as const, threads: 0, batchWindowMs: 0, maxBatch: 1, logger: silent };
  const inWorker = await OnnxTextEngine.load(resolved, { ...base, inferenceThread: 'worker' });
  const inMain = await OnnxTextEngine.load(resolved, { ...base, inferenceThread: 'main' });
  const all = texts(inMain, CALLS + 300);
  log(`${all.length} texts, mean ${r2(all.reduce((a, t) => a + inMain.countTokens(t), 0) / all.length)} tokens`);

  // In-process: the same window, worker vs main thread, alternating.
  const ids = all.slice(0, 100).map((t) => inMain.windowIds(t)[0]);
  const tw: number[] = [];
  const tm: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    for (const [e, into] of (i % 2
      ? [
          [inWorker, tw],
          [inMain, tm],
        ]
      : [
          [inMain, tm],
          [inWorker, tw],
        ]) as Array<[OnnxTextEngine, number[]]>) {
      const t = performance.now();
      await e.runWindows([ids[i]]);
      into.push(performance.now() - t);
    }
  }
  const inference = {
    worker: summary(tw.slice(5)),
    main: summary(tm.slice(5)),
    p50_worker_over_main: r2(pct(tw, 0.5) / pct(tm, 0.5)),
  };
  log(`inference b1 p50: worker ${inference.worker.p50_ms} ms, main ${inference.main.p50_ms} ms`);
  await inWorker.close();
  await inMain.close();

  // A cache file holding ENTRIES results, then the default file backend on it.
  const dir = mkdtempSync(join(tmpdir(), 'rh-bench-stdio-'));
  const cachePath = join(dir, 'cache.sqlite');
  const fill = SqliteStore.open({
    path: cachePath,
    maxEntries: 100_000,
    maxBytes: 256 * 1024 * 1024,
    ttlSeconds: 7 * 24 * 3600,
    flushAt: 5000,
    writer: 'inline',
  });
  for (let i = 0; i < ENTRIES; i++) fill.set(createHash('sha256').update(`prefill ${i}`).digest('hex'), resultLike(i));
  await fill.close();
  const fileSrv = await start({ RED_HEART_CACHE_PATH: cachePath }); // default backend: file
  const noneSrv = await start({ RED_HEART_CACHE: 'none' });
  for (let i = 0; i < 5; i++) {
    await call(fileSrv, { text: `warm up ${i}` });
    await call(noneSrv, { text: `warm up ${i}` });
  }
  const withCache: number[] = [];
  const noCache: number[] = [];
  const calls = all.slice(100, 100 + CALLS);
  for (let i = 0; i < calls.length; i++) {
    if (i % 2) {
      withCache.push(await call(fileSrv, { text: calls[i] }));
      noCache.push(await call(noneSrv, { text: calls[i] }));
    } else {
      noCache.push(await call(noneSrv, { text: calls[i] }));
      withCache.push(await call(fileSrv, { text: calls[i] }));
    }
  }
  const hits: number[] = [];
  for (let i = 0; i < 100; i++) hits.push(await call(fileSrv, { text: calls[i % calls.length] }));
  const status = JSON.parse(
    ((await fileSrv.client.readResource({ uri: 'red-heart://status' })).contents[0] as { text: string }).text,
  ).cache;
  const uncached = {
    file_cache: summary(withCache),
    no_cache: summary(noCache),
    p50_ratio_file_over_none: r2(pct(withCache, 0.5) / pct(noCache, 0.5)),
    p95_ratio_file_over_none: r2(pct(withCache, 0.95) / pct(noCache, 0.95)),
  };
  log(
    `uncached p50/p95: file ${uncached.file_cache.p50_ms}/${uncached.file_cache.p95_ms} ms, none ${uncached.no_cache.p50_ms}/${uncached.no_cache.p95_ms} ms`,
  );

  // Throughput through the server (file cache, distinct texts so every text is computed).
  const rest = all.slice(100 + CALLS);
  const tput = async (label: string, fn: () => Promise<number>) => {
    const t = performance.now();
    const n = await fn();
    const ms = performance.now() - t;
    log(`${label}: ${r2((n / ms) * 1000)} texts/s`);
    return { texts: n, ms: r2(ms), texts_per_s: r2((n / ms) * 1000) };
  };
  const texts32 = await tput('texts of 32', async () => {
    await call(fileSrv, { texts: rest.slice(0, 32) });
    return 32;
  });
  const conc32 = await tput('32 concurrent singles', async () => {
    await Promise.all(rest.slice(32, 64).map((t) => call(fileSrv, { text: t })));
    return 32;
  });
  const conc128 = await tput('128 concurrent singles', async () => {
    await Promise.all(rest.slice(64, 192).map((t) => call(fileSrv, { text: `${t} .` })));
    return 128;
  });
  const rss = { file_cache_server: peakRss(fileSrv.pid), no_cache_server: peakRss(noneSrv.pid) };
  await fileSrv.close();
  await noneSrv.close();

  // Cold start with default settings (lazy model load, file cache on a fresh path).
  const cold: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    const s = await start({ RED_HEART_CACHE_PATH: join(dir, `cold-${rep}.sqlite`) });
    await call(s, { text: `cold start ${rep}` });
    cold.push(performance.now() - t);
    await s.close();
  }
  log(`cold start ${cold.map(r2).join(', ')} ms`);

  const report = {
    bench: 'stdio',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      availableParallelism: availableParallelism(),
      loadavg: loadavg().map(r2),
      node: process.version,
      note: 'shared machine: compare figures within one run (ratios), not across runs',
    },
    server_model: served.kind === 'model' ? served.model.entry.id : served.ensemble.entry.id,
    inference_thread_model: { id: resolved.entry.id, version: resolved.entry.version },
    cache_prefilled_entries: ENTRIES,
    server_cache_status: status,
    analyze_emotion_20_tokens_uncached: uncached,
    cache_hit_through_server: summary(hits),
    throughput: { texts_32: texts32, concurrent_32: conc32, concurrent_128: conc128 },
    cold_start_ms: summary(cold),
    peak_rss_bytes: rss,
    inference_thread_b1: inference,
    targets: { p50_ms: 7, p95_ms: 12, ratio_max: 1.2, cold_start_ms: 1500 },
  };
  emitReport(report);
}

main().catch((err) => {
  process.stderr.write(`bench/stdio: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
