import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateBenthamFromText, TEXT_DEFAULTS } from '../../../src/analysis/bentham/text.js';
import { MappingError } from '../../../src/core/labels.js';
import { FAKE_MODEL, fakeAnalysis, GO_LABELS } from './fake-model.js';

const labels = FAKE_MODEL.labels;

describe('Bentham text mapping', () => {
  it('maps polarity, arousal and emotion mix onto kind, intensity and purity', () => {
    // arousal 4 on 1..5 → (4 − 1)/4 = 0.75; P(neutral) 0.2 → confidence 0.8.
    // E+ = max(joy .6, relief .3) = .6, E− = sadness .15 → purity 1 − .15/.6 = 0.75, confidence .6.
    const est = estimateBenthamFromText(fakeAnalysis({
      positive: 0.9, vad: [4, 4, 3], go: { joy: 0.6, relief: 0.3, sadness: 0.15, neutral: 0.2 },
    }), labels);
    expect(est.kind).toMatchObject({ value: 'pleasure', confidence: 0.9 });
    expect(est.variables.intensity).toMatchObject({ value: 0.75, source: 'estimated' });
    expect(est.variables.intensity.confidence).toBeCloseTo(0.8, 6);
    expect(est.variables.purity.value).toBeCloseTo(0.75, 6);
    expect(est.variables.purity.confidence).toBeCloseTo(0.6, 6);
    expect(est.variables.purity.source).toBe('estimated');
    for (const d of ['duration', 'certainty', 'propinquity', 'fecundity'] as const) {
      expect(est.variables[d]).toMatchObject({ value: TEXT_DEFAULTS[d], source: 'default' });
      expect(est.variables[d].confidence).toBeUndefined();
    }
    expect(est.effect).toMatchObject({ kind: 'pleasure', intensity: 0.75, duration: 0.5, certainty: 1, propinquity: 1, fecundity: 0 });
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
    fc.assert(fc.property(fc.array(p, { minLength: 28, maxLength: 28 }), p, fc.double({ min: -2, max: 8, noNaN: true }), (go, pos, a) => {
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
    }));
  });

  it('a model without a needed label is an error, not a silent zero', () => {
    const broken = { goemotions: GO_LABELS.filter((l) => l !== 'neutral'), kote: labels.kote };
    expect(() => estimateBenthamFromText(fakeAnalysis(), broken)).toThrow(MappingError);
    expect(() => estimateBenthamFromText(fakeAnalysis(), broken)).toThrow(/'neutral'/);
  });
});
