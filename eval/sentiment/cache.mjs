// Caches model outputs for the one-sentiment rule (node eval/sentiment/cache.mjs after npm run build; CACHE_DIR, default /tmp):
// NSMC dev (2,000) and test (3,000, seeded samples of the per-review split), GoEmotions dev and test, one JSONL each
// (SPLITS=dev or SPLITS=test for one of them).
// Each text is read as the server reads it (src/tools/reading/documents.ts, READ=hybrid, the default): whole when it
// fits one model window, else, when it has several sentences, as a document of its sentences; READ=sentences reads
// every text of several sentences by its sentences (the rule first tried), READ=whole every text whole (windows:
// per-label maximum). `groups` = the reading's sentiment groups; `aggregation` how it was made.
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
const READ = process.env.READ ?? 'hybrid';
if (!['hybrid', 'sentences', 'whole'].includes(READ))
  throw new Error(`READ must be hybrid, sentences or whole (got ${READ})`);
const SPLITS = (process.env.SPLITS ?? 'dev,test').split(',');
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
    const decided = batch.map(() => ({ language, confidence: null }));
    const res =
      READ === 'whole'
        ? await engine.analyze(
            batch.map((r) => r.text),
            { decided },
          )
        : await readDocuments(
            engine,
            batch.map((r) => r.text),
            decided,
            undefined,
            { mode: READ === 'sentences' ? 'sentences' : 'hybrid' },
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
          aggregation: a.fromSentences ? 'sentences' : a.chunks > 1 ? 'windows' : 'one_window',
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
if (SPLITS.includes('dev')) {
  await dump('nsmc-dev', sample(nsmc.dev, 2000, 1), 'ko');
  await dump('ge-dev', loadGoEmotions(DATA, 'dev', 'en'), 'en');
}
if (SPLITS.includes('test')) {
  await dump('nsmc-test', sample(nsmc.test, 3000, 2), 'ko');
  await dump('ge-test', loadGoEmotions(DATA, 'test', 'en'), 'en');
}
await engine.close();
