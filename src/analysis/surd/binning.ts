// Samples → joint histogram, reproducing numpy.histogramdd(samples, B) bit for bit (SPEC §4): per-axis
// range from that axis's own lag-trimmed window, linspace edges (k·step + lo, last edge = hi), right-sided
// edge membership with the last bin closed. Work is chunked so no per-sample objects or full-length index
// arrays are needed.
import { SurdInputError } from './errors.js';
import { STEP_WORK, type Steps } from './steps.js';

/** One axis: the values data[offset .. offset+length-1] of a series. */
export interface AxisWindow {
  data: ArrayLike<number>;
  offset: number;
  /** Used in error messages ("target", "sources[1]"). */
  label: string;
}

export interface AxisBinning {
  bins: number;
  lo: number;
  hi: number;
  /** bins + 1 edges. */
  edges: Float64Array;
  /** 1/step, used only for a first guess of the bin; the edge comparisons decide. */
  scale: number;
}

/** Lag alignment (SPEC §4.1): the target axis sees y[lag..N-1], each source axis x_k[0..N-lag-1]. */
export function alignWindows(target: ArrayLike<number>, sources: ArrayLike<number>[], lag: number, sourceLabels?: string[]): AxisWindow[] {
  return [
    { data: target, offset: lag, label: 'target' },
    ...sources.map((s, k) => ({ data: s, offset: 0, label: sourceLabels?.[k] ?? `sources[${k}]` })),
  ];
}

/** numpy linspace(lo, hi, B + 1): product first, then sum; the last edge is hi exactly. */
export function linspaceEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const delta = hi - lo;
  const step = delta / bins;
  for (let k = 0; k < bins; k++) edges[k] = step === 0 ? (k / bins) * delta + lo : k * step + lo;
  edges[bins] = hi;
  return edges;
}

/** Range and edges of one axis; rejects non-finite values (numpy raises on them too). */
export function axisBinning(axis: AxisWindow, length: number, bins: number): AxisBinning {
  const { data, offset } = axis;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = data[offset + i];
    if (v - v !== 0) {
      // NaN and ±Infinity are the only numbers for which v − v is not 0.
      throw new SurdInputError(`${axis.label}[${offset + i}] is ${String(v)}; every sample must be a finite number`, axis.label);
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    // numpy widens a constant axis by ±0.5.
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = linspaceEdges(lo, hi, bins);
  const step = (hi - lo) / bins;
  return { bins, lo, hi, edges, scale: step > 0 && Number.isFinite(1 / step) ? 1 / step : 0 };
}

/**
 * Bins data[off .. off+len-1] and folds the result into out: out[i] = out[i]·mul + bin (C-order flat index;
 * mul = 0 for the first axis). bin = (number of edges ≤ v) − 1, and v == last edge goes to the last bin.
 * The arithmetic guess only picks the starting edge; the walks make the comparison with the stored edges
 * authoritative (floor((v − lo)/step) alone disagrees with numpy next to edges).
 */
function foldBins(b: AxisBinning, data: ArrayLike<number>, off: number, len: number, out: Int32Array, mul: number): void {
  const { edges: e, lo, hi, scale } = b;
  const top = b.bins - 1;
  for (let i = 0; i < len; i++) {
    const v = data[off + i];
    if (v === hi) {
      // The last bin is closed. Stated explicitly because for sub-normal ranges k·step can overshoot hi and
      // the edges are then not monotone.
      out[i] = out[i] * mul + top;
      continue;
    }
    let g = ((v - lo) * scale) | 0;
    if (g > top) g = top;
    else if (g < 0) g = 0;
    if (g > 0 && v < e[g]) {
      do g--;
      while (g > 0 && v < e[g]);
    } else if (g < top && v >= e[g + 1]) {
      do g++;
      while (g < top && v >= e[g + 1]);
    }
    out[i] = out[i] * mul + g;
  }
}

const CHUNK = 1 << 16;

export interface JointCounts {
  /** Raw counts in C order over (target, source 1, …, source n). */
  counts: Float64Array;
  shape: number[];
  binnings: AxisBinning[];
  nPairs: number;
}

/** Ranges and edges for every axis (one pass over each window). */
export function* binningsSteps(axes: AxisWindow[], length: number, bins: number[]): Steps<AxisBinning[]> {
  const out: AxisBinning[] = [];
  for (let a = 0; a < axes.length; a++) {
    out.push(axisBinning(axes[a], length, bins[a]));
    yield { stage: 'range', done: a + 1, total: axes.length };
  }
  return out;
}

/** The full joint histogram of raw counts (float64, exact integers). */
export function* countJointSteps(axes: AxisWindow[], length: number, bins: number[]): Steps<JointCounts> {
  const binnings = yield* binningsSteps(axes, length, bins);
  const shape = binnings.map((b) => b.bins);
  let cells = 1;
  for (const s of shape) cells *= s;
  const counts = new Float64Array(cells);
  const idx = new Int32Array(Math.min(CHUNK, Math.max(1, length)));
  let sinceYield = 0;
  for (let start = 0; start < length; start += CHUNK) {
    const len = Math.min(CHUNK, length - start);
    for (let a = 0; a < axes.length; a++) foldBins(binnings[a], axes[a].data, axes[a].offset + start, len, idx, a === 0 ? 0 : binnings[a].bins);
    for (let i = 0; i < len; i++) counts[idx[i]] += 1;
    sinceYield += len * axes.length;
    if (sinceYield >= STEP_WORK) {
      sinceYield = 0;
      yield { stage: 'bin', done: start + len, total: length };
    }
  }
  return { counts, shape, binnings, nPairs: length };
}

export interface BinnedAxes {
  /** Bin index of every aligned sample, one array per axis (target first). */
  index: (Uint8Array | Uint16Array)[];
  binnings: AxisBinning[];
  nPairs: number;
}

/** Per-axis bin indices for the high-dimensional variant, which builds many small tables from them. */
export function* binAxesSteps(axes: AxisWindow[], length: number, bins: number[]): Steps<BinnedAxes> {
  const binnings = yield* binningsSteps(axes, length, bins);
  const buf = new Int32Array(Math.min(CHUNK, Math.max(1, length)));
  const index = binnings.map((b) => (b.bins <= 256 ? new Uint8Array(length) : new Uint16Array(length)));
  let sinceYield = 0;
  for (let a = 0; a < axes.length; a++) {
    for (let start = 0; start < length; start += CHUNK) {
      const len = Math.min(CHUNK, length - start);
      foldBins(binnings[a], axes[a].data, axes[a].offset + start, len, buf, 0);
      index[a].set(buf.subarray(0, len), start);
      sinceYield += len;
      if (sinceYield >= STEP_WORK) {
        sinceYield = 0;
        yield { stage: 'bin', done: a * length + start + len, total: axes.length * length };
      }
    }
  }
  return { index, binnings, nPairs: length };
}

/** Bin index of every value of one series on its own range (numpy semantics); for callers and tests. */
export function binSeries(values: ArrayLike<number>, bins: number): { index: Int32Array; binning: AxisBinning } {
  const axis: AxisWindow = { data: values, offset: 0, label: 'values' };
  const binning = axisBinning(axis, values.length, bins);
  const index = new Int32Array(values.length);
  foldBins(binning, values, 0, values.length, index, 0);
  return { index, binning };
}
