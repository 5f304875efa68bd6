// Percentile bootstrap 95 % intervals for test metrics: resample the test rows with
// replacement, recompute the metric, take the 2.5th and 97.5th percentiles. Seeded, so a report is reproducible.
import { mulberry32 } from '../src/core/random.js';

/** Linear-interpolated percentile (numpy's default) of sorted values, q in [0, 100]. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
}

/**
 * 95 % percentile interval of `metric` over `n` rows. `metric` receives the row indices of one resample
 * (with repeats) and returns the metric on those rows.
 */
export function bootstrapCI(
  n: number,
  metric: (rows: Int32Array) => number,
  opts: BootstrapOptions = {},
): [number, number] {
  if (n < 1) throw new Error('bootstrap of an empty test set');
  const resamples = opts.resamples ?? 1000;
  const rnd = mulberry32(opts.seed ?? 0);
  const values: number[] = [];
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rnd() * n);
    values.push(metric(idx));
  }
  values.sort((a, b) => a - b);
  return [percentile(values, 2.5), percentile(values, 97.5)];
}
