// full_analysis: runs the requested sections concurrently on one text (one encoder pass, shared through the
// engine's analysis memo) and integrates them into five explained scores (docs/integration.md).
import { z } from 'zod';
import {
  integrate,
  SECTIONS,
  type BenthamSignals,
  type EmotionSignals,
  type IntegrationInputs,
  type RegretSignals,
  type Section,
  type SurdSignals,
} from '../analysis/integration/index.js';
import { analyzeEmotionTool } from './analyze_emotion.js';
import { benthamScoreTool } from './bentham_score.js';
import { regretForecastTool } from './regret_forecast.js';
import { surdDecomposeTool } from './surd_decompose.js';
import { ToolError, type ToolContext, type ToolDefinition } from './types.js';

const block = (what: string) =>
  z.object({}).loose().optional().describe(`${what} Validated like that tool's own arguments; an invalid block fails only its section.`);

const input = z.object({
  text: z.string().min(1).max(20_000).describe('The text to analyse (1..20000 characters): a diary entry, a dilemma, a customer message…'),
  language: z.enum(['auto', 'en', 'ko']).default('auto').describe('Language of the text; auto detects by script (Hangul → ko).'),
  bentham: block('Arguments for bentham_score (parties, v2, layer_weights, profile). Passing parties gives exact results, e.g. { parties: [{ name: "staff", count: 12, effects: [{ kind: "pain", intensity: 0.6, duration: 0.7, certainty: 0.8, propinquity: 1, fecundity: 0.1, purity: 0.9 }] }] }; without parties the text is the scenario and the model estimates the variables.'),
  regret: block('Arguments for regret_forecast (options, scenarios, outcomes, regret_aversion, regret_aversion_mode, hurwicz_alpha, probability_concentration). `decision` defaults to the text; without options an anticipated-regret index is estimated from the text.'),
  surd: block('Arguments for surd_decompose (samples form: target, sources, lag, bins, max_order, names; or histogram form). Without it the section is skipped.'),
  sections: z.array(z.enum(SECTIONS as [Section, ...Section[]])).min(1).max(4).optional().describe('Run only these sections (default all four).'),
});

const skipped = z.object({ skipped: z.string().describe('why the section did not run') });
const failed = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const sectionOf = (schema: z.ZodObject) => z.union([schema.extend({ cached: z.boolean().optional() }), skipped, failed]);
const score = z.object({
  value: z.number().nullable(),
  formula: z.string(),
  inputs: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  reason: z.string().optional(),
});

const output = z.object({
  language: z.string().describe('language of the emotion section (or the requested language when it did not run)'),
  sections: z.object({
    emotion: sectionOf(analyzeEmotionTool.output).optional(),
    bentham: sectionOf(benthamScoreTool.output).optional(),
    regret: sectionOf(regretForecastTool.output).optional(),
    surd: sectionOf(surdDecomposeTool.output).optional(),
  }),
  integrated: z.object({
    overall_sentiment: score.describe('−1..1'),
    ethical_score: score.describe('0..1'),
    regret_potential: score.describe('0..1'),
    causal_clarity: score.describe('0..1, null when SURD did not run'),
    confidence: score.describe('0..1: model certainty × share of requested sections that ran'),
  }),
  elapsed_ms: z.number().nonnegative(),
});

type Args = z.infer<typeof input>;
type SectionResult = Record<string, unknown>;

/** Each section's arguments, built from the text and the caller's block, or a reason to skip it. */
function sectionArgs(section: Section, args: Args): Record<string, unknown> | { skip: string } {
  switch (section) {
    case 'emotion':
      return { text: args.text, language: args.language };
    case 'bentham':
      return args.bentham && 'parties' in args.bentham ? { ...args.bentham } : { ...(args.bentham ?? {}), scenario: args.text };
    case 'regret':
      return { ...(args.regret ?? {}), decision: (args.regret as { decision?: unknown } | undefined)?.decision ?? args.text };
    case 'surd':
      return args.surd ? { ...args.surd } : { skip: 'no SURD data given (pass `surd` with samples or a histogram)' };
  }
}

const TOOLS = { emotion: analyzeEmotionTool, bentham: benthamScoreTool, regret: regretForecastTool, surd: surdDecomposeTool } as const;

async function runSection(section: Section, args: Args, ctx: ToolContext): Promise<SectionResult> {
  const built = sectionArgs(section, args);
  if ('skip' in built) return { skipped: built.skip };
  const tool = TOOLS[section] as unknown as ToolDefinition;
  const parsed = tool.input.safeParse(built);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.length ? `${section}.${i.path.join('.')}` : section}: ${i.message}`).join('; ');
    return { error: { code: 'invalid_input', message } };
  }
  try {
    // Sub-calls report no progress of their own: full_analysis reports one step per finished section.
    const out = await tool.handler(parsed.data as never, { ...ctx, progress: async () => {} });
    return out.structured as SectionResult;
  } catch (err) {
    if (err instanceof ToolError) {
      if (err.code === 'cancelled') throw err;
      return { error: { code: err.code, message: err.message } };
    }
    ctx.logger.error({ err, section }, 'full_analysis section failed');
    return { error: { code: 'internal', message: `${(err as Error).message} (request id ${ctx.requestId})` } };
  }
}

const ok = (r: SectionResult | undefined): r is SectionResult => !!r && !('skipped' in r) && !('error' in r);

/** Picks out of each section's result the numbers the integration formulas use. */
function signals(requested: readonly Section[], results: Partial<Record<Section, SectionResult>>): IntegrationInputs {
  const x: IntegrationInputs = { requested };
  const e = results.emotion;
  if (ok(e)) {
    const r = (e.results as Array<{ valence: number; sentiment: { positive_probability: number }; ekman: { scores: Record<string, number> } }>)[0];
    x.emotion = { positive_probability: r.sentiment.positive_probability, valence: r.valence, ekman: r.ekman.scores } satisfies EmotionSignals;
  }
  const b = results.bentham;
  if (ok(b)) {
    const est = b.estimation as { kind: { confidence: number } } | undefined;
    x.bentham = { ethical_score: b.ethical_score as number, mode: b.mode as 'structured' | 'text', kind_confidence: est?.kind.confidence } satisfies BenthamSignals;
  }
  const g = results.regret;
  if (ok(g)) {
    if (g.mode === 'anticipated_regret') {
      const a = g.anticipated_regret as { value: number; confidence: number };
      x.regret = { mode: 'anticipated_regret', value: a.value, confidence: a.confidence };
    } else {
      const choice = (g.recommendations as { regret_averse: string[] }).regret_averse[0];
      const row = (g.per_option as Array<{ name: string; expected_regret: number }>).find((o) => o.name === choice);
      const flat = (g.utilities as number[][]).flat();
      x.regret = {
        mode: g.mode as 'matrix' | 'estimated_utilities',
        choice,
        expected_regret: row?.expected_regret ?? 0,
        utility_range: Math.max(...flat) - Math.min(...flat),
      } satisfies RegretSignals;
    }
  }
  const s = results.surd;
  if (ok(s)) x.surd = { causal_clarity: s.causal_clarity as number | null, leak_reason: s.leak_reason as string | null } satisfies SurdSignals;
  return x;
}

const fmt = (v: number | null) => (v === null ? 'n/a' : String(Math.round(v * 1000) / 1000));

export const fullAnalysisTool: ToolDefinition<typeof input, typeof output> = {
  name: 'full_analysis',
  title: 'Full analysis: emotion, ethics, regret and causality in one call',
  description:
    'One call for a paragraph of text (diary entry, dilemma, customer message): runs analyze_emotion, bentham_score ' +
    '(scenario = the text unless parties are given), regret_forecast (anticipated regret of the text, or a full regret ' +
    'analysis when options/outcomes are given) and, when data are attached, surd_decompose, concurrently. Returns each ' +
    'section (or why it was skipped / failed) and five integrated scores — overall_sentiment, ethical_score, ' +
    'regret_potential, causal_clarity, confidence — each with the formula and the inputs that produced it.',
  input,
  output,
  cache: 'args+model',
  async handler(args, ctx) {
    const t0 = performance.now();
    const requested = args.sections ? SECTIONS.filter((s) => args.sections!.includes(s)) : SECTIONS;
    let done = 0;
    const results: Partial<Record<Section, SectionResult>> = {};
    await Promise.all(
      requested.map(async (section) => {
        results[section] = await runSection(section, args, ctx);
        await ctx.progress(++done, requested.length, `${section} ${ok(results[section]) ? 'done' : 'skipped or failed'}`);
      }),
    );
    const integrated = integrate(signals(requested, results));
    const emotion = results.emotion;
    const language = ok(emotion) ? (emotion.results as Array<{ language: string }>)[0].language : args.language;
    const summary = [
      `sentiment ${fmt(integrated.overall_sentiment.value)}, ethical ${fmt(integrated.ethical_score.value)}, regret ${fmt(integrated.regret_potential.value)}, ` +
        `causal clarity ${fmt(integrated.causal_clarity.value)}, confidence ${fmt(integrated.confidence.value)}`,
      ...requested.filter((s) => !ok(results[s])).map((s) => {
        const r = results[s] as { skipped?: string; error?: { code: string; message: string } };
        return r.skipped ? `${s}: skipped (${r.skipped})` : `${s}: ${r.error?.code}: ${r.error?.message}`;
      }),
    ].join('\n');
    return {
      structured: { language, sections: results, integrated, elapsed_ms: Math.round((performance.now() - t0) * 100) / 100 } as z.infer<typeof output>,
      summary,
    };
  },
};
