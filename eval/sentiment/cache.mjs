// Caches model outputs for the one-sentiment rule (node eval/sentiment/cache.mjs after npm run build; CACHE_DIR, default /tmp):
// NSMC dev (2,000) and test (3,000, seeded samples of the per-review split), GoEmotions dev and test, one JSONL each.
// Each text is read as the server reads it (src/tools/reading/documents.ts): a text of several sentences as a
// document, its heads the token-weighted mean of its sentences'; `groups` = the document's sentiment groups.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveModel } from '../../dist/src/engine/manifest.js';
import { OnnxTextEngine } from '../../dist/src/engine/onnx-engine.js';
import { readDocuments } from '../../dist/src/tools/reading/documents.js';
import { sentimentGroups } from '../../dist/src/analysis/emotion/profile.js';
import { loadGoEmotions, loadNsmcPool, nsmcByReview } from '../../dist/eval/data.js';
import { mulberry32 } from '../../dist/src/core/random.js';
const DATA = process.env.RED_HEART_DATA ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const OUT = process.env.CACHE_DIR ?? '/tmp';
const resolved = resolveModel(join(import.meta.dirname, '..', '..', 'models'), undefined, undefined);
const engine = await OnnxTextEngine.load(resolved, { provider: 'cpu', threads: 1, batchWindowMs: 0, maxBatch: 32 });
const sample = (rows, n, seed) => {
  const a = rows.slice();
  const r = mulberry32(seed);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
};
async function dump(name, rows, language) {
  const t0 = Date.now();
  const out = [];
  for (let i = 0; i < rows.length; i += 256) {
    const batch = rows.slice(i, i + 256);
    const res = await readDocuments(
      engine,
      batch.map((r) => r.text),
      batch.map(() => ({ language, confidence: null })),
      undefined,
    );
    res.forEach((a, k) =>
      out.push(
        JSON.stringify({
          ...rows[i + k],
          positive: a.positive,
          vad: a.vad,
          goemotions: Array.from(a.goemotions, (x) => +x.toFixed(5)),
          kote: Array.from(a.kote, (x) => +x.toFixed(5)),
          sentences: a.sentences?.length ?? 1,
          groups: sentimentGroups(a, engine.model),
        }),
      ),
    );
  }
  writeFileSync(join(OUT, `cache-${name}.jsonl`), out.join('\n') + '\n');
  process.stderr.write(`${name}: ${rows.length} in ${(Date.now() - t0) / 1000} s\n`);
}
const pool = loadNsmcPool(DATA, (m) => process.stderr.write(m + '\n'));
const nsmc = nsmcByReview(pool);
process.stderr.write(`nsmc dev ${nsmc.dev.length} test ${nsmc.test.length}\n`);
await dump('nsmc-dev', sample(nsmc.dev, 2000, 1), 'ko');
await dump('ge-dev', loadGoEmotions(DATA, 'dev', 'en'), 'en');
await dump('nsmc-test', sample(nsmc.test, 3000, 2), 'ko');
await dump('ge-test', loadGoEmotions(DATA, 'test', 'en'), 'en');
await engine.close();
