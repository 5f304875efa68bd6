import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  computeRegret,
  RegretOverflowError,
  RECOMMENDATION_KEYS,
  type RegretAversionMode,
} from '../../../src/analysis/regret/index.js';
import { largestRegret, regretPenalty, regretUnit } from '../../../src/analysis/regret/scale.js';
import { regretProblems } from '../../helpers/regret.js';

const solve = (
  utilities: number[][],
  probabilities: number[],
  regretAversion = 1,
  mode: RegretAversionMode = 'scaled',
  hurwiczAlpha = 0.5,
) => computeRegret({ utilities, probabilities, regretAversion, hurwiczAlpha, regretAversionMode: mode });

describe('scaled regret aversion, hand-computed', () => {
  it('buy / wait in money: [[120000, −50000], [0, 0]], p = (½, ½), k = 1', () => {
    // Regrets: buy (0, 50000), wait (120000, 0); the largest regret R = 120000 (the outcome range, 170000, is not used).
    const r = solve(
      [
        [120000, -50000],
        [0, 0],
      ],
      [0.5, 0.5],
    );
    expect(r.regretUnit).toBe(120000);
    // V_buy = 35000 − ½·120000·(e^{50000/120000} − 1); V_wait = 0 − ½·120000·(e^{1} − 1).
    expect(r.metrics[0].regretAverseValue).toBeCloseTo(35000 - 60000 * (Math.exp(5 / 12) - 1), 6);
    expect(r.metrics[1].regretAverseValue).toBeCloseTo(-60000 * (Math.E - 1), 6);
    expect(r.recommendations.regret_averse).toEqual([0]);
    // The raw mode keeps today's behaviour: e^{50000} overflows and is refused.
    const raw = () =>
      solve(
        [
          [120000, -50000],
          [0, 0],
        ],
        [0.5, 0.5],
        1,
        'raw',
      );
    expect(raw).toThrow(RegretOverflowError);
    expect(raw).toThrow(/raw mode/);
  });

  it('scaled equals raw on a matrix whose largest regret is 1', () => {
    // Regrets (0, 1) and (1, 0): R = 1, so both modes compute EU − ½(e − 1).
    const u = [
      [1, 0],
      [0, 1],
    ];
    expect(solve(u, [0.5, 0.5], 1, 'scaled').metrics).toEqual(solve(u, [0.5, 0.5], 1, 'raw').metrics);
    expect(solve(u, [0.5, 0.5], 1, 'scaled').metrics[0].regretAverseValue).toBeCloseTo(0.5 - 0.5 * (Math.E - 1), 14);
  });

  it('no regret anywhere: R falls back to 1 and every penalty is 0', () => {
    const r = solve(
      [
        [4, 4],
        [4, 4],
      ],
      [0.3, 0.7],
      3,
    );
    expect(r.regretUnit).toBe(1);
    expect(r.metrics.map((m) => m.regretAverseValue)).toEqual([4, 4]);
  });

  it('scaled mode overflows only when R·e^{k}/k exceeds a double (r/R ≤ 1), whatever the outcome scale', () => {
    // Two options, each with regret `r` in one of two equally likely scenarios: R = r.
    const swap = (r: number, k: number) => () =>
      solve(
        [
          [0, r],
          [r, 0],
        ],
        [0.5, 0.5],
        k,
      );
    expect(swap(1e9, 20)).not.toThrow();
    expect(swap(1, 700)).not.toThrow();
    expect(swap(1, 800)).toThrow(/scaled mode/);
    expect(swap(1e9, 700)).toThrow(/scaled mode, R = 1000000000/);
  });

  it('regretPenalty with a unit: R·(e^{k r/R} − 1)/k, linear at k = 0', () => {
    expect(regretPenalty(50, 2, 100)).toBeCloseTo((100 * (Math.E - 1)) / 2, 12);
    expect(regretPenalty(50, 0, 100)).toBe(50);
    expect(
      largestRegret([
        [0, 3],
        [7, 0],
      ]),
    ).toBe(7);
    expect(
      regretUnit(
        [
          [0, 3],
          [7, 0],
        ],
        'raw',
      ),
    ).toBe(1);
    expect(
      regretUnit(
        [
          [0, 3],
          [7, 0],
        ],
        'scaled',
      ),
    ).toBe(7);
  });
});

const problem = regretProblems(5, { min: 1, max: 5 }, () => fc.record({ k: fc.constantFrom(0, 0.5, 1, 3, 10) }));

const closeRel = (a: number, b: number, rel = 1e-9) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(a), Math.abs(b)));

describe('scaled regret aversion, properties', () => {
  it('multiplying every outcome by c > 0 changes no recommendation and scales every value by c', () => {
    fc.assert(
      fc.property(
        problem,
        fc.constantFrom(2 ** -10, 0.25, 8, 2 ** 20, 1000, 1e-3, 123456.789),
        ({ utilities, probabilities, k }, c) => {
          const a = solve(utilities, probabilities, k);
          const b = solve(
            utilities.map((row) => row.map((v) => c * v)),
            probabilities,
            k,
          );
          for (const key of RECOMMENDATION_KEYS) expect(b.recommendations[key]).toEqual(a.recommendations[key]);
          a.metrics.forEach((m, i) => {
            closeRel(b.metrics[i].regretAverseValue, c * m.regretAverseValue);
            closeRel(b.metrics[i].expectedUtility, c * m.expectedUtility);
          });
          closeRel(b.evpi, c * a.evpi);
        },
      ),
    );
  });

  it('adding the same b to every outcome changes no recommendation and shifts V by b (both modes)', () => {
    fc.assert(
      fc.property(
        problem,
        fc.integer({ min: -1000, max: 1000 }),
        fc.constantFrom<RegretAversionMode>('scaled', 'raw'),
        ({ utilities, probabilities, k }, b, mode) => {
          const kk = mode === 'raw' ? k / 100 : k; // raw: keep k·r inside a double
          const a = solve(utilities, probabilities, kk, mode);
          const s = solve(
            utilities.map((row) => row.map((v) => v + b)),
            probabilities,
            kk,
            mode,
          );
          expect(s.regret).toEqual(a.regret);
          for (const key of RECOMMENDATION_KEYS) expect(s.recommendations[key]).toEqual(a.recommendations[key]);
          a.metrics.forEach((m, i) => closeRel(s.metrics[i].regretAverseValue, m.regretAverseValue + b, 1e-9));
        },
      ),
    );
  });

  it("shifting one scenario's outcomes by b_s leaves regrets, the unit R and the regret-based choices unchanged", () => {
    // Regret depends only on differences within a scenario, and R is the largest regret, so this holds in scaled mode
    // too (it would not with R = the outcome range). maximin, maximax and Hurwicz are not regret-based and may change.
    fc.assert(
      fc.property(
        problem,
        fc.array(fc.integer({ min: -500, max: 500 }), { minLength: 5, maxLength: 5 }),
        ({ utilities, probabilities, k }, shifts) => {
          const a = solve(utilities, probabilities, k);
          const s = solve(
            utilities.map((row) => row.map((v, j) => v + shifts[j])),
            probabilities,
            k,
          );
          expect(s.regret).toEqual(a.regret);
          expect(s.regretUnit).toBe(a.regretUnit);
          for (const key of ['minimax_regret', 'max_expected_utility', 'regret_averse'] as const)
            expect(s.recommendations[key]).toEqual(a.recommendations[key]);
        },
      ),
    );
  });

  it('raw mode is the formula of the hand-computed cases: V = EU − Σ p (e^{k r} − 1)/k, and the default mode of computeRegret', () => {
    fc.assert(
      fc.property(problem, ({ utilities, probabilities, k }) => {
        const kk = k / 100;
        const raw = solve(utilities, probabilities, kk, 'raw');
        const dflt = computeRegret({ utilities, probabilities, regretAversion: kk, hurwiczAlpha: 0.5 });
        expect(dflt.metrics).toEqual(raw.metrics);
        raw.metrics.forEach((m, i) => {
          const penalty = probabilities.reduce(
            (acc, p, s) => acc + p * (kk === 0 ? raw.regret[i][s] : (Math.exp(kk * raw.regret[i][s]) - 1) / kk),
            0,
          );
          closeRel(m.regretAverseValue, m.expectedUtility - penalty, 1e-9);
        });
      }),
    );
  });
});
