import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DIRICHLET_CHUNK,
  DIRICHLET_SAMPLES,
  probabilityOfBestSteps,
  DIRICHLET_SEED,
  dirichlet,
  logGamma,
  probabilityOfBest,
  seededUniform,
} from '../../../src/analysis/regret/dirichlet.js';
import { xoshiro128ss } from '../../../src/core/random.js';
import { computeRegret, sensitivity } from '../../../src/analysis/regret/index.js';

describe('seeded generator', () => {
  it('xoshiro128** matches the reference sequence from state (1, 2, 3, 4)', () => {
    // First outputs of the reference C implementation (Blackman & Vigna) from s = {1, 2, 3, 4}, worked by hand for the
    // first: rotl(2·5, 7)·9 = 1280·9 = 11520.
    const next = xoshiro128ss([1, 2, 3, 4]);
    expect([next(), next(), next(), next(), next()]).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it('is deterministic, uniform on (0, 1) and differs between seeds', () => {
    const a = seededUniform(7);
    const b = seededUniform(7);
    const c = seededUniform(8);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(Array.from({ length: 20000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x > 0 && x < 1).toBe(true);
    // Mean ½ and variance 1/12, within 5 standard errors.
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / xs.length));
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.003);
  });
});

describe('Gamma and Dirichlet draws', () => {
  it.each([0.05, 0.3, 1, 2.5, 40])('Gamma(%s) has mean and variance equal to its shape', (shape) => {
    const u = seededUniform(123);
    const n = 40000;
    const xs = Array.from({ length: n }, () => Math.exp(logGamma(shape, u)));
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    // Standard error of the mean √(a/n); of the variance roughly √((μ4 − σ⁴)/n) with μ4 = 3a² + 6a for Gamma(a).
    expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
    expect(Math.abs(v - shape)).toBeLessThan(5 * Math.sqrt((2 * shape * shape + 6 * shape) / n));
  });

  it('draws lie on the simplex, keep zero-probability scenarios at 0 and have mean p', () => {
    const u = seededUniform(5);
    const p = [0.2, 0, 0.5, 0.3];
    const n = 20000;
    const sum = [0, 0, 0, 0];
    for (let t = 0; t < n; t++) {
      const q = dirichlet(p, 3, u);
      expect(q[1]).toBe(0);
      expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      q.forEach((x, s) => {
        sum[s] += x;
      });
    }
    // Var q_s = p_s(1 − p_s)/(c + 1).
    p.forEach((ps, s) =>
      expect(Math.abs(sum[s] / n - ps)).toBeLessThan(5 * Math.sqrt((ps * (1 - ps)) / 4 / n) + 1e-12),
    );
  });

  it('tiny parameters do not underflow to an all-zero draw', () => {
    const q = dirichlet([1e-9, 1 - 1e-9], 1, seededUniform(1));
    expect(q.every(Number.isFinite)).toBe(true);
    expect(q[0] + q[1]).toBeCloseTo(1, 12);
  });
});

describe('probability of being best', () => {
  it('buy / wait with concentration 4 at p = (½, ½): P(buy best) = P(Beta(2, 2) > 5/17)', () => {
    // q₁ ~ Beta(2, 2), F(x) = 3x² − 2x³; buy has the larger EU iff q₁ > 5/17.
    const x = 5 / 17;
    const exact = 1 - (3 * x * x - 2 * x ** 3);
    const res = probabilityOfBest(
      [
        [
          [120000, -50000],
          [0, 0],
        ],
      ],
      [0.5, 0.5],
      4,
    );
    expect(res.samples).toBe(DIRICHLET_SAMPLES);
    expect(res.seed).toBe(DIRICHLET_SEED);
    const se = Math.sqrt((exact * (1 - exact)) / res.samples);
    expect(Math.abs(res.shares[0][0] - exact)).toBeLessThan(4 * se);
    expect(res.shares[0][0] + res.shares[0][1]).toBeCloseTo(1, 12);
  });

  it('is deterministic for a given input, and a strictly dominated option is never best', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 3 }), {
          minLength: 2,
          maxLength: 4,
        }),
        fc.constantFrom(0.5, 2, 50),
        (u, c) => {
          const dominated = u[0].map((v) => v - 1);
          const W = [...u, dominated];
          const p = [0.2, 0.3, 0.5];
          const a = probabilityOfBest([W], p, c, 300);
          const b = probabilityOfBest([W], p, c, 300);
          expect(b).toEqual(a);
          expect(a.shares[0][W.length - 1]).toBe(0);
          expect(a.shares[0].reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('yields progress every DIRICHLET_CHUNK draws and gives the same result however it is driven', () => {
    const steps = probabilityOfBestSteps(
      [
        [
          [1, 0],
          [0, 1],
        ],
      ],
      [0.5, 0.5],
      3,
      3500,
    );
    const seen: number[] = [];
    let r = steps.next();
    while (!r.done) {
      seen.push(r.value.done);
      r = steps.next();
    }
    expect(seen).toEqual([DIRICHLET_CHUNK, 2 * DIRICHLET_CHUNK, 3 * DIRICHLET_CHUNK]);
    expect(r.value).toEqual(
      probabilityOfBest(
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
        [0.5, 0.5],
        3,
        3500,
      ),
    );
  });

  it('in the sensitivity block: a low share marks the choice fragile', () => {
    // (10, 0) vs (0, 9): regret-averse V favours the first by a little; with c = 2 the draws scatter widely.
    const u = [
      [10, 0],
      [0, 9],
    ];
    const p = [0.55, 0.45];
    const r = computeRegret({
      utilities: u,
      probabilities: p,
      regretAversion: 1,
      hurwiczAlpha: 0.5,
      regretAversionMode: 'scaled',
    });
    const s = sensitivity({
      utilities: u,
      probabilities: p,
      regret: r.regret,
      regretUnit: r.regretUnit,
      regretAversion: 1,
      concentration: 2,
    });
    expect(s.uncertainty?.concentration).toBe(2);
    const share = s.uncertainty!.regretAverse[r.recommendations.regret_averse[0]];
    expect(share).toBeLessThan(0.8);
    expect(s.fragile.reasons).toContainEqual({ code: 'sampled_share', share });
  });
});
