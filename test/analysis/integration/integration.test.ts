import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  causalClarity,
  confidence,
  ethicalScore,
  integrate,
  normalizedCertainty,
  overallSentiment,
  regretPotential,
  type EmotionSignals,
} from '../../../src/analysis/integration/index.js';

const EKMAN_UNIFORM = {
  anger: 1 / 7,
  disgust: 1 / 7,
  fear: 1 / 7,
  joy: 1 / 7,
  sadness: 1 / 7,
  surprise: 1 / 7,
  neutral: 1 / 7,
};
const EKMAN_JOY = { anger: 0, disgust: 0, fear: 0, joy: 1, sadness: 0, surprise: 0, neutral: 0 };
const emotion = (p: number, v: number, ekman: Record<string, number> = EKMAN_UNIFORM): EmotionSignals => ({
  positive_probability: p,
  valence: v,
  ekman,
});
const unit = fc.double({ min: 0, max: 1, noNaN: true });
const signed = fc.double({ min: -1, max: 1, noNaN: true });

describe('overall_sentiment', () => {
  it('averages polarity and valence: hand-computed points', () => {
    // 0.5·(2·0.9 − 1) + 0.5·0.6 = 0.4 + 0.3 = 0.7
    expect(overallSentiment(emotion(0.9, 0.6)).value).toBeCloseTo(0.7, 12);
    // 0.5·(2·0.1 − 1) + 0.5·(−1) = −0.4 − 0.5 = −0.9
    expect(overallSentiment(emotion(0.1, -1)).value).toBeCloseTo(-0.9, 12);
    expect(overallSentiment(emotion(0.5, 0)).value).toBe(0);
  });
  it('stays in [−1, 1] and is monotone in both inputs', () => {
    fc.assert(
      fc.property(unit, unit, signed, signed, (p1, p2, v1, v2) => {
        const lo = overallSentiment(emotion(Math.min(p1, p2), Math.min(v1, v2))).value!;
        const hi = overallSentiment(emotion(Math.max(p1, p2), Math.max(v1, v2))).value!;
        expect(lo >= -1 && hi <= 1 && lo <= hi, `lo ${lo}, hi ${hi}`).toBe(true);
      }),
    );
  });
  it('is null with a reason when the emotion section did not run', () => {
    const s = overallSentiment(undefined);
    expect(s.value).toBeNull();
    expect(s.reason).toMatch(/emotion/);
  });
});

describe('ethical_score, regret_potential and causal_clarity', () => {
  it('pass the section values through with their inputs', () => {
    expect(ethicalScore({ ethical_score: 0.8, mode: 'structured' })).toMatchObject({
      value: 0.8,
      inputs: { 'bentham.ethical_score': 0.8 },
    });
    expect(regretPotential({ mode: 'anticipated_regret', value: 0.3, confidence: 0.9 }).value).toBe(0.3);
    expect(causalClarity({ causal_clarity: 0.75, leak_reason: null }).value).toBe(0.75);
  });
  it('normalises expected regret of the choice by the utility range', () => {
    // expected regret 2 over a matrix spanning 0..10 → 0.2
    expect(regretPotential({ mode: 'matrix', choice: 'a', expected_regret: 2, utility_range: 10 }).value).toBeCloseTo(
      0.2,
      12,
    );
    expect(regretPotential({ mode: 'matrix', choice: 'a', expected_regret: 0, utility_range: 0 }).value).toBe(0);
  });
  it('regret_potential is monotone in expected regret and within [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0.001, max: 1000, noNaN: true }),
        (a, b, range) => {
          const [lo, hi] = [Math.min(a, b, range), Math.min(Math.max(a, b), range)];
          const x = regretPotential({ mode: 'matrix', choice: 'c', expected_regret: lo, utility_range: range }).value!;
          const y = regretPotential({ mode: 'matrix', choice: 'c', expected_regret: hi, utility_range: range }).value!;
          expect(x >= 0 && y <= 1 && x <= y, `x ${x}, y ${y}`).toBe(true);
        },
      ),
    );
  });
  it('are null with reasons when their section did not run or leak is undefined', () => {
    expect(ethicalScore(undefined).value).toBeNull();
    expect(regretPotential(undefined).value).toBeNull();
    const c = causalClarity({ causal_clarity: null, leak_reason: 'the target is constant' });
    expect(c.value).toBeNull();
    expect(c.reason).toBe('the target is constant');
    expect(causalClarity(undefined).reason).toMatch(/surd/);
  });
});

describe('confidence', () => {
  it('is 1 − normalised entropy for the Ekman part: one-hot 1, uniform 0', () => {
    expect(normalizedCertainty(Object.values(EKMAN_JOY))).toBeCloseTo(1, 12);
    expect(normalizedCertainty(Object.values(EKMAN_UNIFORM))).toBeCloseTo(0, 12);
  });
  it('hand-computed: exact sections count 1, scaled by the share of sections that ran', () => {
    // emotion: 0.5·|2·0.9 − 1| + 0.5·1 = 0.9; bentham structured 1; regret matrix 1; surd requested but skipped.
    const c = confidence({
      requested: ['emotion', 'bentham', 'regret', 'surd'],
      emotion: emotion(0.9, 0.5, EKMAN_JOY),
      bentham: { ethical_score: 0.6, mode: 'structured' },
      regret: { mode: 'matrix', choice: 'a', expected_regret: 1, utility_range: 4 },
    });
    // mean(0.9, 1, 1) × 3/4 = 0.725
    expect(c.value).toBeCloseTo(0.725, 12);
    expect(c.inputs).toMatchObject({ sections_ran: 3, sections_requested: 4 });
  });
  it('rises with model certainty and with the number of sections that ran', () => {
    const base = { requested: ['emotion', 'regret'] as const };
    const unsure = confidence({ ...base, emotion: emotion(0.5, 0) }).value!;
    const sure = confidence({ ...base, emotion: emotion(0.99, 0.8, EKMAN_JOY) }).value!;
    const more = confidence({
      ...base,
      emotion: emotion(0.99, 0.8, EKMAN_JOY),
      regret: { mode: 'anticipated_regret', value: 0.2, confidence: 0.9 },
    }).value!;
    expect(unsure).toBeLessThan(sure);
    expect(sure).toBeLessThan(more);
  });
  it('is 0 when nothing ran and always within [0, 1]', () => {
    expect(confidence({ requested: ['surd'] }).value).toBe(0);
    fc.assert(
      fc.property(unit, signed, unit, unit, (p, v, kc, rc) => {
        const c = confidence({
          requested: ['emotion', 'bentham', 'regret', 'surd'],
          emotion: emotion(p, v),
          bentham: { ethical_score: 0.5, mode: 'text', kind_confidence: kc },
          regret: { mode: 'anticipated_regret', value: 0.5, confidence: rc },
        }).value!;
        return c >= 0 && c <= 1;
      }),
    );
  });
});

describe('integrate', () => {
  it('returns all five scores with formulas', () => {
    const all = integrate({ requested: ['emotion'], emotion: emotion(0.7, 0.2) });
    expect(Object.keys(all)).toEqual([
      'overall_sentiment',
      'ethical_score',
      'regret_potential',
      'causal_clarity',
      'confidence',
    ]);
    for (const s of Object.values(all)) expect(s.formula.length).toBeGreaterThan(3);
  });
});
