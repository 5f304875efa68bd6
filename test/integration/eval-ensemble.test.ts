// `npm run eval -- --model ENSEMBLE`: the evaluation reads the fused results and decides labels with the ensemble's
// own thresholds. Expected value computed here from the served EnsembleTextEngine on the same rows (fixture ensemble
// of random-weight members: the number says nothing about quality, only that the CLI used the ensemble).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGoEmotions } from '../../eval/data.js';
import { macroF1 } from '../../eval/metrics.js';
import { EnsembleTextEngine } from '../../src/engine/ensemble-engine.js';
import { resolveSelection } from '../../src/engine/manifest.js';
import { DATA_DIR as DATA, requireData } from '../helpers/data.js';
import { ROOT } from './harness.js';

const DIR = resolve(ROOT, 'test/fixtures/ensemble');
const CLI = resolve(ROOT, 'dist/eval/cli.js');
const skip = requireData('npm run eval with an ensemble id', 'goemotions/test.tsv');

describe.skipIf(skip !== null)('npm run eval with an ensemble id', () => {
  it('reports the ensemble and its fused GoEmotions macro-F1 at the ensemble thresholds', async () => {
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        '--data',
        DATA,
        '--models-dir',
        DIR,
        '--model',
        'fixture-ensemble',
        '--tasks',
        'goemotions',
        '--limit',
        '60',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { model: { id: string; file: string }; metrics: Record<string, number> };
    expect(report.model.id).toBe('fixture-ensemble');
    expect(report.model.file).toBe(join(DIR, 'manifest.json'));

    const sel = resolveSelection(DIR, undefined, 'fixture-ensemble');
    if (sel.kind !== 'ensemble') throw new Error('fixture-ensemble is not an ensemble');
    const ens = await EnsembleTextEngine.load(sel.ensemble, {
      provider: 'cpu',
      threads: 1,
      batchWindowMs: 0,
      maxBatch: 1,
    });
    try {
      const rows = loadGoEmotions(DATA, 'test', 'en').slice(0, 60);
      const res = await ens.analyze(
        rows.map((x) => x.text),
        { overflow: 'truncate', language: 'en' },
      );
      const th = sel.ensemble.entry.thresholds.goemotions_logits;
      const gold = rows.map((x) => th.map((_, j) => x.labels.includes(j)));
      const pred = res.map((a) => th.map((t, j) => a.goemotions[j] >= t));
      expect(report.metrics.goemotions_macro_f1).toBeCloseTo(macroF1(gold, pred, th.length).macro, 3); // the report rounds to 4 decimals;
    } finally {
      await ens.close();
    }
  });
});
