import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateBenthamFromText, TEXT_DEFAULTS } from '../../../src/analysis/bentham/text.js';
import { MappingError } from '../../../src/core/labels.js';
import { LAYERS, scoreBentham, type LayerWeights, type V2 } from '../../../src/analysis/bentham/index.js';
import { FAKE_MODEL, fakeAnalysis, GO_LABELS } from '../../helpers/fake-engine.js';

const labels = FAKE_MODEL.labels;

describe('Bentham text mapping', () => {
  it('maps polarity, arousal and emotion mix onto a pleasure and a pain effect, intensity and purity', () => {
    // arousal 4 on 1..5 → (4 − 1)/4 = 0.75; P(neutral) 0.2 → confidence 0.8.
    // E+ = max(joy .6, relief .3) = .6, E− = sadness .15 → purity 1 − .15/.6 = 0.75, confidence .6.
    const est = estimateBenthamFromText(
      fakeAnalysis({
        positive: 0.9,
        vad: [4, 4, 3],
        go: { joy: 0.6, relief: 0.3, sadness: 0.15, neutral: 0.2 },
      }),
      labels,
    );
    expect(est.kind).toMatchObject({ value: 'pleasure', confidence: 0.9 });
    expect(est.variables.intensity).toMatchObject({ value: 0.75, source: 'estimated' });
    expect(est.variables.intensity.confidence).toBeCloseTo(0.8, 6);
    expect(est.variables.purity.value).toBeCloseTo(0.75, 6);
    expect(est.variables.purity.confidence).toBeCloseTo(0.6, 6);
    expect(est.variables.purity.source).toBe('estimated');
    for (const d of ['duration', 'propinquity', 'fecundity'] as const) {
      expect(est.variables[d]).toMatchObject({ value: TEXT_DEFAULTS[d], source: 'default' });
      expect(est.variables[d].confidence).toBeUndefined();
    }
    expect(est.variables.certainty).toMatchObject({ value: 0.9, source: 'estimated' });
    const shared = { intensity: 0.75, duration: 0.5, propinquity: 1, fecundity: 0, purity: expect.closeTo(0.75, 6) };
    expect(est.effects[0]).toMatchObject({ kind: 'pleasure', certainty: 0.9, ...shared });
    expect(est.effects[1]).toMatchObject({ kind: 'pain', certainty: expect.closeTo(0.1, 12), ...shared });
  });

  it('negative polarity gives a pain; no valenced emotion at all gives purity 1', () => {
    const est = estimateBenthamFromText(fakeAnalysis({ positive: 0.2, vad: [2, 6, 3] }), labels);
    expect(est.kind.value).toBe('pain');
    expect(est.kind.confidence).toBeCloseTo(0.8, 12);
    expect(est.variables.intensity.value).toBe(1); // arousal 6 overshoots the scale → clamped to 1
    expect(est.variables.purity.value).toBe(1);
    expect(est.variables.purity.confidence).toBe(0);
  });

  it('every estimate is in [0, 1] for any model output', () => {
    const p = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(p, { minLength: 28, maxLength: 28 }),
        p,
        fc.double({ min: -2, max: 8, noNaN: true }),
        (go, pos, a) => {
          const analysis = fakeAnalysis({ positive: pos, vad: [3, a, 3] });
          analysis.goemotions = Float32Array.from(go);
          const est = estimateBenthamFromText(analysis, labels);
          for (const v of Object.values(est.variables)) {
            expect(v.value).toBeGreaterThanOrEqual(0);
            expect(v.value).toBeLessThanOrEqual(1);
            if (v.confidence !== undefined) {
              expect(v.confidence).toBeGreaterThanOrEqual(0);
              expect(v.confidence).toBeLessThanOrEqual(1);
            }
          }
        },
      ),
    );
  });

  it('a model without a needed label is an error, not a silent zero', () => {
    const broken = { goemotions: GO_LABELS.filter((l) => l !== 'neutral'), kote: labels.kote };
    expect(() => estimateBenthamFromText(fakeAnalysis(), broken)).toThrow(MappingError);
    expect(() => estimateBenthamFromText(fakeAnalysis(), broken)).toThrow(/'neutral'/);
  });
});

const score = (
  positive: number,
  extra: { vad?: [number, number, number]; go?: Record<string, number> } = {},
  v2?: V2,
  w?: LayerWeights,
) => {
  const est = estimateBenthamFromText(
    fakeAnalysis({ positive, vad: extra.vad ?? [3, 4, 3], go: extra.go ?? { joy: 0.5, sadness: 0.1 } }),
    labels,
  );
  return scoreBentham([{ name: 'those affected (estimated)', count: 1, effects: est.effects }], v2, w);
};

describe('continuous text ethics', () => {
  it('with neutral layers and no v2 the ethical score is ½(1 + tanh(2p − 1)), p = P(positive)', () => {
    // Pleasure I·D·p·N·P and pain I·D·(1 − p)·N·P share every factor but the certainty, so
    // final/gross = (p − (1 − p))/(p + (1 − p)) = 2p − 1, whatever the intensity and purity.
    for (const p of [0, 0.1, 0.37, 0.5, 0.5 + 1e-9, 0.81, 1]) {
      expect(score(p).ethicalScore).toBeCloseTo(0.5 * (1 + Math.tanh(2 * p - 1)), 12);
      expect(score(p, { vad: [3, 2, 3], go: { relief: 0.9, anger: 0.3 } }).ethicalScore).toBeCloseTo(
        0.5 * (1 + Math.tanh(2 * p - 1)),
        12,
      );
    }
    // No jump at p = ½ (the one-effect mapping jumped from 0.119 to 0.881 there).
    expect(Math.abs(score(0.5 + 1e-9).ethicalScore - score(0.5 - 1e-9).ethicalScore)).toBeLessThan(1e-8);
    // p = 0.2, intensity (4 − 1)/4 = 0.75, duration 0.5, purity 1 − 0.1/0.5 = 0.8: pleasure 0.75·0.5·0.2·0.8 = 0.06,
    // pain 0.75·0.5·0.8·0.8 = 0.24 → final −0.18, gross 0.30.
    expect(score(0.2).finalScore).toBeCloseTo(-0.18, 8); // the fake model's emotion probabilities are float32
    expect(score(0.2).grossStakes).toBeCloseTo(0.3, 8);
  });

  it('ten different polarity readings give ten different scores', () => {
    const ps = [0.03, 0.12, 0.25, 0.4, 0.49, 0.52, 0.66, 0.71, 0.88, 0.97];
    const scores = ps.map(
      (p, i) => score(p, { vad: [3, 2 + i / 5, 3], go: { joy: 0.05 * i, fear: 0.5 - 0.04 * i } }).ethicalScore,
    );
    expect(new Set(scores.map((x) => x.toFixed(4))).size).toBe(10);
  });

  it('is non-decreasing in P(positive) for any other signals, layer weights and v2 with w_ethical·self_damage ≤ 2 (property)', () => {
    // (L + A)/G = (2 − w_eth·d)·q − 1 − w_eth·c + ½·w_eth·ρ, with q = L⁺/G increasing in p; see docs/bentham.md.
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    const weight = fc.double({ min: 0.3, max: 2.5, noNaN: true });
    fc.assert(
      fc.property(
        unit,
        unit,
        fc.double({ min: 1.2, max: 5, noNaN: true }),
        unit,
        unit,
        fc.array(weight, { minLength: 6, maxLength: 6 }),
        fc.record({
          externalCost: unit,
          selfDamage: unit,
          redistributionEffect: fc.double({ min: -1, max: 1, noNaN: true }),
        }),
        (a, b, arousal, joy, sadness, ws, v2) => {
          const w = Object.fromEntries(LAYERS.map((l, i) => [l, ws[i]])) as LayerWeights;
          fc.pre(w.ethical * v2.selfDamage <= 2);
          const sig = { vad: [3, arousal, 3] as [number, number, number], go: { joy, sadness } };
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const sLo = score(lo, sig, v2, w).ethicalScore;
          const sHi = score(hi, sig, v2, w).ethicalScore;
          expect(sHi).toBeGreaterThanOrEqual(sLo - 1e-12);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('beyond w_ethical·self_damage = 2 the caller has said pleasure costs more than twice its worth, and the score falls with p', () => {
    // Ethical weight 2.5, self-damage 1: (L + A)/G = (2 − 2.5)·q − 1 decreases as q = L⁺/G rises.
    const w = { ...Object.fromEntries(LAYERS.map((l) => [l, 1])), ethical: 2.5 } as LayerWeights;
    const v2 = { externalCost: 0, selfDamage: 1, redistributionEffect: 0 };
    expect(score(0.8, {}, v2, w).ethicalScore).toBeLessThan(score(0.2, {}, v2, w).ethicalScore);
    // Hand value at p = 0.8 (q = 0.8): ratio −1.4 → ½(1 + tanh(−1.4)).
    expect(score(0.8, {}, v2, w).ethicalScore).toBeCloseTo(0.5 * (1 + Math.tanh(-1.4)), 9);
  });
});
