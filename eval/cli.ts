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
import { resolveModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import type { TextAnalysis } from '../src/core/model.js';
import { packageRoot } from '../src/server/config.js';
import { loadEkmanMapping, loadEmoBank, loadEthicsUtil, loadGoEmotions, loadKote, loadNsmc, readLabelList } from './data.js';
import { accuracy, macroF1, pearson } from './metrics.js';

const TASKS = ['goemotions', 'ekman', 'goemotions_ko', 'ethics', 'nsmc', 'kote', 'emobank'] as const;
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
  const a: Args = { data: resolve(root, '..', 'shared', 'data'), modelsDir: join(root, 'models'), threads: 0, tasks: [...TASKS], provider: 'cpu', batch: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const val = () => inline ?? argv[++i];
    switch (flag) {
      case '--data': a.data = resolve(val()); break;
      case '--models-dir': a.modelsDir = resolve(val()); break;
      case '--model': a.model = val(); break;
      case '--threads': a.threads = Number(val()); break;
      case '--limit': a.limit = Number(val()); break;
      case '--out': a.out = val(); break;
      case '--provider': a.provider = val() as 'cpu' | 'auto'; break;
      case '--batch': a.batch = Number(val()); break;
      case '--compare': a.compare = resolve(val()); break;
      case '--tasks': {
        const t = val().split(',').map((s) => s.trim()) as Task[];
        for (const x of t) if (!TASKS.includes(x)) throw new Error(`unknown task '${x}' (tasks: ${TASKS.join(', ')})`);
        a.tasks = t;
        break;
      }
      case '--help':
      case '-h':
        process.stderr.write('usage: npm run eval -- [--data DIR] [--models-dir DIR] [--model ID] [--threads N] [--tasks a,b] [--limit N] [--out FILE]\n');
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

async function run(engine: OnnxTextEngine, texts: string[], what: string): Promise<TextAnalysis[]> {
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const resolved = resolveModel(args.modelsDir, undefined, args.model);
  const engine = await OnnxTextEngine.load(resolved, { provider: args.provider, threads: args.threads, batchWindowMs: 0, maxBatch: args.batch });
  const m = engine.model;
  log(`model ${m.id} ${m.version} (${resolved.modelPath}), ${m.parameters} parameters, provider ${engine.info.provider}, ${engine.info.threads} threads`);
  const metrics: Record<string, unknown> = {};
  const counts: Record<string, number> = {};
  const t0 = performance.now();

  if (args.tasks.includes('goemotions') || args.tasks.includes('ekman')) {
    const rows = take(loadGoEmotions(args.data, 'test', 'en'), args.limit);
    const labels = readLabelList(join(args.data, 'goemotions', 'emotions.txt'));
    if (labels.join() !== m.labels.goemotions.join()) throw new Error('GoEmotions label order in the manifest differs from emotions.txt');
    const res = await run(engine, rows.map((r) => r.text), 'GoEmotions test');
    const th = m.thresholds.goemotions;
    const gold = rows.map((r) => labels.map((_, j) => r.labels.includes(j)));
    const pred = res.map((a) => labels.map((_, j) => a.goemotions[j] >= th[j]));
    counts.goemotions_test = rows.length;
    if (args.tasks.includes('goemotions')) metrics.goemotions_macro_f1 = r4(macroF1(gold, pred, labels.length).macro);
    if (args.tasks.includes('ekman')) {
      // Ekman-7 (evaluate.py): gold group = any member label gold (neutral = 'neutral' gold); predicted group =
      // max(member probabilities) >= the group's threshold from the manifest's `ekman.thresholds` (tuned on dev).
      const mapping = loadEkmanMapping(args.data);
      const classes = [...Object.keys(mapping), 'neutral'];
      const eth = resolved.entry.ekman?.thresholds;
      if (!eth) throw new Error(`the manifest entry ${m.id} has no ekman.thresholds (needed for the Ekman-7 metric)`);
      if (resolved.entry.ekman?.groups && resolved.entry.ekman.groups.join() !== classes.join()) {
        throw new Error(`manifest ekman.groups [${resolved.entry.ekman.groups}] differ from ekman_mapping.json order [${classes}]`);
      }
      const members = classes.map((c) => (c === 'neutral' ? ['neutral'] : mapping[c]).map((l) => labels.indexOf(l)));
      const goldE = gold.map((g) => members.map((mem) => mem.some((j) => g[j])));
      const predE = res.map((a) => members.map((mem, c) => Math.max(...mem.map((j) => a.goemotions[j])) >= eth[c]));
      metrics.goemotions_ekman_macro_f1 = r4(macroF1(goldE, predE, classes.length).macro);
    }
    if (args.tasks.includes('goemotions')) metrics['goemotions_macro_f1_at_0.5'] = r4(macroF1(gold, res.map((a) => labels.map((_, j) => a.goemotions[j] >= 0.5)), labels.length).macro);
  }
  if (args.tasks.includes('goemotions_ko')) {
    const rows = take(loadGoEmotions(args.data, 'test', 'ko'), args.limit);
    const res = await run(engine, rows.map((r) => r.text), 'GoEmotions-ko test');
    const th = m.thresholds.goemotions;
    metrics.goemotions_ko_macro_f1 = r4(
      macroF1(
        rows.map((r) => m.labels.goemotions.map((_, j) => r.labels.includes(j))),
        res.map((a) => m.labels.goemotions.map((_, j) => a.goemotions[j] >= th[j])),
        28,
      ).macro,
    );
    counts.goemotions_ko_test = rows.length;
  }
  if (args.tasks.includes('ethics')) {
    for (const split of ['test', 'test_hard'] as const) {
      const pairs = take(loadEthicsUtil(args.data, split), args.limit);
      const res = await run(engine, pairs.flat(), `ETHICS util ${split}`);
      const correct = pairs.map((_, i) => res[2 * i].utility > res[2 * i + 1].utility);
      metrics[split === 'test' ? 'ethics_util_test_acc' : 'ethics_util_hard_test_acc'] = r4(accuracy(correct));
      counts[`ethics_util_${split}`] = pairs.length;
    }
  }
  if (args.tasks.includes('nsmc')) {
    const rows = take(loadNsmc(args.data, 'test', log), args.limit);
    const res = await run(engine, rows.map((r) => r.text), 'NSMC test');
    metrics.nsmc_test_acc = r4(accuracy(rows.map((r, i) => (res[i].positive > 0.5 ? 1 : 0) === r.label)));
    counts.nsmc_test = rows.length;
  }
  if (args.tasks.includes('kote')) {
    const rows = take(loadKote(args.data, 'test'), args.limit);
    const labels = readLabelList(join(args.data, 'kote', 'labels.txt'));
    if (labels.join() !== m.labels.kote.join()) throw new Error('KOTE label order in the manifest differs from labels.txt');
    const res = await run(engine, rows.map((r) => r.text), 'KOTE test');
    const th = m.thresholds.kote;
    metrics.kote_test_macro_f1 = r4(
      macroF1(
        rows.map((r) => labels.map((_, j) => r.labels.includes(j))),
        res.map((a) => labels.map((_, j) => a.kote[j] >= th[j])),
        labels.length,
      ).macro,
    );
    counts.kote_test = rows.length;
  }
  if (args.tasks.includes('emobank')) {
    const rows = take(loadEmoBank(args.data, 'test'), args.limit);
    const res = await run(engine, rows.map((r) => r.text), 'EmoBank test');
    metrics.emobank_test_pearson = Object.fromEntries(['v', 'a', 'd'].map((d, k) => [d, r4(pearson(res.map((a) => a.vad[k]), rows.map((r) => r.vad[k])))]));
    counts.emobank_test = rows.length;
  }

  let agreement: Record<string, unknown> | undefined;
  if (args.compare) {
    const py = JSON.parse(readFileSync(args.compare, 'utf8')) as Record<string, unknown>;
    const flat = (o: Record<string, unknown>, prefix = ''): Record<string, number> =>
      Object.fromEntries(
        Object.entries(o).flatMap(([k, v]) =>
          typeof v === 'number' ? [[prefix + k, v]] : v && typeof v === 'object' ? Object.entries(flat(v as Record<string, unknown>, `${prefix}${k}.`)) : [],
        ),
      );
    const mine = flat(metrics);
    const theirs = flat(py);
    const per: Record<string, { node: number; python: number; abs_diff: number }> = {};
    for (const [k, v] of Object.entries(mine)) if (k in theirs) per[k] = { node: v, python: r4(theirs[k]), abs_diff: r4(Math.abs(v - theirs[k])) };
    const maxDiff = Math.max(0, ...Object.values(per).map((x) => x.abs_diff));
    agreement = { python_report: args.compare, tolerance: 0.005, max_abs_diff: maxDiff, within_tolerance: maxDiff <= 0.005, per_metric: per };
  }
  const report = {
    model: { id: m.id, version: m.version, sha256: m.sha256, file: resolved.modelPath, parameters: m.parameters },
    runtime: { node: process.version, onnxruntime: ort.env.versions?.common ?? null, provider: engine.info.provider, threads: engine.info.threads },
    data: args.data,
    limit: args.limit ?? null,
    procedure: `truncate to max_length ${m.maxLength}; batch ${args.batch}${args.batch === 1 ? ' (each text alone, as training/evaluate.py)' : ''}`,
    metrics,
    counts,
    ...(agreement ? { agreement } : {}),
    elapsed_s: Math.round((performance.now() - t0) / 100) / 10,
  };
  await engine.close();
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
