import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeRegret, RECOMMENDATION_KEYS, RegretOverflowError } from '../../../src/analysis/regret/calculus.js';
import { regretPenalty } from '../../../src/analysis/regret/scale.js';
import { argmaxAll, argminAll } from '../../../src/analysis/regret/ties.js';
import { regretProblems } from '../../helpers/regret.js';

const solve = (utilities: number[][], probabilities?: number[], regretAversion = 1, hurwiczAlpha = 0.5) =>
  computeRegret({
    utilities,
    probabilities: probabilities ?? utilities[0].map(() => 1 / utilities[0].length),
    regretAversion,
    hurwiczAlpha,
  });

describe('Savage regret, textbook cases', () => {
  it("Savage's omelette (bowl / saucer / throw away × good / rotten egg)", () => {
    // Utilities (illustrative numbers for Savage's 1954 example):
    //                 good egg  rotten egg
    //  bowl               6         0      six-egg omelette | five good eggs lost
    //  saucer             5         4      six-egg omelette + a saucer to wash | five-egg omelette + saucer
    //  throw away         4         5      five-egg omelette, a good egg wasted | five-egg omelette
    // Column maxima 6 and 5 → regrets bowl (0, 5), saucer (1, 1), throw (2, 0); max regrets 5, 1, 2.
    const r = solve([
      [6, 0],
      [5, 4],
      [4, 5],
    ]);
    expect(r.regret).toEqual([
      [0, 5],
      [1, 1],
      [2, 0],
    ]);
    expect(r.metrics.map((m) => m.maxRegret)).toEqual([5, 1, 2]);
    expect(r.recommendations.minimax_regret).toEqual([1]);
    // Uniform p: EU = 3, 4.5, 4.5 → saucer and throw away tie for max EU.
    expect(r.metrics.map((m) => m.expectedUtility)).toEqual([3, 4.5, 4.5]);
    expect(r.recommendations.max_expected_utility).toEqual([1, 2]);
    // Expected regrets 2.5, 1, 1; EVPI = (6 + 5)/2 − 4.5 = 1.
    expect(r.metrics.map((m) => m.expectedRegret)).toEqual([2.5, 1, 1]);
    expect(r.evpi).toBeCloseTo(1, 12);
    // maximin: mins 0, 4, 4 → saucer = throw; maximax: maxes 6, 5, 5 → bowl.
    expect(r.recommendations.maximin).toEqual([1, 2]);
    expect(r.recommendations.maximax).toEqual([0]);
    // Hurwicz α = 0.5: 3, 4.5, 4.5.
    expect(r.recommendations.hurwicz).toEqual([1, 2]);
    // k = 1: V = EU − ½Σ(e^r − 1): saucer 4.5 − (e − 1) ≈ 2.7817; throw 4.5 − ½(e² − 1) ≈ 1.3055; bowl 3 − ½(e⁵ − 1) ≈ −70.71.
    expect(r.metrics[1].regretAverseValue).toBeCloseTo(4.5 - (Math.E - 1), 12);
    expect(r.metrics[2].regretAverseValue).toBeCloseTo(4.5 - 0.5 * (Math.E ** 2 - 1), 12);
    expect(r.metrics[0].regretAverseValue).toBeCloseTo(3 - 0.5 * (Math.E ** 5 - 1), 10);
    expect(r.recommendations.regret_averse).toEqual([1]);
    // The saucer is regretted in both scenarios by 1 (equal regret, equal p → scenario order).
    expect(r.counterfactuals).toEqual([
      { forOption: 1, scenario: 0, probability: 0.5, betterOptions: [0], bestUtility: 6, utility: 5, regret: 1 },
      { forOption: 1, scenario: 1, probability: 0.5, betterOptions: [2], bestUtility: 5, utility: 4, regret: 1 },
    ]);
  });

  it('investment table: bonds / stocks / deposit over strong / stable / weak markets', () => {
    //            strong stable weak
    //  bonds       12      6     3
    //  stocks      15      3    −2
    //  deposit      7      7     7
    // Column maxima 15, 7, 7 → regrets bonds (3, 1, 4), stocks (0, 4, 9), deposit (8, 0, 0).
    const r = solve(
      [
        [12, 6, 3],
        [15, 3, -2],
        [7, 7, 7],
      ],
      [0.5, 0.3, 0.2],
      0,
    );
    expect(r.regret).toEqual([
      [3, 1, 4],
      [0, 4, 9],
      [8, 0, 0],
    ]);
    expect(r.recommendations.minimax_regret).toEqual([0]);
    // EU: bonds 6 + 1.8 + 0.6 = 8.4; stocks 7.5 + 0.9 − 0.4 = 8.0; deposit 7.
    expect(r.metrics[0].expectedUtility).toBeCloseTo(8.4, 12);
    expect(r.metrics[1].expectedUtility).toBeCloseTo(8.0, 12);
    expect(r.metrics[2].expectedUtility).toBeCloseTo(7, 12);
    // Expected regret: bonds 1.5 + 0.3 + 0.8 = 2.6; stocks 1.2 + 1.8 = 3.0; deposit 4.0.
    expect(r.metrics.map((m) => m.expectedRegret)).toEqual([
      expect.closeTo(2.6, 12),
      expect.closeTo(3.0, 12),
      expect.closeTo(4.0, 12),
    ]);
    // EVPI = 0.5·15 + 0.3·7 + 0.2·7 − 8.4 = 11 − 8.4 = 2.6 = smallest expected regret.
    expect(r.evpi).toBeCloseTo(2.6, 12);
    // k = 0: V = EU − expected regret → 5.8, 5.0, 3.0.
    expect(r.metrics.map((m) => m.regretAverseValue)).toEqual([
      expect.closeTo(5.8, 12),
      expect.closeTo(5, 12),
      expect.closeTo(3, 12),
    ]);
    expect(r.recommendations.maximin).toEqual([2]);
    expect(r.recommendations.maximax).toEqual([1]);
    // Hurwicz α = 0.5: bonds 7.5, stocks 6.5, deposit 7.
    expect(r.recommendations.hurwicz).toEqual([0]);
  });

  it('minimax regret and max expected utility disagree', () => {
    // A = (10, 0), B = (0, 3), p = (0.2, 0.8).
    // EU: A 2, B 2.4 → max EU picks B.  Regrets: A (0, 3), B (10, 0) → minimax regret picks A.
    const r = solve(
      [
        [10, 0],
        [0, 3],
      ],
      [0.2, 0.8],
      1,
    );
    expect(r.recommendations.max_expected_utility).toEqual([1]);
    expect(r.recommendations.minimax_regret).toEqual([0]);
    // Expected regret A 2.4, B 2 → EVPI = 0.2·10 + 0.8·3 − 2.4 = 2.
    expect(r.metrics[0].expectedRegret).toBeCloseTo(2.4, 12);
    expect(r.metrics[1].expectedRegret).toBeCloseTo(2, 12);
    expect(r.evpi).toBeCloseTo(2, 12);
    // k = 1: V_A = 2 − 0.8(e³ − 1) ≈ −13.27, V_B = 2.4 − 0.2(e¹⁰ − 1) ≈ −4402.7 → regret-averse picks A.
    expect(r.metrics[0].regretAverseValue).toBeCloseTo(2 - 0.8 * (Math.exp(3) - 1), 10);
    expect(r.metrics[1].regretAverseValue).toBeCloseTo(2.4 - 0.2 * (Math.exp(10) - 1), 8);
    expect(r.recommendations.regret_averse).toEqual([0]);
    // Both have a worst case of 0 → maximin tie; maximax and Hurwicz (5 vs 1.5) pick A.
    expect(r.recommendations.maximin).toEqual([0, 1]);
    expect(r.recommendations.maximax).toEqual([0]);
    expect(r.recommendations.hurwicz).toEqual([0]);
    expect(r.counterfactuals).toEqual([
      { forOption: 0, scenario: 1, probability: 0.8, betterOptions: [1], bestUtility: 3, utility: 0, regret: 3 },
    ]);
  });

  it('ties are listed together under every criterion', () => {
    const r = solve(
      [
        [1, 5],
        [1, 5],
        [0, 4],
      ],
      [0.5, 0.5],
    );
    for (const key of RECOMMENDATION_KEYS) {
      expect(r.recommendations[key]).toEqual([0, 1]);
    }
    expect(r.counterfactuals).toEqual([]);
    // Sums that differ only by rounding still tie: 0.1 + 0.2 vs 0.3.
    expect(argmaxAll([0.1 + 0.2, 0.3, 0.29])).toEqual([0, 1]);
    expect(argminAll([0.1 + 0.2, 0.3, 0.31])).toEqual([0, 1]);
  });

  it('a single scenario: regret is the gap to the best option', () => {
    const r = solve([[3], [7], [5]], [1], 2);
    expect(r.regret).toEqual([[4], [0], [2]]);
    expect(r.metrics.map((m) => m.maxRegret)).toEqual([4, 0, 2]);
    expect(r.metrics.map((m) => m.expectedRegret)).toEqual([4, 0, 2]);
    // k = 2: V = u − (e^{2r} − 1)/2 → 3 − (e⁸ − 1)/2, 7, 5 − (e⁴ − 1)/2.
    expect(r.metrics[0].regretAverseValue).toBeCloseTo(3 - (Math.exp(8) - 1) / 2, 8);
    expect(r.metrics[1].regretAverseValue).toBe(7);
    expect(r.evpi).toBe(0);
    for (const key of RECOMMENDATION_KEYS) {
      expect(r.recommendations[key]).toEqual([1]);
    }
    expect(r.counterfactuals).toEqual([]);
    // Views collapse: optimistic = base = pessimistic = hurwicz = u.
    expect(r.metrics[2]).toMatchObject({ optimistic: 5, base: 5, pessimistic: 5, hurwicz: 5 });
  });

  it('Hurwicz follows α between maximin (α = 0) and maximax (α = 1)', () => {
    const u = [
      [10, -10],
      [2, 1],
    ];
    expect(solve(u, [0.5, 0.5], 1, 0).recommendations.hurwicz).toEqual([1]);
    expect(solve(u, [0.5, 0.5], 1, 1).recommendations.hurwicz).toEqual([0]);
    // α = 0.3: A = 3 − 7 = −4, B = 0.6 + 0.7 = 1.3.
    expect(solve(u, [0.5, 0.5], 1, 0.3).metrics[0].hurwicz).toBeCloseTo(-4, 12);
  });

  it('an overflowing regret-averse penalty is an error, not Infinity', () => {
    expect(() =>
      solve(
        [
          [0, 0],
          [1000, 1000],
        ],
        [0.5, 0.5],
        1,
      ),
    ).toThrow(RegretOverflowError);
    // Finite but overflowing differences: 1e308 − (−1e308) = Infinity.
    expect(() => solve([[1e308], [-1e308]], [1], 0)).toThrow(/too large in magnitude/);
  });

  it('regretPenalty: k = 0 is linear and small k approaches it', () => {
    expect(regretPenalty(3, 0)).toBe(3);
    expect(regretPenalty(3, 1)).toBeCloseTo(Math.exp(3) - 1, 12);
    expect(regretPenalty(3, 1e-12)).toBeCloseTo(3, 9);
  });
});

const problem = regretProblems(6, { min: 1, max: 6 });

describe('regret properties', () => {
  it('argmin expected regret = argmax expected utility, and EVPI = smallest expected regret', () => {
    fc.assert(
      fc.property(problem, ({ utilities, probabilities }) => {
        const r = solve(utilities, probabilities, 0);
        const er = r.metrics.map((m) => m.expectedRegret);
        expect(argminAll(er)).toEqual(r.recommendations.max_expected_utility);
        expect(r.evpi).toBeCloseTo(Math.min(...er), 9);
      }),
    );
  });

  it('V → EU − expected regret as k → 0', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(1e-4, 1e-6, 1e-8), ({ utilities, probabilities }, k) => {
        const exact = solve(utilities, probabilities, 0);
        const near = solve(utilities, probabilities, k);
        exact.metrics.forEach((m, i) => {
          expect(m.regretAverseValue).toBe(m.expectedUtility - m.expectedRegret);
          // (e^{kr} − 1)/k − r = k r²/2 + O(k² r³); with k·r ≤ 0.02 the gap is below k·Σ p r².
          const bound = k * probabilities.reduce((s, p, j) => s + p * r2(exact.regret[i][j]), 0) + 1e-9;
          expect(Math.abs(near.metrics[i].regretAverseValue - m.regretAverseValue)).toBeLessThanOrEqual(bound);
        });
      }),
    );
  });

  it("adding a weakly dominated option leaves every other option's regrets unchanged", () => {
    fc.assert(
      fc.property(
        problem,
        fc.nat(),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 6, maxLength: 6 }),
        ({ utilities, probabilities }, pick, cuts) => {
          const base = utilities[pick % utilities.length];
          const dominated = base.map((v, s) => v - cuts[s]);
          const before = solve(utilities, probabilities);
          const after = solve([...utilities, dominated], probabilities);
          expect(after.regret.slice(0, utilities.length)).toEqual(before.regret);
          expect(after.metrics.slice(0, utilities.length)).toEqual(before.metrics);
          expect(after.evpi).toBe(before.evpi);
        },
      ),
    );
  });

  it('regrets are ≥ 0 and every scenario has a zero-regret option', () => {
    fc.assert(
      fc.property(problem, ({ utilities, probabilities }) => {
        const r = solve(utilities, probabilities);
        for (const row of r.regret) for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
        for (let s = 0; s < probabilities.length; s++) expect(Math.min(...r.regret.map((row) => row[s]))).toBe(0);
      }),
    );
  });
});

function r2(x: number): number {
  return x * x;
}
