// What reading a text's sentences costs (src/tools/reading/documents.ts). Prints one JSON object.
//   node dist/bench/document.js [--n 150] [--long 20] [--out FILE]
// Warm, uncached (the engine has no memo; each text read once per variant), variants alternated text by text so that
// load drift hits them alike, on distinct texts built from GoEmotions test comments:
//  - two-sentence texts (two one-sentence comments, ≤ 40 tokens: a short tweet) and long texts (≈ 300 tokens, several
//    windows, several sentences);
//  - engine level: `whole` (engine.analyze: the reading before documents, and the hybrid's for a one-window text),
//    `hybrid` (the server's reader, sentences not asked for; long texts also `hybrid_uncounted`, over an engine that
//    cannot count windows, so it reads a long text whole before its sentences), `hybrid_with_block` (sentences asked for: what every
//    call would cost if the strongest-sentence block were always computed), `sentences` (every text of several
//    sentences read by its sentences: the rule first tried);
//  - tool level: analyze_emotion in-process, plain and with granularity "sentence".
// Ratios are p50 against `whole` of the same run.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { sentences } from '../src/analysis/segment/index.js';
import { resolveModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { defaults, packageRoot } from '../src/server/config.js';
import { analyzeEmotionTool } from '../src/tools/analyze-emotion.js';
import { readDocuments, type ReadDocumentOptions } from '../src/tools/reading/documents.js';
import { uncachedContext } from '../src/tools/types.js';
import { arg, emitReport } from '../eval/args.js';

const ROOT = packageRoot();
const N = Number(arg('n', '150'));
const N_LONG = Number(arg('long', '20'));
const log = (m: string) => process.stderr.write(`[bench:document] ${m}\n`);
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

async function main(): Promise<void> {
  const data = resolve(ROOT, '..', 'shared', 'data', 'goemotions', 'test.tsv');
  if (!existsSync(data)) throw new Error(`${data} is missing: the bench builds its texts from GoEmotions test`);
  const pool = readFileSync(data, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0].trim())
    .filter((t) => sentences(t, 'en').length === 1);
  const engine = await OnnxTextEngine.load(resolveModel(join(ROOT, 'models'), undefined, undefined), {
    provider: 'cpu',
    threads: 0,
    batchWindowMs: 3,
    maxBatch: 32,
    logger: pino({ level: 'silent' }),
  });
  const end = (t: string) => (/[.!?]$/.test(t) ? t : `${t}.`);
  const short: string[] = [];
  for (let i = 0; short.length < N + 10 && i + 1 < pool.length; i += 2) {
    const t = `${end(pool[i])} ${end(pool[i + 1])}`;
    if (engine.countTokens(t) <= 40 && sentences(t, 'en').length === 2) short.push(t);
  }
  const long: string[] = [];
  for (let i = 20000 % pool.length; long.length < N_LONG + 2;) {
    let t = '';
    while (engine.countTokens(t) < 300) t = t ? `${t} ${end(pool[i++ % pool.length])}` : end(pool[i++ % pool.length]);
    long.push(t);
  }
  const decided = [{ language: 'en' as const, confidence: null }];
  const config = defaults({});
  const ctx = () =>
    uncachedContext({
      requestId: 'bench',
      signal: new AbortController().signal,
      logger: pino({ level: 'silent' }),
      progress: async () => {},
      services: { limits: config.limits, engine: { require: async () => engine, modelId: () => engine.model.id } },
    });
  const doc = (opts: ReadDocumentOptions) => (t: string) => readDocuments(engine, [t], decided, undefined, opts);
  const variants: Record<string, (t: string) => Promise<unknown>> = {
    whole: (t) => engine.analyze([t], { decided }),
    hybrid: doc({}),
    // the same reader over an engine that cannot count windows: it learns them from the whole reading
    hybrid_uncounted: (t) =>
      readDocuments({ model: engine.model, analyze: engine.analyze.bind(engine) }, [t], decided, undefined, {}),
    hybrid_with_block: doc({ sentences: true }),
    sentences: doc({ mode: 'sentences' }),
    tool_plain: (t) => analyzeEmotionTool.handler(analyzeEmotionTool.input.parse({ text: t, language: 'en' }), ctx()),
    tool_granularity_sentence: (t) =>
      analyzeEmotionTool.handler(
        analyzeEmotionTool.input.parse({ text: t, language: 'en', granularity: 'sentence' }),
        ctx(),
      ),
  };
  const names = Object.keys(variants).filter((v) => v !== 'hybrid_uncounted');
  const measure = async (texts: string[], only: string[]) => {
    for (const t of texts.slice(0, 2)) for (const v of only) await variants[v](t); // warm-up
    const times: Record<string, number[]> = Object.fromEntries(only.map((v) => [v, []]));
    for (const [k, t] of texts.slice(2).entries()) {
      const order = k % 2 === 0 ? only : [...only].reverse();
      for (const v of order) {
        const s = performance.now();
        await variants[v](t);
        times[v].push(performance.now() - s);
      }
    }
    const out: Record<string, unknown> = {};
    const base = pct(times.whole, 0.5);
    for (const v of only) out[v] = { ...summary(times[v]), p50_ratio_to_whole: r2(pct(times[v], 0.5) / base) };
    return out;
  };
  const meanTok = (ts: string[]) => r2(ts.reduce((a, t) => a + engine.countTokens(t), 0) / ts.length);
  const meanSent = (ts: string[]) => r2(ts.reduce((a, t) => a + sentences(t, 'en').length, 0) / ts.length);
  log(`${short.length} two-sentence texts (mean ${meanTok(short)} tokens); ${long.length} long (${meanTok(long)})`);
  const report = {
    model: `${engine.model.id} ${engine.model.version}`,
    machine: { cpus: cpus().length, parallelism: availableParallelism(), loadavg: loadavg().map(r2) },
    two_sentences: {
      texts: short.length - 2,
      mean_tokens: meanTok(short),
      ...(await measure(short.slice(0, N + 2), names)),
    },
    long: {
      texts: long.length - 2,
      mean_tokens: meanTok(long),
      mean_sentences: meanSent(long),
      mean_windows: r2(long.reduce((a, t) => a + engine.windowIds(t).length, 0) / long.length),
      ...(await measure(long, ['whole', 'hybrid', 'hybrid_uncounted', 'sentences'])),
    },
  };
  await engine.close();
  emitReport(report);
}

main().catch((err) => {
  process.stderr.write(`bench document: ${(err as Error).stack}\n`);
  process.exit(1);
});
