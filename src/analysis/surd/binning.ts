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
export function alignWindows(
  target: ArrayLike<number>,
  sources: ArrayLike<number>[],
  lag: number,
  sourceLabels?: string[],
): AxisWindow[] {
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

/**
 * min, max and a non-finite detector over data[start..end), continuing from acc = [lo, hi, bad]. bad stays 0 while
 * every value is finite (v − v is 0 exactly for finite v, NaN for NaN and ±Infinity). A leaf function with nothing
 * after the loop, called per chunk: V8 optimises it after the first chunk with complete type feedback, whereas
 * one loop over the whole window runs long in the interpreter (and deoptimises on leaving its on-stack-replaced loop).
 */
function rangeChunk(data: ArrayLike<number>, start: number, end: number, acc: Float64Array): void {
  let lo = acc[0];
  let hi = acc[1];
  let bad = acc[2];
  for (let i = start; i < end; i++) {
    const v = data[i];
    bad += v - v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  acc[0] = lo;
  acc[1] = hi;
  acc[2] = bad;
}

/** Chunk lengths: a short first chunk gives the JIT its type feedback cheaply, then large ones. */
const FIRST_CHUNK = 1 << 10;
const CHUNK = 1 << 16;
const chunkEnd = (start: number, end: number, first: number) =>
  Math.min(end, start + (start === first ? FIRST_CHUNK : CHUNK));

/**
 * [lo, hi, bad] of data[start..end) (bad ≠ 0: a non-finite value). With `strict`, throws naming the first
 * non-finite value as axis.label[index].
 */
function windowRange(axis: AxisWindow, start: number, end: number, strict = true): Float64Array {
  const acc = Float64Array.of(Infinity, -Infinity, 0);
  for (let s = start; s < end; s = chunkEnd(s, end, start)) rangeChunk(axis.data, s, chunkEnd(s, end, start), acc);
  if (strict && acc[2] !== 0) {
    for (let i = start; i < end; i++) {
      const v = axis.data[i];
      // NaN and ±Infinity are the only numbers for which v − v is not 0.
      if (v - v !== 0)
        throw new SurdInputError(
          `${axis.label}[${i}] is ${String(v)}; every sample must be a finite number`,
          axis.label,
        );
    }
  }
  return acc;
}

/** Edges and scale for the range [lo, hi] (numpy widens a constant axis by ±0.5). */
function binningOf(lo: number, hi: number, bins: number): AxisBinning {
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = linspaceEdges(lo, hi, bins);
  const step = (hi - lo) / bins;
  return { bins, lo, hi, edges, scale: step > 0 && Number.isFinite(1 / step) ? 1 / step : 0 };
}

/** Range and edges of one axis; rejects non-finite values (numpy raises on them too). */
export function axisBinning(axis: AxisWindow, length: number, bins: number): AxisBinning {
  const [lo, hi] = windowRange(axis, axis.offset, axis.offset + length);
  return binningOf(lo, hi, bins);
}

/**
 * Bins data[off .. off+len-1] and folds the result into out: out[i] = out[i]·mul + bin (C-order flat index;
 * mul = 0 for the first axis). bin = (number of edges ≤ v) − 1, and v == last edge goes to the last bin.
 * The arithmetic guess only picks the starting edge; the walks make the comparison with the stored edges
 * authoritative (floor((v − lo)/step) alone disagrees with numpy next to edges).
 */
function foldBins(
  b: AxisBinning,
  data: ArrayLike<number>,
  off: number,
  len: number,
  out: Int32Array,
  mul: number,
): void {
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

export interface JointCounts {
  /** Raw counts in C order over (target, source 1, …, source n). */
  counts: Float64Array;
  shape: number[];
  binnings: AxisBinning[];
  nPairs: number;
  /** Flat index of every occupied cell, once each, in order of first occupation (lets the decomposition skip a scan). */
  occupied: Int32Array;
}

/**
 * The source axis that reads the target's own series (the same array, or an equal one), when the lag is short
 * enough for the windows to overlap mostly: its range and bins can then be shared with the target axis.
 */
export interface SelfAxis {
  axis: number;
  lag: number;
}

/** True when a and b hold the same values; stops at the first difference (so a mismatch costs little). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let s = 0; s < a.length; s = chunkEnd(s, a.length, 0))
    if (!equalChunk(a, b, s, chunkEnd(s, a.length, 0))) return false;
  return true;
}

function equalChunk(a: ArrayLike<number>, b: ArrayLike<number>, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lags above this are not shared: each chunk re-bins `lag` extra samples of the shared series. */
const MAX_SHARED_LAG = 1 << 12;

/** The source axis (≥ 1) whose window is the target's series shifted by the lag, if any. */
export function findSelfAxis(axes: AxisWindow[], length: number): SelfAxis | null {
  const t = axes[0];
  for (let a = 1; a < axes.length; a++) {
    const lag = t.offset - axes[a].offset;
    if (lag < 1 || lag > MAX_SHARED_LAG || 4 * lag > length) continue;
    if (sameValues(axes[a].data, t.data)) return { axis: a, lag };
  }
  return null;
}

/** Ranges and edges for every axis (one pass over each window; the self axis and the target share theirs). */
export function* binningsSteps(
  axes: AxisWindow[],
  length: number,
  bins: number[],
  self: SelfAxis | null = null,
): Steps<AxisBinning[]> {
  const out: AxisBinning[] = new Array<AxisBinning>(axes.length);
  let first = 0;
  if (self) {
    // Series s, target window [o + lag, o + lag + length), self window [o, o + length): head, overlap, tail.
    const src = axes[self.axis];
    const o = src.offset;
    const head = windowRange(src, o, o + self.lag, false);
    const mid = windowRange(src, o + self.lag, o + length, false);
    const tail = windowRange(axes[0], o + length, o + length + self.lag, false);
    if (head[2] === 0 && mid[2] === 0 && tail[2] === 0) {
      out[0] = binningOf(Math.min(mid[0], tail[0]), Math.max(mid[1], tail[1]), bins[0]);
      out[self.axis] = binningOf(Math.min(head[0], mid[0]), Math.max(head[1], mid[1]), bins[self.axis]);
    }
    // On a non-finite value fall through: the per-axis pass below names it exactly as without sharing.
  }
  for (let a = 0; a < axes.length; a++) {
    if (!out[a]) out[a] = axisBinning(axes[a], length, bins[a]);
    yield { stage: 'range', done: ++first, total: axes.length };
  }
  return out;
}

/** counts[idx[i]] += 1 for i < len, appending each newly occupied cell to occ; returns the new occupied count. */
function countChunk(counts: Float64Array, idx: Int32Array, len: number, occ: Int32Array, nOcc: number): number {
  for (let i = 0; i < len; i++) {
    const j = idx[i];
    if (counts[j] === 0) occ[nOcc++] = j;
    counts[j] += 1;
  }
  return nOcc;
}

/** out[i] = out[i]·mul + src[off + i] for i < len. */
function foldIndex(src: Int32Array, off: number, len: number, out: Int32Array, mul: number): void {
  for (let i = 0; i < len; i++) out[i] = out[i] * mul + src[off + i];
}

const sameBinning = (a: AxisBinning, b: AxisBinning) => a.bins === b.bins && a.lo === b.lo && a.hi === b.hi;

/** The full joint histogram of raw counts (float64, exact integers). */
export function* countJointSteps(axes: AxisWindow[], length: number, bins: number[]): Steps<JointCounts> {
  const self = findSelfAxis(axes, length);
  const binnings = yield* binningsSteps(axes, length, bins, self);
  const shape = binnings.map((b) => b.bins);
  let cells = 1;
  for (const s of shape) cells *= s;
  const counts = new Float64Array(cells);
  const idx = new Int32Array(Math.min(CHUNK, Math.max(1, length)));
  let occ = new Int32Array(Math.min(cells, 1 << 16));
  let nOcc = 0;
  // With equal edges the target's bin at pair m is the self axis's bin at pair m + lag: bin the shared series once.
  const shared = self && sameBinning(binnings[0], binnings[self.axis]) ? self : null;
  const sharedBins = shared ? new Int32Array(Math.min(CHUNK, Math.max(1, length)) + shared.lag) : null;
  let sinceYield = 0;
  for (let start = 0; start < length; start = chunkEnd(start, length, 0)) {
    const len = chunkEnd(start, length, 0) - start;
    if (shared && sharedBins) {
      const src = axes[shared.axis];
      foldBins(binnings[shared.axis], src.data, src.offset + start, len + shared.lag, sharedBins, 0);
    }
    for (let a = 0; a < axes.length; a++) {
      const mul = a === 0 ? 0 : binnings[a].bins;
      if (shared && sharedBins && a === 0) foldIndex(sharedBins, shared.lag, len, idx, 0);
      else if (shared && sharedBins && a === shared.axis) foldIndex(sharedBins, 0, len, idx, mul);
      else foldBins(binnings[a], axes[a].data, axes[a].offset + start, len, idx, mul);
    }
    if (nOcc + len > occ.length && occ.length < cells) {
      const grown = new Int32Array(Math.min(cells, Math.max(2 * occ.length, nOcc + len)));
      grown.set(occ.subarray(0, nOcc));
      occ = grown;
    }
    nOcc = countChunk(counts, idx, len, occ, nOcc);
    sinceYield += len * axes.length;
    if (sinceYield >= STEP_WORK) {
      sinceYield = 0;
      yield { stage: 'bin', done: start + len, total: length };
    }
  }
  return { counts, shape, binnings, nPairs: length, occupied: occ.subarray(0, nOcc) };
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
