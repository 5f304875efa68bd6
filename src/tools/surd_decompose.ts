// surd_decompose: exact SURD causal decomposition (Martínez-Sánchez, Arranz & Lozano-Durán, Nat. Commun. 2024)
// of a target's future into redundant, unique and synergistic information from its sources, plus the leak.
// Math in src/analysis/surd (normative spec: ../shared/surd/SPEC.md); user-facing contract in docs/surd.md.
import { z } from 'zod';
import {
  alignedPairs,
  binsPerAxis,
  MAX_SURROGATES,
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
const DEFAULT_BINS = 8;
/** Samples per joint-table cell below which the result warns of finite-sample bias. */
const SAMPLES_PER_CELL = 10;
/** Below this many bits there is no information to normalise by. */
const MI_EPS = 1e-12;

const series = z.array(z.number());
const binCount = z.number().int().min(2).max(MAX_BINS);

export const surdInput = z.object({
  target: series
    .optional()
    .describe('Samples form: the target series y[0..N-1] (finite numbers). SURD explains y[t+lag] from the sources at time t.'),
  sources: z
    .union([z.array(series), z.record(z.string(), series)])
    .optional()
    .describe(
      'Samples form: the source series, each of length N, as a list or as {name: series}. Include the target series itself to account for self-causation.',
    ),
  lag: z.number().int().min(1).optional().describe('Samples form: time steps from sources to target (integer ≥ 1, < N; default 1).'),
  bins: z
    .union([binCount, z.array(binCount)])
    .optional()
    .describe(
      `Samples form: equal-width bins per axis (2..${MAX_BINS}, default ${DEFAULT_BINS}), or a list with one entry per axis: target first, then each source. The joint table has bins^(sources+1) cells.`,
    ),
  max_order: z
    .number()
    .int()
    .min(1)
    .max(SURD_MAX_SOURCES)
    .optional()
    .describe(
      'Samples form, optional: use the high-dimensional SURD variant, which only builds tables of up to max_order sources at a time (for many sources or fine bins). Leak is then 1 − Σparts/H(target).',
    ),
  histogram: z
    .array(z.unknown())
    .optional()
    .describe(
      'Histogram form: joint counts or probabilities as nested arrays of finite non-negative numbers, axis 0 = target state, axis k = state of source k. Used unscaled (counts and probabilities differ slightly because of the 1e-14 floor).',
    ),
  names: z.array(z.string().min(1)).optional().describe('Names of the sources in order (default X1..Xn, or the keys of a sources object).'),
  target_name: z.string().min(1).optional().describe('Name of the target, used in the summary (default "target").'),
  include_subset_mi: z.boolean().optional().describe('Also return the mutual information between the target and every subset of sources.'),
  significance: z
    .object({
      surrogates: z
        .number()
        .int()
        .min(1)
        .max(MAX_SURROGATES)
        .describe(`Surrogates per set (1..${MAX_SURROGATES}; 200 or more for p-values below 0.01). Cost: (sources + 1) × surrogates decompositions.`),
      seed: z.number().int().min(0).max(0xffffffff).optional().describe('Seed of the surrogate shifts (default 0); the same seed gives the same p-values.'),
    })
    .optional()
    .describe(
      'Samples form, optional: test every component against circular-shift surrogates. Adds p_value and surrogate_mean (the finite-sample bias: the value when the target is unrelated to the sources) to every component, and a significance block with the p-values of the total and the leak.',
    ),
});

const component = z.object({
  sources: z.array(z.string()).describe('the sources this component belongs to'),
  bits: z.number().describe('information in bits'),
  normalized: z.number().nullable().describe('bits / mutual_information; null when the mutual information is 0 or the target is constant'),
  p_value: z
    .number()
    .optional()
    .describe('with significance: the largest over the listed sources of the share of surrogates (that source shifted) at least this large, counting the observation itself'),
  surrogate_mean: z.number().optional().describe('with significance: mean over target-shifted surrogates, i.e. the value finite-sample bias alone gives'),
});

const test = z.object({
  observed: z.number(),
  p_value: z.number().describe('(1 + surrogates at least as extreme) / (1 + surrogates)'),
  surrogate_mean: z.number(),
  surrogate_sd: z.number(),
});

const significanceOut = z.object({
  method: z.literal('circular_shift').describe('each surrogate rotates one series against the others (docs/surd.md, Significance)'),
  surrogates: z.number().int().describe('surrogates per set'),
  seed: z.number().int(),
  min_shift: z.number().int().describe('shifts are drawn without repetition from [min_shift, n_samples − min_shift]'),
  decompositions: z.number().int().describe('surrogate decompositions run: (sources + 1) × surrogates'),
  mutual_information: test.describe('upper tail over target-shifted surrogates: could the total be bias alone?'),
  leak: test.describe('lower tail over target-shifted surrogates: is this little left unexplained by chance?'),
});

export const surdOutput = z.object({
  method: z.enum(['surd', 'surd_high_dimensional']).describe('surd = exact decomposition of the full joint table; surd_high_dimensional = variant limited to max_order'),
  units: z.literal('bits'),
  target: z.string(),
  sources: z.array(z.string()),
  redundant: z.array(component).describe('information shared by several sources (every combination of ≥ 2 sources), largest first'),
  unique: z.array(component).describe('information only one source provides, largest first'),
  synergistic: z.array(component).describe('information only a combination of sources provides, largest first'),
  mutual_information: z
    .number()
    .describe('I(target; all sources) in bits = Σ redundant + unique + synergistic (high-dimensional variant: that sum, i.e. what combinations up to max_order explain)'),
  mutual_information_by_subset: z
    .array(z.object({ sources: z.array(z.string()), bits: z.number() }))
    .optional()
    .describe('I(target; subset) for every subset (up to max_order), when include_subset_mi is true'),
  leak: z.number().nullable().describe('fraction of the target entropy no source explains, H(target | sources)/H(target), in [0, 1]; null when undefined'),
  leak_reason: z.string().nullable().describe('why leak is null, else null'),
  causal_clarity: z.number().nullable().describe('1 − leak; null when leak is null'),
  entropy_target: z.number().describe('H(target) in bits (of the binned target)'),
  n_samples: z.number().int().nullable().describe('(target, sources) pairs after the lag; null for the histogram form'),
  bins_used: z.array(z.number().int()).describe('states per axis, target first'),
  lag: z.number().int().nullable().describe('lag used; null for the histogram form'),
  max_order: z.number().int().describe('largest source combination considered (= number of sources for the exact method)'),
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
      `${field} has ${series.length} samples, above the limit surdMaxSamples = ${maxSamples} (RED_HEART_SURD_MAX_SAMPLES / --surd-max-samples); pass a shorter window or downsample`,
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
function flattenHistogram(root: unknown, maxCells: number, maxSources: number): { data: Float64Array; shape: number[] } {
  const shape: number[] = [];
  let node: unknown = root;
  while (Array.isArray(node)) {
    if (node.length === 0) throw invalid(`histogram${'[0]'.repeat(shape.length)} is empty; every axis needs at least one state`);
    // Bound the depth before any recursive walk: one target axis plus at most maxSources source axes.
    if (shape.length > maxSources) {
      throw new ToolError('limit_exceeded', `histogram is nested more than ${maxSources + 1} deep: at most ${maxSources} source axes (surdMaxSources = ${maxSources}, RED_HEART_SURD_MAX_SOURCES) plus the target axis`);
    }
    shape.push(node.length);
    node = node[0];
  }
  if (shape.length < 2) throw invalid('histogram must be nested at least two deep: axis 0 = target, then one axis per source');
  const cells = shape.reduce((a, b) => a * b, 1);
  if (cells > maxCells) throw cellLimitError(cells, maxCells, `histogram of shape [${shape.join(', ')}]`, 'Coarsen the histogram (merge states) or use the samples form with max_order.');
  const data = new Float64Array(cells);
  let pos = 0;
  const path: number[] = [];
  const where = () => `histogram${path.map((i) => `[${i}]`).join('')}`;
  const walk = (value: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
        throw invalid(`${where()} is ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? typeof value}; cells must be finite non-negative numbers`);
      }
      data[pos++] = value;
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      throw invalid(`${where()} must be an array of ${shape[depth]} entries (the histogram must be rectangular, shape [${shape.join(', ')}])`);
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
  if (!Number.isFinite(total)) throw invalid('histogram cells sum to more than the largest finite number; rescale the table (e.g. divide every cell by its total)');
  return { data, shape };
}

// ---------------------------------------------------------------------------------------------------------------

const STAGE_SPAN: Record<SurdProgress['stage'], [number, number]> = { range: [0, 10], bin: [10, 60], marginals: [60, 95], decompose: [95, 100], surrogates: [95, 100] };
/** With significance the surrogates take most of the time. */
const STAGE_SPAN_SIGNIFICANCE: Record<SurdProgress['stage'], [number, number]> = { range: [0, 1], bin: [1, 5], marginals: [5, 9], decompose: [9, 10], surrogates: [10, 100] };
const STAGE_TEXT: Record<SurdProgress['stage'], string> = {
  range: 'finding ranges',
  bin: 'binning samples',
  marginals: 'marginalising',
  decompose: 'decomposing',
  surrogates: 'surrogates',
};

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
function workerOptions(ctx: ToolContext, progress: Progress, spans = STAGE_SPAN) {
  return {
    signal: ctx.signal,
    onProgress: (p: SurdProgress) => {
      const [lo, hi] = spans[p.stage];
      const text = p.stage === 'surrogates' ? `surrogate ${p.done} of ${p.total}` : STAGE_TEXT[p.stage];
      const value = lo + ((hi - lo) * p.done) / Math.max(1, p.total);
      void progress.report(p.stage === 'surrogates' ? Math.round(value * 1000) / 1000 : Math.round(value), text);
    },
    abortError: (signal: AbortSignal) => (signal.reason instanceof ToolError ? signal.reason : new ToolError('cancelled', 'the call was cancelled')),
  };
}

function label(members: number[], names: string[]): string[] {
  return members.map((m) => names[m - 1]);
}

const membersOf = (key: string) => key.split(',').map(Number);

function components(part: Record<string, number>, names: string[], norm: number | null, tests?: Record<string, ComponentTest>): Component[] {
  // Canonical key order first, so equal values keep it; then largest first.
  return Object.entries(part)
    .map(([key, bits]) => {
      const c: Component = { sources: label(membersOf(key), names), bits, normalized: norm === null ? null : bits / norm };
      if (tests) {
        c.p_value = tests[key].pValue;
        c.surrogate_mean = tests[key].surrogateMean;
      }
      return c;
    })
    .sort((a, b) => b.bits - a.bits);
}

const testOut = (t: ComponentTest) => ({ observed: t.observed, p_value: t.pValue, surrogate_mean: t.surrogateMean, surrogate_sd: t.surrogateSd });

function toOutput(
  result: SurdResult,
  names: string[],
  targetName: string,
  input: Input,
  extra: { nSamples: number | null; lag: number | null; warnings: string[]; allZero: boolean; significance?: SignificanceResult },
): Output {
  const sig = extra.significance;
  const hd = result.variant === 'high_dimensional';
  const warnings = extra.warnings;
  const mi = hd ? result.sumOfComponents : (result.miTotal as number);
  let leak: number | null = Math.min(1, Math.max(0, result.infoLeak));
  let leakReason: string | null = null;
  if (result.targetStatesOccupied === 1) {
    leak = null;
    leakReason = 'the target is constant (every sample falls in one target state), so H(target) is 0 up to rounding and H(target | sources)/H(target) is undefined';
  }
  let norm: number | null = mi > MI_EPS && leak !== null ? mi : null;
  if (norm === null && leak !== null) warnings.push('mutual information is 0: no source carries information about the target, normalized values are null');
  if (leak === null) norm = null;
  if (extra.allZero) warnings.push('the histogram is all zeros: after the 1e-14 floor it is uniform, so every information is 0 and leak is 1');
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
    if (sig.surrogates < 99) warnings.push(`with ${sig.surrogates} surrogates no p-value can be below 1/${sig.surrogates + 1} = ${(1 / (sig.surrogates + 1)).toFixed(4)}`);
  }
  if (input.include_subset_mi) {
    out.mutual_information_by_subset = Object.entries(result.mutualInformation).map(([key, bits]) => ({ sources: label(membersOf(key), names), bits }));
  }
  return out;
}

function summary(o: Output): string {
  const all = [
    ...o.unique.map((c) => ({ tag: 'U', c })),
    ...o.redundant.map((c) => ({ tag: 'R', c })),
    ...o.synergistic.map((c) => ({ tag: 'S', c })),
  ]
    .filter((x) => x.c.bits > 0)
    .sort((a, b) => b.c.bits - a.c.bits)
    .slice(0, 4)
    .map(
      (x) =>
        `${x.tag}(${x.c.sources.join(',')}) ${x.c.bits.toFixed(4)}` +
        (x.c.normalized === null ? '' : ` (${(100 * x.c.normalized).toFixed(1)}%)`) +
        (x.c.p_value === undefined ? '' : ` p=${x.c.p_value.toPrecision(2)}`),
    );
  const leak = o.leak === null ? 'leak undefined (constant target)' : `leak ${(100 * o.leak).toFixed(2)}%`;
  const where = o.n_samples === null ? 'histogram' : `${o.n_samples} samples, lag ${o.lag}`;
  return (
    `SURD of ${o.target} from ${o.sources.length} source(s) (${where}, bins ${o.bins_used.join('×')}${o.method === 'surd_high_dimensional' ? `, max_order ${o.max_order}` : ''}): ` +
    `MI ${o.mutual_information.toFixed(4)} of H ${o.entropy_target.toFixed(4)} bits, ${leak}. ` +
    (all.length ? `Largest: ${all.join('; ')}.` : 'No component above 0.') +
    (o.significance ? ` Surrogate test (${o.significance.surrogates} per set): MI p=${o.significance.mutual_information.p_value.toPrecision(2)}.` : '')
  );
}

async function handler(a: Input, ctx: ToolContext): Promise<ToolOutput<Output>> {
  const limits = ctx.services.limits;
  const samplesForm = a.target !== undefined || a.sources !== undefined;
  const histogramForm = a.histogram !== undefined;
  if (samplesForm && histogramForm) throw invalid('give either the samples form (target + sources) or histogram, not both');
  if (!samplesForm && !histogramForm) throw invalid('give either target + sources (samples form) or histogram (histogram form)');
  const targetName = a.target_name ?? 'target';
  const progress = new Progress(ctx);
  await progress.report(0, 'validating');

  if (a.histogram !== undefined) {
    for (const field of ['lag', 'bins', 'max_order', 'significance'] as const) {
      if (a[field] !== undefined) throw invalid(`${field} applies only to the samples form; a histogram is used as given`);
    }
    const { data, shape: dims } = flattenHistogram(a.histogram, limits.surdMaxCells, limits.surdMaxSources);
    const n = dims.length - 1;
    if (n > limits.surdMaxSources) {
      throw new ToolError('limit_exceeded', `histogram has ${n} source axes, above the limit surdMaxSources = ${limits.surdMaxSources} (RED_HEART_SURD_MAX_SOURCES)`);
    }
    if (dims[0] < 2) throw invalid(`histogram axis 0 (the target) has ${dims[0]} state; at least 2 target states are needed`);
    const names = a.names === undefined ? defaultNames(n) : checkNames(a.names, n, 'names');
    const allZero = data.every((v) => v === 0);
    const result = await surdTableInWorker(data, dims, workerOptions(ctx, progress));
    const out = toOutput(result, names, targetName, a, { nSamples: null, lag: null, warnings: [], allZero });
    await progress.report(100, 'done');
    return { structured: out, summary: summary(out) };
  }

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
    const record = a.sources;
    names = Object.keys(record);
    sources = names.map((k) => checkSampleCount(record[k], `sources.${k}`, limits.surdMaxSamples));
  }
  const n = sources.length;
  if (n > limits.surdMaxSources) {
    throw new ToolError(
      'limit_exceeded',
      `${n} sources exceed the limit surdMaxSources = ${limits.surdMaxSources} (RED_HEART_SURD_MAX_SOURCES, at most ${SURD_MAX_SOURCES}); drop sources or merge related ones`,
    );
  }
  const sourceLabels = names.map((x) => `sources "${x}"`);
  const lag = a.lag ?? 1;
  const pairs = alignedPairs(target, sources, lag, sourceLabels);
  const bins = binsPerAxis(a.bins ?? DEFAULT_BINS, n);
  const maxOrder = a.max_order === undefined ? undefined : Math.min(a.max_order, n);
  if (maxOrder !== undefined) {
    const largest = bins.slice(1).sort((x, y) => y - x).slice(0, maxOrder);
    const cells = largest.reduce((x, y) => x * y, bins[0]);
    if (cells > limits.surdMaxCells) {
      throw cellLimitError(cells, limits.surdMaxCells, `the largest table (target + ${maxOrder} sources)`, 'Use fewer bins or a smaller max_order.');
    }
  } else {
    const cells = bins.reduce((x, y) => x * y, 1);
    if (cells > limits.surdMaxCells) {
      throw cellLimitError(
        cells,
        limits.surdMaxCells,
        `the joint histogram (bins ${bins.join('×')})`,
        `Use fewer bins (the table has bins^(sources+1) cells) or pass max_order (e.g. 2 or 3) for the high-dimensional variant, which only builds tables of up to max_order sources.`,
      );
    }
  }

  const warnings: string[] = [];
  sources.forEach((s, k) => {
    let constant = true;
    for (let i = 1; i < pairs && constant; i++) if (s[i] !== s[0]) constant = false;
    if (constant) warnings.push(`source "${names[k]}" is constant over the samples used; it carries no information`);
  });
  const cells = maxOrder === undefined ? bins.reduce((x, y) => x * y, 1) : 0;
  if (cells > 0 && pairs < SAMPLES_PER_CELL * cells) {
    warnings.push(
      `only ${pairs} samples for ${cells} joint cells (< ${SAMPLES_PER_CELL} per cell): finite-sample bias inflates higher-order synergy; prefer fewer bins or more samples`,
    );
  }
  const samples = { target, sources, lag, bins, maxOrder, sourceLabels };
  if (a.significance !== undefined) {
    const sig = checkSignificance(a.significance, pairs, bins, maxOrder, limits);
    const { result, significance } = await surdSignificanceInWorker(samples, sig, workerOptions(ctx, progress, STAGE_SPAN_SIGNIFICANCE));
    const out = toOutput(result, names, targetName, a, { nSamples: pairs, lag, warnings, allZero: false, significance });
    await progress.report(100, 'done');
    return { structured: out, summary: summary(out) };
  }
  const { result } = await surdSamplesInWorker(samples, workerOptions(ctx, progress));
  const out = toOutput(result, names, targetName, a, { nSamples: pairs, lag, warnings, allZero: false });
  await progress.report(100, 'done');
  return { structured: out, summary: summary(out) };
}

/**
 * The surrogate plan (a series long enough for that many distinct shifts; SurdInputError otherwise) and the work
 * bound SURROGATE_WORK_FACTOR × (surdMaxSamples + surdMaxCells).
 */
function checkSignificance(
  sig: { surrogates: number; seed?: number },
  pairs: number,
  bins: number[],
  maxOrder: number | undefined,
  limits: { surdMaxSamples: number; surdMaxCells: number },
): { surrogates: number; seed?: number } {
  surrogatePlan(pairs, sig.surrogates);
  const perSurrogate = surrogateRuns(bins.length - 1, 1) * surrogateCost(pairs, bins, maxOrder);
  const budget = SURROGATE_WORK_FACTOR * (limits.surdMaxSamples + limits.surdMaxCells);
  if (perSurrogate * sig.surrogates > budget) {
    const most = Math.floor(budget / perSurrogate);
    throw new ToolError(
      'limit_exceeded',
      `significance with ${sig.surrogates} surrogates would touch ${(perSurrogate * sig.surrogates).toExponential(2)} cells and samples, above the bound ${SURROGATE_WORK_FACTOR} × (surdMaxSamples + surdMaxCells) = ${budget.toExponential(2)}; ` +
        (most >= 1 ? `use at most ${most} surrogates, fewer samples or bins, or max_order` : 'use fewer samples or bins, or max_order'),
    );
  }
  return { surrogates: sig.surrogates, seed: sig.seed };
}

function defaultNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `X${i + 1}`);
}

export const surdDecomposeTool: ToolDefinition<typeof surdInput, typeof surdOutput> = {
  name: 'surd_decompose',
  title: 'SURD causal decomposition',
  description:
    'Exact SURD decomposition (Martínez-Sánchez et al., Nature Communications 2024) of how much a target variable’s future is explained by ' +
    'each source alone (unique), by several sources redundantly, or only by their combination (synergistic), in bits, plus the leak: ' +
    'the fraction of the target’s entropy no source explains (causal_clarity = 1 − leak). Use it for causal attribution between numeric ' +
    'time series (e.g. which drivers cause a metric, and whether they act jointly or redundantly). Give either samples ' +
    '(target, sources as equal-length series, lag, bins; include the target itself among the sources to account for self-causation) ' +
    'or a joint histogram (axis 0 = target). For many sources or fine bins, set max_order for the high-dimensional variant. ' +
    `Sample sizes: the joint table has bins^(sources+1) cells and the result warns below ${SAMPLES_PER_CELL} samples per cell; at the default ` +
    `${DEFAULT_BINS} bins that is ${[1, 2, 3].map((k) => `${String(SAMPLES_PER_CELL * DEFAULT_BINS ** (k + 1)).replace(/\B(?=(\d{3})+$)/g, ',')} samples for ${k} source${k > 1 ? 's' : ''}`).join(', ')}: ` +
    'with fewer, pass bins 2..4 (or a list per axis). Numbers are in bits; warnings lists every caveat. Deterministic; no model needed.',
  input: surdInput,
  output: surdOutput,
  cache: 'args',
  handler,
};
