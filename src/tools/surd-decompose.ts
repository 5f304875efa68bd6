// surd_decompose: exact SURD causal decomposition (Martínez-Sánchez, Arranz & Lozano-Durán, Nat. Commun. 2024)
// of a target's future into redundant, unique and synergistic information from its sources, plus the leak.
// Math in src/analysis/surd (normative spec: ../shared/surd/SPEC.md); user-facing contract in docs/surd.md.
import { z } from 'zod';
import {
  alignedPairs,
  autoBins,
  bestSupportedLag,
  binsPerAxis,
  holmAdjust,
  largestTableAxes,
  largestTableCells,
  MAX_SURROGATES,
  SAMPLES_PER_CELL,
  surrogateCost,
  surrogatePlan,
  surrogateRuns,
  type ComponentTest,
  type SignificanceResult,
  type SurdProgress,
  type SurdResult,
} from '../analysis/surd/index.js';
import { ToolError } from '../core/errors.js';
import { SURD_MAX_SOURCES } from '../core/limits.js';
import { surdSamplesInWorker, surdSignificanceInWorker, surdTableInWorker } from './surd-runner.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

const MAX_BINS = 64;
/**
 * Surrogate work allowed per call, as a multiple of the largest plain call (surdMaxSamples + surdMaxCells cells and
 * samples touched): at the default limits about 5·10⁸, i.e. seconds, not minutes.
 */
const SURROGATE_WORK_FACTOR = 8;
/** Surrogates per lag of a lag scan when `significance` does not say (p-values down to 1/200), fewer for a short series. */
const SCAN_SURROGATES = 199;
/** Longest lag scan (each lag is one decomposition with its surrogates). */
const MAX_LAG_SCAN = 24;
/** Family-wise level of the lag scan. */
const SCAN_ALPHA = 0.05;
/** Below this many bits there is no information to normalise by. */
const MI_EPS = 1e-12;

const series = z.array(z.number());
const binCount = z.number().int().min(2).max(MAX_BINS);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
/**
 * `{ name: series }` read into a Map, so that every key is an ordinary name: a record schema (and any plain object
 * built from one) drops or mangles "__proto__". The JSON Schema clients see stays an object of number arrays.
 */
const namedSeries = z
  .unknown()
  .refine(isPlainObject, { message: 'expected an object of { name: number[] }' })
  .meta({ type: 'object', additionalProperties: { type: 'array', items: { type: 'number' } } })
  .pipe(z.transform((v) => new Map(Object.entries(v as Record<string, unknown>))))
  .pipe(z.map(z.string(), series));

export const surdInput = z.object({
  target: series
    .optional()
    .describe('Samples form: target series y[0..N-1]; SURD explains y[t+lag] from the sources at t.'),
  sources: z
    .union([z.array(series), namedSeries])
    .optional()
    .describe(
      'Samples form: source series of length N, as a list or {name: series}; include the target itself for self-causation.',
    ),
  lag: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Samples form: time steps from sources to target (integer ≥ 1, < N; default 1). Not with max_lag.'),
  max_lag: z
    .number()
    .int()
    .min(1)
    .max(MAX_LAG_SCAN)
    .optional()
    .describe(
      `Samples form: for an unknown lag, scan lags 1..max_lag (≤ ${MAX_LAG_SCAN}): each lag's information ` +
        'against surrogates (Holm-corrected), decomposed at the best-supported lag.',
    ),
  bins: z
    .union([binCount, z.array(binCount), z.literal('auto')])
    .optional()
    .describe(
      `Samples form: "auto" (default: most equal bins 2..16 with ≥ ${SAMPLES_PER_CELL} samples per joint ` +
        `cell), bins per axis (2..${MAX_BINS}), or a list: target first, then each source.`,
    ),
  max_order: z
    .number()
    .int()
    .min(1)
    .max(SURD_MAX_SOURCES)
    .optional()
    .describe(
      'Samples form: high-dimensional variant, tables of ≤ max_order sources (many sources or fine bins); leak = 1 − Σparts/H(target).',
    ),
  histogram: z
    .array(z.unknown())
    .optional()
    .describe(
      'Histogram form: joint counts or probabilities (nested arrays, non-negative), axis 0 = target, axis k = source k.',
    ),
  names: z
    .array(z.string().min(1))
    .optional()
    .describe('Names of the sources in order (default X1..Xn, or the keys of a sources object).'),
  target_name: z.string().min(1).optional().describe('Name of the target, used in the summary (default "target").'),
  include_subset_mi: z
    .boolean()
    .optional()
    .describe('Also return the mutual information between the target and every subset of sources.'),
  significance: z
    .object({
      surrogates: z
        .number()
        .int()
        .min(1)
        .max(MAX_SURROGATES)
        .describe(
          `Surrogates per set (1..${MAX_SURROGATES}; 200 or more for p-values below 0.01). Cost: (sources + 1) ` +
            '× surrogates decompositions.',
        ),
      seed: z
        .number()
        .int()
        .min(0)
        .max(0xffffffff)
        .optional()
        .describe('Seed of the surrogate shifts (default 0); the same seed gives the same p-values.'),
    })
    .optional()
    .describe(
      'Samples form, optional: a circular-shift surrogate test of every component. Adds p_value and ' +
        'surrogate_mean (the value with an unrelated target: the finite-sample bias) to each, and p-values of the ' +
        'total and the leak.',
    ),
});

const component = z.object({
  sources: z.array(z.string()).describe('the sources this component belongs to'),
  bits: z.number().describe('information in bits'),
  normalized: z
    .number()
    .nullable()
    .describe('bits / mutual_information; null when the mutual information is 0 or the target is constant'),
  p_value: z
    .number()
    .optional()
    .describe(
      'with significance: the largest over the listed sources of the share of surrogates (that source shifted) ' +
        'at least this large, counting the observation itself',
    ),
  surrogate_mean: z
    .number()
    .optional()
    .describe('with significance: mean over target-shifted surrogates, i.e. the value finite-sample bias alone gives'),
});

const test = z.object({
  observed: z.number(),
  p_value: z.number().describe('(1 + surrogates at least as extreme) / (1 + surrogates)'),
  surrogate_mean: z.number(),
  surrogate_sd: z.number(),
});

const significanceOut = z.object({
  method: z
    .literal('circular_shift')
    .describe('each surrogate rotates one series against the others (docs/surd.md, Significance)'),
  surrogates: z.number().int().describe('surrogates per set'),
  seed: z.number().int(),
  min_shift: z.number().int().describe('shifts are drawn without repetition from [min_shift, n_samples − min_shift]'),
  decompositions: z.number().int().describe('surrogate decompositions run: (sources + 1) × surrogates'),
  mutual_information: test.describe('upper tail over target-shifted surrogates: could the total be bias alone?'),
  leak: test.describe('lower tail over target-shifted surrogates: is this little left unexplained by chance?'),
});

export const surdOutput = z.object({
  method: z
    .enum(['surd', 'surd_high_dimensional'])
    .describe(
      'surd = exact decomposition of the full joint table; surd_high_dimensional = variant limited to max_order',
    ),
  units: z.literal('bits'),
  target: z.string(),
  sources: z.array(z.string()),
  redundant: z
    .array(component)
    .describe('information shared by several sources (every combination of ≥ 2 sources), largest first'),
  unique: z.array(component).describe('information only one source provides, largest first'),
  synergistic: z.array(component).describe('information only a combination of sources provides, largest first'),
  mutual_information: z
    .number()
    .describe(
      'I(target; all sources) in bits = Σ redundant + unique + synergistic (high-dimensional variant: that ' +
        'sum, i.e. what combinations up to max_order explain)',
    ),
  mutual_information_by_subset: z
    .array(z.object({ sources: z.array(z.string()), bits: z.number() }))
    .optional()
    .describe('I(target; subset) for every subset (up to max_order), when include_subset_mi is true'),
  leak: z
    .number()
    .nullable()
    .describe(
      'fraction of the target entropy no source explains, H(target | sources)/H(target), in [0, 1]; null when undefined',
    ),
  leak_reason: z.string().nullable().describe('why leak is null, else null'),
  causal_clarity: z.number().nullable().describe('1 − leak; null when leak is null'),
  entropy_target: z.number().describe('H(target) in bits (of the binned target)'),
  n_samples: z.number().int().nullable().describe('(target, sources) pairs after the lag; null for the histogram form'),
  bins_used: z.array(z.number().int()).describe('states per axis, target first'),
  bins_rule: z
    .string()
    .describe('how bins_used was chosen: the automatic rule with its numbers, the given bins, or the histogram'),
  reliable: z
    .boolean()
    .nullable()
    .describe(
      'null for the histogram form (its sample size is unknown); false when the largest table has fewer than ' +
        `${SAMPLES_PER_CELL} samples per cell: finite-sample bias can dominate the components ` +
        '(the warning says so)',
    ),
  lag_scan: z
    .object({
      max_lag: z.number().int(),
      n_samples: z.number().int().describe('pairs per lag: every lag is read on the same window of N − max_lag pairs'),
      surrogates: z.number().int().describe('target-shifted surrogates per lag'),
      seed: z.number().int(),
      correction: z
        .literal('holm')
        .describe('Holm step-down over the max_lag tests of the total information: family-wise error ≤ alpha'),
      alpha: z.number(),
      lags: z.array(
        z.object({
          lag: z.number().int(),
          mutual_information: z.number().describe('bits'),
          surrogate_mean: z.number().describe('bits the finite-sample bias alone gives at this lag'),
          p_value: z.number().describe('uncorrected surrogate p-value of the total information'),
          p_adjusted: z.number().describe('Holm-adjusted p-value'),
          largest: z
            .object({
              kind: z.enum(['unique', 'redundant', 'synergistic']),
              sources: z.array(z.string()),
              bits: z.number(),
            })
            .nullable(),
        }),
      ),
      best_lag: z
        .number()
        .int()
        .nullable()
        .describe(
          'significant after the correction with the most information above its surrogate mean; null when no lag is',
        ),
    })
    .optional()
    .describe(
      'present with max_lag; the decomposition above is at best_lag (at the lag with the smallest adjusted ' +
        'p-value when none is significant)',
    ),
  lag: z.number().int().nullable().describe('lag used; null for the histogram form'),
  max_order: z
    .number()
    .int()
    .describe('largest source combination considered (= number of sources for the exact method)'),
  significance: significanceOut.optional().describe('present when significance was requested'),
  warnings: z.array(z.string()).describe('caveats about this result (finite-sample bias, constant series, …)'),
});

type Input = z.infer<typeof surdInput>;
export type SurdOutput = z.infer<typeof surdOutput>;
type Output = SurdOutput;
type Component = z.infer<typeof component>;

const invalid = (message: string) => new ToolError('invalid_input', message);

// ---------------------------------------------------------------------------------------------------------------
// Checks beyond the zod schema: the configured limits, names, and the histogram's nesting (the schema only says
// "an array"). Semantic checks of the series (equal lengths, lag, bins per axis) belong to the analysis layer
// (src/analysis/surd), whose SurdInputError src/tools/errors.ts maps to invalid_input.

function checkSampleCount(series: number[], field: string, maxSamples: number): number[] {
  if (series.length > maxSamples) {
    throw new ToolError(
      'limit_exceeded',
      `${field} has ${series.length} samples, above the limit surdMaxSamples = ${maxSamples} ` +
        '(RED_HEART_SURD_MAX_SAMPLES / --surd-max-samples); pass a shorter window or downsample',
    );
  }
  return series;
}

function checkNames(names: readonly string[], n: number, field: string): string[] {
  if (names.length !== n) throw invalid(`${field} must list ${n} non-empty names, one per source`);
  if (new Set(names).size !== names.length) throw invalid(`${field} must not repeat a name`);
  return [...names];
}

function cellLimitError(cells: number, limit: number, what: string, fix: string): ToolError {
  return new ToolError(
    'limit_exceeded',
    `${what} would have ${cells} cells, above the limit surdMaxCells = ${limit} (RED_HEART_SURD_MAX_CELLS / --surd-max-cells). ${fix}`,
  );
}

/** Walks a nested array, checking it is rectangular with finite non-negative leaves; returns C-order data + shape. */
function flattenHistogram(
  root: unknown,
  maxCells: number,
  maxSources: number,
): { data: Float64Array; shape: number[] } {
  const shape: number[] = [];
  let node: unknown = root;
  while (Array.isArray(node)) {
    if (node.length === 0)
      throw invalid(`histogram${'[0]'.repeat(shape.length)} is empty; every axis needs at least one state`);
    // Bound the depth before any recursive walk: one target axis plus at most maxSources source axes.
    if (shape.length > maxSources) {
      throw new ToolError(
        'limit_exceeded',
        `histogram is nested more than ${maxSources + 1} deep: at most ${maxSources} source axes ` +
          `(surdMaxSources = ${maxSources}, RED_HEART_SURD_MAX_SOURCES) plus the target axis`,
      );
    }
    shape.push(node.length);
    node = node[0];
  }
  if (shape.length < 2)
    throw invalid('histogram must be nested at least two deep: axis 0 = target, then one axis per source');
  const cells = shape.reduce((a, b) => a * b, 1);
  if (cells > maxCells)
    throw cellLimitError(
      cells,
      maxCells,
      `histogram of shape [${shape.join(', ')}]`,
      'Coarsen the histogram (merge states) or use the samples form with max_order.',
    );
  const data = new Float64Array(cells);
  let pos = 0;
  const path: number[] = [];
  const where = () => `histogram${path.map((i) => `[${i}]`).join('')}`;
  const walk = (value: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
        throw invalid(
          `${where()} is ` +
            `${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? typeof value)}; cells must ` +
            'be finite non-negative numbers',
        );
      }
      data[pos++] = value;
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      throw invalid(
        `${where()} must be an array of ${shape[depth]} entries (the histogram must be rectangular, shape [${shape.join(', ')}])`,
      );
    }
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walk(value[i], depth + 1);
      path.pop();
    }
  };
  walk(root, 0);
  let total = 0;
  for (let i = 0; i < data.length; i++) total += data[i];
  if (!Number.isFinite(total))
    throw invalid(
      'histogram cells sum to more than the largest finite number; rescale the table (e.g. divide every cell by its total)',
    );
  return { data, shape };
}

// ---------------------------------------------------------------------------------------------------------------

type Stage = SurdProgress['stage'];
type Span = [number, number];
/** Where each stage's progress runs from and to (0..100), by stage. */
type Spans = (stage: Stage) => Span;

/**
 * Each stage of the SURD worker: what its progress says, and its share of 0..100 without significance and with it
 * (the surrogates then take most of the time).
 */
const STAGES: Record<Stage, { text: string; span: Span; withSignificance: Span }> = {
  range: { text: 'finding ranges', span: [0, 10], withSignificance: [0, 1] },
  bin: { text: 'binning samples', span: [10, 60], withSignificance: [1, 5] },
  marginals: { text: 'marginalising', span: [60, 95], withSignificance: [5, 9] },
  decompose: { text: 'decomposing', span: [95, 100], withSignificance: [9, 10] },
  surrogates: { text: 'surrogates', span: [95, 100], withSignificance: [10, 100] },
};
const plainSpans: Spans = (stage) => STAGES[stage].span;
const significanceSpans: Spans = (stage) => STAGES[stage].withSignificance;

/** Progress in percent, sent only when it grows (MCP requires increasing values). */
class Progress {
  private last = -1;
  constructor(private readonly ctx: ToolContext) {}
  async report(value: number, message: string): Promise<void> {
    if (value <= this.last) return;
    this.last = value;
    await this.ctx.progress(value, 100, message);
  }
}

/**
 * How the SURD worker's progress points become the call's progress (by stage; surrogates in fractional percent, so
 * every finished surrogate is a notification), and what a cancelled call answers. The computation runs in a worker
 * thread (surd-runner.ts): cancellation and the timeout terminate it.
 */
function workerOptions(ctx: ToolContext, progress: Progress, spans: Spans = plainSpans) {
  return {
    signal: ctx.signal,
    onProgress: (p: SurdProgress) => {
      const [lo, hi] = spans(p.stage);
      const text = p.stage === 'surrogates' ? `surrogate ${p.done} of ${p.total}` : STAGES[p.stage].text;
      const value = lo + ((hi - lo) * p.done) / Math.max(1, p.total);
      void progress.report(p.stage === 'surrogates' ? Math.round(value * 1000) / 1000 : Math.round(value), text);
    },
    abortError: (signal: AbortSignal) =>
      signal.reason instanceof ToolError ? signal.reason : new ToolError('cancelled', 'the call was cancelled'),
  };
}

function label(members: number[], names: string[]): string[] {
  return members.map((m) => names[m - 1]);
}

const membersOf = (key: string) => key.split(',').map(Number);

function components(
  part: Record<string, number>,
  names: string[],
  norm: number | null,
  tests?: Record<string, ComponentTest>,
): Component[] {
  // Canonical key order first, so equal values keep it; then largest first.
  return Object.entries(part)
    .map(([key, bits]) => {
      const c: Component = {
        sources: label(membersOf(key), names),
        bits,
        normalized: norm === null ? null : bits / norm,
      };
      if (tests) {
        c.p_value = tests[key].pValue;
        c.surrogate_mean = tests[key].surrogateMean;
      }
      return c;
    })
    .sort((a, b) => b.bits - a.bits);
}

const testOut = (t: ComponentTest) => ({
  observed: t.observed,
  p_value: t.pValue,
  surrogate_mean: t.surrogateMean,
  surrogate_sd: t.surrogateSd,
});

interface OutputExtra {
  nSamples: number | null;
  lag: number | null;
  warnings: string[];
  allZero: boolean;
  binsRule: string;
  reliable: boolean | null;
  significance?: SignificanceResult;
}

function toOutput(result: SurdResult, names: string[], targetName: string, input: Input, extra: OutputExtra): Output {
  const sig = extra.significance;
  const hd = result.variant === 'high_dimensional';
  const warnings = extra.warnings;
  const mi = hd ? result.sumOfComponents : (result.miTotal as number);
  let leak: number | null = Math.min(1, Math.max(0, result.infoLeak));
  let leakReason: string | null = null;
  if (result.targetStatesOccupied === 1) {
    leak = null;
    leakReason =
      'the target is constant (every sample falls in one target state), so H(target) is 0 up to rounding and ' +
      'H(target | sources)/H(target) is undefined';
  }
  let norm: number | null = mi > MI_EPS && leak !== null ? mi : null;
  if (norm === null && leak !== null)
    warnings.push(
      'mutual information is 0: no source carries information about the target, normalized values are null',
    );
  if (leak === null) norm = null;
  if (extra.allZero)
    warnings.push(
      'the histogram is all zeros: after the 1e-14 floor it is uniform, so every information is 0 and leak is 1',
    );
  const out: Output = {
    method: hd ? 'surd_high_dimensional' : 'surd',
    units: 'bits',
    target: targetName,
    sources: names,
    redundant: components(result.redundant, names, norm, sig?.redundant),
    unique: components(result.unique, names, norm, sig?.unique),
    synergistic: components(result.synergistic, names, norm, sig?.synergistic),
    mutual_information: mi,
    leak,
    leak_reason: leakReason,
    causal_clarity: leak === null ? null : 1 - leak,
    entropy_target: result.entropyTarget,
    n_samples: extra.nSamples,
    bins_used: result.shape,
    bins_rule: extra.binsRule,
    reliable: extra.reliable,
    lag: extra.lag,
    max_order: result.maxOrder,
    warnings,
  };
  if (sig) {
    out.significance = {
      method: sig.method,
      surrogates: sig.surrogates,
      seed: sig.seed,
      min_shift: sig.minShift,
      decompositions: sig.sets * sig.surrogates,
      mutual_information: testOut(sig.total),
      leak: testOut(sig.leak),
    };
    if (sig.surrogates < 99)
      warnings.push(
        `with ${sig.surrogates} surrogates no p-value can be below 1/${sig.surrogates + 1} = ${(1 / (sig.surrogates + 1)).toFixed(4)}`,
      );
  }
  if (input.include_subset_mi) {
    out.mutual_information_by_subset = Object.entries(result.mutualInformation).map(([key, bits]) => ({
      sources: label(membersOf(key), names),
      bits,
    }));
  }
  return out;
}

const TAGS = { unique: 'U', redundant: 'R', synergistic: 'S' } as const;

/** The components above 0, largest first. */
function ranked(
  o: Pick<Output, 'unique' | 'redundant' | 'synergistic'>,
): Array<{ kind: keyof typeof TAGS; c: Component }> {
  return (['unique', 'redundant', 'synergistic'] as const)
    .flatMap((kind) => o[kind].map((c) => ({ kind, c })))
    .filter((x) => x.c.bits > 0)
    .sort((a, b) => b.c.bits - a.c.bits);
}

function lagScanText(scan: NonNullable<Output['lag_scan']>): string {
  const lags = scan.lags
    .map(
      (l) =>
        `lag ${l.lag}: MI ${l.mutual_information.toFixed(4)} (bias ${l.surrogate_mean.toFixed(4)}) p_adj=${l.p_adjusted.toPrecision(2)}`,
    )
    .join('; ');
  const head =
    `Lag scan 1..${scan.max_lag} on ${scan.n_samples} pairs per lag, ${scan.surrogates} target-shifted ` +
    `surrogates per lag, Holm-corrected over ${scan.max_lag} lags at ${scan.alpha}: `;
  const verdict =
    scan.best_lag === null
      ? 'no lag is significant; the decomposition below is at the lag with the smallest adjusted p-value and shows no established effect.'
      : `best-supported lag ${scan.best_lag}; the decomposition below is at lag ${scan.best_lag}.`;
  return `${head}${verdict} (${lags}.) `;
}

function summary(o: Output): string {
  const all = ranked(o)
    .slice(0, 4)
    .map(
      ({ kind, c }) =>
        `${TAGS[kind]}(${c.sources.join(',')}) ${c.bits.toFixed(4)}` +
        (c.normalized === null ? '' : ` (${(100 * c.normalized).toFixed(1)}%)`) +
        (c.p_value === undefined ? '' : ` p=${c.p_value.toPrecision(2)}`),
    );
  const leak = o.leak === null ? 'leak undefined (constant target)' : `leak ${(100 * o.leak).toFixed(2)}%`;
  const where = o.n_samples === null ? 'histogram' : `${o.n_samples} samples, lag ${o.lag}`;
  const unreliable =
    o.reliable === false
      ? `UNRELIABLE: ${o.warnings.find((w) => w.startsWith('only ')) ?? 'too few samples per cell'}. `
      : '';
  const largest = o.reliable === false ? 'Largest (bias can explain these; do not read them as causes)' : 'Largest';
  return (
    unreliable +
    (o.lag_scan ? lagScanText(o.lag_scan) : '') +
    `SURD of ${o.target} from ${o.sources.length} source(s) (${where}, bins ` +
    `${o.bins_used.join('×')}${o.method === 'surd_high_dimensional' ? `, max_order ${o.max_order}` : ''}): ` +
    `MI ${o.mutual_information.toFixed(4)} of H ${o.entropy_target.toFixed(4)} bits, ${leak}. ` +
    (all.length ? `${largest}: ${all.join('; ')}.` : 'No component above 0.') +
    (o.significance
      ? ` Surrogate test (${o.significance.surrogates} per set): MI p=${o.significance.mutual_information.p_value.toPrecision(2)}.`
      : '') +
    (o.n_samples !== null && o.bins_rule.startsWith('auto') ? ` Bins ${o.bins_rule}.` : '')
  );
}

export function presentSurd(out: Output): ToolOutput<Output> {
  return { structured: out, summary: summary(out) };
}

// ---------------------------------------------------------------------------------------------------------------
// Compute: the histogram form, the samples form at one lag, and the lag scan.

type Limits = ToolContext['services']['limits'];

async function computeHistogram(a: Input, histogram: unknown[], ctx: ToolContext, progress: Progress): Promise<Output> {
  const limits = ctx.services.limits;
  for (const field of ['lag', 'max_lag', 'bins', 'max_order', 'significance'] as const) {
    if (a[field] !== undefined)
      throw invalid(`${field} applies only to the samples form; a histogram is used as given`);
  }
  const { data, shape: dims } = flattenHistogram(histogram, limits.surdMaxCells, limits.surdMaxSources);
  const n = dims.length - 1;
  if (n > limits.surdMaxSources) {
    throw new ToolError(
      'limit_exceeded',
      `histogram has ${n} source axes, above the limit surdMaxSources = ${limits.surdMaxSources} (RED_HEART_SURD_MAX_SOURCES)`,
    );
  }
  if (dims[0] < 2)
    throw invalid(`histogram axis 0 (the target) has ${dims[0]} state; at least 2 target states are needed`);
  const names = a.names === undefined ? defaultNames(n) : checkNames(a.names, n, 'names');
  const allZero = data.every((v) => v === 0);
  const result = await surdTableInWorker(data, dims, workerOptions(ctx, progress));
  const binsRule = "the histogram's states, as given";
  return toOutput(result, names, a.target_name ?? 'target', a, {
    nSamples: null,
    lag: null,
    warnings: [],
    allZero,
    binsRule,
    reliable: null,
  });
}

/** The samples form's series and names, checked against the limits. */
interface SeriesSet {
  target: number[];
  sources: number[][];
  names: string[];
  sourceLabels: string[];
}

function readSeries(a: Input, limits: Limits): SeriesSet {
  if (a.target === undefined) throw invalid('target is missing: the samples form needs target and sources');
  if (a.sources === undefined) throw invalid('sources is missing: the samples form needs target and sources');
  const target = checkSampleCount(a.target, 'target', limits.surdMaxSamples);
  let names: string[];
  let sources: number[][];
  if (Array.isArray(a.sources)) {
    sources = a.sources.map((s, k) => checkSampleCount(s, `sources[${k}]`, limits.surdMaxSamples));
    names = a.names === undefined ? defaultNames(sources.length) : checkNames(a.names, sources.length, 'names');
  } else {
    if (a.names !== undefined) throw invalid('names cannot be combined with a sources object: its keys are the names');
    // A direct (unparsed) caller may pass a plain object; its own keys are the names.
    const named: Map<string, number[]> =
      a.sources instanceof Map ? a.sources : new Map(Object.entries(a.sources as Record<string, number[]>));
    names = [...named.keys()];
    sources = [...named.entries()].map(([k, s]) => checkSampleCount(s, `sources.${k}`, limits.surdMaxSamples));
  }
  const n = sources.length;
  if (n > limits.surdMaxSources) {
    throw new ToolError(
      'limit_exceeded',
      `${n} sources exceed the limit surdMaxSources = ${limits.surdMaxSources} (RED_HEART_SURD_MAX_SOURCES, at ` +
        `most ${SURD_MAX_SOURCES}); drop sources or merge related ones`,
    );
  }
  return { target, sources, names, sourceLabels: names.map((x) => `sources "${x}"`) };
}

/** Bins, the cell limits, and the caveats for `pairs` aligned samples. */
interface BinPlan {
  bins: number[];
  binsRule: string;
  maxOrder: number | undefined;
  reliable: boolean;
  warnings: string[];
}

function planBins(a: Input, set: SeriesSet, pairs: number, limits: Limits): BinPlan {
  const n = set.sources.length;
  const maxOrder = a.max_order === undefined ? undefined : Math.min(a.max_order, n);
  let bins: number[];
  let binsRule: string;
  if (a.bins === undefined || a.bins === 'auto') {
    const axes = largestTableAxes(n, maxOrder);
    const auto = autoBins(pairs, axes);
    bins = new Array<number>(n + 1).fill(auto.bins);
    binsRule =
      `auto: ${auto.bins} per axis, the largest in 2..16 with ≥ ${SAMPLES_PER_CELL} samples per cell of the ${axes}-axis table ` +
      `(${pairs} pairs / ${auto.bins}^${axes} cells = ${auto.samplesPerCell.toFixed(1)})`;
  } else {
    bins = binsPerAxis(a.bins, n);
    binsRule = 'given';
  }
  if (maxOrder !== undefined) {
    const cells = largestTableCells(bins, maxOrder);
    if (cells > limits.surdMaxCells) {
      throw cellLimitError(
        cells,
        limits.surdMaxCells,
        `the largest table (target + ${maxOrder} sources)`,
        'Use fewer bins or a smaller max_order.',
      );
    }
  } else {
    const cells = bins.reduce((x, y) => x * y, 1);
    if (cells > limits.surdMaxCells) {
      throw cellLimitError(
        cells,
        limits.surdMaxCells,
        `the joint histogram (bins ${bins.join('×')})`,
        'Use fewer bins (the table has bins^(sources+1) cells) or pass max_order (e.g. 2 or 3) for the ' +
          'high-dimensional variant, which only builds tables of up to max_order sources.',
      );
    }
  }
  const warnings: string[] = [];
  set.sources.forEach((s, k) => {
    let constant = true;
    for (let i = 1; i < pairs && constant; i++) if (s[i] !== s[0]) constant = false;
    if (constant)
      warnings.push(`source "${set.names[k]}" is constant over the samples used; it carries no information`);
  });
  const cells = largestTableCells(bins, maxOrder);
  const reliable = pairs >= SAMPLES_PER_CELL * cells;
  if (!reliable) {
    const table = maxOrder === undefined ? 'joint cells' : `cells in the largest table (target + ${maxOrder} sources)`;
    const fix =
      binsRule === 'given'
        ? 'use bins: "auto", fewer bins or more samples'
        : 'even 2 bins per axis are too many: drop sources, use max_order, or give more samples';
    warnings.push(
      `only ${pairs} samples for ${cells} ${table} (< ${SAMPLES_PER_CELL} per cell): finite-sample bias ` +
        `inflates higher-order synergy; ${fix}`,
    );
  }
  return { bins, binsRule, maxOrder, reliable, warnings };
}

interface Significance {
  surrogates: number;
  seed?: number;
}

/** The samples form at one lag. */
async function computeAtLag(
  a: Input,
  set: SeriesSet,
  lag: number,
  ctx: ToolContext,
  progress: Progress,
): Promise<Output> {
  const pairs = alignedPairs(set.target, set.sources, lag, set.sourceLabels);
  const plan = planBins(a, set, pairs, ctx.services.limits);
  const samples = {
    target: set.target,
    sources: set.sources,
    lag,
    bins: plan.bins,
    maxOrder: plan.maxOrder,
    sourceLabels: set.sourceLabels,
  };
  const extra = {
    nSamples: pairs,
    lag,
    warnings: plan.warnings,
    allZero: false,
    binsRule: plan.binsRule,
    reliable: plan.reliable,
  };
  if (a.significance !== undefined) {
    const sig = checkSignificance(a.significance, pairs, plan.bins, plan.maxOrder, ctx.services.limits, 1);
    const { result, significance } = await surdSignificanceInWorker(
      samples,
      sig,
      workerOptions(ctx, progress, significanceSpans),
    );
    return toOutput(result, set.names, a.target_name ?? 'target', a, { ...extra, significance });
  }
  const { result } = await surdSamplesInWorker(samples, workerOptions(ctx, progress));
  return toOutput(result, set.names, a.target_name ?? 'target', a, extra);
}

/** Stage spans of lag `i` (0-based) of `k`: its share of 0..100. */
function lagSpans(i: number, k: number): Spans {
  return (stage) => {
    const [lo, hi] = significanceSpans(stage);
    return [(100 * i + lo) / k, (100 * i + hi) / k];
  };
}

/**
 * Lags 1..K on one window: lag k pairs y[m + k] with the sources at m for m = 0..N − K − 1, so every lag has the
 * same N − K pairs and the same bins; each lag's total information is tested against target-shifted surrogates.
 */
async function computeLagScan(
  a: Input,
  set: SeriesSet,
  maxLag: number,
  ctx: ToolContext,
  progress: Progress,
): Promise<Output> {
  if (a.lag !== undefined) throw invalid('give lag or max_lag, not both: max_lag scans lags 1..max_lag');
  const N = set.target.length;
  const pairs = alignedPairs(set.target, set.sources, maxLag, set.sourceLabels);
  const plan = planBins(a, set, pairs, ctx.services.limits);
  // by default as many as the series allows distinct shifts, up to SCAN_SURROGATES
  const surrogates = Math.max(1, Math.min(SCAN_SURROGATES, surrogatePlan(pairs, 1).distinctShifts));
  const sig = checkSignificance(
    a.significance ?? { surrogates },
    pairs,
    plan.bins,
    plan.maxOrder,
    ctx.services.limits,
    maxLag,
  );
  const runs: Array<{ result: SurdResult; significance: SignificanceResult }> = [];
  for (let lag = 1; lag <= maxLag; lag++) {
    const end = N - maxLag + lag;
    const samples = {
      target: set.target.slice(0, end),
      sources: set.sources.map((s) => s.slice(0, end)),
      lag,
      bins: plan.bins,
      maxOrder: plan.maxOrder,
      sourceLabels: set.sourceLabels,
    };
    runs.push(await surdSignificanceInWorker(samples, sig, workerOptions(ctx, progress, lagSpans(lag - 1, maxLag))));
  }
  const adjusted = holmAdjust(runs.map((r) => r.significance.total.pValue));
  const evidence = runs.map((r, i) => ({
    lag: i + 1,
    mutualInformation: r.significance.total.observed,
    surrogateMean: r.significance.total.surrogateMean,
    pAdjusted: adjusted[i],
  }));
  const best = bestSupportedLag(evidence, SCAN_ALPHA);
  const shown = best ?? evidence.reduce((m, e) => (e.pAdjusted < m.pAdjusted ? e : m)).lag;
  const run = runs[shown - 1];
  const out = toOutput(run.result, set.names, a.target_name ?? 'target', a, {
    nSamples: pairs,
    lag: shown,
    warnings: plan.warnings,
    allZero: false,
    binsRule: plan.binsRule,
    reliable: plan.reliable,
    significance: run.significance,
  });
  out.lag_scan = {
    max_lag: maxLag,
    n_samples: pairs,
    surrogates: sig.surrogates,
    seed: sig.seed ?? 0,
    correction: 'holm',
    alpha: SCAN_ALPHA,
    lags: runs.map((r, i) => {
      const top = ranked({
        unique: components(r.result.unique, set.names, null),
        redundant: components(r.result.redundant, set.names, null),
        synergistic: components(r.result.synergistic, set.names, null),
      })[0];
      return {
        lag: i + 1,
        mutual_information: r.significance.total.observed,
        surrogate_mean: r.significance.total.surrogateMean,
        p_value: r.significance.total.pValue,
        p_adjusted: adjusted[i],
        largest: top ? { kind: top.kind, sources: top.c.sources, bits: top.c.bits } : null,
      };
    }),
    best_lag: best,
  };
  return out;
}

export async function computeSurd(a: Input, ctx: ToolContext): Promise<Output> {
  const samplesForm = a.target !== undefined || a.sources !== undefined;
  if (samplesForm && a.histogram !== undefined)
    throw invalid('give either the samples form (target + sources) or histogram, not both');
  if (!samplesForm && a.histogram === undefined)
    throw invalid('give either target + sources (samples form) or histogram (histogram form)');
  const progress = new Progress(ctx);
  await progress.report(0, 'validating');
  let out: Output;
  if (a.histogram !== undefined) out = await computeHistogram(a, a.histogram, ctx, progress);
  else {
    const set = readSeries(a, ctx.services.limits);
    out =
      a.max_lag !== undefined
        ? await computeLagScan(a, set, a.max_lag, ctx, progress)
        : await computeAtLag(a, set, a.lag ?? 1, ctx, progress);
  }
  await progress.report(100, 'done');
  return out;
}

/**
 * The surrogate plan (a series long enough for that many distinct shifts; SurdInputError otherwise) and the work
 * bound SURROGATE_WORK_FACTOR × (surdMaxSamples + surdMaxCells), over all `runs` decompositions with surrogates.
 */
function checkSignificance(
  sig: Significance,
  pairs: number,
  bins: number[],
  maxOrder: number | undefined,
  limits: Limits,
  runs: number,
): Significance {
  surrogatePlan(pairs, sig.surrogates);
  const perSurrogate = runs * surrogateRuns(bins.length - 1, 1) * surrogateCost(pairs, bins, maxOrder);
  const budget = SURROGATE_WORK_FACTOR * (limits.surdMaxSamples + limits.surdMaxCells);
  if (perSurrogate * sig.surrogates > budget) {
    const most = Math.floor(budget / perSurrogate);
    throw new ToolError(
      'limit_exceeded',
      `significance with ${sig.surrogates} surrogates${runs > 1 ? ` at each of ${runs} lags` : ''} would touch ` +
        `${(perSurrogate * sig.surrogates).toExponential(2)} cells and samples, above the bound ` +
        `${SURROGATE_WORK_FACTOR} × (surdMaxSamples + surdMaxCells) = ${budget.toExponential(2)}; ` +
        (most >= 1
          ? `use at most ${most} surrogates, fewer samples or bins${runs > 1 ? ', a smaller max_lag' : ''}, or max_order`
          : 'use fewer samples or bins, or max_order'),
    );
  }
  return { surrogates: sig.surrogates, seed: sig.seed };
}

function defaultNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `X${i + 1}`);
}

const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
/** The samples 8 bins per variable need with 1, 2 and 3 sources ("… samples for 1 source, …"). */
const EIGHT_BIN_NEEDS = [1, 2, 3]
  .map((k) => `${thousands(SAMPLES_PER_CELL * 8 ** (k + 1))} samples for ${k} source${k > 1 ? 's' : ''}`)
  .join(', ');

export const surdDecomposeTool: ToolDefinition<typeof surdInput, typeof surdOutput> = {
  name: 'surd_decompose',
  title: 'SURD causal decomposition',
  description:
    'Exact SURD decomposition (Martínez-Sánchez et al., Nature Communications 2024): how much of a target’s future each source explains ' +
    'alone (unique), several sources redundantly, or only their combination (synergistic), in bits, plus the leak no source explains ' +
    '(causal_clarity = 1 − leak). For causal attribution between numeric time series. Give samples (target, equal-length sources, lag ' +
    'or max_lag to find the best-supported lag, bins; include the target among the sources for self-causation) or a joint histogram ' +
    '(axis 0 = target); max_order for many sources. ' +
    'Sample sizes: the joint table has bins^(sources+1) cells; bins "auto" (default) picks the most with ≥ ' +
    `${SAMPLES_PER_CELL} samples per cell (8 bins need ${EIGHT_BIN_NEEDS}); ` +
    'fewer are marked reliable: false. Bits; warnings lists every caveat. Deterministic; no model needed.',
  input: surdInput,
  output: surdOutput,
  cache: 'args',
  handler: async (args, ctx) => presentSurd(await computeSurd(args, ctx)),
};
