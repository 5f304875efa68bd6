// regret_forecast: regret, expected utility, a regret-averse value, three scenario views and six recommendations on an
// options × scenarios matrix (exact, no model); or, from text, option utilities / an anticipated-regret index
// estimated by the model; with a matrix, a sensitivity and robustness block. Formulas: src/analysis/regret and
// docs/regret.md.
import { z } from 'zod';
import {
  RECOMMENDATION_KEYS,
  REGRET_AVERSION_MODES,
  anticipatedRegret,
  checkOutcomes,
  checkProbabilities,
  checkUniqueNames,
  computeRegret,
  optionText,
  scenarioProbabilities,
  sensitivitySteps,
  type AnticipatedRegret,
  type RegretAversionMode,
  type RegretResult,
  type Sensitivity,
} from '../analysis/regret/index.js';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import { REGRET_MAX_OPTIONS, REGRET_MAX_SCENARIOS } from '../core/limits.js';
import { fmt } from '../core/numbers.js';
import { explainSensitivity, presentSensitivity, sensitivitySchema } from './regret-sensitivity.js';
import { TEXT_ESTIMATE_LANGUAGES } from './reading/languages.js';
import { readAll } from './reading/pipeline.js';
import { readEstimateText } from './text-estimate.js';
import { checkNotEmpty, textArg } from './text-input.js';
import { decisionMemory, decisionMemorySchema } from './memory-decisions.js';
import { memoryFor } from './memory-input.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

const optionSchema = z.object({
  name: z.string().min(1).max(200).describe('unique option name'),
  description: z
    .string()
    .min(1)
    .optional()
    .describe('what the option is; used (with `decision`) to estimate its utility when no outcomes are given'),
});

const input = z.object({
  options: z
    .array(optionSchema)
    .min(2)
    .max(REGRET_MAX_OPTIONS)
    .optional()
    .describe(`the courses of action (2..${REGRET_MAX_OPTIONS})`),
  scenarios: z
    .array(
      z.object({
        name: z.string().min(1).max(200).describe('unique scenario name'),
        probability: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe('give for all scenarios (summing to 1) or for none (uniform)'),
      }),
    )
    .min(1)
    .max(REGRET_MAX_SCENARIOS)
    .optional()
    .describe(`the states of the world (1..${REGRET_MAX_SCENARIOS})`),
  outcomes: z
    .array(z.array(z.number()))
    .optional()
    .describe('utility of each option (rows) in each scenario (columns), finite numbers'),
  regret_aversion: z
    .number()
    .min(0)
    .default(1)
    .describe(
      'k ≥ 0: how much larger regrets weigh, via R·(e^{k·r/R} − 1)/k (default 1; 0 = linear). Scaled mode: R = ' +
        'the largest regret, so k is unit-free',
    ),
  regret_aversion_mode: z
    .enum(REGRET_AVERSION_MODES)
    .default('scaled')
    .describe(
      'scaled (default): regret enters the exponential as a fraction of the largest regret, so outcomes in any ' +
        'unit (e.g. money) give the same choices; raw: R = 1, k in 1/utility units (may overflow on large ' +
        'outcomes)',
    ),
  probability_concentration: z
    .number()
    .positive()
    .max(1e6)
    .optional()
    .describe(
      'optional c > 0: treat the probabilities as uncertain, Dirichlet(c·p) (c ≈ how many observations they ' +
        'are worth), and report how often each option is best (10 000 seeded draws, deterministic)',
    ),
  hurwicz_alpha: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('weight of the best case in the Hurwicz criterion (default 0.5)'),
  memory: z
    .boolean()
    .optional()
    .describe(
      'add a memory block: similar past decisions from the experience memory, what happened, and scenario ' +
        'counts with a Dirichlet posterior beside your probabilities (needs --memory; docs/memory.md)',
    ),
  decision: textArg(
    'the decision in words; alone it yields an anticipated-regret estimate, with option descriptions a model-estimated ranking',
  ).optional(),
});

const perOption = z.object({
  name: z.string(),
  expected_utility: z.number(),
  expected_regret: z.number(),
  max_regret: z.number(),
  regret_averse_value: z.number().describe('EU − Σ p R (e^{k r/R} − 1)/k, in utility units'),
  optimistic: z.number().describe('max over scenarios'),
  base: z.number().describe('expected utility'),
  pessimistic: z.number().describe('min over scenarios'),
  hurwicz: z.number().describe('α·optimistic + (1 − α)·pessimistic'),
});

const names = z.array(z.string());

const output = z.object({
  mode: z
    .enum(['matrix', 'estimated_utilities', 'anticipated_regret'])
    .describe(
      'matrix = given outcomes (exact); estimated_utilities = single-scenario matrix from the model utility ' +
        'head; anticipated_regret = text index only',
    ),
  options: names.optional(),
  scenarios: z.array(z.object({ name: z.string(), probability: z.number() })).optional(),
  utilities: z.array(z.array(z.number())).optional().describe('the utility matrix used (options × scenarios)'),
  utility_source: z.enum(['given', 'estimated']).optional(),
  regret: z.array(z.array(z.number())).optional().describe('r[i][s] = max_j u[j][s] − u[i][s]'),
  per_option: z.array(perOption).optional(),
  evpi: z
    .number()
    .optional()
    .describe('expected value of perfect information = Σ p max_j u − max EU = the smallest expected regret'),
  recommendations: z
    .object(
      Object.fromEntries(RECOMMENDATION_KEYS.map((k) => [k, names])) as Record<
        (typeof RECOMMENDATION_KEYS)[number],
        typeof names
      >,
    )
    .optional()
    .describe('option names chosen by each criterion; ties listed together'),
  counterfactuals: z
    .array(
      z.object({
        option: z.string().describe('the regret-averse choice'),
        scenario: z.string(),
        probability: z.number(),
        better_options: names.describe('the best options in that scenario'),
        best_utility: z.number(),
        utility: z.number(),
        regret: z.number(),
      }),
    )
    .optional()
    .describe('scenarios where the regret-averse choice would be regretted, largest regret first'),
  sensitivity: sensitivitySchema
    .optional()
    .describe(
      'robustness of the recommendations: dominance, Laplace, probability thresholds, Hurwicz α intervals, k ' +
        'breakpoints, optional Dirichlet uncertainty, fragile flag',
    ),
  anticipated_regret: z
    .object({
      value: z.number().min(0).max(1),
      source: z.literal('estimated'),
      confidence: z.number().min(0).max(1),
      components: z.object({ goemotions: z.number(), kote: z.number(), negative_polarity: z.number() }),
    })
    .optional()
    .describe('text estimate: 0.4·GoEmotions regret cue + 0.3·KOTE regret cue + 0.3·(1 − P(positive))'),
  estimation: z
    .object({
      model: z.string(),
      option_texts: names.optional().describe('the texts the utility head scored, one per option'),
    })
    .optional(),
  parameters: z.object({
    regret_aversion: z.number(),
    regret_aversion_mode: z.enum(REGRET_AVERSION_MODES),
    regret_unit: z
      .number()
      .optional()
      .describe('R: the unit regret is measured in inside the exponential (largest regret when scaled, 1 when raw)'),
    hurwicz_alpha: z.number(),
    probability_concentration: z.number().optional(),
  }),
  explanation: z.string(),
  memory: decisionMemorySchema.optional(),
});

type Args = z.infer<typeof input>;
export type RegretOutput = z.infer<typeof output>;

interface Parameters {
  regretAversion: number;
  regretAversionMode: RegretAversionMode;
  hurwiczAlpha: number;
  probabilityConcentration?: number;
}

/** The regret analysis of a utility matrix (given, or estimated by the model), or a text's anticipated regret. */
export type RegretComputation =
  | {
      mode: 'matrix' | 'estimated_utilities';
      options: string[];
      scenarios: Array<{ name: string; probability: number }>;
      utilities: number[][];
      result: RegretResult;
      sensitivity: Sensitivity;
      parameters: Parameters;
      /** estimated_utilities: the model and the texts its utility head scored, one per option. */
      estimation?: { model: string; optionTexts: string[] };
      /** estimated_utilities with a decision text: that text's anticipated regret. */
      anticipated?: AnticipatedRegret;
    }
  | { mode: 'anticipated_regret'; anticipated: AnticipatedRegret; model: string; parameters: Parameters };

const invalid = (message: string | null): void => {
  if (message !== null) throw new ToolError('invalid_input', message);
};

function checkCells(nOptions: number, nScenarios: number, limit: number): void {
  if (nOptions * nScenarios > limit) {
    throw new ToolError(
      'limit_exceeded',
      `the matrix has ${nOptions} × ${nScenarios} = ${nOptions * nScenarios} cells; limits.regretMaxCells ` +
        `(RED_HEART_REGRET_MAX_CELLS) is ${limit}`,
    );
  }
}

function solve(utilities: number[][], probabilities: number[], parameters: Parameters): RegretResult {
  return computeRegret({ utilities, probabilities, ...parameters });
}

/** The sensitivity block, yielding to the event loop between chunks of the k scan and the sampling (progress, cancellation). */
async function analyseSensitivity(
  result: RegretResult,
  utilities: number[][],
  probabilities: number[],
  parameters: Parameters,
  ctx: ToolContext,
): Promise<Sensitivity> {
  const steps = sensitivitySteps({
    utilities,
    probabilities,
    regret: result.regret,
    regretUnit: result.regretUnit,
    regretAversion: parameters.regretAversion,
    concentration: parameters.probabilityConcentration,
  });
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    // Two stages on one 0..100 scale: the k scan is the first fifth, the optional sampling the rest.
    const { stage, done, total } = r.value;
    const percent =
      stage === 'regret_aversion'
        ? Math.round(((parameters.probabilityConcentration === undefined ? 100 : 20) * done) / total)
        : Math.round(20 + (80 * done) / total);
    await ctx.progress(
      percent,
      100,
      stage === 'regret_aversion' ? 'regret-aversion breakpoints' : 'sampling probabilities',
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(ctx.signal);
  }
}

/** Regret result and sensitivity of one utility matrix. */
async function analyseMatrix(
  utilities: number[][],
  probabilities: number[],
  parameters: Parameters,
  ctx: ToolContext,
): Promise<{ result: RegretResult; sensitivity: Sensitivity }> {
  const result = solve(utilities, probabilities, parameters);
  return { result, sensitivity: await analyseSensitivity(result, utilities, probabilities, parameters, ctx) };
}

export async function computeRegretForecast(args: Args, ctx: ToolContext): Promise<RegretComputation> {
  const limit = ctx.services.limits.regretMaxCells;
  const parameters: Parameters = {
    regretAversion: args.regret_aversion,
    regretAversionMode: args.regret_aversion_mode,
    hurwiczAlpha: args.hurwicz_alpha,
    ...(args.probability_concentration !== undefined
      ? { probabilityConcentration: args.probability_concentration }
      : {}),
  };

  if (args.outcomes !== undefined) {
    if (args.options === undefined)
      throw new ToolError(
        'invalid_input',
        `outcomes were given without \`options\` (2..${REGRET_MAX_OPTIONS} named rows)`,
      );
    if (args.scenarios === undefined)
      throw new ToolError(
        'invalid_input',
        `outcomes were given without \`scenarios\` (1..${REGRET_MAX_SCENARIOS} named columns)`,
      );
    checkCells(args.options.length, args.scenarios.length, limit);
    invalid(checkUniqueNames('options', args.options));
    invalid(checkUniqueNames('scenarios', args.scenarios));
    invalid(checkOutcomes(args.outcomes, args.options.length, args.scenarios.length));
    invalid(checkProbabilities(args.scenarios));
    const p = scenarioProbabilities(args.scenarios);
    const scenarios = args.scenarios.map((s, i) => ({ name: s.name, probability: p[i] }));
    const utilities = args.outcomes.map((row) => [...row]);
    return {
      mode: 'matrix',
      options: args.options.map((o) => o.name),
      scenarios,
      utilities,
      ...(await analyseMatrix(utilities, p, parameters, ctx)),
      parameters,
    };
  }

  if (args.scenarios !== undefined) {
    throw new ToolError(
      'invalid_input',
      '`scenarios` were given without `outcomes`; the model estimates one utility per option, so either ' +
        'give outcomes or leave scenarios out',
    );
  }

  if (args.options !== undefined) {
    checkCells(args.options.length, 1, limit);
    invalid(checkUniqueNames('options', args.options));
    // A blank description would make the option's text just the decision: refuse it rather than rank the decision.
    checkNotEmpty(
      args.options.flatMap((o, i) =>
        o.description !== undefined ? [{ name: `options[${i}].description`, text: o.description }] : [],
      ),
    );
    const optionTexts = args.options.map((o) => optionText(args.decision, o));
    const named = optionTexts.map((text, i) => ({ name: `options[${i}] text`, text }));
    const all = args.decision !== undefined ? [{ name: 'decision', text: args.decision }, ...named] : named;
    const { reader, readings } = await readAll(ctx, all, { only: TEXT_ESTIMATE_LANGUAGES });
    const analyses = readings.map((r) => r.analysis);
    const optionAnalyses = args.decision !== undefined ? analyses.slice(1) : analyses;
    const utilities = optionAnalyses.map((a) => [a.utility]);
    return {
      mode: 'estimated_utilities',
      options: args.options.map((o) => o.name),
      scenarios: [{ name: 'estimated', probability: 1 }],
      utilities,
      ...(await analyseMatrix(utilities, [1], parameters, ctx)),
      parameters,
      estimation: { model: reader.model.id, optionTexts },
      ...(args.decision !== undefined ? { anticipated: anticipatedRegret(analyses[0], reader.model.labels) } : {}),
    };
  }

  const { reader, analysis } = await readEstimateText(
    ctx,
    'decision',
    args.decision,
    'give `options` + `scenarios` + `outcomes` (exact), `options` with descriptions (model-ranked), ' +
      'or a `decision` text (anticipated regret)',
  );
  return {
    mode: 'anticipated_regret',
    anticipated: anticipatedRegret(analysis, reader.model.labels),
    model: reader.model.id,
    parameters,
  };
}

function explainMatrix(
  res: RegretResult,
  optionNames: string[],
  scenarios: { name: string }[],
  cfs: NonNullable<RegretOutput['counterfactuals']>,
): string {
  const list = (idx: number[]) => idx.map((i) => optionNames[i]).join(' = ');
  const r = res.recommendations;
  const chosen = r.regret_averse[0];
  const parts = [
    `Regret-averse choice: ${list(r.regret_averse)} (V = ${fmt(res.metrics[chosen].regretAverseValue)}).`,
    `Minimax regret: ${list(r.minimax_regret)}; max expected utility: ${list(r.max_expected_utility)}; ` +
      `maximin: ${list(r.maximin)}; maximax: ${list(r.maximax)}; Hurwicz: ${list(r.hurwicz)}.`,
    `EVPI ${fmt(res.evpi)}.`,
  ];
  if (scenarios.length === 1) parts.push('One scenario: regret is just the gap to the best option.');
  const worst = cfs[0];
  parts.push(
    worst
      ? `Biggest counterfactual: in "${worst.scenario}" ${worst.better_options.join(' or ')} would beat ` +
          `${worst.option} by ${fmt(worst.regret)}.`
      : `${list(r.regret_averse)} is never beaten in any scenario.`,
  );
  return parts.join(' ');
}

export function presentRegret(c: RegretComputation): ToolOutput<RegretOutput> {
  const parameters: RegretOutput['parameters'] = {
    regret_aversion: c.parameters.regretAversion,
    regret_aversion_mode: c.parameters.regretAversionMode,
    ...(c.mode !== 'anticipated_regret' ? { regret_unit: c.result.regretUnit } : {}),
    hurwicz_alpha: c.parameters.hurwiczAlpha,
    ...(c.parameters.probabilityConcentration !== undefined
      ? { probability_concentration: c.parameters.probabilityConcentration }
      : {}),
  };
  if (c.mode === 'anticipated_regret') {
    const a = c.anticipated;
    const explanation =
      `Anticipated regret ${fmt(a.value)} (confidence ${fmt(a.confidence)}), estimated by model ${c.model} from ` +
      `regret cues (GoEmotions ${fmt(a.components.goemotions)}, KOTE ${fmt(a.components.kote)}, negative polarity ` +
      `${fmt(a.components.negative_polarity)}).`;
    return {
      structured: { mode: c.mode, anticipated_regret: a, estimation: { model: c.model }, parameters, explanation },
      summary: explanation,
    };
  }
  const res = c.result;
  const pick = (idx: number[]) => idx.map((i) => c.options[i]);
  const recommendations = Object.fromEntries(
    RECOMMENDATION_KEYS.map((k) => [k, pick(res.recommendations[k])]),
  ) as NonNullable<RegretOutput['recommendations']>;
  const counterfactuals = res.counterfactuals.map((cf) => ({
    option: c.options[cf.forOption],
    scenario: c.scenarios[cf.scenario].name,
    probability: cf.probability,
    better_options: pick(cf.betterOptions),
    best_utility: cf.bestUtility,
    utility: cf.utility,
    regret: cf.regret,
  }));
  const sensitivity = presentSensitivity(
    c.sensitivity,
    c.options,
    c.scenarios.map((s) => s.name),
  );
  let explanation = `${explainMatrix(res, c.options, c.scenarios, counterfactuals)} ${explainSensitivity(sensitivity, c.scenarios.length)}`;
  if (c.estimation) {
    explanation +=
      ` Utilities estimated by model ${c.estimation.model} (utility head; only differences are meaningful).` +
      (c.anticipated ? ` Anticipated regret of the decision: ${fmt(c.anticipated.value)}.` : '');
  }
  const structured: RegretOutput = {
    mode: c.mode,
    options: c.options,
    scenarios: c.scenarios,
    utilities: c.utilities,
    utility_source: c.mode === 'matrix' ? 'given' : 'estimated',
    regret: res.regret,
    per_option: res.metrics.map((m, i) => ({
      name: c.options[i],
      expected_utility: m.expectedUtility,
      expected_regret: m.expectedRegret,
      max_regret: m.maxRegret,
      regret_averse_value: m.regretAverseValue,
      optimistic: m.optimistic,
      base: m.base,
      pessimistic: m.pessimistic,
      hurwicz: m.hurwicz,
    })),
    evpi: res.evpi,
    recommendations,
    counterfactuals,
    sensitivity,
    ...(c.anticipated ? { anticipated_regret: c.anticipated } : {}),
    ...(c.estimation ? { estimation: { model: c.estimation.model, option_texts: c.estimation.optionTexts } } : {}),
    parameters,
    explanation,
  };
  return { structured, summary: explanation };
}

export const regretForecastTool: ToolDefinition<typeof input, typeof output> = {
  name: 'regret_forecast',
  title: 'Regret forecast for a decision',
  description: [
    'Which option will I regret least? Give `options`, `scenarios` (optional probabilities) and an `outcomes` utility matrix',
    '(options × scenarios) for an exact analysis: regret per scenario, expected utility, expected and maximum regret, a',
    'regret-averse value, optimistic/base/pessimistic views, Hurwicz, EVPI, recommendations by six criteria (ties listed',
    'together), counterfactuals and a sensitivity block (dominated options, Laplace choice, how much probability must move',
    'to change the choice, Hurwicz α intervals, regret-aversion breakpoints, a `fragile` flag; with',
    '`probability_concentration`, how often each option is best under uncertain probabilities). Outcomes may be in any',
    'unit (e.g. money): by default regret aversion is scale-free. Without outcomes, options with descriptions ' +
      'plus a `decision` text are ranked by',
    'model-estimated utilities; a `decision` text alone returns an estimated anticipated-regret index (0..1).',
  ].join(' '),
  input,
  output,
  cache: 'args',
  cacheKeyNeedsModel: (args) => args.outcomes === undefined,
  uncachedIf: (args) => args.memory === true, // the memory changes between calls
  handler: async (args, ctx) => {
    if (!args.memory) return presentRegret(await computeRegretForecast(args, ctx));
    memoryFor(ctx); // refused before any work when memory is off
    const out = presentRegret(await computeRegretForecast(args, ctx));
    return { ...out, structured: { ...out.structured, memory: await decisionMemory(ctx, args) } };
  },
};
