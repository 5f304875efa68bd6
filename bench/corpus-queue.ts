// analyze_corpus on the Redis job queue vs the single process. Prints one JSON object (also written with --out FILE).
//   node dist/bench/corpus-queue.js [--rows 600] [--workers 1,2,3] [--chunk 128[,…]] [--threads 1]
//                                   [--overhead-rows 20000] [--chunks 32,64,128,256,512,1024] [--models-dir DIR] [--out FILE]
// Starts a private redis-server on a free loopback port. Two parts:
// model: `rows` distinct GoEmotions texts (dev, then test) analysed by this process alone, then through the queue with
//   1, 2, 3 … local worker processes (`red-heart-mcp worker`, each with --threads) and this process as the coordinator
//   (it loads the model too: the manifest's labels, thresholds and languages). Rows/s, and CPU seconds per row (this
//   process + the workers + redis-server, read from getrusage and /proc) against the single process's; each queue
//   run's JSONL must equal the single process's.
// overhead: the model's outputs for the distinct texts are computed once and looked up, so a run costs only the
//   pipeline; `overhead-rows` rows (cycling through the texts) are run alone and through the queue with one
//   in-process worker, per chunk size: the extra time per chunk is the queue's cost (Redis round trips, JSON of the
//   rows and records, the job's events), and redis-server's CPU per chunk bounds what one Redis can carry.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import type { TextAnalysis, TextEngine } from '../src/core/model.js';
import { createEngineHandle } from '../src/engine/handle.js';
import { defaults, packageRoot } from '../src/server/config.js';
import { createCorpusFiles } from '../src/server/corpus/files.js';
import { BullCorpusQueue, type QueueSettings } from '../src/server/corpus/queue.js';
import { startCorpusWorker } from '../src/server/corpus/queue-worker.js';
import { runCorpus, type CorpusResult } from '../src/tools/corpus/run.js';
import { arg } from '../eval/args.js';

const ROOT = packageRoot();
const CLI = join(ROOT, 'dist/src/server/cli.js');
const log = (m: string) => process.stderr.write(`[bench corpus-queue] ${m}\n`);
const silent = pino({ level: 'silent' });
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const TICK = 100; // clock ticks per second in /proc/<pid>/stat (USER_HZ)

function goemotionsTexts(): string[] {
  const dir = resolve(ROOT, '..', 'shared', 'data', 'goemotions');
  const out: string[] = [];
  for (const split of ['dev.tsv', 'test.tsv']) {
    const p = join(dir, split);
    if (!existsSync(p)) throw new Error(`${p} not found (the bench needs ../shared/data/goemotions)`);
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      if (!line) continue;
      let t = line.slice(0, line.indexOf('\t'));
      if (t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1).replace(/""/g, '"');
      out.push(t);
    }
  }
  return [...new Set(out)];
}

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** CPU seconds (user + system) a process has used so far. */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function startRedis(): Promise<{ url: string; pid: number; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const { probeRedis } = await import('../src/server/corpus/queue.js');
      await probeRedis({ url }, 500);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { url, pid: child.pid as number, stop: () => child.kill('SIGKILL') };
}

async function startWorkerProcess(
  url: string,
  queue: string,
  threads: number,
  modelsDir: string,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--queue', url, '--queue-name', queue, '--threads', String(threads), '--models-dir', modelsDir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  for (let i = 0; i < 1200 && !/corpus worker ready/.test(out); i++) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!/corpus worker ready/.test(out)) throw new Error(`worker not ready: ${out}`);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '600'));
  const workerCounts = (arg('workers', '1,2,3') as string).split(',').map(Number);
  const modelChunks = (arg('chunk', '128') as string).split(',').map(Number);
  const chunk = modelChunks[0];
  const threads = Number(arg('threads', '1'));
  const overheadRows = Number(arg('overhead-rows', '20000'));
  const chunkSizes = (arg('chunks', '32,64,128,256,512,1024') as string).split(',').map(Number);
  const modelsDir = resolve(arg('models-dir', join(ROOT, 'models'))!);
  const config = { ...defaults({}), modelsDir, threads, loadMode: 'eager' as const };
  const handle = await createEngineHandle(config, silent);
  const engine = await (handle.requireBulk ? handle.requireBulk() : handle.require());
  const pool = goemotionsTexts();
  if (pool.length < rows) throw new Error(`only ${pool.length} distinct texts`);
  const texts = pool.slice(0, rows);
  const dir = mkdtempSync(join(tmpdir(), 'bench-corpus-queue-'));
  const files = createCorpusFiles([dir]);
  const { allowed } = await files.allowedDirectories([]);
  const file = join(dir, 'in.csv');
  writeFileSync(file, `text\n${texts.map(csvField).join('\n')}\n`);
  const redis = await startRedis();
  let n = 0;
  const run = async (e: TextEngine, path: string, queue?: BullCorpusQueue) => {
    const out = join(dir, `out${++n}`);
    mkdirSync(out);
    return runCorpus(
      { path, text_field: 'text', time_bucket: 'month', language: 'en', detail: 'standard', output_dir: out },
      {
        engine: async () => e,
        files,
        allowed,
        signal: new AbortController().signal,
        progress: async () => {},
        maxTextChars: config.limits.maxTextChars,
        ...(queue ? { queue } : {}),
      },
    );
  };
  const rowsOf = (res: CorpusResult) => readFileSync(res.files.rows_jsonl, 'utf8');
  const settings = (name: string, chunkRows: number): QueueSettings => ({
    url: redis.url,
    name,
    chunkRows,
    lockMs: 30_000,
    timeoutMs: 60_000,
  });
  try {
    await engine.analyze(texts.slice(0, 8)); // warm-up
    // --- the model: single process vs queue with k worker processes
    const c0 = selfCpu();
    const t0 = performance.now();
    const single = await run(engine, file);
    const singleS = (performance.now() - t0) / 1000;
    const singleCpu = selfCpu() - c0;
    log(`single: ${rows} rows in ${r3(singleS)} s`);
    const queued: Array<Record<string, number | boolean>> = [];
    for (const k of workerCounts)
      for (const c of modelChunks) {
        const name = `bench-model-${k}-${c}`;
        const procs: ChildProcess[] = [];
        for (let i = 0; i < k; i++) procs.push(await startWorkerProcess(redis.url, name, threads, modelsDir));
        const queue = new BullCorpusQueue(settings(name, c), silent);
        const w0 = procs.map((p) => procCpu(p.pid as number));
        const r0 = procCpu(redis.pid);
        const s0 = selfCpu();
        const q0 = performance.now();
        const res = await run(engine, file, queue);
        const wall = (performance.now() - q0) / 1000;
        const coordCpu = selfCpu() - s0;
        const workersCpu = procs.reduce((t, p, i) => t + procCpu(p.pid as number) - w0[i], 0);
        const redisCpu = procCpu(redis.pid) - r0;
        await queue.close();
        await Promise.all(procs.map(stopProcess));
        const same = rowsOf(res) === rowsOf(single);
        log(`${k} worker(s), chunk ${c}: ${r3(wall)} s, identical JSONL: ${same}`);
        queued.push({
          workers: k,
          chunk_rows: c,
          seconds: r3(wall),
          rows_per_s: r3(rows / wall),
          speedup_vs_single: r3(singleS / wall),
          cpu_ms_per_row: r3(((coordCpu + workersCpu + redisCpu) / rows) * 1000),
          cpu_ms_per_row_coordinator: r3((coordCpu / rows) * 1000),
          cpu_ms_per_row_workers: r3((workersCpu / rows) * 1000),
          cpu_ms_per_row_redis: r3((redisCpu / rows) * 1000),
          cpu_vs_single: r3((coordCpu + workersCpu + redisCpu) / singleCpu),
          identical_jsonl: same,
        });
      }
    // the single process again, after the queue runs: the machine's load drifts, and the two bracket it
    const a0 = performance.now();
    await run(engine, file);
    const singleAfterS = (performance.now() - a0) / 1000;
    log(`single again: ${r3(singleAfterS)} s`);
    // --- the queue's own cost: outputs looked up, per chunk size
    const table = new Map<string, TextAnalysis>();
    for (let i = 0; i < texts.length; i += 64) {
      const part = texts.slice(i, i + 64);
      (await engine.analyze(part, { language: 'en' })).forEach((a, j) => table.set(part[j], a));
    }
    const lookup: TextEngine = {
      model: engine.model,
      analyze: async (ts) => ts.map((t) => table.get(t) as TextAnalysis),
    };
    const big = join(dir, 'big.csv');
    const lines = ['text'];
    for (let i = 0; i < overheadRows; i++) lines.push(csvField(texts[i % texts.length]));
    writeFileSync(big, `${lines.join('\n')}\n`);
    const l0 = performance.now();
    const localCpu0 = selfCpu();
    await run(lookup, big);
    const localS = (performance.now() - l0) / 1000;
    const localCpu = selfCpu() - localCpu0;
    const overhead: Array<Record<string, number>> = [];
    for (const c of chunkSizes) {
      const s = settings(`bench-overhead-${c}`, c);
      const worker = await startCorpusWorker(s, lookup, silent);
      const queue = new BullCorpusQueue(s, silent);
      const r0 = procCpu(redis.pid);
      const s0 = selfCpu();
      const q0 = performance.now();
      await run(lookup, big, queue);
      const wall = (performance.now() - q0) / 1000;
      const cpu = selfCpu() - s0;
      const redisCpu = procCpu(redis.pid) - r0;
      await queue.close();
      await worker.close();
      const chunks = Math.ceil(overheadRows / c);
      overhead.push({
        chunk_rows: c,
        chunks,
        seconds: r3(wall),
        extra_ms_per_chunk: r3(((wall - localS) / chunks) * 1000),
        extra_ms_per_row: r3(((wall - localS) / overheadRows) * 1000),
        node_cpu_ms_per_chunk: r3(((cpu - localCpu) / chunks) * 1000),
        redis_cpu_ms_per_chunk: r3((redisCpu / chunks) * 1000),
        redis_ceiling_rows_per_s: redisCpu > 0 ? Math.round(overheadRows / redisCpu) : 0,
      });
      log(`overhead, chunk ${c}: ${r3(wall)} s vs ${r3(localS)} s alone`);
    }
    const perWorker = (queued.find((q) => q.workers === 1 && q.chunk_rows === chunk)?.rows_per_s as number) ?? 0;
    const atChunk = overhead.find((o) => o.chunk_rows === chunk);
    const oneWorker = queued.find((q) => q.workers === 1 && q.chunk_rows === chunk);
    const coordMs = (oneWorker?.cpu_ms_per_row_coordinator as number) ?? 0;
    const result = {
      bench: 'corpus-queue',
      model: engine.model.id,
      rows,
      threads_per_process: threads,
      chunk_rows: chunk,
      machine: { cores: availableParallelism(), loadavg_start: loadavg().map(r3) },
      single: {
        seconds: r3(singleS),
        rows_per_s: r3(rows / singleS),
        cpu_ms_per_row: r3((singleCpu / rows) * 1000),
        seconds_again_after_the_queue_runs: r3(singleAfterS),
      },
      queue: queued,
      overhead: { rows: overheadRows, alone_seconds: r3(localS), per_chunk_size: overhead },
      n_machines_model: atChunk
        ? {
            per_worker_rows_per_s: perWorker,
            redis_ceiling_rows_per_s: atChunk.redis_ceiling_rows_per_s,
            machines_to_saturate_redis: perWorker > 0 ? Math.floor(atChunk.redis_ceiling_rows_per_s / perWorker) : null,
            coordinator_ceiling_rows_per_s: coordMs > 0 ? Math.round(1000 / coordMs) : null,
            machines_to_saturate_coordinator:
              coordMs > 0 && perWorker > 0 ? Math.floor(1000 / coordMs / perWorker) : null,
          }
        : null,
    };
    const json = JSON.stringify(result, null, 2);
    process.stdout.write(`${json}\n`);
    const outFile = arg('out');
    if (outFile) writeFileSync(outFile, json);
  } finally {
    redis.stop();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

void main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
