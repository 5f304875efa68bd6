// Chooses, on DEV splits only (never test), how analyze_emotion projects head probabilities onto Ekman-7 and how
// Korean weighs its KOTE and GoEmotions heads. Data: GoEmotions dev (en), GoEmotions-ko dev, and the dev part of KOTE
// val (gold Ekman classes derived from KOTE labels with the documented KOTE → Ekman table).
// For each variant it reports the macro-F1 of the projected DOMINANT class against the gold Ekman set
// (per class: tp = dominant is c and c is gold; fp = dominant is c, c not gold; fn = c gold, dominant not c) and the
// top-1 hit rate (dominant ∈ gold).
//   node dist/eval/ekman_mix.js [--data DIR] [--models-dir DIR] [--limit N]
import { join, resolve } from 'node:path';
import {
  EKMAN,
  GOEMOTIONS_EKMAN,
  KOTE_EKMAN,
  NONE_LABEL,
  THRESHOLD_FLOOR as FLOOR,
  type Ekman,
} from '../src/core/labels.js';
import { resolveSingleModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { packageRoot } from '../src/server/config.js';
import { loadGoEmotions, loadKote } from './data.js';
import { arg } from './args.js';

const data = resolve(arg('data', resolve(packageRoot(), '..', 'shared', 'data'))!);
const modelsDir = resolve(arg('models-dir', join(packageRoot(), 'models'))!);
const limit = arg('limit') ? Number(arg('limit')) : undefined;
type Tax = 'goemotions' | 'kote';

function goldEkman(labelNames: string[], taxonomy: Tax): Set<Ekman> {
  const groups = taxonomy === 'goemotions' ? GOEMOTIONS_EKMAN : KOTE_EKMAN;
  const out = new Set<Ekman>();
  for (const l of labelNames) {
    if (l === NONE_LABEL[taxonomy]) out.add('neutral');
    for (const e of EKMAN) if (e !== 'neutral' && groups[e].includes(l)) out.add(e);
  }
  return out;
}

function scores(
  tax: Tax,
  labels: string[],
  probs: ArrayLike<number>,
  divisor: (i: number) => number,
): Record<Ekman, number> {
  const groups = tax === 'goemotions' ? GOEMOTIONS_EKMAN : KOTE_EKMAN;
  const raw = {} as Record<Ekman, number>;
  let sum = 0;
  for (const e of EKMAN) {
    const members = e === 'neutral' ? [NONE_LABEL[tax]] : groups[e];
    let m = 0;
    for (const l of members) {
      const i = labels.indexOf(l);
      if (i >= 0) m = Math.max(m, probs[i] / divisor(i));
    }
    raw[e] = m;
    sum += m;
  }
  for (const e of EKMAN) raw[e] = sum > 0 ? raw[e] / sum : 1 / 7;
  return raw;
}

function evaluate(gold: Set<Ekman>[], dist: Array<Record<Ekman, number>>): { macro_f1: number; top1_hit: number } {
  const tp: Record<string, number> = {};
  const fp: Record<string, number> = {};
  const fn: Record<string, number> = {};
  let hit = 0;
  gold.forEach((g, i) => {
    const d = dist[i];
    const top = EKMAN.reduce((a, b) => (d[b] > d[a] ? b : a));
    if (g.has(top)) {
      tp[top] = (tp[top] ?? 0) + 1;
      hit++;
    } else fp[top] = (fp[top] ?? 0) + 1;
    for (const c of g) if (c !== top) fn[c] = (fn[c] ?? 0) + 1;
  });
  const f1 = EKMAN.map((c) => {
    const t = tp[c] ?? 0;
    return t === 0 ? 0 : (2 * t) / (2 * t + (fp[c] ?? 0) + (fn[c] ?? 0));
  });
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return { macro_f1: r(f1.reduce((a, b) => a + b, 0) / 7), top1_hit: r(hit / gold.length) };
}

async function main(): Promise<void> {
  const engine = await OnnxTextEngine.load(resolveSingleModel(modelsDir, undefined, undefined), {
    provider: 'cpu',
    threads: 0,
    batchWindowMs: 0,
    maxBatch: 1,
  });
  const m = engine.model;
  const variants: Record<string, (tax: Tax) => (i: number) => number> = {
    max_probability: () => () => 1,
    max_probability_over_threshold: (tax) => (i) =>
      Math.max(FLOOR, (tax === 'goemotions' ? m.thresholds.goemotions : m.thresholds.kote)[i]),
  };
  const sets: Record<string, { rows: Array<{ text: string; labels: number[] }>; tax: Tax }> = {
    goemotions_en_dev: { rows: loadGoEmotions(data, 'dev', 'en'), tax: 'goemotions' },
    goemotions_ko_dev: { rows: loadGoEmotions(data, 'dev', 'ko'), tax: 'goemotions' },
    kote_dev: { rows: loadKote(data, 'dev'), tax: 'kote' },
  };
  const report: Record<string, unknown> = {};
  for (const [name, { rows: all, tax }] of Object.entries(sets)) {
    const rows = limit ? all.slice(0, limit) : all;
    const labels = tax === 'goemotions' ? m.labels.goemotions : m.labels.kote;
    const gold = rows.map((r) =>
      goldEkman(
        r.labels.map((i) => labels[i]),
        tax,
      ),
    );
    const res = await engine.analyze(
      rows.map((r) => r.text),
      { overflow: 'truncate' },
    );
    const out: Record<string, unknown> = { n: rows.length };
    for (const [vname, div] of Object.entries(variants)) {
      const ge = res.map((a) => scores('goemotions', m.labels.goemotions, a.goemotions, div('goemotions')));
      const ko = res.map((a) => scores('kote', m.labels.kote, a.kote, div('kote')));
      const byW: Record<string, unknown> = {};
      for (const w of name === 'goemotions_en_dev' ? [0] : [0, 0.25, 0.5, 0.75, 1]) {
        byW[`kote_weight_${w}`] = evaluate(
          gold,
          res.map(
            (_, i) =>
              Object.fromEntries(EKMAN.map((e) => [e, w * ko[i][e] + (1 - w) * ge[i][e]])) as Record<Ekman, number>,
          ),
        );
      }
      out[vname] = byW;
    }
    report[name] = out;
    process.stderr.write(`[ekman_mix] ${name}: ${JSON.stringify(out)}\n`);
  }
  await engine.close();
  process.stdout.write(
    `${JSON.stringify({ model: m.id, sha256: m.sha256.slice(0, 12), threshold_floor: FLOOR, report }, null, 2)}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`ekman_mix: ${(err as Error).message}\n`);
  process.exit(1);
});
