// One sentiment: label, probability and valence from one rule; each head's reading beside it; the disagreement flag.
import { describe, expect, it } from 'vitest';
import { oneSentiment, SENTIMENT_RULE } from '../../../src/analysis/emotion/one-sentiment.js';

const groups = (positive: number, negative: number, ambiguous = 0, neutral = 0) => ({
  positive,
  negative,
  ambiguous,
  neutral,
});

describe('oneSentiment', () => {
  it("English: the fitted logistic combination (hand-computed), valence = 2p − 1 with the label's sign", () => {
    // the diary entry of the report: groups negative 0.79, polarity head 0.75, valence −0.36
    const r = oneSentiment(groups(0.02, 0.79, 0.05, 0.14), 0.75, -0.36, 'en');
    const w = SENTIMENT_RULE.combined;
    const z = w.bias + w.logitPositive * Math.log(0.75 / 0.25) + w.groups * (0.02 - 0.79) + w.valence * -0.36;
    expect(r.probability).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    expect(r.label).toBe('negative');
    expect(r.valence).toBeCloseTo(2 * r.probability - 1, 12);
    expect(r.valence).toBeLessThan(0);
    expect(r.rule).toBe('combined');
    expect(r.agreement).toEqual({ groups: 'negative', polarity_head: 0.75, valence_head: -0.36 });
    expect(r.heads_disagree).toBe(true); // the polarity head reads positive, the other two negative
  });

  it('Korean: the polarity head decides; a groups label of joy against a negative head is flagged', () => {
    const r = oneSentiment(groups(0.6, 0.2, 0.1, 0.1), 0.42, -0.16, 'ko');
    expect(r.rule).toBe('polarity_head');
    expect(r.probability).toBe(0.42);
    expect(r.label).toBe('negative');
    expect(r.valence).toBeCloseTo(-0.16, 12);
    // 0.42 is inside the ±0.15 margin around 0.5 and −0.16 beyond −0.1: valence reads negative, groups positive
    expect(r.heads_disagree).toBe(true);
  });

  it('neutral and ambiguous labels stay; heads that agree are not flagged', () => {
    expect(oneSentiment(groups(0.1, 0.1, 0.1, 0.7), 0.5, 0, 'en').label).toBe('neutral');
    expect(oneSentiment(groups(0.1, 0.1, 0.7, 0.1), 0.5, 0, 'en').label).toBe('ambiguous');
    const agree = oneSentiment(groups(0.8, 0.05, 0.05, 0.1), 0.9, 0.4, 'en');
    expect(agree).toMatchObject({ label: 'positive', heads_disagree: false });
    expect(agree.valence).toBeGreaterThan(0);
  });
  it('a valence head just past ±0.025 against the label is flagged (the margin chosen on dev)', () => {
    // groups positive, polarity head undecided (0.55), valence −0.05: a label/valence clash the old ±0.1 left unflagged
    const r = oneSentiment(groups(0.7, 0.1, 0.1, 0.1), 0.55, -0.05, 'en');
    expect(r.label).toBe('positive');
    expect(r.heads_disagree).toBe(true);
    expect(oneSentiment(groups(0.7, 0.1, 0.1, 0.1), 0.55, -0.02, 'en').heads_disagree).toBe(false);
  });
});
