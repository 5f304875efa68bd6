// Public surface of the SURD analysis (Martínez-Sánchez, Arranz & Lozano-Durán, Nat. Commun. 15, 9296,
// 2024), following ../shared/surd/SPEC.md. Pure computation: typed arrays in, plain objects out.
import {
  alignWindows,
  binAxesSteps,
  countJointSteps,
  type AxisBinning,
  type BinnedAxes,
  type JointCounts,
} from './binning.js';
import { decomposeSteps, type SurdResult } from './decompose.js';
import { SurdInputError } from './errors.js';
import { highDimSteps } from './highdim.js';
import { significanceSteps, surrogatePlan, type SignificanceResult } from './significance.js';
import { runSync, type Steps } from './steps.js';

export {
  AUTO_MAX_BINS,
  autoBins,
  largestTableAxes,
  largestTableCells,
  SAMPLES_PER_CELL,
  type AutoBins,
} from './auto-bins.js';
export { canonicalCombos, maskKey, type Combo } from './combos.js';
export { bestSupportedLag, holmAdjust, type LagEvidence } from './lag-scan.js';
export { SurdInputError } from './errors.js';
export { binSeries, linspaceEdges, type AxisBinning, type AxisWindow, type JointCounts } from './binning.js';
export { validateTable, type SurdResult } from './decompose.js';
export { runAsync, runSync, type Steps, type SurdProgress, type SurdStage } from './steps.js';
export { FLOOR } from './table.js';
export {
  MAX_SURROGATES,
  surrogateCost,
  surrogatePlan,
  surrogateRuns,
  type ComponentTest,
  type SignificanceResult,
} from './significance.js';

export interface SamplesInput {
  target: ArrayLike<number>;
  sources: ArrayLike<number>[];
  /** Target is read `lag` steps after the sources (integer ≥ 1; default 1). */
  lag?: number;
  /** One bin count for every axis, or one per axis (target first). */
  bins: number | number[];
  /** Use the high-dimensional variant with combinations up to this size. */
  maxOrder?: number;
  /** Names used in error messages, one per source. */
  sourceLabels?: string[];
}

export interface SamplesOutput {
  result: SurdResult;
  binnings: AxisBinning[];
  nPairs: number;
}

/** Per-axis bin counts (target first) for n sources. */
export function binsPerAxis(bins: number | number[], nSources: number): number[] {
  const list = typeof bins === 'number' ? new Array<number>(nSources + 1).fill(bins) : bins.slice();
  if (list.length !== nSources + 1) {
    throw new SurdInputError(
      `bins has ${list.length} entries; give one number or ${nSources + 1} (target first, then each source)`,
      'bins',
    );
  }
  for (const b of list) {
    if (!Number.isInteger(b) || b < 2) throw new SurdInputError(`bins must be integers ≥ 2 (got ${b})`, 'bins');
  }
  return list;
}

/** Validates lengths and lag; returns the number of aligned pairs. `sourceLabels` name the sources in messages. */
export function alignedPairs(
  target: ArrayLike<number>,
  sources: ArrayLike<number>[],
  lag: number,
  sourceLabels?: string[],
): number {
  if (sources.length < 1) throw new SurdInputError('sources is empty: give at least one source series', 'sources');
  const n = target.length;
  sources.forEach((s, k) => {
    if (s.length !== n) {
      throw new SurdInputError(
        `${sourceLabels?.[k] ?? `sources[${k}]`} has ${s.length} samples but target has ${n}; all series must have equal length`,
        'sources',
      );
    }
  });
  if (!Number.isInteger(lag) || lag < 1) throw new SurdInputError(`lag must be an integer ≥ 1 (got ${lag})`, 'lag');
  if (lag >= n) throw new SurdInputError(`lag ${lag} must be smaller than the series length ${n}`, 'lag');
  const pairs = n - lag;
  if (pairs < 2)
    throw new SurdInputError(
      `only ${pairs} usable (target, sources) pair remains after lag ${lag}; at least 2 are needed`,
      'target',
    );
  return pairs;
}

/** Bins aligned samples into the full joint table of raw counts (numpy.histogramdd semantics). */
export function* jointCountsSteps(input: SamplesInput): Steps<JointCounts> {
  const lag = input.lag ?? 1;
  const pairs = alignedPairs(input.target, input.sources, lag, input.sourceLabels);
  const bins = binsPerAxis(input.bins, input.sources.length);
  const cells = bins.reduce((a, b) => a * b, 1);
  if (cells > 2 ** 31 - 1)
    throw new SurdInputError(`the joint table would have ${cells} cells; use fewer bins or maxOrder`, 'bins');
  return yield* countJointSteps(alignWindows(input.target, input.sources, lag, input.sourceLabels), pairs, bins);
}

/** SURD from samples: the full variant, or the high-dimensional one when maxOrder is given. */
export function* surdFromSamplesSteps(input: SamplesInput): Steps<SamplesOutput> {
  if (input.maxOrder !== undefined) {
    const lag = input.lag ?? 1;
    const pairs = alignedPairs(input.target, input.sources, lag, input.sourceLabels);
    const bins = binsPerAxis(input.bins, input.sources.length);
    const binned = yield* binAxesSteps(alignWindows(input.target, input.sources, lag, input.sourceLabels), pairs, bins);
    const result = yield* highDimSteps(binned, input.maxOrder);
    return { result, binnings: binned.binnings, nPairs: pairs };
  }
  const joint = yield* jointCountsSteps(input);
  const result = yield* decomposeSteps(joint.counts, joint.shape, { inPlace: true, occupied: joint.occupied });
  return { result, binnings: joint.binnings, nPairs: joint.nPairs };
}

/**
 * SURD from a table (counts or probabilities, used unscaled), C order, target on axis 0. With `inPlace` a
 * Float64Array is floored and normalised where it is instead of being copied; `occupied` passes on
 * JointCounts.occupied for a table that came from jointCounts (it is then not re-validated).
 */
export function surdFromTableSteps(
  table: ArrayLike<number>,
  shape: readonly number[],
  options: { inPlace?: boolean; occupied?: Int32Array } = {},
): Steps<SurdResult> {
  const own = options.inPlace && table instanceof Float64Array ? table : Float64Array.from(table);
  return decomposeSteps(own, shape, { inPlace: true, occupied: options.occupied });
}

/** Flat C-order joint counts from per-axis bin indices (target first). */
export function countsFromIndices(binned: BinnedAxes): Float64Array {
  const shape = binned.binnings.map((b) => b.bins);
  const counts = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const flat = new Int32Array(binned.nPairs);
  binned.index.forEach((idx, a) => {
    const b = shape[a];
    for (let i = 0; i < flat.length; i++) flat[i] = flat[i] * b + idx[i];
  });
  for (let i = 0; i < flat.length; i++) counts[flat[i]] += 1;
  return counts;
}

/**
 * SURD from samples plus a circular-shift surrogate test of every component (significance.ts). The observed
 * result is the same as surdFromSamplesSteps gives (same bins, same counts).
 */
export function* surdWithSignificanceSteps(
  input: SamplesInput,
  options: { surrogates: number; seed?: number },
): Steps<SamplesOutput & { significance: SignificanceResult }> {
  const lag = input.lag ?? 1;
  const pairs = alignedPairs(input.target, input.sources, lag, input.sourceLabels);
  const bins = binsPerAxis(input.bins, input.sources.length);
  surrogatePlan(pairs, options.surrogates);
  const binned = yield* binAxesSteps(alignWindows(input.target, input.sources, lag, input.sourceLabels), pairs, bins);
  let result: SurdResult;
  if (input.maxOrder !== undefined) {
    result = yield* highDimSteps(binned, input.maxOrder);
  } else {
    const cells = bins.reduce((a, b) => a * b, 1);
    if (cells > 2 ** 31 - 1)
      throw new SurdInputError(`the joint table would have ${cells} cells; use fewer bins or maxOrder`, 'bins');
    result = yield* decomposeSteps(countsFromIndices(binned), bins, { inPlace: true });
  }
  const significance = yield* significanceSteps(binned, result, { ...options, maxOrder: input.maxOrder });
  return { result, binnings: binned.binnings, nPairs: pairs, significance };
}

export const surdFromSamples = (input: SamplesInput): SamplesOutput => runSync(surdFromSamplesSteps(input));
export const surdFromTable = (table: ArrayLike<number>, shape: readonly number[]): SurdResult =>
  runSync(surdFromTableSteps(table, shape));
export const jointCounts = (input: SamplesInput): JointCounts => runSync(jointCountsSteps(input));
