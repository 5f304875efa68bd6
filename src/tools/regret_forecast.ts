// regret_forecast: regret, expected utility, a regret-averse value, three scenario views and six recommendations on an
// options × scenarios matrix (exact, no model); or, from text, option utilities / an anticipated-regret index
// estimated by the model. Formulas: src/analysis/regret and docs/regret.md.
import { z } from 'zod';
import { MappingError } from '../analysis/bentham/signals.js';
import {
  RECOMMENDATION_KEYS,
  REGRET_AVERSION_MODES,
  RegretOverflowError,
  anticipatedRegret,
  checkOutcomes,
  checkProbabilities,
  checkUniqueNames,
  computeRegret,
  optionText,
  scenarioProbabilities,
  sensitivitySteps,
  type RegretResult,
  type SamplingProgress,
  type Sensitivity,
} from '../analysis/regret/index.js';
import type { TextEngine } from '../engine/types.js';
import { explainSensitivity, presentSensitivity, sensitivitySchema } from './regret_sensitivity.js';
import { ToolError, throwIfCancelled, type ToolContext, type ToolDefinition } from './types.js';

const optionSchema = z.object({
  name: z.string().min(1).max(200).describe('unique option name'),
  description: z.string().min(1).optional().describe('what the option is; used (with `decision`) to estimate its utility when no outcomes are given'),
});

const input = z.object({
  options: z.array(optionSchema).min(2).max(50).optional().describe('the courses of action (2..50)'),
  scenarios: z
    .array(z.object({
      name: z.string().min(1).max(200).describe('unique scenario name'),
      probability: z.number().min(0).max(1).optional().describe('give for all scenarios (summing to 1) or for none (uniform)'),
    }))
    .min(1)
    .max(50)
    .optional()
    .describe('the states of the world (1..50)'),
  outcomes: z.array(z.array(z.number())).optional().describe('utility of each option (rows) in each scenario (columns), finite numbers'),
  regret_aversion: z.number().min(0).default(1).describe(
    'k ≥ 0: how much larger regrets weigh, via R·(e^{k·r/R} − 1)/k (default 1; 0 = linear). Scaled mode: R = the largest regret, so k is unit-free',
  ),
  regret_aversion_mode: z.enum(REGRET_AVERSION_MODES).default('scaled').describe(
    'scaled (default): regret enters the exponential as a fraction of the largest regret, so outcomes in any unit (e.g. money) give the same choices; raw: R = 1, k in 1/utility units (may overflow on large outcomes)',
  ),
  probability_concentration: z.number().positive().max(1e6).optional().describe(
    'optional c > 0: treat the probabilities as uncertain, Dirichlet(c·p) (c ≈ how many observations they are worth), and report how often each option is best (10 000 seeded draws, deterministic)',
  ),
  hurwicz_alpha: z.number().min(0).max(1).default(0.5).describe('weight of the best case in the Hurwicz criterion (default 0.5)'),
  decision: z.string().min(1).optional().describe('the decision in words; alone it yields an anticipated-regret estimate, with option descriptions a model-estimated ranking'),
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
  mode: z.enum(['matrix', 'estimated_utilities', 'anticipated_regret']).describe(
    'matrix = given outcomes (exact); estimated_utilities = single-scenario matrix from the model utility head; anticipated_regret = text index only',
  ),
  options: names.optional(),
  scenarios: z.array(z.object({ name: z.string(), probability: z.number() })).optional(),
  utilities: z.array(z.array(z.number())).optional().describe('the utility matrix used (options × scenarios)'),
  utility_source: z.enum(['given', 'estimated']).optional(),
  regret: z.array(z.array(z.number())).optional().describe('r[i][s] = max_j u[j][s] − u[i][s]'),
  per_option: z.array(perOption).optional(),
  evpi: z.number().optional().describe('expected value of perfect information = Σ p max_j u − max EU = the smallest expected regret'),
  recommendations: z.object(Object.fromEntries(RECOMMENDATION_KEYS.map((k) => [k, names])) as Record<(typeof RECOMMENDATION_KEYS)[number], typeof names>)
    .optional()
    .describe('option names chosen by each criterion; ties listed together'),
  counterfactuals: z.array(z.object({
    option: z.string().describe('the regret-averse choice'),
    scenario: z.string(),
    probability: z.number(),
    better_options: names.describe('the best options in that scenario'),
    best_utility: z.number(),
    utility: z.number(),
    regret: z.number(),
  })).optional().describe('scenarios where the regret-averse choice would be regretted, largest regret first'),
  sensitivity: sensitivitySchema.optional().describe('robustness of the recommendations: dominance, Laplace, probability thresholds, Hurwicz α intervals, k breakpoints, optional Dirichlet uncertainty, fragile flag'),
  anticipated_regret: z.object({
    value: z.number().min(0).max(1),
    source: z.literal('estimated'),
    confidence: z.number().min(0).max(1),
    components: z.object({ goemotions: z.number(), kote: z.number(), negative_polarity: z.number() }),
  }).optional().describe('text estimate: 0.4·GoEmotions regret cue + 0.3·KOTE regret cue + 0.3·(1 − P(positive))'),
  estimation: z.object({
    model: z.string(),
    option_texts: names.optional().describe('the texts the utility head scored, one per option'),
  }).optional(),
  parameters: z.object({
    regret_aversion: z.number(),
    regret_aversion_mode: z.enum(REGRET_AVERSION_MODES),
    regret_unit: z.number().optional().describe('R: the unit regret is measured in inside the exponential (largest regret when scaled, 1 when raw)'),
    hurwicz_alpha: z.number(),
    probability_concentration: z.number().optional(),
  }),
  explanation: z.string(),
});

type Args = z.infer<typeof input>;
type Out = z.infer<typeof output>;

const fmt = (x: number): string => {
  const r = Number(x.toPrecision(4));
  return Object.is(r, -0) ? '0' : String(r);
};

const invalid = (message: string | null): void => {
  if (message !== null) throw new ToolError('invalid_input', message);
};

function checkCells(nOptions: number, nScenarios: number, limit: number): void {
  if (nOptions * nScenarios > limit) {
    throw new ToolError('limit_exceeded', `the matrix has ${nOptions} × ${nScenarios} = ${nOptions * nScenarios} cells; limits.regretMaxCells (RED_HEART_REGRET_MAX_CELLS) is ${limit}`);
  }
}

function solve(u: number[][], p: number[], args: Args): RegretResult {
  try {
    return computeRegret({
      utilities: u, probabilities: p, regretAversion: args.regret_aversion, hurwiczAlpha: args.hurwicz_alpha, regretAversionMode: args.regret_aversion_mode,
    });
  } catch (err) {
    if (err instanceof RegretOverflowError) throw new ToolError('invalid_input', err.message);
    throw err;
  }
}

const parameters = (args: Args, regretUnit?: number): Out['parameters'] => ({
  regret_aversion: args.regret_aversion,
  regret_aversion_mode: args.regret_aversion_mode,
  ...(regretUnit !== undefined ? { regret_unit: regretUnit } : {}),
  hurwicz_alpha: args.hurwicz_alpha,
  ...(args.probability_concentration !== undefined ? { probability_concentration: args.probability_concentration } : {}),
});

/** Runs the sensitivity analysis, yielding to the event loop between chunks of the k scan and the sampling (progress, cancellation). */
async function analyseSensitivity(res: RegretResult, u: number[][], p: number[], args: Args, ctx: ToolContext): Promise<Sensitivity> {
  const steps = sensitivitySteps({
    utilities: u, probabilities: p, regret: res.regret, regretUnit: res.regretUnit, regretAversion: args.regret_aversion,
    concentration: args.probability_concentration,
  });
  for (;;) {
    let r: IteratorResult<SamplingProgress, Sensitivity>;
    try {
      r = steps.next();
    } catch (err) {
      if (err instanceof RegretOverflowError) throw new ToolError('invalid_input', err.message);
      throw err;
    }
    if (r.done) return r.value;
    // Two stages on one 0..100 scale: the k scan is the first fifth, the optional sampling the rest.
    const { stage, done, total } = r.value;
    const percent = stage === 'regret_aversion'
      ? Math.round((args.probability_concentration === undefined ? 100 : 20) * done / total)
      : Math.round(20 + 80 * done / total);
    await ctx.progress(percent, 100, stage === 'regret_aversion' ? 'regret-aversion breakpoints' : 'sampling probabilities');
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(ctx.signal);
  }
}

async function matrixOutput(
  mode: 'matrix' | 'estimated_utilities',
  optionNames: string[],
  scenarios: { name: string; probability: number }[],
  u: number[][],
  args: Args,
  ctx: ToolContext,
): Promise<Out> {
  const p = scenarios.map((s) => s.probability);
  const res = solve(u, p, args);
  const sensitivity = presentSensitivity(await analyseSensitivity(res, u, p, args, ctx), optionNames, scenarios.map((s) => s.name));
  const pick = (idx: number[]) => idx.map((i) => optionNames[i]);
  const recommendations = Object.fromEntries(RECOMMENDATION_KEYS.map((k) => [k, pick(res.recommendations[k])])) as NonNullable<Out['recommendations']>;
  const counterfactuals = res.counterfactuals.map((c) => ({
    option: optionNames[c.forOption],
    scenario: scenarios[c.scenario].name,
    probability: c.probability,
    better_options: pick(c.betterOptions),
    best_utility: c.bestUtility,
    utility: c.utility,
    regret: c.regret,
  }));
  return {
    mode,
    options: optionNames,
    scenarios,
    utilities: u,
    utility_source: mode === 'matrix' ? 'given' : 'estimated',
    regret: res.regret,
    per_option: res.metrics.map((m, i) => ({
      name: optionNames[i],
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
    parameters: parameters(args, res.regretUnit),
    explanation: `${explainMatrix(res, optionNames, scenarios, counterfactuals)} ${explainSensitivity(sensitivity, scenarios.length)}`,
  };
}

function explainMatrix(res: RegretResult, optionNames: string[], scenarios: { name: string }[], cfs: NonNullable<Out['counterfactuals']>): string {
  const list = (idx: number[]) => idx.map((i) => optionNames[i]).join(' = ');
  const r = res.recommendations;
  const chosen = r.regret_averse[0];
  const parts = [
    `Regret-averse choice: ${list(r.regret_averse)} (V = ${fmt(res.metrics[chosen].regretAverseValue)}).`,
    `Minimax regret: ${list(r.minimax_regret)}; max expected utility: ${list(r.max_expected_utility)}; maximin: ${list(r.maximin)}; maximax: ${list(r.maximax)}; Hurwicz: ${list(r.hurwicz)}.`,
    `EVPI ${fmt(res.evpi)}.`,
  ];
  if (scenarios.length === 1) parts.push('One scenario: regret is just the gap to the best option.');
  const worst = cfs[0];
  parts.push(worst
    ? `Biggest counterfactual: in "${worst.scenario}" ${worst.better_options.join(' or ')} would beat ${worst.option} by ${fmt(worst.regret)}.`
    : `${list(r.regret_averse)} is never beaten in any scenario.`);
  return parts.join(' ');
}

async function engineFor(ctx: ToolContext, texts: string[]): Promise<TextEngine> {
  const { maxTextChars, maxBatchTexts } = ctx.services.config.limits;
  for (const t of texts) {
    if (t.length > maxTextChars) {
      throw new ToolError('limit_exceeded', `a text to analyse is ${t.length} characters; limits.maxTextChars (RED_HEART_MAX_TEXT_CHARS) is ${maxTextChars}`);
    }
  }
  if (texts.length > maxBatchTexts) {
    throw new ToolError('limit_exceeded', `${texts.length} texts to analyse; limits.maxBatchTexts (RED_HEART_MAX_BATCH_TEXTS) is ${maxBatchTexts}`);
  }
  const engine = await ctx.services.engine.require();
  throwIfCancelled(ctx.signal);
  return engine;
}

function mapped<T>(engine: TextEngine, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof MappingError) throw new ToolError('internal', `model ${engine.model.id}: ${err.message}`);
    throw err;
  }
}

export const regretForecastTool: ToolDefinition<typeof input, typeof output> = {
  name: 'regret_forecast',
  title: 'Regret forecast for a decision',
  description:
    'Which option will I regret least? Give `options`, `scenarios` (optional probabilities) and an `outcomes` utility matrix '
    + '(options × scenarios) for an exact analysis: regret per scenario, expected utility, expected and maximum regret, a '
    + 'regret-averse value, optimistic/base/pessimistic views, Hurwicz, EVPI, recommendations by six criteria (ties listed '
    + 'together), counterfactuals and a sensitivity block (dominated options, Laplace choice, how much probability must move '
    + 'to change the choice, Hurwicz α intervals, regret-aversion breakpoints, a `fragile` flag; with '
    + '`probability_concentration`, how often each option is best under uncertain probabilities). Outcomes may be in any '
    + 'unit (e.g. money): by default regret aversion is scale-free. Without outcomes, options with descriptions plus a `decision` text are ranked by '
    + 'model-estimated utilities; a `decision` text alone returns an estimated anticipated-regret index (0..1).',
  input,
  output,
  cache: 'args',
  cacheKeyNeedsModel: (args) => args.outcomes === undefined,
  async handler(args, ctx) {
    const limit = ctx.services.config.limits.regretMaxCells;

    if (args.outcomes !== undefined) {
      if (args.options === undefined) throw new ToolError('invalid_input', 'outcomes were given without `options` (2..50 named rows)');
      if (args.scenarios === undefined) throw new ToolError('invalid_input', 'outcomes were given without `scenarios` (1..50 named columns)');
      checkCells(args.options.length, args.scenarios.length, limit);
      invalid(checkUniqueNames('options', args.options));
      invalid(checkUniqueNames('scenarios', args.scenarios));
      invalid(checkOutcomes(args.outcomes, args.options.length, args.scenarios.length));
      invalid(checkProbabilities(args.scenarios));
      const p = scenarioProbabilities(args.scenarios);
      const scenarios = args.scenarios.map((s, i) => ({ name: s.name, probability: p[i] }));
      const structured = await matrixOutput('matrix', args.options.map((o) => o.name), scenarios, args.outcomes.map((row) => [...row]), args, ctx);
      return { structured, summary: structured.explanation };
    }

    if (args.scenarios !== undefined) {
      throw new ToolError('invalid_input', '`scenarios` were given without `outcomes`; the model estimates one utility per option, so either give outcomes or leave scenarios out');
    }

    if (args.options !== undefined) {
      checkCells(args.options.length, 1, limit);
      invalid(checkUniqueNames('options', args.options));
      const texts = args.options.map((o) => optionText(args.decision, o));
      const all = args.decision !== undefined ? [args.decision, ...texts] : texts;
      const engine = await engineFor(ctx, all);
      const analyses = await engine.analyze(all, { signal: ctx.signal });
      const optionAnalyses = args.decision !== undefined ? analyses.slice(1) : analyses;
      const u = optionAnalyses.map((a) => [a.utility]);
      const out = await matrixOutput('estimated_utilities', args.options.map((o) => o.name), [{ name: 'estimated', probability: 1 }], u, args, ctx);
      const anticipated = args.decision !== undefined ? mapped(engine, () => anticipatedRegret(analyses[0], engine.model.labels)) : undefined;
      const structured: Out = {
        ...out,
        ...(anticipated ? { anticipated_regret: anticipated } : {}),
        estimation: { model: engine.model.id, option_texts: texts },
        explanation: `${out.explanation} Utilities estimated by model ${engine.model.id} (utility head; only differences are meaningful).`
          + (anticipated ? ` Anticipated regret of the decision: ${fmt(anticipated.value)}.` : ''),
      };
      return { structured, summary: structured.explanation };
    }

    if (args.decision === undefined) {
      throw new ToolError('invalid_input', 'give `options` + `scenarios` + `outcomes` (exact), `options` with descriptions (model-ranked), or a `decision` text (anticipated regret)');
    }
    const engine = await engineFor(ctx, [args.decision]);
    const [analysis] = await engine.analyze([args.decision], { signal: ctx.signal });
    const anticipated = mapped(engine, () => anticipatedRegret(analysis, engine.model.labels));
    const explanation = `Anticipated regret ${fmt(anticipated.value)} (confidence ${fmt(anticipated.confidence)}), estimated by model ${engine.model.id} from regret cues `
      + `(GoEmotions ${fmt(anticipated.components.goemotions)}, KOTE ${fmt(anticipated.components.kote)}, negative polarity ${fmt(anticipated.components.negative_polarity)}).`;
    const structured: Out = {
      mode: 'anticipated_regret',
      anticipated_regret: anticipated,
      estimation: { model: engine.model.id },
      parameters: parameters(args),
      explanation,
    };
    return { structured, summary: explanation };
  },
};
