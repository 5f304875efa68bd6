import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BinnedQuantiles,
  Moments,
  exactQuantile,
  meanInterval,
  newcombeDiff,
  studentTCdf,
  studentTQuantile,
  welchDiff,
  wilson,
} from '../../../src/analysis/corpus/stats.js';

describe('Wilson score interval', () => {
  // Published values: Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat Med 17:857, Table I.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i → [%f, %f]', (k, n, lo, hi) => {
    const [l, h] = wilson(k, n);
    expect(l).toBeCloseTo(lo, 4);
    expect(h).toBeCloseTo(hi, 4);
  });

  it('matches the closed form worked by hand for 1/2', () => {
    // p = 0.5, z² = 3.8415: centre = 0.5, half = z·sqrt(0.125 + z²/16) / (1 + z²/2)
    const z = 1.959963984540054;
    const half = (z * Math.sqrt(0.125 + (z * z) / 16)) / (1 + (z * z) / 2);
    expect(wilson(1, 2)).toEqual([0.5 - half, 0.5 + half].map((v) => expect.closeTo(v, 12)));
  });

  it('contains the share, stays in [0, 1], and is symmetric under k ↔ n − k', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
          const k = Math.round(f * n);
          const [l, h] = wilson(k, n);
          const [l2, h2] = wilson(n - k, n);
          return (
            l >= 0 &&
            h <= 1 &&
            l <= k / n + 1e-12 &&
            h >= k / n - 1e-12 &&
            Math.abs(l - (1 - h2)) < 1e-9 &&
            Math.abs(h - (1 - l2)) < 1e-9
          );
        }),
      ),
    ).not.toThrow();
  });

  it('refuses impossible counts', () => {
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(0, 0)).toThrow(RangeError);
  });
});

describe('Newcombe hybrid score interval for a difference of shares', () => {
  // Newcombe (1998), "Interval estimation for the difference between independent proportions", Stat Med 17:873, Table II, method 10.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
  ])('%i/%i − %i/%i → [%f, %f]', (k1, n1, k2, n2, lo, hi) => {
    const [l, h] = newcombeDiff(k1, n1, k2, n2);
    expect(l).toBeCloseTo(lo, 4);
    expect(h).toBeCloseTo(hi, 4);
  });

  it('is antisymmetric: swapping the groups negates and swaps the bounds', () => {
    expect(() =>
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 300 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (n1, n2, f1, f2) => {
            const k1 = Math.round(f1 * n1),
              k2 = Math.round(f2 * n2);
            const [a, b] = newcombeDiff(k1, n1, k2, n2);
            const [c, d] = newcombeDiff(k2, n2, k1, n1);
            return (
              Math.abs(a + d) < 1e-12 &&
              Math.abs(b + c) < 1e-12 &&
              a <= k1 / n1 - k2 / n2 + 1e-12 &&
              b >= k1 / n1 - k2 / n2 - 1e-12
            );
          },
        ),
      ),
    ).not.toThrow();
  });
});

describe('Student t', () => {
  // Two-sided 95 % critical values from any printed t table.
  it.each([
    [1, 12.706],
    [2, 4.303],
    [5, 2.571],
    [10, 2.228],
    [30, 2.042],
    [120, 1.98],
  ])('t(0.975, %i) = %f', (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });
  it('df = 1 is the Cauchy distribution: CDF(t) = 1/2 + atan(t)/π', () => {
    for (const t of [-3, -0.5, 0, 0.7, 4]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });
  it('df = 2 has the closed form CDF(t) = 1/2 + t / (2·sqrt(2 + t²))', () => {
    for (const t of [-2, 0.3, 1, 5]) expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
  });
  it('approaches the normal quantile for large df', () => {
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });
});

describe('means', () => {
  it('Welford moments equal the two-pass mean and variance', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 200 }), (xs) => {
          const m = new Moments();
          xs.forEach((x) => m.add(x));
          const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
          const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
          return Math.abs(m.mean - mean) < 1e-12 && Math.abs(m.variance - v) < 1e-12;
        }),
      ),
    ).not.toThrow();
  });

  it('mean interval by hand: 1, 2, 3, 4, 5 → 3 ± 2.776·sqrt(2.5/5)', () => {
    const m = new Moments();
    [1, 2, 3, 4, 5].forEach((x) => m.add(x));
    const [lo, hi] = meanInterval(m) as [number, number];
    expect(lo).toBeCloseTo(3 - 2.7764451 * Math.sqrt(0.5), 5);
    expect(hi).toBeCloseTo(3 + 2.7764451 * Math.sqrt(0.5), 5);
    const one = new Moments();
    one.add(1);
    expect(meanInterval(one)).toBeNull();
  });

  it('Welch interval by hand', () => {
    // a: n=10, mean 0.5, var 0.04; b: n=20, mean 0.2, var 0.09.
    // se² = 0.004 + 0.0045 = 0.0085; df = 7.225e-5 / (1.7778e-6 + 1.0658e-6) = 25.41
    const w = welchDiff({ n: 10, mean: 0.5, variance: 0.04 }, { n: 20, mean: 0.2, variance: 0.09 });
    expect(w).not.toBeNull();
    const df = 0.0085 ** 2 / (0.004 ** 2 / 9 + 0.0045 ** 2 / 19);
    expect(w!.df).toBeCloseTo(df, 10);
    expect(df).toBeCloseTo(25.41, 2);
    const t = studentTQuantile(0.975, df); // between the table values 2.056 at 26 and 2.060 at 25
    expect(t).toBeGreaterThan(2.056);
    expect(t).toBeLessThan(2.06);
    expect(w!.ci[0]).toBeCloseTo(0.3 - t * Math.sqrt(0.0085), 10);
    expect(w!.ci[1]).toBeCloseTo(0.3 + t * Math.sqrt(0.0085), 10);
  });
});

describe('binned quantiles', () => {
  it('are within half a bin of the exact type-1 quantile', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 500 }), (xs) => {
          const h = new BinnedQuantiles(-1, 1, 2000);
          xs.forEach((x) => h.add(x));
          const sorted = [...xs].sort((a, b) => a - b);
          return [0.05, 0.25, 0.5, 0.75, 0.95].every(
            (q) => Math.abs(h.quantile(q) - exactQuantile(sorted, q)) <= 0.0005 + 1e-12,
          );
        }),
      ),
    ).not.toThrow();
  });
  it('exact quantile by hand: median of 1..4 is 2 (type 1), p95 of 1..20 is 19', () => {
    expect(exactQuantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(
      exactQuantile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(19);
  });
});
