// Significance of a SURD result by circular-shift surrogates (docs/surd.md, "Significance"). A surrogate rotates
// one binned axis by a random shift against the others, which stay aligned: it keeps that series' values and
// autocorrelation (except at the one wrap point) and breaks only its alignment with the rest. The binning is not
// redone: a rotation keeps the window's values, hence its range, edges and bin indices, so each surrogate is one
// count plus one decomposition.
//   * Target set (target rotated): the null "the target is unrelated to every source". It gives the p-values of
//     the total and the leak, and each component's surrogate mean, i.e. its value from finite-sample bias alone.
//   * Source set k (source k rotated): the null "source k is unrelated to the target and the other sources".
//     A component of the sources J gets p = max over k in J of its p-value in set k (intersection–union test):
//     it is significant only if decoupling any one of its members makes it smaller. Rotating the target instead
//     is not a valid null for the terms of an irrelevant source when other sources do explain the target (the
//     ladder then places that source's terms differently than under the global null); measured in docs/surd.md.
import type { BinnedAxes } from './binning.js';
import { decomposeSteps, type SurdResult } from './decompose.js';
import { SurdInputError } from './errors.js';
import { highDimSteps } from './highdim.js';
import { Rng } from '../../core/random.js';
import type { Steps } from './steps.js';

export const MAX_SURROGATES = 1000;
/** Smallest shift, as a fraction of the number of pairs: shorter shifts keep too much of the alignment. */
export const MIN_SHIFT_FRACTION = 0.05;
/** Values within this many bits of the observed one count as ties (ties go against significance). */
export const TIE_BITS = 1e-12;

export interface SignificanceOptions {
  surrogates: number;
  /** Unsigned 32-bit seed (default 0): a given seed gives the same surrogates and p-values everywhere. */
  seed?: number;
  /** High-dimensional variant with combinations up to this size; full variant when absent. */
  maxOrder?: number;
}

export interface ComponentTest {
  observed: number;
  /** (1 + #surrogates at least as extreme) / (1 + surrogates); for components, the largest over their members' sets. */
  pValue: number;
  /** Mean over the target set: the value this component takes when the target is unrelated to the sources. */
  surrogateMean: number;
  /** Standard deviation over the target set. */
  surrogateSd: number;
}

export interface SignificanceResult {
  method: 'circular_shift';
  surrogates: number;
  seed: number;
  /** Shifts are drawn without repetition from [minShift, nPairs − minShift]. */
  minShift: number;
  redundant: Record<string, ComponentTest>;
  unique: Record<string, ComponentTest>;
  synergistic: Record<string, ComponentTest>;
  /** Surrogate sets run: the target set plus one per source, each of `surrogates` decompositions. */
  sets: number;
  /** Σ of all components (the mutual information for the full variant); upper tail, target set. */
  total: ComponentTest;
  /** Lower tail, target set: how often a surrogate leaves at most this much unexplained. */
  leak: ComponentTest;
}

/** Checks the request against the series length; returns the smallest shift. */
export function surrogatePlan(nPairs: number, surrogates: number): { minShift: number; distinctShifts: number } {
  if (!Number.isInteger(surrogates) || surrogates < 1 || surrogates > MAX_SURROGATES) {
    throw new SurdInputError(
      `significance.surrogates must be an integer in 1..${MAX_SURROGATES} (got ${surrogates})`,
      'significance',
    );
  }
  const minShift = Math.max(1, Math.ceil(MIN_SHIFT_FRACTION * nPairs));
  const distinctShifts = Math.max(0, nPairs - 2 * minShift + 1);
  if (distinctShifts < surrogates) {
    throw new SurdInputError(
      `${nPairs} pairs allow only ${distinctShifts} distinct circular shifts of at least ${minShift} samples; ` +
        `ask for at most ${distinctShifts} surrogates or give a longer series`,
      'significance',
    );
  }
  return { minShift, distinctShifts };
}

/** `count` distinct shifts from [lo, lo + range), in draw order. */
export function drawShifts(rng: Rng, lo: number, range: number, count: number): number[] {
  const out: number[] = [];
  if (range <= 4 * count) {
    // Partial Fisher–Yates over the explicit range.
    const all = Array.from({ length: range }, (_, i) => lo + i);
    for (let i = 0; i < count; i++) {
      const j = i + rng.below(range - i);
      [all[i], all[j]] = [all[j], all[i]];
      out.push(all[i]);
    }
    return out;
  }
  const seen = new Set<number>();
  while (out.length < count) {
    const s = lo + rng.below(range);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  return out;
}

/** out[i] = src[(i + shift) mod n]. */
function rotate(src: Uint8Array | Uint16Array, shift: number, out: Uint8Array | Uint16Array): void {
  const n = src.length;
  out.set(src.subarray(shift), 0);
  out.set(src.subarray(0, shift), n - shift);
}

/** Joint counts of one surrogate: cell flatRest[m] + rot[m]·stride per pair; records occupied cells; returns their number. */
function countRotated(
  counts: Float64Array,
  flatRest: Int32Array,
  rot: Uint8Array | Uint16Array,
  stride: number,
  occ: Int32Array,
): number {
  let nOcc = 0;
  for (let m = 0; m < flatRest.length; m++) {
    const j = flatRest[m] + rot[m] * stride;
    if (counts[j] === 0) occ[nOcc++] = j;
    counts[j] += 1;
  }
  return nOcc;
}

/** Per component key: observed value, sum, sum of squares and count of surrogates at least as extreme. */
class Tally {
  readonly keys: string[];
  private readonly observed: Float64Array;
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  readonly hits: Int32Array;
  constructor(
    part: Record<string, number>,
    private readonly lowerTail = false,
  ) {
    this.keys = Object.keys(part);
    this.observed = Float64Array.from(this.keys, (k) => part[k]);
    this.sum = new Float64Array(this.keys.length);
    this.sq = new Float64Array(this.keys.length);
    this.hits = new Int32Array(this.keys.length);
  }
  add(part: Record<string, number>): void {
    this.keys.forEach((key, k) => {
      const v = part[key];
      this.sum[k] += v;
      this.sq[k] += v * v;
      if (this.lowerTail ? v <= this.observed[k] + TIE_BITS : v >= this.observed[k] - TIE_BITS) this.hits[k]++;
    });
  }
  /** Tests per key: mean and sd from this tally, p-value from `pOf` (default: this tally's own). */
  result(s: number, pOf?: (k: number, key: string) => number): Record<string, ComponentTest> {
    const out: Record<string, ComponentTest> = {};
    this.keys.forEach((key, k) => {
      const mean = this.sum[k] / s;
      const variance = s > 1 ? Math.max(0, (this.sq[k] - s * mean * mean) / (s - 1)) : 0;
      const pValue = pOf ? pOf(k, key) : (1 + this.hits[k]) / (1 + s);
      out[key] = { observed: this.observed[k], pValue, surrogateMean: mean, surrogateSd: Math.sqrt(variance) };
    });
    return out;
  }
}

type Part = 'redundant' | 'unique' | 'synergistic';
const PARTS: Part[] = ['redundant', 'unique', 'synergistic'];

/** Re-labels an inner computation's progress as "surrogate i of s". */
function* asSurrogate<T>(inner: Steps<T>, done: number, total: number): Steps<T> {
  for (;;) {
    const r = inner.next();
    if (r.done) return r.value;
    yield { stage: 'surrogates', done, total };
  }
}

/** Decompositions a significance run performs: `surrogates` for the target and for each source. */
export function surrogateRuns(nSources: number, surrogates: number): number {
  return (nSources + 1) * surrogates;
}

/**
 * Work of one surrogate in cells and samples touched: the full variant counts every pair into the joint table
 * (clearing it first); the high-dimensional one counts every pair once per combination into that combination's table.
 */
export function surrogateCost(nPairs: number, bins: readonly number[], maxOrder?: number): number {
  const n = bins.length - 1;
  if (maxOrder === undefined) return nPairs + bins.reduce((a, b) => a * b, 1);
  let cost = 0;
  const visit = (from: number, size: number, cells: number) => {
    if (size > 0) cost += nPairs * (size + 1) + cells;
    if (size === Math.min(maxOrder, n)) return;
    for (let k = from; k <= n; k++) visit(k + 1, size + 1, cells * bins[k]);
  };
  visit(1, 0, bins[0]);
  return cost;
}

/**
 * Runs the surrogates for `observed`, which must be the SURD result of `binned` (same variant and max order).
 * Yields once per finished surrogate and inside long decompositions.
 */
export function* significanceSteps(
  binned: BinnedAxes,
  observed: SurdResult,
  options: SignificanceOptions,
): Steps<SignificanceResult> {
  const { surrogates: s } = options;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new SurdInputError(`significance.seed must be an integer in 0..4294967295 (got ${seed})`, 'significance');
  const { index, binnings, nPairs } = binned;
  const { minShift, distinctShifts } = surrogatePlan(nPairs, s);
  const rng = new Rng(seed);
  const shape = binnings.map((b) => b.bins);
  const axes = shape.length;
  const runs = axes * s;
  const counts = options.maxOrder === undefined ? new Float64Array(shape.reduce((a, b) => a * b, 1)) : null;
  const flatRest = counts ? new Int32Array(nPairs) : null;
  const occ = counts ? new Int32Array(Math.min(counts.length, nPairs)) : null;
  const rotated = index.map((idx) => (idx instanceof Uint8Array ? new Uint8Array(nPairs) : new Uint16Array(nPairs)));

  // sets[g]: tallies of the surrogates that rotate axis g (0 = target, k = source k).
  const sets: Record<Part | 'total' | 'leak', Tally>[] = [];
  for (let g = 0; g < axes; g++) {
    const shifts = drawShifts(rng, minShift, distinctShifts, s);
    const tally = {
      redundant: new Tally(observed.redundant),
      unique: new Tally(observed.unique),
      synergistic: new Tally(observed.synergistic),
      total: new Tally({ total: observed.sumOfComponents }),
      leak: new Tally({ leak: observed.infoLeak }, true),
    };
    sets.push(tally);
    // Full variant: flat C-order index of every pair without axis g, then + rotated state · stride of g.
    let stride = 1;
    if (counts && flatRest) {
      for (let a = g + 1; a < axes; a++) stride *= shape[a];
      flatRest.fill(0);
      for (let a = 0; a < axes; a++) {
        const idx = index[a];
        const b = shape[a];
        if (a === g) for (let m = 0; m < nPairs; m++) flatRest[m] = flatRest[m] * b;
        else for (let m = 0; m < nPairs; m++) flatRest[m] = flatRest[m] * b + idx[m];
      }
    }
    for (let i = 0; i < s; i++) {
      const done = g * s + i;
      const rot = rotated[g];
      rotate(index[g], shifts[i], rot);
      let r: SurdResult;
      if (counts && flatRest && occ) {
        counts.fill(0);
        const nOcc = countRotated(counts, flatRest, rot, stride, occ);
        r = yield* asSurrogate(
          decomposeSteps(counts, shape, { inPlace: true, occupied: occ.subarray(0, nOcc) }),
          done,
          runs,
        );
      } else {
        const swapped = index.slice();
        swapped[g] = rot;
        r = yield* asSurrogate(
          highDimSteps({ index: swapped, binnings, nPairs }, options.maxOrder as number),
          done,
          runs,
        );
      }
      for (const part of PARTS) tally[part].add(r[part]);
      tally.total.add({ total: r.sumOfComponents });
      tally.leak.add({ leak: r.infoLeak });
      yield { stage: 'surrogates', done: done + 1, total: runs };
    }
  }

  const global = sets[0];
  const byMembers = (part: Part) => (k: number, key: string) => {
    let p = 0;
    for (const m of key.split(',')) p = Math.max(p, (1 + sets[Number(m)][part].hits[k]) / (1 + s));
    return p;
  };
  return {
    method: 'circular_shift',
    surrogates: s,
    seed,
    minShift,
    sets: axes,
    redundant: global.redundant.result(s, byMembers('redundant')),
    unique: global.unique.result(s, byMembers('unique')),
    synergistic: global.synergistic.result(s, byMembers('synergistic')),
    total: global.total.result(s).total,
    leak: global.leak.result(s).leak,
  };
}
