// Spread of the model's valence and arousal on dev texts, from which the conversation parameters are set
// (docs/conversation.md): the observation noise σ (pooled within-class SD over single-label texts, gold Ekman class
// from GoEmotions' own mapping) and the valence tertiles used as bins for influence.
//   node dist/eval/valence_spread.js [--data DIR] [--n 3000]
// English: GoEmotions dev; Korean: the Korean GoEmotions translation dev (same gold labels).
import { join, resolve } from 'node:path';
import { arousalOf, valenceOf } from '../src/analysis/emotion/index.js';
import { resolveSingleModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { packageRoot } from '../src/server/config.js';
import { loadEkmanMapping, loadGoEmotions, readLabelList } from './data.js';
import { arg } from './args.js';

function quantile(sorted: number[], p: number): number {
  const x = (sorted.length - 1) * p;
  const lo = Math.floor(x);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (x - lo);
}

function pooledWithinSd(values: number[], groups: string[]): number {
  const by = new Map<string, number[]>();
  values.forEach((v, i) => by.set(groups[i], [...(by.get(groups[i]) ?? []), v]));
  let ss = 0;
  let dof = 0;
  for (const xs of by.values()) {
    if (xs.length < 2) continue;
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    ss += xs.reduce((s, x) => s + (x - m) ** 2, 0);
    dof += xs.length - 1;
  }
  return Math.sqrt(ss / dof);
}

async function main(): Promise<void> {
  const data = resolve(arg('data', join(packageRoot(), '..', 'shared', 'data')));
  const n = Number(arg('n', '3000'));
  const engine = await OnnxTextEngine.load(resolveSingleModel(join(packageRoot(), 'models'), undefined, undefined), {
    provider: 'cpu',
    threads: 0,
    batchWindowMs: 0,
    maxBatch: 64,
  });
  const names = readLabelList(join(data, 'goemotions', 'emotions.txt'));
  const mapping = loadEkmanMapping(data);
  const ekmanOf = (label: string) =>
    label === 'neutral' ? 'neutral' : Object.keys(mapping).find((e) => mapping[e].includes(label))!;
  const out: Record<string, unknown> = { model: `${engine.model.id} ${engine.model.version}` };
  for (const lang of ['en', 'ko'] as const) {
    const rows = loadGoEmotions(data, 'dev', lang)
      .filter((r) => r.labels.length === 1)
      .slice(0, n);
    const res = await engine.analyze(
      rows.map((r) => r.text),
      { language: lang },
    );
    const v = res.map((a) => valenceOf(a, lang));
    const a = res.map((x) => arousalOf(x));
    const g = rows.map((r) => ekmanOf(names[r.labels[0]]));
    const sd = (xs: number[]) => {
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
    };
    const vs = [...v].sort((x, y) => x - y);
    const classMeans = Object.fromEntries(
      [...new Set(g)].sort().map((e) => {
        const idx = g.map((x, i) => (x === e ? i : -1)).filter((i) => i >= 0);
        return [
          e,
          {
            n: idx.length,
            valence: idx.reduce((s, i) => s + v[i], 0) / idx.length,
            arousal: idx.reduce((s, i) => s + a[i], 0) / idx.length,
          },
        ];
      }),
    );
    out[lang] = {
      texts: rows.length,
      valence: {
        sd: sd(v),
        within_class_sd: pooledWithinSd(v, g),
        tertiles: [quantile(vs, 1 / 3), quantile(vs, 2 / 3)],
      },
      arousal: { sd: sd(a), within_class_sd: pooledWithinSd(a, g) },
      class_means: classMeans,
    };
  }
  console.log(JSON.stringify(out, null, 1));
  await engine.close();
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
