// The memory's math (src/analysis/memory) against hand-computed cases.
import { describe, expect, it } from 'vitest';
import {
  blendScores,
  cosineInt8,
  dirichletPosterior,
  ekmanOfLabels,
  labelVotes,
  quantize,
  realisedRegret,
} from '../../../src/analysis/memory/index.js';

describe('memory math', () => {
  it('quantize: L2-normalise then ×127, rounded', () => {
    // (3, 4)/5 = (0.6, 0.8) → (76.2, 101.6) → (76, 102)
    expect(Array.from(quantize([3, 4]))).toEqual([76, 102]);
    expect(Array.from(quantize([-2, 0]))).toEqual([-127, 0]);
    expect(() => quantize([0, 0])).toThrow(/norm 0/);
  });

  it('cosineInt8 is the cosine of the integer vectors', () => {
    // (1,0)·(1,1) = 1; |(1,1)| = √2 → 1/√2
    expect(cosineInt8(Int8Array.of(1, 0), Int8Array.of(1, 1))).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cosineInt8(Int8Array.of(3, -4), Int8Array.of(-3, 4))).toBe(-1);
  });

  it('labelVotes: similarity-weighted share; negative similarity and unlabelled cases do not vote', () => {
    const votes = labelVotes(
      [
        { similarity: 0.9, labels: ['anger'] },
        { similarity: 0.6, labels: ['anger', 'disgust'] },
        { similarity: 0.3, labels: ['joy'] },
        { similarity: -0.5, labels: ['fear'] },
        { similarity: 0.8, labels: [] },
      ],
      ['anger', 'disgust', 'fear', 'joy'],
    );
    // total weight 0.9 + 0.6 + 0.3 + 0 = 1.8; anger 1.5/1.8, disgust 0.6/1.8, fear 0, joy 0.3/1.8
    expect(votes[0]).toBeCloseTo(1.5 / 1.8, 15);
    expect(votes[1]).toBeCloseTo(0.6 / 1.8, 15);
    expect(votes[2]).toBe(0);
    expect(votes[3]).toBeCloseTo(0.3 / 1.8, 15);
    expect(labelVotes([], ['a'])).toEqual([0]);
  });

  it('blendScores and dirichletPosterior', () => {
    const b = blendScores([0.2, 0.8], [1, 0], 0.25); // 0.75·0.2 + 0.25·1, 0.75·0.8 + 0
    expect(b[0]).toBeCloseTo(0.4, 15);
    expect(b[1]).toBeCloseTo(0.6, 15);
    expect(() => blendScores([0.1], [0.2], 1.5)).toThrow();
    // prior (0.5, 0.5) with strength 2, counts (3, 1): ((1 + 3)/6, (1 + 1)/6)
    const p = dirichletPosterior([0.5, 0.5], [3, 1], 2);
    expect(p[0]).toBeCloseTo(4 / 6, 15);
    expect(p[1]).toBeCloseTo(2 / 6, 15);
  });

  it('realisedRegret: best outcome in the scenario that happened minus the chosen one', () => {
    const outcomes = [
      [5, 3],
      [-4, 6],
    ];
    expect(realisedRegret(outcomes, 1, 0)).toBe(9);
    expect(realisedRegret(outcomes, 1, 1)).toBe(0);
  });

  it('ekmanOfLabels maps GoEmotions and KOTE names to their Ekman groups', () => {
    expect(ekmanOfLabels({ goemotions: ['annoyance', 'gratitude'], kote: ['없음'] })).toEqual([
      'anger',
      'joy',
      'neutral',
    ]);
    expect(ekmanOfLabels({ ekman: ['fear'] })).toEqual(['fear']);
    expect(ekmanOfLabels({})).toEqual([]);
  });
});
