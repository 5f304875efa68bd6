// Engine / analyze_emotion benchmark. Prints one JSON object (also written with --out FILE).
//   node dist/bench/engine.js [--models-dir DIR] [--threads N] [--quick] [--no-server] [--python PY] [--out FILE]
// Measures (warm, uncached, distinct texts of ~20 and ~120 tokens):
//  - p50/p95 of one analyze_emotion call in-process (tool handler → engine) and through the real stdio server;
//  - throughput of concurrent single-text calls (micro-batching on) and of `texts` batches of 8 and 32;
//  - cache-hit p50 (stdio server, memory cache); cold start (spawn → first answer); peak RSS;
//  - Node vs Python onnxruntime (bench/baseline_ort.py) on the same model file and the same token ids, batch 1 and 32.
// Without models/manifest.json it runs on the test fixture and says so ("model.fixture": true).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino from 'pino';
import { createEngineHandle } from '../src/engine/handle.js';
import { createServer } from '../src/server/server.js';
import { resolveSingleModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { defaults, packageRoot } from '../src/server/config.js';
import { analyzeEmotionTool } from '../src/tools/analyze-emotion.js';
import { uncachedContext, type ToolContext } from '../src/tools/types.js';
import { arg, flag, emitReport } from '../eval/args.js';

const ROOT = packageRoot();
const QUICK = flag('quick');
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const summary = (xs: number[]) => ({
  n: xs.length,
  p50_ms: r2(pct(xs, 0.5)),
  p95_ms: r2(pct(xs, 0.95)),
  mean_ms: r2(xs.reduce((a, b) => a + b, 0) / xs.length),
});

/** Distinct English texts: GoEmotions test comments when ../shared/data is there, else numbered synthetic sentences. */
function corpus(): string[] {
  const p = resolve(ROOT, '..', 'shared', 'data', 'goemotions', 'test.tsv');
  if (existsSync(p))
    return readFileSync(p, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]);
  const words = 'i really love this movie but the ending was sad and a little scary honestly what a day we had'.split(
    ' ',
  );
  return Array.from(
    { length: 3000 },
    (_, i) => Array.from({ length: 12 + (i % 9) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ') + ` ${i}`,
  );
}

function textsOfLength(engine: OnnxTextEngine, pool: string[], target: number, n: number, start: number): string[] {
  const out: string[] = [];
  let i = start;
  while (out.length < n && i < pool.length * 4) {
    // build a text of ≈ target tokens by joining consecutive comments
    let t = '';
    while (engine.countTokens(t) < target - 2) t = t ? `${t} ${pool[i++ % pool.length]}` : pool[i++ % pool.length];
    const tok = engine.countTokens(t);
    if (tok >= target - 3 && tok <= target + 8) out.push(t);
    else if (tok > target + 8 && target > 40) out.push(t); // long texts: accept, reported as mean tokens
  }
  return out;
}

async function main(): Promise<void> {
  const modelsDir = resolve(
    arg(
      'models-dir',
      existsSync(join(ROOT, 'models', 'manifest.json'))
        ? join(ROOT, 'models')
        : join(ROOT, 'test', 'fixtures', 'model'),
    )!,
  );
  const fixture = modelsDir.includes(join('test', 'fixtures'));
  const threads = Number(arg('threads', '0'));
  // one model file: --model, or the default (a default ensemble's first member); the stdio server below runs the same
  const resolved = resolveSingleModel(modelsDir, undefined, arg('model'));
  log(
    `model ${resolved.entry.id} from ${modelsDir}${fixture ? ' (TEST FIXTURE — numbers are not the shipped model)' : ''}`,
  );

  const t0 = performance.now();
  const engine = await OnnxTextEngine.load(resolved, {
    provider: 'cpu',
    threads,
    batchWindowMs: 3,
    maxBatch: 32,
    logger: pino({ level: 'silent' }),
  });
  const loadMs = performance.now() - t0;
  // the fixture's vocabulary has a deliberately broken token ('boom', see test/fixtures/make_fixture.py)
  const pool = corpus().filter((t) => !fixture || !/boom/i.test(t));
  const config = { ...defaults({}), modelsDir };
  const handle = { require: async () => engine, modelId: () => `${engine.model.id}` };
  const ctx = (): ToolContext =>
    uncachedContext({
      requestId: 'bench',
      signal: new AbortController().signal,
      logger: pino({ level: 'silent' }),
      progress: async () => {},
      services: { limits: config.limits, engine: handle },
    });
  const call = (args: Record<string, unknown>) =>
    analyzeEmotionTool.handler(analyzeEmotionTool.input.parse(args), ctx());

  const nShort = QUICK ? 30 : 200;
  const nLong = QUICK ? 15 : 60;
  const short = textsOfLength(engine, pool, 20, nShort + 40, 0);
  const long = textsOfLength(engine, pool, 120, nLong + 10, 2000);
  const meanTok = (ts: string[]) => r2(ts.reduce((a, t) => a + engine.countTokens(t), 0) / ts.length);
  log(
    `${short.length} short texts (mean ${meanTok(short)} tokens), ${long.length} long (mean ${meanTok(long)} tokens)`,
  );

  // warm-up
  for (const t of short.slice(0, 5)) await call({ text: t });
  const seq = async (ts: string[]) => {
    const times: number[] = [];
    for (const t of ts) {
      const s = performance.now();
      await call({ text: t });
      times.push(performance.now() - s);
    }
    return summary(times);
  };
  const inproc20 = await seq(short.slice(5, 5 + nShort));
  const inproc120 = await seq(long.slice(0, nLong));
  log(`in-process p50 ${inproc20.p50_ms} ms (~20 tok), ${inproc120.p50_ms} ms (~120 tok)`);

  // throughput: concurrent single-text calls (micro-batching), and texts batches of 8 / 32
  const tp = async (label: string, fn: () => Promise<number>) => {
    const s = performance.now();
    const n = await fn();
    const ms = performance.now() - s;
    log(`${label}: ${r2((n / ms) * 1000)} texts/s`);
    return { texts: n, ms: r2(ms), texts_per_s: r2((n / ms) * 1000) };
  };
  const concSet = QUICK ? short.slice(0, 64) : [...short, ...short.map((t) => `${t}!`)].slice(0, 256);
  const before = engine.batchStats();
  const concurrent = await tp('concurrent singles', async () => {
    await Promise.all(concSet.map((t) => call({ text: t })));
    return concSet.length;
  });
  const after = engine.batchStats();
  const batchOf = (k: number) =>
    tp(`texts batches of ${k}`, async () => {
      let n = 0;
      for (let i = 0; i + k <= concSet.length; i += k) {
        await call({ texts: concSet.slice(i, i + k).map((t) => `${t} .`) });
        n += k;
      }
      return n;
    });
  const b8 = await batchOf(8);
  const b32 = await batchOf(32);

  // Node vs Python on the same token ids (session-level, no tokenisation)
  const b1ids = short.slice(5, 5 + (QUICK ? 30 : 100)).map((t) => engine.windowIds(t, 'truncate')[0]);
  const b32ids: number[][][] = [];
  for (let i = 0; i + 32 <= short.length && b32ids.length < (QUICK ? 3 : 8); i += 32)
    b32ids.push(short.slice(i, i + 32).map((t) => engine.windowIds(t, 'truncate')[0]));
  const nodeRun = async (batches: number[][][]) => {
    await engine.runWindows(batches[0]);
    const times: number[] = [];
    for (const b of batches) {
      const s = performance.now();
      await engine.runWindows(b);
      times.push(performance.now() - s);
    }
    const n = batches.reduce((a, b) => a + b.length, 0);
    return {
      runs: batches.length,
      p50_ms: r2(pct(times, 0.5)),
      p95_ms: r2(pct(times, 0.95)),
      min_ms: r2(Math.min(...times)),
      texts_per_s: r2(n / (times.reduce((a, b) => a + b, 0) / 1000)),
    };
  };
  // Node is timed before AND after Python (the machine is shared; load drifts); the better of the two is reported
  const better = <T extends { p50_ms: number }>(a: T, b: T) => (a.p50_ms <= b.p50_ms ? a : b);
  let node = { b1: await nodeRun(b1ids.map((x) => [x])), b32: await nodeRun(b32ids) };
  let python: Record<string, any> | { skipped: string };
  const py = arg('python', process.env.PYTHON ?? 'python3')!;
  const probe = spawnSync(py, ['-c', 'import onnxruntime, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    python = {
      skipped: `${py} cannot import onnxruntime/numpy (pip install onnxruntime numpy, or pass --python PATH)`,
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'rh-bench-'));
    const idsFile = join(dir, 'ids.json');
    writeFileSync(idsFile, JSON.stringify({ b1: b1ids, b32: b32ids, inputs: resolved.entry.inputs }));
    const dumpFile = join(dir, 'py_out.json');
    const out = execFileSync(
      py,
      [
        join(ROOT, 'bench', 'baseline_ort.py'),
        '--model',
        resolved.modelPath,
        '--ids',
        idsFile,
        '--threads',
        String(engine.info.threads),
        '--pad',
        String(resolved.entry.pad_token_id),
        '--dump',
        dumpFile,
      ],
      { encoding: 'utf8' },
    );
    python = JSON.parse(out.trim().split('\n').pop()!);
    // output parity on the same ids (batch 1): largest |Node − Python| per head, after activation
    const pyRows = JSON.parse(readFileSync(dumpFile, 'utf8')) as Array<{
      goemotions: number[];
      kote: number[];
      positive: number;
      utility: number;
      vad: number[];
    }>;
    const diff = { goemotions: 0, kote: 0, positive: 0, utility: 0, vad: 0 };
    for (let i = 0; i < b1ids.length; i++) {
      const [n] = await engine.runWindows([b1ids[i]]);
      const p = pyRows[i];
      n.goemotions.forEach((v, j) => (diff.goemotions = Math.max(diff.goemotions, Math.abs(v - p.goemotions[j]))));
      n.kote.forEach((v, j) => (diff.kote = Math.max(diff.kote, Math.abs(v - p.kote[j]))));
      diff.positive = Math.max(diff.positive, Math.abs(n.positive - p.positive));
      diff.utility = Math.max(diff.utility, Math.abs(n.utility - p.utility));
      n.vad.forEach((v, j) => (diff.vad = Math.max(diff.vad, Math.abs(v - p.vad[j]))));
    }
    (python as Record<string, unknown>).output_max_abs_diff_vs_node = diff;
    node = { b1: better(node.b1, await nodeRun(b1ids.map((x) => [x]))), b32: better(node.b32, await nodeRun(b32ids)) };
  }
  const ratio =
    'b1' in python
      ? {
          b1_p50_node_over_python: r2(node.b1.p50_ms / python.b1.p50_ms),
          b32_p50_node_over_python: r2(node.b32.p50_ms / python.b32.p50_ms),
          b1_min_node_over_python: r2(node.b1.min_ms / python.b1.min_ms),
          b32_min_node_over_python: r2(node.b32.min_ms / python.b32.min_ms),
        }
      : null;
  log(`node b1 p50 ${node.b1.p50_ms} ms, b32 p50 ${node.b32.p50_ms} ms; ratio ${JSON.stringify(ratio)}`);
  // the full MCP path in-process (registry, validation, result cache) over an in-memory transport
  const mcpConfig = {
    ...defaults({}),
    modelsDir,
    provider: 'cpu' as const,
    threads,
    cache: { ...defaults({}).cache, backend: 'memory' as const },
  };
  const mcpHandle = await createEngineHandle(mcpConfig, pino({ level: 'silent' }));
  const srv = createServer({ config: mcpConfig, logger: pino({ level: 'silent' }), engine: mcpHandle });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await srv.mcp.connect(serverSide);
  const mcpClient = new Client({ name: 'bench', version: '0' });
  await mcpClient.connect(clientSide);
  const mcpSeq = async (ts: string[]) => {
    const times: number[] = [];
    for (const t of ts) {
      const q = performance.now();
      const r = (await mcpClient.callTool({ name: 'analyze_emotion', arguments: { text: t } })) as {
        isError?: boolean;
        content: Array<{ text?: string }>;
      };
      if (r.isError) throw new Error(`in-process MCP error: ${r.content[0]?.text}`);
      times.push(performance.now() - q);
    }
    return summary(times);
  };
  await mcpSeq(short.slice(0, 3).map((t) => `${t} warm`));
  const mcp20 = await mcpSeq(short.slice(5, 5 + nShort).map((t) => `${t} mcp`));
  const mcpHit = await mcpSeq(Array.from({ length: QUICK ? 20 : 100 }, () => `${short[6]} mcp`));
  await mcpClient.close();
  await srv.close();
  log(`in-process MCP: p50 ${mcp20.p50_ms} ms, cache hit p50 ${mcpHit.p50_ms} ms`);
  const inprocRss = process.resourceUsage().maxRSS * 1024;

  // through the real stdio server
  let server: Record<string, unknown> = { skipped: '--no-server' };
  const cli = join(ROOT, 'dist', 'src', 'server', 'cli.js');
  if (!flag('no-server') && existsSync(cli)) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, {
      RED_HEART_MODELS_DIR: modelsDir,
      RED_HEART_MODEL: resolved.entry.id,
      RED_HEART_CACHE: 'memory',
      RED_HEART_LOG_LEVEL: 'warn',
      RED_HEART_PROVIDER: 'cpu',
      RED_HEART_THREADS: String(threads),
    });
    const cold: number[] = [];
    let stats: Record<string, unknown> = {};
    for (let rep = 0; rep < (QUICK ? 1 : 3); rep++) {
      const s = performance.now();
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [cli],
        env,
        stderr: 'ignore',
        cwd: ROOT,
      });
      const client = new Client({ name: 'bench', version: '0' });
      await client.connect(transport);
      const first = (await client.callTool({
        name: 'analyze_emotion',
        arguments: { text: `cold start ${rep} ${short[0]}` },
      })) as { isError?: boolean; content: Array<{ text?: string }> };
      if (first.isError) throw new Error(`server error: ${first.content[0]?.text}`);
      cold.push(performance.now() - s);
      if (rep === 0) {
        const srv = async (ts: string[]) => {
          const times: number[] = [];
          for (const t of ts) {
            const q = performance.now();
            await client.callTool({ name: 'analyze_emotion', arguments: { text: t } });
            times.push(performance.now() - q);
          }
          return summary(times);
        };
        const s20 = await srv(short.slice(5, 5 + Math.min(nShort, 100)).map((t) => `${t} ~`));
        const s120 = await srv(long.slice(0, nLong).map((t) => `${t} ~`));
        // cache hits: the same arguments again
        const hits = await srv(Array.from({ length: QUICK ? 20 : 100 }, () => `${short[6]} ~`));
        const cs = performance.now();
        await Promise.all(
          concSet.map((t) => client.callTool({ name: 'analyze_emotion', arguments: { text: `${t} #` } })),
        );
        const cms = performance.now() - cs;
        const pid = (transport as unknown as { _process?: { pid?: number } })._process?.pid;
        let peak: number | null = null;
        try {
          const st = readFileSync(`/proc/${pid}/status`, 'utf8');
          peak = Number(/VmHWM:\s+(\d+) kB/.exec(st)?.[1]) * 1024;
        } catch {
          /* not Linux */
        }
        stats = {
          latency_20_tokens: s20,
          latency_120_tokens: s120,
          cache_hit: hits,
          concurrent_singles: { texts: concSet.length, ms: r2(cms), texts_per_s: r2((concSet.length / cms) * 1000) },
          peak_rss_bytes: peak,
        };
      }
      await client.close();
    }
    server = { ...stats, cold_start_ms: summary(cold) };
    log(`server: ${JSON.stringify(server)}`);
  }

  const report = {
    bench: 'engine',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      availableParallelism: availableParallelism(),
      loadavg: loadavg().map(r2),
      platform: `${process.platform}/${process.arch}`,
      node: process.version,
    },
    model: {
      id: engine.model.id,
      version: engine.model.version,
      file: resolved.modelPath,
      precision: resolved.entry.precision ?? null,
      parameters: engine.model.parameters,
      fixture,
    },
    engine: {
      provider: engine.info.provider,
      threads: engine.info.threads,
      load_ms: r2(loadMs),
      warmup_ms: engine.info.warmupMs,
      batch_window_ms: 3,
      max_batch: 32,
    },
    texts: { short_mean_tokens: meanTok(short), long_mean_tokens: meanTok(long) },
    in_process: {
      latency_20_tokens: inproc20,
      latency_120_tokens: inproc120,
      concurrent_singles: {
        ...concurrent,
        batches: after.batches - before.batches,
        mean_batch: r2((after.items - before.items) / Math.max(1, after.batches - before.batches)),
      },
      texts_batch_8: b8,
      texts_batch_32: b32,
      mcp_in_memory: { latency_20_tokens: mcp20, cache_hit: mcpHit },
      peak_rss_bytes: inprocRss,
    },
    stdio_server: server,
    node_vs_python: { same_ids: true, node, python, ratio },
    targets: { p50_20_tokens_ms: 15, batched_texts_per_s: 200, cache_hit_p50_ms: 1, node_vs_python_ratio_max: 1 },
  };
  await engine.close();
  emitReport(report);
}

main().catch((err) => {
  process.stderr.write(`bench/engine: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
