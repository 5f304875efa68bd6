import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { anticipatedRegret, optionText } from '../../../src/analysis/regret/text.js';
import { MappingError } from '../../../src/core/labels.js';
import { FAKE_MODEL, fakeAnalysis, KOTE_LABELS } from '../../helpers/fake-engine.js';

const labels = FAKE_MODEL.labels;

describe('anticipated regret mapping', () => {
  it('blends the three cues 0.4 / 0.3 / 0.3 and reports their agreement', () => {
    // GoEmotions cue = max(remorse .5, fear .2) = .5; KOTE cue = max(죄책감 .4, 불안/걱정 .3) = .4; 1 − P(positive) = .7.
    // value = .4·.5 + .3·.4 + .3·.7 = .2 + .12 + .21 = .53; confidence = 1 − (.7 − .4) = .7.
    const r = anticipatedRegret(
      fakeAnalysis({
        positive: 0.3,
        go: { remorse: 0.5, fear: 0.2, joy: 0.9 },
        kote: { 죄책감: 0.4, '불안/걱정': 0.3, 기쁨: 0.8 },
      }),
      labels,
    );
    expect(r.value).toBeCloseTo(0.53, 6);
    expect(r.confidence).toBeCloseTo(0.7, 6);
    expect(r.source).toBe('estimated');
    expect(r.components.goemotions).toBeCloseTo(0.5, 6);
    expect(r.components.kote).toBeCloseTo(0.4, 6);
    expect(r.components.negative_polarity).toBeCloseTo(0.7, 6);
  });

  it('is in [0, 1] and never falls when a regret cue rises', () => {
    const p = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(p, p, p, p, (remorse, guilt, pos, bump) => {
        const a = anticipatedRegret(fakeAnalysis({ positive: pos, go: { remorse }, kote: { 죄책감: guilt } }), labels);
        const b = anticipatedRegret(
          fakeAnalysis({ positive: pos, go: { remorse: Math.max(remorse, bump) }, kote: { 죄책감: guilt } }),
          labels,
        );
        expect(a.value).toBeGreaterThanOrEqual(0);
        expect(a.value).toBeLessThanOrEqual(1);
        expect(a.confidence).toBeGreaterThanOrEqual(0);
        expect(a.confidence).toBeLessThanOrEqual(1);
        expect(b.value).toBeGreaterThanOrEqual(a.value);
      }),
    );
  });

  it('needs the KOTE regret labels by name', () => {
    const broken = { goemotions: labels.goemotions, kote: KOTE_LABELS.filter((l) => l !== '죄책감') };
    expect(() => anticipatedRegret(fakeAnalysis(), broken)).toThrow(MappingError);
  });

  it('option text is the decision followed by the description (or the name)', () => {
    expect(optionText('Should I move?', { name: 'stay', description: 'Stay in Busan' })).toBe(
      'Should I move?\nStay in Busan',
    );
    expect(optionText(undefined, { name: 'stay' })).toBe('stay');
  });
});
