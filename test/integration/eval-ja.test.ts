// `npm run eval -- --tasks ja` (the Japanese hand-written set and the 66 XED-ja lines): the loaders read
// the sets as committed / shipped in ../shared, the task refuses a model that does not read Japanese (the shipped
// 1.3.0) instead of reading Japanese as English, and runs end to end on the v2-shaped fixture (random weights: the
// numbers say nothing about quality, only that each text was read and compared).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadJaHandwritten, loadXedProjections } from '../../eval/data.js';
import { DATA_DIR as DATA, requireData } from '../helpers/data.js';
import { ROOT } from './harness.js';

const noXed = requireData('eval task ja on the XED-ja lines', 'xed/Projections/ja-projections.tsv') !== null;
const CLI = resolve(ROOT, 'dist/eval/cli.js');
const evalRun = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, '--data', DATA, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

describe('eval task ja', () => {
  it('loads 112 hand-written sentences, 16 per Ekman class', () => {
    const hand = loadJaHandwritten(resolve(ROOT, 'eval/data/ja_ekman_handwritten.tsv'));
    expect(hand).toHaveLength(112);
    const per = new Map<string, number>();
    for (const r of hand) per.set(r.label, (per.get(r.label) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({
      anger: 16,
      disgust: 16,
      fear: 16,
      joy: 16,
      sadness: 16,
      surprise: 16,
      neutral: 16,
    });
  });

  it.skipIf(noXed)('loads the 66 XED-ja lines', () => {
    const xed = loadXedProjections(DATA, 'ja');
    expect(xed).toHaveLength(66); // xed/SOURCE.md: 66 lines
    for (const r of xed) {
      expect(r.text).not.toMatch(/[\t\r\n]/);
      expect(r.labels.length).toBeGreaterThan(0);
    }
  });

  it.skipIf(noXed)('refuses the shipped model, which does not read Japanese', () => {
    const r = evalRun('--tasks', 'ja');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/does not read Japanese \(languages: en, ko\)/);
  });

  it.skipIf(noXed)('reads every text with a model that lists ja and reports accuracies with intervals', () => {
    const r = evalRun('--models-dir', resolve(ROOT, 'test/fixtures/model-v2'), '--tasks', 'ja');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      metrics: Record<string, number>;
      counts: Record<string, number>;
      intervals_95: Record<string, [number, number]>;
    };
    expect(report.counts).toMatchObject({ ja_handwritten: 112, xed_ja_lines: 66 });
    expect(report.counts.xed_ja_with_ekman_label).toBeGreaterThan(0);
    expect(report.counts.xed_ja_with_ekman_label).toBeLessThanOrEqual(66);
    for (const k of ['ja_handwritten_ekman_acc', 'xed_ja_ekman_hit']) {
      expect(report.metrics[k]).toBeGreaterThanOrEqual(0);
      expect(report.metrics[k]).toBeLessThanOrEqual(1);
      const [lo, hi] = report.intervals_95[k];
      expect(lo).toBeLessThanOrEqual(report.metrics[k]);
      expect(hi).toBeGreaterThanOrEqual(report.metrics[k]);
    }
    expect(r.stderr).toMatch(/ja hand-written: 112 texts/);
  });
});
