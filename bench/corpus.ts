// analyze_corpus benchmark. Prints one JSON object (also written with --out FILE).
//   node dist/bench/corpus.js [--mode throughput|rss] [--rows N] [--distinct N] [--models-dir DIR] [--threads N] [--out FILE]
// throughput (default): N distinct GoEmotions texts (the 5,426 dev texts first, then test texts), in --rounds rounds
//   (default 5): rows/s of analyze_corpus over a CSV of the round's texts vs analyze_emotion `texts` batches of 64 over
//   the same texts, same engine, same process, alternating which goes first. Target: ratio ≥ 0.9.
// rss: N rows cycling through --distinct texts (default 1,000); the model's outputs for those texts are computed
//   once with the real model and looked up, so the run measures the streaming pipeline (parse → batch → aggregate →
//   JSONL → report) at any N in seconds. Peak RSS (getrusage maxRSS) is reported after the model load and after the run; run one process per N
//   (`--rows 10000` and `--rows 100000`) and compare: it must not grow with the file.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { TextAnalysis, TextEngine } from '../src/core/model.js';
import { EnsembleTextEngine } from '../src/engine/ensemble-engine.js';
import { resolveSelection } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { defaults, packageRoot } from '../src/server/config.js';
import { analyzeEmotionTool } from '../src/tools/analyze-emotion.js';
import { createCorpusFiles } from '../src/server/corpus/files.js';
import { runCorpus } from '../src/tools/corpus/run.js';
import { uncachedContext, type ToolContext } from '../src/tools/types.js';
import { arg } from '../eval/args.js';

const ROOT = packageRoot();
const log = (m: string) => process.stderr.write(`[bench corpus] ${m}\n`);
const mib = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/** GoEmotions texts: dev first, then test (TSV, text in column 1, RFC-4180-style quoting as in the files). */
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

/** --mode make-file: rows cycling through `distinct` texts, written 1,000 lines at a time. */
function makeFile(file: string, rows: number, distinct: number): void {
  const pool = goemotionsTexts();
  writeFileSync(file, 'text\n');
  for (let i = 0; i < rows; i += 1000) {
    const part: string[] = [];
    for (let j = i; j < Math.min(rows, i + 1000); j++) part.push(csvField(pool[j % distinct]));
    appendFileSync(file, `${part.join('\n')}\n`);
  }
}

async function main(): Promise<void> {
  const mode = arg('mode', 'throughput');
  const rows = Number(arg('rows', '10000'));
  if (mode === 'make-file') return makeFile(arg('file') as string, rows, Number(arg('distinct', '1000')));
  const modelsDir = resolve(arg('models-dir', join(ROOT, 'models'))!);
  const threads = Number(arg('threads', '0'));
  // --model may name an ensemble (its members run concurrently, each with --threads threads)
  const sel = resolveSelection(modelsDir, undefined, arg('model'));
  const opts = { provider: 'cpu' as const, threads, batchWindowMs: 3, maxBatch: 32, logger: pino({ level: 'silent' }) };
  const engine =
    sel.kind === 'ensemble'
      ? await EnsembleTextEngine.load(sel.ensemble, opts)
      : await OnnxTextEngine.load(sel.model, opts);
  const pool = goemotionsTexts();
  const dir = mkdtempSync(join(tmpdir(), 'bench-corpus-'));
  const files = createCorpusFiles([dir]);
  const { allowed } = await files.allowedDirectories([]);
  const config = defaults({});
  const signal = new AbortController().signal;
  try {
    await engine.analyze(pool.slice(0, 8)); // warm-up
    const rssAfterLoadKb = process.resourceUsage().maxRSS;
    if (mode === 'throughput') {
      if (pool.length < rows) throw new Error(`only ${pool.length} distinct texts available`);
      const rounds = Number(arg('rounds', '5'));
      const per = Math.ceil(rows / rounds);
      // Both paths use the same engine through a wrapper that adds up the time spent inside engine.analyze, so each
      // path's own overhead (parsing, profiles, aggregation, writing) is measured apart from the machine's load.
      let inEngine = 0;
      const timed: TextEngine = {
        model: engine.model,
        analyze: async (texts, o) => {
          const t0 = performance.now();
          try {
            return await engine.analyze(texts, o);
          } finally {
            inEngine += performance.now() - t0;
          }
        },
      };
      const ctx: ToolContext = uncachedContext({
        requestId: 'bench',
        signal,
        logger: pino({ level: 'silent' }),
        progress: async () => {},
        services: { limits: config.limits, engine: { require: async () => timed, modelId: () => engine.model.id } },
      });
      let corpusOutside = 0;
      let emotionOutside = 0;
      // Rounds of `rows / rounds` texts; in each, analyze_corpus over a CSV of them and analyze_emotion batches of 64
      // over the same texts, alternating which goes first, so drift in the machine's load hits both alike.
      let corpusS = 0;
      let emotionS = 0;
      const perRound: Array<{ corpus_rows_per_s: number; emotion_texts_per_s: number }> = [];
      for (let r = 0; r < rounds; r++) {
        const texts = pool.slice(r * per, Math.min(rows, (r + 1) * per));
        const file = join(dir, `goemotions-${r}.csv`);
        writeFileSync(file, `text\n${texts.map(csvField).join('\n')}\n`);
        const corpus = async () => {
          const t0 = performance.now();
          const e0 = inEngine;
          const res = await runCorpus(
            { path: file, text_field: 'text', time_bucket: 'month', language: 'en', detail: 'standard' },
            {
              engine: async () => timed,
              files,
              allowed,
              signal,
              progress: async () => {},
              maxTextChars: config.limits.maxTextChars,
            },
          );
          if (res.rows.analysed !== texts.length) throw new Error(`analysed ${res.rows.analysed} of ${texts.length}`);
          const total = performance.now() - t0;
          corpusOutside += total - (inEngine - e0);
          return total / 1000;
        };
        const emotion = async () => {
          const t0 = performance.now();
          const e0 = inEngine;
          for (let i = 0; i < texts.length; i += 64) {
            await analyzeEmotionTool.handler(
              analyzeEmotionTool.input.parse({ texts: texts.slice(i, i + 64), language: 'en' }),
              ctx,
            );
          }
          const total = performance.now() - t0;
          emotionOutside += total - (inEngine - e0);
          return total / 1000;
        };
        let c: number, e: number;
        if (r % 2 === 0) {
          c = await corpus();
          e = await emotion();
        } else {
          e = await emotion();
          c = await corpus();
        }
        corpusS += c;
        emotionS += e;
        perRound.push({
          corpus_rows_per_s: Math.round((texts.length / c) * 10) / 10,
          emotion_texts_per_s: Math.round((texts.length / e) * 10) / 10,
        });
        log(`round ${r + 1}/${rounds}: corpus ${c.toFixed(1)} s, analyze_emotion ${e.toFixed(1)} s`);
      }
      const out = {
        mode,
        rows,
        rounds,
        model: `${engine.model.id} ${engine.model.version}`,
        cores: availableParallelism(),
        loadavg_1m_at_end: Math.round(loadavg()[0] * 100) / 100,
        analyze_corpus: { seconds: Math.round(corpusS * 10) / 10, rows_per_s: Math.round((rows / corpusS) * 10) / 10 },
        analyze_emotion_batches_of_64: {
          seconds: Math.round(emotionS * 10) / 10,
          texts_per_s: Math.round((rows / emotionS) * 10) / 10,
        },
        ratio_corpus_to_emotion: Math.round((emotionS / corpusS) * 1000) / 1000,
        overhead_outside_engine_ms_per_row: {
          analyze_corpus: Math.round((corpusOutside / rows) * 1000) / 1000,
          analyze_emotion: Math.round((emotionOutside / rows) * 1000) / 1000,
        },
        per_round: perRound,
        peak_rss_mib: mib(process.resourceUsage().maxRSS),
      };
      emit(out);
    } else {
      const distinct = Number(arg('distinct', '1000'));
      // The file is written by a child process, so building it does not raise this process's peak.
      const file = join(dir, 'cycled.csv');
      const made = spawnSync(
        process.execPath,
        [
          fileURLToPath(import.meta.url),
          '--mode',
          'make-file',
          '--rows',
          String(rows),
          '--distinct',
          String(distinct),
          '--file',
          file,
        ],
        { stdio: 'inherit' },
      );
      if (made.status !== 0) throw new Error('could not write the bench file');
      const bytes = statSync(file).size;
      // The model's outputs for the distinct texts are computed once with the real model and then looked up, so
      // the run measures the streaming pipeline itself (the server's LRU memo would add its own churn).
      const distinctTexts = pool.slice(0, distinct);
      const outputs = new Map<string, TextAnalysis>();
      for (let i = 0; i < distinctTexts.length; i += 64) {
        const part = distinctTexts.slice(i, i + 64);
        (await engine.analyze(part, { language: 'en' })).forEach((a, k) => outputs.set(part[k], a));
      }
      let lookups = 0;
      const wrapped: TextEngine = {
        model: engine.model,
        analyze: async (texts) =>
          texts.map((t) => {
            lookups++;
            const a = outputs.get(t);
            if (!a) throw new Error('bench: a text outside the distinct pool');
            return a;
          }),
      };
      global.gc?.();
      const before = process.resourceUsage().maxRSS;
      // RSS sampled every 50 ms during the run: its own peak, whatever the process reached before.
      let runPeak = process.memoryUsage().rss;
      let heapPeak = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        runPeak = Math.max(runPeak, m.rss);
        heapPeak = Math.max(heapPeak, m.heapUsed);
      }, 50);
      const t0 = performance.now();
      const res = await runCorpus(
        { path: file, text_field: 'text', time_bucket: 'month', language: 'en', detail: 'standard' },
        {
          engine: async () => wrapped,
          files,
          allowed,
          signal,
          progress: async () => {},
          maxTextChars: config.limits.maxTextChars,
        },
      );
      const s = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      runPeak = Math.max(runPeak, process.memoryUsage().rss);
      global.gc?.();
      const heapAfterGc = process.memoryUsage().heapUsed;
      emit({
        mode,
        rows,
        distinct,
        file_mib: Math.round((bytes / 1048576) * 10) / 10,
        analysed: res.rows.analysed,
        seconds: Math.round(s * 10) / 10,
        lookups,
        peak_rss_after_model_load_mib: mib(rssAfterLoadKb),
        peak_rss_before_run_mib: mib(before),
        rss_peak_during_run_mib: Math.round((runPeak / 1048576) * 10) / 10,
        peak_rss_at_end_mib: mib(process.resourceUsage().maxRSS),
        heap_used_peak_during_run_mib: Math.round((heapPeak / 1048576) * 10) / 10,
        heap_used_after_run_and_gc_mib: Math.round((heapAfterGc / 1048576) * 10) / 10,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await engine.close?.();
  }
}

function emit(o: unknown): void {
  const json = JSON.stringify(o, null, 2);
  process.stdout.write(`${json}\n`);
  const out = arg('out');
  if (out) writeFileSync(out, json);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
