// How well does the Ekman-7 projection of analyze_emotion pick a gold Ekman class, and which KOTE/GoEmotions weight
// should Korean use? Dev splits only (never test): GoEmotions dev (en), GoEmotions-ko dev, and the dev part of KOTE
// val (gold Ekman classes derived from KOTE labels with the documented KOTE → Ekman table).
// Metric: top-1 hit rate = share of texts whose projected dominant Ekman class is among their gold Ekman classes.
//   node dist/src/eval/ekman_mix.js [--data DIR] [--models-dir DIR] [--limit N]
import { join, resolve } from 'node:path';
import { EKMAN, GOEMOTIONS_EKMAN, KOTE_EKMAN, ekmanFromHead, type Ekman } from '../analysis/emotion/index.js';
import { resolveModel } from '../engine/manifest.js';
import { OnnxTextEngine } from '../engine/onnx-engine.js';
import { packageRoot } from '../server/config.js';
import { loadGoEmotions, loadKote } from './data.js';

const argv = process.argv.slice(2);
const arg = (n: string, d?: string) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const data = resolve(arg('data', resolve(packageRoot(), '..', 'shared', 'data'))!);
const modelsDir = resolve(arg('models-dir', join(packageRoot(), 'models'))!);
const limit = arg('limit') ? Number(arg('limit')) : undefined;

function goldEkman(labelNames: string[], taxonomy: 'goemotions' | 'kote'): Set<Ekman> {
  const groups = taxonomy === 'goemotions' ? GOEMOTIONS_EKMAN : KOTE_EKMAN;
  const none = taxonomy === 'goemotions' ? 'neutral' : '없음';
  const out = new Set<Ekman>();
  for (const l of labelNames) {
    if (l === none) out.add('neutral');
    for (const e of EKMAN) if (e !== 'neutral' && groups[e].includes(l)) out.add(e);
  }
  return out;
}

async function main(): Promise<void> {
  const engine = await OnnxTextEngine.load(resolveModel(modelsDir, undefined, undefined), { provider: 'cpu', threads: 0, batchWindowMs: 0, maxBatch: 1 });
  const m = engine.model;
  const sets = {
    goemotions_en_dev: { rows: loadGoEmotions(data, 'dev', 'en'), tax: 'goemotions' as const },
    goemotions_ko_dev: { rows: loadGoEmotions(data, 'dev', 'ko'), tax: 'goemotions' as const },
    kote_dev: { rows: loadKote(data, 'dev'), tax: 'kote' as const },
  };
  const weights = [0, 0.25, 0.5, 0.75, 1];
  const report: Record<string, unknown> = {};
  for (const [name, { rows: all, tax }] of Object.entries(sets)) {
    const rows = limit ? all.slice(0, limit) : all;
    const labels = tax === 'goemotions' ? m.labels.goemotions : m.labels.kote;
    const gold = rows.map((r) => goldEkman(r.labels.map((i) => labels[i]), tax));
    const res = await engine.analyze(rows.map((r) => r.text), { overflow: 'truncate' });
    const ge = res.map((a) => ekmanFromHead({ taxonomy: 'goemotions', labels: m.labels.goemotions, probs: a.goemotions }));
    const ko = res.map((a) => ekmanFromHead({ taxonomy: 'kote', labels: m.labels.kote, probs: a.kote }));
    const hit = (w: number) => {
      let h = 0;
      for (let i = 0; i < rows.length; i++) {
        let best: Ekman = 'neutral';
        let bs = -1;
        for (const e of EKMAN) {
          const s = w * ko[i][e] + (1 - w) * ge[i][e];
          if (s > bs) (bs = s), (best = e);
        }
        if (gold[i].has(best)) h++;
      }
      return Math.round((h / rows.length) * 1e4) / 1e4;
    };
    report[name] = { n: rows.length, top1_hit_by_kote_weight: Object.fromEntries(weights.map((w) => [String(w), hit(w)])) };
    process.stderr.write(`[ekman_mix] ${name}: ${JSON.stringify(report[name])}\n`);
  }
  await engine.close();
  process.stdout.write(`${JSON.stringify({ model: m.id, sha256: m.sha256.slice(0, 12), report }, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`ekman_mix: ${(err as Error).message}\n`);
  process.exit(1);
});
