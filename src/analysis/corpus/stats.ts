// Interval estimates used by the corpus summaries (docs/corpus.md names each one):
//  - a share k/n: the Wilson score interval (good coverage at small n and near 0 or 1, never leaves [0, 1]);
//  - a difference of two shares: Newcombe's hybrid score interval (method 10 of Newcombe 1998), built from the
//    two Wilson intervals;
//  - a mean: Student t interval; a difference of two means: Welch's t interval (Welch–Satterthwaite df).
// All are 95 % two-sided by default. Pure functions, no I/O.

/** Φ⁻¹(0.975), the normal quantile behind every 95 % interval here. */
export const Z95 = 1.959963984540054;

export type Interval = [number, number];

/** Wilson score interval for k successes in n trials (n > 0). */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (!(n > 0) || k < 0 || k > n) throw new RangeError(`wilson: need 0 ≤ k ≤ n and n > 0 (k=${k}, n=${n})`);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // k = 0 / k = n: the bound is exactly 0 / 1 (the formula gives it up to rounding).
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** Newcombe's hybrid score interval for p1 − p2 (k1/n1 − k2/n2), from the Wilson intervals of each share. */
export function newcombeDiff(k1: number, n1: number, k2: number, n2: number, z = Z95): Interval {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const [l1, u1] = wilson(k1, n1, z);
  const [l2, u2] = wilson(k2, n2, z);
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
}

// ---- Student t quantile (needed for the mean intervals; exact, not a normal approximation) ----

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error < 1e-14 over the range used here). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularised incomplete beta (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with df degrees of freedom (df may be fractional, as Welch's is). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile (0.5 < p < 1) of Student's t, by bisection on the CDF (to 1e-12). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0.5 && p < 1) || !(df > 0))
    throw new RangeError(`studentTQuantile: need 0.5 < p < 1 and df > 0 (p=${p}, df=${df})`);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---- running moments ----

/** Streaming mean and variance (Welford), O(1) memory. */
export class Moments {
  n = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  /** Sample variance (n − 1 denominator); NaN below two values. */
  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : Number.NaN;
  }
}

/** Student t interval of a mean; null below two values (no spread to estimate). */
export function meanInterval(m: { n: number; mean: number; variance: number }, level = 0.95): Interval | null {
  if (m.n < 2) return null;
  const half = studentTQuantile(1 - (1 - level) / 2, m.n - 1) * Math.sqrt(m.variance / m.n);
  return [m.mean - half, m.mean + half];
}

/** Welch's t interval of mean1 − mean2 (unequal variances); null when either side has fewer than two values. */
export function welchDiff(
  a: { n: number; mean: number; variance: number },
  b: { n: number; mean: number; variance: number },
  level = 0.95,
): { diff: number; ci: Interval; df: number } | null {
  if (a.n < 2 || b.n < 2) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const diff = a.mean - b.mean;
  if (se === 0) return { diff, ci: [diff, diff], df: a.n + b.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  return { diff, ci: [diff - half, diff + half], df };
}

// ---- quantiles from a fixed-width histogram (constant memory for any number of rows) ----

/**
 * Counts values of a bounded quantity in equal bins. A quantile is the midpoint of the bin that holds the
 * ⌈q·n⌉-th smallest value (inverse of the empirical CDF), so it is within half a bin width of the exact
 * order statistic.
 */
export class BinnedQuantiles {
  readonly counts: Uint32Array;
  n = 0;
  readonly width: number;

  constructor(
    readonly lo: number,
    readonly hi: number,
    bins: number,
  ) {
    this.counts = new Uint32Array(bins);
    this.width = (hi - lo) / bins;
  }

  add(x: number): void {
    const i = Math.min(this.counts.length - 1, Math.max(0, Math.floor((x - this.lo) / this.width)));
    this.counts[i]++;
    this.n++;
  }

  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return this.lo + (i + 0.5) * this.width;
    }
    return this.hi - this.width / 2;
  }
}

/** Exact type-1 quantile (inverse empirical CDF) of a sorted array; the reference the histogram is tested against. */
export function exactQuantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}
