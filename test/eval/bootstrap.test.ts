import { describe, expect, it } from 'vitest';
import { bootstrapCI, percentile } from '../../eval/bootstrap.js';

const mean = (xs: number[]) => (rows: Int32Array) => {
  let s = 0;
  for (const i of rows) s += xs[i];
  return s / rows.length;
};

describe('bootstrap intervals', () => {
  it('percentile interpolates like numpy', () => {
    // numpy.percentile([1, 2, 3, 4], 25) = 1.75; 97.5 → 3.925
    expect(percentile([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 12);
    expect(percentile([1, 2, 3, 4], 97.5)).toBeCloseTo(3.925, 12);
  });

  it('a constant metric has a zero-width interval', () => {
    expect(bootstrapCI(50, () => 0.7)).toEqual([0.7, 0.7]);
    expect(bootstrapCI(20, mean(new Array(20).fill(1)))).toEqual([1, 1]);
  });

  it('accuracy 0.5 on 1,000 rows: about ±1.96·√(0.25/1000) = ±0.031 (normal approximation)', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i % 2);
    const [lo, hi] = bootstrapCI(xs.length, mean(xs), { resamples: 2000, seed: 1 });
    expect(lo).toBeGreaterThan(0.5 - 0.031 - 0.006);
    expect(lo).toBeLessThan(0.5 - 0.031 + 0.006);
    expect(hi).toBeGreaterThan(0.5 + 0.031 - 0.006);
    expect(hi).toBeLessThan(0.5 + 0.031 + 0.006);
  });

  it('is reproducible for a seed', () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i * 7919) % 13);
    expect(bootstrapCI(200, mean(xs), { seed: 5 })).toEqual(bootstrapCI(200, mean(xs), { seed: 5 }));
  });
});
