// Does B's reply follow A's previous turn, from a handful of response pairs? Over the samples of one direction
// (B's valence bin now y, A's bin in the turn before x, B's own previous bin c; bins 0, 1, 2) the least-squares
// slope β of y on x with c held fixed: how many bins B's reply moves per bin of A's turn, beyond B's own last
// turn. It is tested and bounded by permutation (Freedman–Lane: residuals of y under a hypothesised β₀, given c,
// permuted against x given c), exactly over all n! orders up to EXACT_MAX samples and by seeded Monte Carlo
// above; the 95 % interval is the set of β₀ the same test does not reject (test inversion), so it stays honest with
// six samples where a normal approximation would not.
import { mulberry32 } from '../../core/random.js';

/** Samples from which a direction is reported. */
export const FOLLOW_MIN_PAIRS = 6;
/** Up to this many samples every one of the n! orders is tried (8! = 40,320). */
export const EXACT_MAX = 8;
/** Monte Carlo orders above EXACT_MAX samples. */
export const FOLLOW_PERMUTATIONS = 4999;
const SEED = 27;
/** The interval is searched within ±SLOPE_LIMIT bins per bin (a 3-bin scale cannot move further). */
export const SLOPE_LIMIT = 2;
const ALPHA = 0.05;

export interface Follow {
  samples: number;
  /** Bins of B's reply per bin of A's previous turn, B's own previous bin held fixed; null when undefined. */
  slope: number | null;
  /** 95 % interval by test inversion, within ±SLOPE_LIMIT; null with the slope. */
  interval: [number, number] | null;
  /** Two-sided p-value of slope 0; null with the slope. */
  pValue: number | null;
  test: 'exact' | 'permutation';
  /** Orders compared (n! when exact, else FOLLOW_PERMUTATIONS + the observed one). */
  orders: number;
  /** Why slope is null (no variation left in A's or B's bins once B's previous bin is accounted for). */
  reason: string | null;
}

/** Residuals of v on c (with intercept); c constant → v centred. */
function residualize(v: readonly number[], c: readonly number[]): number[] {
  const n = v.length;
  const mc = c.reduce((s, x) => s + x, 0) / n;
  const mv = v.reduce((s, x) => s + x, 0) / n;
  let scc = 0;
  let scv = 0;
  for (let i = 0; i < n; i++) {
    scc += (c[i] - mc) ** 2;
    scv += (c[i] - mc) * (v[i] - mv);
  }
  const b = scc > 1e-12 ? scv / scc : 0;
  return v.map((x, i) => x - mv - b * (c[i] - mc));
}

/** Every permutation of 0..n−1 (Heap's algorithm), as index arrays. */
function allOrders(n: number): Int8Array[] {
  const a = Int8Array.from({ length: n }, (_, i) => i);
  const out: Int8Array[] = [a.slice()];
  const c = new Array<number>(n).fill(0);
  let i = 0;
  while (i < n) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [a[j], a[i]] = [a[i], a[j]];
      out.push(a.slice());
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return out;
}

function randomOrders(n: number, count: number): Int32Array[] {
  const rand = mulberry32(SEED);
  const out: Int32Array[] = [];
  for (let p = 0; p < count; p++) {
    const a = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    out.push(a);
  }
  return out;
}

/** The follow statistic of samples (y, x, c). */
export function follow(y: readonly number[], x: readonly number[], c: readonly number[]): Follow {
  const n = y.length;
  const exact = n <= EXACT_MAX;
  const test = exact ? ('exact' as const) : ('permutation' as const);
  const xr = residualize(x, c);
  const yr = residualize(y, c);
  const sxx = xr.reduce((s, v) => s + v * v, 0);
  const none = (reason: string): Follow => ({
    samples: n,
    slope: null,
    interval: null,
    pValue: null,
    test,
    orders: 0,
    reason,
  });
  if (n < 3) return none('fewer than 3 samples');
  if (sxx < 1e-12) return none("A's bins do not vary once B's previous bin is accounted for");
  const slope = xr.reduce((s, v, i) => s + v * yr[i], 0) / sxx;
  const orders: ArrayLike<number>[] = exact ? allOrders(n) : randomOrders(n, FOLLOW_PERMUTATIONS);
  // exact: the identity is among the n! orders; Monte Carlo: the observed order is added (p ≥ 1/(P + 1))
  const total = exact ? orders.length : orders.length + 1;
  const pAt = (beta0: number): number => {
    const e = yr.map((v, i) => v - beta0 * xr[i]);
    const observed = Math.abs(xr.reduce((s, v, i) => s + v * e[i], 0));
    let atLeast = exact ? 0 : 1;
    for (const o of orders) {
      let t = 0;
      for (let i = 0; i < n; i++) t += xr[i] * e[o[i]];
      if (Math.abs(t) >= observed - 1e-9) atLeast++;
    }
    return atLeast / total;
  };
  /** The β₀ between `inside` (not rejected) and `outside` where the test starts rejecting, to 0.001. */
  const edge = (inside: number, outside: number): number => {
    if (pAt(outside) > ALPHA) return outside;
    for (let k = 0; k < 12; k++) {
      const mid = (inside + outside) / 2;
      if (pAt(mid) > ALPHA) inside = mid;
      else outside = mid;
    }
    return Math.round(((inside + outside) / 2) * 1000) / 1000;
  };
  const centre = Math.max(-SLOPE_LIMIT, Math.min(SLOPE_LIMIT, slope));
  return {
    samples: n,
    slope,
    interval: [edge(centre, -SLOPE_LIMIT), edge(centre, SLOPE_LIMIT)],
    pValue: pAt(0),
    test,
    orders: total,
    reason: null,
  };
}
