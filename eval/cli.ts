#!/usr/bin/env node
// npm run eval — runs the shipped model through the Node engine (onnxruntime-node) on the test splits in
// ../shared/data and prints JSON metrics. Split and decision rules follow training/data.py and
// training/evaluate.py (documented in docs/engine.md), so the numbers agree with the Python evaluation:
// each text runs alone (batch 1, like evaluate.py: int8 dynamic quantisation computes activation scales over
// the whole input tensor, so batching changes int8 outputs slightly), truncated to max_length.
//
// usage: node dist/eval/cli.js [--data DIR] [--models-dir DIR] [--model ID] [--threads N]
//                                  [--tasks goemotions,ekman,goemotions_ko,ethics,nsmc,kote,emobank] [--limit N]
//                                  [--batch N] [--out FILE] [--compare PYTHON_EVALUATE_JSON]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { EnsembleTextEngine } from '../src/engine/ensemble-engine.js';
import { resolveSelection } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import type { TextAnalysis } from '../src/core/model.js';
import { packageRoot } from '../src/server/config.js';
import { bootstrapCI } from './bootstrap.js';
import { emotionProfile } from '../src/analysis/emotion/index.js';
import {
  loadEkmanMapping,
  loadEmoBank,
  loadEthicsUtil,
  loadGoEmotions,
  loadJaHandwritten,
  loadKote,
  loadNsmcPool,
  loadXedProjections,
  nsmcByMovie,
  nsmcByReview,
  nsmcTrainSubsample,
  readLabelList,
  V1_NSMC_PER_CLASS,
} from './data.js';
import { accuracyOn, macroF1On, pearsonOn } from './metrics.js';

const TASKS = ['goemotions', 'ekman', 'goemotions_ko', 'ethics', 'nsmc', 'kote', 'emobank', 'ja'] as const;
/** Tasks that need a model reading a language beyond en/ko: run only when asked for (`--tasks ja`). */
const ON_REQUEST: readonly Task[] = ['ja'];
type Task = (typeof TASKS)[number];

interface Args {
  data: string;
  modelsDir: string;
  model?: string;
  threads: number;
  tasks: Task[];
  limit?: number;
  out?: string;
  provider: 'cpu' | 'auto';
  batch: number;
  /** JSON printed by training/evaluate.py, to report the agreement (|Node − Python| per metric, tolerance 0.005). */
  compare?: string;
}

function parseArgs(argv: string[]): Args {
  const root = packageRoot();
  const a: Args = {
    data: resolve(root, '..', 'shared', 'data'),
    modelsDir: join(root, 'models'),
    threads: 0,
    tasks: TASKS.filter((t) => !ON_REQUEST.includes(t)),
    provider: 'cpu',
    batch: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=')
      ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
      : [argv[i], undefined];
    const val = () => inline ?? argv[++i];
    switch (flag) {
      case '--data':
        a.data = resolve(val());
        break;
      case '--models-dir':
        a.modelsDir = resolve(val());
        break;
      case '--model':
        a.model = val();
        break;
      case '--threads':
        a.threads = Number(val());
        break;
      case '--limit':
        a.limit = Number(val());
        break;
      case '--out':
        a.out = val();
        break;
      case '--provider':
        a.provider = val() as 'cpu' | 'auto';
        break;
      case '--batch':
        a.batch = Number(val());
        break;
      case '--compare':
        a.compare = resolve(val());
        break;
      case '--tasks': {
        const t = val()
          .split(',')
          .map((s) => s.trim()) as Task[];
        for (const x of t) if (!TASKS.includes(x)) throw new Error(`unknown task '${x}' (tasks: ${TASKS.join(', ')})`);
        a.tasks = t;
        break;
      }
      case '--help':
      case '-h':
        process.stderr.write(
          `usage: npm run eval -- [--data DIR] [--models-dir DIR] [--model ID] [--threads N] [--tasks a,b] [--limit N] [--out FILE]\n  tasks: ${TASKS.join(', ')} (default all but ${ON_REQUEST.join(', ')})\n`,
        );
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option '${flag}'`);
    }
  }
  return a;
}

const log = (m: string) => process.stderr.write(`[eval] ${m}\n`);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

async function run(
  engine: OnnxTextEngine | EnsembleTextEngine,
  texts: string[],
  what: string,
): Promise<TextAnalysis[]> {
  const t0 = performance.now();
  const out: TextAnalysis[] = [];
  const STEP = 512; // texts per engine call; the engine sorts each call's windows by length and batches them
  for (let i = 0; i < texts.length; i += STEP) {
    out.push(...(await engine.analyze(texts.slice(i, i + STEP), { overflow: 'truncate', language: 'en' })));
  }
  log(`${what}: ${texts.length} texts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

const take = <T>(rows: T[], limit?: number) => (limit ? rows.slice(0, limit) : rows);
const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/**
 * Every test metric is reported three ways: its value, a percentile-bootstrap 95 % interval
 * (1,000 resamples of the test rows, seed 0), and the value on the test set without the rows whose text (pair,
 * for ETHICS) also occurs in the task's train split ("upstream duplicates").
 */
class Report {
  readonly metrics: Record<string, unknown> = {};
  readonly intervals: Record<string, [number, number]> = {};
  readonly deduplicated: Record<string, { value: number; ci95: [number, number]; n: number; removed: number }> = {};

  add(key: string, n: number, metric: (rows: ArrayLike<number>) => number, duplicate?: (i: number) => boolean): number {
    const all = range(n);
    const value = metric(all);
    this.intervals[key] = bootstrapCI(n, metric).map(r4) as [number, number];
    if (duplicate) {
      const keep = all.filter((i) => !duplicate(i));
      const sub = (rows: ArrayLike<number>) => metric(Array.from(rows, (k) => keep[k]));
      this.deduplicated[key] = {
        value: r4(metric(keep)),
        ci95: bootstrapCI(keep.length, sub).map(r4) as [number, number],
        n: keep.length,
        removed: n - keep.length,
      };
    }
    return r4(value);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // --model may name an ensemble: the fused results with the ensemble's own thresholds (docs/engine.md, "Ensembles")
  const sel = resolveSelection(args.modelsDir, undefined, args.model);
  const opts = { provider: args.provider, threads: args.threads, batchWindowMs: 0, maxBatch: args.batch };
  const engine =
    sel.kind === 'ensemble'
      ? await EnsembleTextEngine.load(sel.ensemble, opts)
      : await OnnxTextEngine.load(sel.model, opts);
  // closed whatever happens: exiting while its worker threads still make sessions aborts the process
  try {
    await evaluate(args, sel, engine);
  } finally {
    await engine.close();
  }
}

async function evaluate(
  args: ReturnType<typeof parseArgs>,
  sel: ReturnType<typeof resolveSelection>,
  engine: EnsembleTextEngine | OnnxTextEngine,
): Promise<void> {
  const resolved =
    sel.kind === 'ensemble'
      ? { entry: sel.ensemble.entry, modelPath: sel.ensemble.manifestPath }
      : { entry: sel.model.entry, modelPath: sel.model.modelPath };
  const runtime = engine instanceof EnsembleTextEngine ? engine.members[0].info : engine.info;
  const m = engine.model;
  log(
    `model ${m.id} ${m.version} (${resolved.modelPath}), ${m.parameters} parameters, provider ${runtime.provider}, ${runtime.threads} threads`,
  );
  const rep = new Report();
  const metrics = rep.metrics;
  const counts: Record<string, number> = {};
  const t0 = performance.now();
  const trainTexts = (rows: Array<{ text: string }>) => new Set(rows.map((r) => r.text));

  if (args.tasks.includes('goemotions') || args.tasks.includes('ekman')) {
    const rows = take(loadGoEmotions(args.data, 'test', 'en'), args.limit);
    const inTrain = trainTexts(loadGoEmotions(args.data, 'train', 'en'));
    const dup = (i: number) => inTrain.has(rows[i].text);
    const labels = readLabelList(join(args.data, 'goemotions', 'emotions.txt'));
    if (labels.join() !== m.labels.goemotions.join())
      throw new Error('GoEmotions label order in the manifest differs from emotions.txt');
    const res = await run(
      engine,
      rows.map((r) => r.text),
      'GoEmotions test',
    );
    const th = m.thresholds.goemotions;
    const gold = rows.map((r) => labels.map((_, j) => r.labels.includes(j)));
    const pred = res.map((a) => labels.map((_, j) => a.goemotions[j] >= th[j]));
    counts.goemotions_test = rows.length;
    if (args.tasks.includes('goemotions'))
      metrics.goemotions_macro_f1 = rep.add(
        'goemotions_macro_f1',
        rows.length,
        (ix) => macroF1On(gold, pred, labels.length, ix),
        dup,
      );
    if (args.tasks.includes('ekman')) {
      // Ekman-7 (evaluate.py): gold group = any member label gold (neutral = 'neutral' gold); predicted group =
      // max(member probabilities) >= the group's threshold from the manifest's `ekman.thresholds` (tuned on dev).
      const mapping = loadEkmanMapping(args.data);
      const classes = [...Object.keys(mapping), 'neutral'];
      const eth = resolved.entry.ekman?.thresholds;
      if (!eth) throw new Error(`the manifest entry ${m.id} has no ekman.thresholds (needed for the Ekman-7 metric)`);
      if (resolved.entry.ekman?.groups && resolved.entry.ekman.groups.join() !== classes.join()) {
        throw new Error(
          `manifest ekman.groups [${resolved.entry.ekman.groups}] differ from ekman_mapping.json order [${classes}]`,
        );
      }
      const members = classes.map((c) => (c === 'neutral' ? ['neutral'] : mapping[c]).map((l) => labels.indexOf(l)));
      const goldE = gold.map((g) => members.map((mem) => mem.some((j) => g[j])));
      const predE = res.map((a) => members.map((mem, c) => Math.max(...mem.map((j) => a.goemotions[j])) >= eth[c]));
      metrics.goemotions_ekman_macro_f1 = rep.add(
        'goemotions_ekman_macro_f1',
        rows.length,
        (ix) => macroF1On(goldE, predE, classes.length, ix),
        dup,
      );
    }
    if (args.tasks.includes('goemotions')) {
      const pred5 = res.map((a) => labels.map((_, j) => a.goemotions[j] >= 0.5));
      metrics['goemotions_macro_f1_at_0.5'] = rep.add(
        'goemotions_macro_f1_at_0.5',
        rows.length,
        (ix) => macroF1On(gold, pred5, labels.length, ix),
        dup,
      );
    }
  }
  if (args.tasks.includes('goemotions_ko')) {
    const rows = take(loadGoEmotions(args.data, 'test', 'ko'), args.limit);
    const inTrain = trainTexts(loadGoEmotions(args.data, 'train', 'ko'));
    const res = await run(
      engine,
      rows.map((r) => r.text),
      'GoEmotions-ko test',
    );
    const th = m.thresholds.goemotions;
    const gold = rows.map((r) => m.labels.goemotions.map((_, j) => r.labels.includes(j)));
    const pred = res.map((a) => m.labels.goemotions.map((_, j) => a.goemotions[j] >= th[j]));
    metrics.goemotions_ko_macro_f1 = rep.add(
      'goemotions_ko_macro_f1',
      rows.length,
      (ix) => macroF1On(gold, pred, 28, ix),
      (i) => inTrain.has(rows[i].text),
    );
    counts.goemotions_ko_test = rows.length;
  }
  if (args.tasks.includes('ethics')) {
    const trainPairs = new Set(loadEthicsUtil(args.data, 'train').map(([a, b]) => `${a}\u0000${b}`));
    for (const split of ['test', 'test_hard'] as const) {
      const pairs = take(loadEthicsUtil(args.data, split), args.limit);
      const res = await run(engine, pairs.flat(), `ETHICS util ${split}`);
      const correct = pairs.map((_, i) => res[2 * i].utility > res[2 * i + 1].utility);
      const key = split === 'test' ? 'ethics_util_test_acc' : 'ethics_util_hard_test_acc';
      metrics[key] = rep.add(
        key,
        pairs.length,
        (ix) => accuracyOn(correct, ix),
        (i) => trainPairs.has(`${pairs[i][0]}\u0000${pairs[i][1]}`),
      );
      counts[`ethics_util_${split}`] = pairs.length;
    }
  }
  if (args.tasks.includes('nsmc')) {
    // Both splits: the per-review split of 1.0–1.3 and the split by movie; one pass over the
    // union of their test texts.
    const pool = loadNsmcPool(args.data, log);
    const byReview = nsmcByReview(pool);
    const byMovie = nsmcByMovie(pool);
    const oldRows = take(byReview.test, args.limit);
    const newRows = take(byMovie.splits.test, args.limit);
    const texts = [...new Set([...oldRows, ...newRows].map((r) => r.text))];
    const res = await run(engine, texts, 'NSMC test (both splits)');
    const positive = new Map(texts.map((t, i) => [t, res[i].positive]));
    const correctOf = (rows: Array<{ text: string; label: 0 | 1 }>) =>
      rows.map((r) => ((positive.get(r.text) as number) > 0.5 ? 1 : 0) === r.label);
    const oldCorrect = correctOf(oldRows);
    const oldTrain = trainTexts(byReview.train);
    metrics.nsmc_test_acc = rep.add(
      'nsmc_test_acc',
      oldRows.length,
      (ix) => accuracyOn(oldCorrect, ix),
      (i) => oldTrain.has(oldRows[i].text),
    );
    const newCorrect = correctOf(newRows);
    metrics.nsmc_movie_test_acc = rep.add('nsmc_movie_test_acc', newRows.length, (ix) => accuracyOn(newCorrect, ix));
    // Models 1.0–1.3 trained on a subsample of the per-review train part, which holds reviews of the movies that
    // the split by movie puts in test: score those models also on the test texts they did not train on.
    const seenByV1 = new Set(nsmcTrainSubsample(byReview.train, V1_NSMC_PER_CLASS).map((r) => r.text));
    const unseen = newRows.map((r, i) => i).filter((i) => !seenByV1.has(newRows[i].text));
    metrics.nsmc_movie_test_acc_unseen_by_v1 = rep.add('nsmc_movie_test_acc_unseen_by_v1', unseen.length, (ix) =>
      accuracyOn(
        newCorrect,
        Array.from(ix, (k) => unseen[k]),
      ),
    );
    counts.nsmc_movie_test_seen_by_v1 = newRows.length - unseen.length;
    counts.nsmc_test = oldRows.length;
    counts.nsmc_movie_test = newRows.length;
    counts.nsmc_movie_test_movies = new Set(newRows.map((r) => r.movie)).size;
    counts.nsmc_movie_removed_test_in_train_or_dev = byMovie.removed.test_in_train_or_dev;
    counts.nsmc_movie_removed_dev_in_train = byMovie.removed.dev_in_train;
    const trainMovies = new Set(byReview.train.map((x) => x.movie));
    counts.nsmc_old_test_reviews_of_train_movies = oldRows.filter((r) => trainMovies.has(r.movie)).length;
  }
  if (args.tasks.includes('kote')) {
    const rows = take(loadKote(args.data, 'test'), args.limit);
    const inTrain = trainTexts(loadKote(args.data, 'train'));
    const labels = readLabelList(join(args.data, 'kote', 'labels.txt'));
    if (labels.join() !== m.labels.kote.join())
      throw new Error('KOTE label order in the manifest differs from labels.txt');
    const res = await run(
      engine,
      rows.map((r) => r.text),
      'KOTE test',
    );
    const th = m.thresholds.kote;
    const gold = rows.map((r) => labels.map((_, j) => r.labels.includes(j)));
    const pred = res.map((a) => labels.map((_, j) => a.kote[j] >= th[j]));
    metrics.kote_test_macro_f1 = rep.add(
      'kote_test_macro_f1',
      rows.length,
      (ix) => macroF1On(gold, pred, labels.length, ix),
      (i) => inTrain.has(rows[i].text),
    );
    counts.kote_test = rows.length;
  }
  if (args.tasks.includes('emobank')) {
    const rows = take(loadEmoBank(args.data, 'test'), args.limit);
    const inTrain = trainTexts(loadEmoBank(args.data, 'train'));
    const res = await run(
      engine,
      rows.map((r) => r.text),
      'EmoBank test',
    );
    metrics.emobank_test_pearson = Object.fromEntries(
      ['v', 'a', 'd'].map((d, k) => {
        const x = res.map((a) => a.vad[k]);
        const y = rows.map((r) => r.vad[k]);
        return [
          d,
          rep.add(
            `emobank_test_pearson.${d}`,
            rows.length,
            (ix) => pearsonOn(x, y, ix),
            (i) => inTrain.has(rows[i].text),
          ),
        ];
      }),
    );
    counts.emobank_test = rows.length;
  }

  if (args.tasks.includes('ja')) {
    // Japanese is served by cross-lingual transfer of the shared heads (docs/emotion.md); the server's own Ekman
    // decision (`ekman.dominant`) is compared with the gold label. Both sets are test sets: once per release candidate.
    if (!m.languages.includes('ja'))
      throw new Error(
        `model ${m.id} ${m.version} does not read Japanese (languages: ${m.languages.join(', ')}); the ja task needs a model whose manifest lists ja`,
      );
    const dominant = async (texts: string[], what: string) => {
      const t1 = performance.now();
      const res = await engine.analyze(texts, { overflow: 'truncate', language: 'ja' });
      log(`${what}: ${texts.length} texts in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      return res.map((a) => emotionProfile(a, m, { topK: 3 }).ekman.dominant as string);
    };
    const hand = take(loadJaHandwritten(join(packageRoot(), 'eval', 'data', 'ja_ekman_handwritten.tsv')), args.limit);
    const handPred = await dominant(
      hand.map((r) => r.text),
      'ja hand-written',
    );
    const handOk = hand.map((r, i) => handPred[i] === r.label);
    metrics.ja_handwritten_ekman_acc = rep.add('ja_handwritten_ekman_acc', hand.length, (ix) => accuracyOn(handOk, ix));
    counts.ja_handwritten = hand.length;
    // XED-ja lines whose labels include an Ekman emotion (Plutchik anticipation/trust have none); a hit is a
    // predicted Ekman class among the line's labels.
    const EKMAN_IN_PLUTCHIK = new Set(['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise']);
    const xed = take(loadXedProjections(args.data, 'ja'), args.limit).map((r) => ({
      ...r,
      ekman: r.labels.filter((l) => EKMAN_IN_PLUTCHIK.has(l)),
    }));
    const kept = xed.filter((r) => r.ekman.length > 0);
    const xedPred = await dominant(
      kept.map((r) => r.text),
      'XED-ja',
    );
    const xedOk = kept.map((r, i) => r.ekman.includes(xedPred[i]));
    metrics.xed_ja_ekman_hit = rep.add('xed_ja_ekman_hit', kept.length, (ix) => accuracyOn(xedOk, ix));
    counts.xed_ja_lines = xed.length;
    counts.xed_ja_with_ekman_label = kept.length;
  }

  let agreement: Record<string, unknown> | undefined;
  if (args.compare) {
    const py = JSON.parse(readFileSync(args.compare, 'utf8')) as Record<string, unknown>;
    const flat = (o: Record<string, unknown>, prefix = ''): Record<string, number> =>
      Object.fromEntries(
        Object.entries(o).flatMap(([k, v]) =>
          typeof v === 'number'
            ? [[prefix + k, v]]
            : v && typeof v === 'object'
              ? Object.entries(flat(v as Record<string, unknown>, `${prefix}${k}.`))
              : [],
        ),
      );
    const mine = flat(metrics);
    const theirs = flat(py);
    const per: Record<string, { node: number; python: number; abs_diff: number }> = {};
    for (const [k, v] of Object.entries(mine))
      if (k in theirs) per[k] = { node: v, python: r4(theirs[k]), abs_diff: r4(Math.abs(v - theirs[k])) };
    const maxDiff = Math.max(0, ...Object.values(per).map((x) => x.abs_diff));
    agreement = {
      python_report: args.compare,
      tolerance: 0.005,
      max_abs_diff: maxDiff,
      within_tolerance: maxDiff <= 0.005,
      per_metric: per,
    };
  }
  const report = {
    model: { id: m.id, version: m.version, sha256: m.sha256, file: resolved.modelPath, parameters: m.parameters },
    runtime: {
      node: process.version,
      onnxruntime: ort.env.versions?.common ?? null,
      provider: runtime.provider,
      threads: runtime.threads,
    },
    data: args.data,
    limit: args.limit ?? null,
    procedure: `truncate to max_length ${m.maxLength}; batch ${args.batch}${args.batch === 1 ? ' (each text alone, as training/evaluate.py)' : ''}`,
    metrics,
    intervals_95: rep.intervals,
    without_upstream_duplicates: rep.deduplicated,
    bootstrap: 'percentile, 1,000 resamples of the test rows, seed 0',
    counts,
    ...(agreement ? { agreement } : {}),
    elapsed_s: Math.round((performance.now() - t0) / 100) / 10,
  };
  const json = JSON.stringify(report, null, 2);
  if (args.out) writeFileSync(args.out, `${json}\n`);
  process.stdout.write(`${json}\n`);
  if (agreement && !agreement.within_tolerance) {
    log(`Node and Python disagree by ${String(agreement.max_abs_diff)} > 0.005`);
    process.exitCode = 3;
  }
}

main().catch((err) => {
  process.stderr.write(`red-heart eval: ${(err as Error).message}\n`);
  process.exit(1);
});
