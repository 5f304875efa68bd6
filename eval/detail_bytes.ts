// Bytes of JSON per text at each detail level, on real dev texts, as analyze_emotion returns them:
//   node dist/eval/detail_bytes.js [--data DIR] [--n 300]
// English: GoEmotions dev; Korean: KOTE dev. Counts the UTF-8 bytes of one element of `results` (no envelope).
import { join, resolve } from 'node:path';
import { DETAILS, jsonBytes } from '../src/analysis/emotion/index.js';
import { resolveSingleModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { packageRoot } from '../src/server/config.js';
import { shape } from '../src/tools/emotion-reading.js';
import { loadGoEmotions, loadKote } from './data.js';
import { arg } from './args.js';

async function main(): Promise<void> {
  const data = resolve(arg('data', join(packageRoot(), '..', 'shared', 'data')));
  const n = Number(arg('n', '300'));
  const engine = await OnnxTextEngine.load(resolveSingleModel(join(packageRoot(), 'models'), undefined, undefined), {
    provider: 'cpu',
    threads: 0,
    batchWindowMs: 0,
    maxBatch: 64,
  });
  const out: Record<string, unknown> = { model: `${engine.model.id} ${engine.model.version}`, top_k: 5 };
  for (const [lang, rows] of [
    ['en', loadGoEmotions(data, 'dev').slice(0, n)],
    ['ko', loadKote(data, 'dev').slice(0, n)],
  ] as const) {
    const res = await engine.analyze(
      rows.map((r) => r.text),
      { language: lang },
    );
    const levels: Record<string, { mean: number; max: number }> = {};
    for (const detail of DETAILS) {
      const bytes = res.map((a) => jsonBytes(shape(a, engine.model, { topK: 5, detail })));
      levels[detail] = { mean: Math.round(bytes.reduce((s, x) => s + x, 0) / bytes.length), max: Math.max(...bytes) };
    }
    out[lang] = { texts: rows.length, bytes_per_text: levels };
  }
  console.log(JSON.stringify(out, null, 1));
  await engine.close();
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
