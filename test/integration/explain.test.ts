// Explanation faithfulness on the shipped default model (an ensemble is read as the server reads it): on GoEmotions dev texts, deleting the top-3 occlusion
// spans must lower the dominant label's probability more than deleting 3 random word units, on ≥ 80 % of texts.
// The full measurement (200 texts) is `node dist/eval/explain.js`; this test runs 60 texts with another seed.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchScorer } from '../../src/analysis/explain/occlusion.js';
import { EnsembleTextEngine } from '../../src/engine/ensemble-engine.js';
import { resolveSelection } from '../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../src/engine/onnx-engine.js';
import { loadGoEmotions } from '../../eval/data.js';
import { eligible, measureFaithfulness, pick } from '../../eval/explain.js';
import { mulberry32 } from '../../src/core/random.js';
import { DATA_DIR, requireData } from '../helpers/data.js';
import { requirement } from '../helpers/require.js';

const ROOT = resolve(import.meta.dirname, '../..');
const reason =
  requirement(
    'explanation faithfulness on the shipped model',
    existsSync(join(ROOT, 'models', 'manifest.json')) ? null : 'models/manifest.json is not installed',
    'model',
  ) ??
  requireData('explanation faithfulness on GoEmotions dev', 'goemotions/dev.tsv') ??
  '';

describe.skipIf(reason !== '')(
  `explanation faithfulness on the shipped model${reason ? ` — SKIPPED: ${reason}` : ''}`,
  () => {
    let engine: OnnxTextEngine | EnsembleTextEngine;
    beforeAll(async () => {
      // what the server serves by default: a model, or an ensemble
      const sel = resolveSelection(join(ROOT, 'models'), undefined, undefined);
      const opts = { provider: 'cpu' as const, threads: 1, batchWindowMs: 0, maxBatch: 32 };
      engine =
        sel.kind === 'model'
          ? await OnnxTextEngine.load(sel.model, opts)
          : await EnsembleTextEngine.load(sel.ensemble, opts);
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('top-3 spans beat 3 random units on ≥ 80 % of 60 dev texts', async () => {
      const score: BatchScorer = async (texts) =>
        (await engine.analyze(texts, { language: 'en' })).map((a) => a.goemotions);
      const rand = mulberry32(1515);
      const sample = pick(eligible(loadGoEmotions(DATA_DIR, 'dev')), 60, rand);
      const f = await measureFaithfulness(score, engine.model.labels.goemotions, sample, 5, rand);
      expect(f.texts).toBe(60);
      expect(f.topBeatsMeanRandom).toBeGreaterThanOrEqual(0.8);
      expect(f.topBeatsSingleDraw).toBeGreaterThanOrEqual(0.8);
    });

    it('scores the empty string (what deleting the only word of a text leaves)', async () => {
      const [a] = await engine.analyze([''], { language: 'en' });
      expect(a.goemotions.every((p) => p >= 0 && p <= 1)).toBe(true);
    });
  },
);
