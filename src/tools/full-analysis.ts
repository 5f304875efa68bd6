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
import { MAX_TEXT_CHARS } from '../core/limits.js';
import { LANGUAGE_CODES } from '../core/model.js';
import { round3 } from '../core/numbers.js';
import { analyzeEmotionTool, type EmotionOutput, type EmotionResultItem } from './analyze-emotion.js';
import { benthamScoreTool, type BenthamOutput } from './bentham-score.js';
import {
  sizedOutput,
  detailParam,
  explainParam,
  granularityParam,
  isDetailed,
  summaryFromStandard,
} from './emotion-reading.js';
import { toToolError } from './errors.js';
import { regretForecastTool, type RegretOutput } from './regret-forecast.js';
import { surdDecomposeTool, type SurdOutput } from './surd-decompose.js';
import { textArg } from './text-input.js';
import { readsSentence } from './model-facts.js';
import type { ServedModel, ToolContext, ToolDefinition, ToolOutput } from './types.js';

const block = (what: string) =>
  z
    .object({})
    .loose()
    .optional()
    .describe(`${what} Validated like that tool's own arguments; an invalid block fails only its section.`);

const input = z.object({
  text: textArg(
    `The text to analyse (1..${MAX_TEXT_CHARS} characters, counted as Unicode code points): a diary entry, a dilemma, a customer message…`,
  ),
  language: z
    .enum(['auto', ...LANGUAGE_CODES])
    .default('auto')
    .describe(
      'Language of the text; auto identifies it (docs/language.md). A text or language the model does not read ' +
        'fails the text sections with unsupported_language.',
    ),
  bentham: block(
    'Arguments for bentham_score (parties, v2, layer_weights, profile; its schema). Parties give exact results; ' +
      'without them the text is the scenario and the model estimates the variables.',
  ),
  regret: block(
    'Arguments for regret_forecast (options, scenarios, outcomes, …; its schema). `decision` defaults to the ' +
      'text; without options an anticipated-regret index is estimated from the text.',
  ),
  surd: block(
    'Arguments for surd_decompose (samples form: target, sources, lag, bins, max_order, names; or histogram ' +
      'form). Without it the section is skipped.',
  ),
  sections: z
    .array(z.enum(SECTIONS as [Section, ...Section[]]))
    .min(1)
    .max(4)
    .optional()
    .describe('Run only these sections (default all four).'),
  detail: detailParam('standard').describe(
    "Size of the emotion section's result: summary | standard | full, as in analyze_emotion (the integration " +
      'always reads the standard numbers).',
  ),
  granularity: granularityParam,
  explain: explainParam,
});

const skipped = z.object({ skipped: z.string().describe('why the section did not run') });
const failed = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const sectionOf = (schema: z.ZodObject) =>
  z.union([schema.extend({ cached: z.boolean().optional() }), skipped, failed]);
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
type Failure = { skipped: string } | { error: { code: string; message: string } };
/** A section's typed output (as the single tool returns it, from the same cache entry), or why it did not run. */
type SectionOf<T> = (T & { cached: boolean }) | Failure;
interface SectionOutputs {
  emotion: EmotionOutput;
  bentham: BenthamOutput;
  regret: RegretOutput;
  surd: SurdOutput;
}
type SectionResults = { [S in Section]?: SectionOf<SectionOutputs[S]> };

const isFailure = (r: object | undefined): r is Failure => !!r && ('skipped' in r || 'error' in r);
const ok = <T>(r: SectionOf<T> | undefined): r is T & { cached: boolean } => !!r && !isFailure(r);

/** Each section's arguments as a caller would send them (its schema validates them), or a reason to skip it. */
function sectionArgs(section: Section, args: Args): { args: unknown } | { skip: string } {
  switch (section) {
    case 'emotion':
      // Only non-default options are passed on, so a plain call shares its cache entry with a plain analyze_emotion.
      // "summary" is reduced from the standard result after integration (which needs the standard numbers).
      return {
        args: {
          text: args.text,
          language: args.language,
          ...(args.detail === 'full' ? { detail: 'full' } : {}),
          ...(args.granularity === 'sentence' ? { granularity: 'sentence' } : {}),
          ...(args.explain ? { explain: true } : {}),
        },
      };
    case 'bentham':
      return {
        args:
          args.bentham && 'parties' in args.bentham
            ? { ...args.bentham }
            : { ...(args.bentham ?? {}), scenario: args.text },
      };
    case 'regret':
      return { args: { ...(args.regret ?? {}), decision: args.regret?.decision ?? args.text } };
    case 'surd':
      return args.surd
        ? { args: { ...args.surd } }
        : { skip: 'no SURD data given (pass `surd` with samples or a histogram)' };
  }
}

/** Validates a section's arguments with that tool's schema and runs it under that tool's cache entry. */
async function runSection<I extends z.ZodObject, O extends z.ZodObject>(
  section: Section,
  def: ToolDefinition<I, O>,
  args: Args,
  ctx: ToolContext,
): Promise<SectionOf<z.infer<O>>> {
  const built = sectionArgs(section, args);
  if ('skip' in built) return { skipped: built.skip };
  const parsed = def.input.safeParse(built.args);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((i) => `${i.path.length ? `${section}.${i.path.join('.')}` : section}: ${i.message}`)
      .join('; ');
    return { error: { code: 'invalid_input', message } };
  }
  try {
    const out = await ctx.runTool(def, parsed.data);
    return { ...out.structured, cached: out.cached };
  } catch (err) {
    const known = toToolError(err);
    if (known?.code === 'cancelled') throw known;
    if (known) return { error: { code: known.code, message: known.message } };
    ctx.logger.error({ err, section }, 'full_analysis section failed');
    return { error: { code: 'internal', message: `${(err as Error).message} (request id ${ctx.requestId})` } };
  }
}

/** Each section: its tool, run under that tool's cache entry. */
const SECTION_RUNS: { [S in Section]: (args: Args, ctx: ToolContext) => Promise<SectionResults[S]> } = {
  emotion: (args, ctx) => runSection('emotion', analyzeEmotionTool, args, ctx),
  bentham: (args, ctx) => runSection('bentham', benthamScoreTool, args, ctx),
  regret: (args, ctx) => runSection('regret', regretForecastTool, args, ctx),
  surd: (args, ctx) => runSection('surd', surdDecomposeTool, args, ctx),
};

/** Picks out of each section's result the numbers the integration formulas use. */
function signals(requested: readonly Section[], results: SectionResults): IntegrationInputs {
  const x: IntegrationInputs = { requested };
  const e = results.emotion;
  const r = ok(e) ? e.results[0] : undefined;
  // (one `text` is sent, so the entry is never a per-item error: an empty text fails the whole section)
  if (r && !('error' in r)) {
    if (!isDetailed(r))
      throw new Error('the emotion section ran at detail "summary"; the integration needs the standard result');
    // the one sentiment (probability and valence from one rule) when the reading has it; zh readings keep the heads
    const one = 'probability' in r.sentiment ? r.sentiment : null;
    x.emotion = one
      ? ({
          positive_probability: one.probability,
          valence: one.valence,
          heads_disagree: one.heads_disagree,
          ekman: r.ekman.scores,
        } satisfies EmotionSignals)
      : ({
          positive_probability: r.sentiment.positive_probability,
          valence: r.valence,
          ekman: r.ekman.scores,
        } satisfies EmotionSignals);
  }
  const b = results.bentham;
  if (ok(b))
    x.bentham = {
      ethical_score: b.ethical_score,
      mode: b.mode,
      kind_confidence: b.estimation?.kind.confidence,
    } satisfies BenthamSignals;
  const g = results.regret;
  if (ok(g)) {
    if (g.mode === 'anticipated_regret') {
      const a = g.anticipated_regret!;
      x.regret = { mode: 'anticipated_regret', value: a.value, confidence: a.confidence };
    } else {
      const choice = g.recommendations!.regret_averse[0];
      const row = g.per_option!.find((o) => o.name === choice);
      const flat = g.utilities!.flat();
      x.regret = {
        mode: g.mode,
        choice,
        expected_regret: row?.expected_regret ?? 0,
        utility_range: Math.max(...flat) - Math.min(...flat),
      } satisfies RegretSignals;
    }
  }
  const s = results.surd;
  if (ok(s)) x.surd = { causal_clarity: s.causal_clarity, leak_reason: s.leak_reason } satisfies SurdSignals;
  return x;
}

const fmt3 = (v: number | null) => (v === null ? 'n/a' : String(round3(v)));

async function handler(args: Args, ctx: ToolContext): Promise<ToolOutput<z.infer<typeof output>>> {
  const t0 = performance.now();
  const requested = args.sections ? SECTIONS.filter((s) => args.sections!.includes(s)) : SECTIONS;
  let done = 0;
  const results: SectionResults = {};
  const run = async <S extends Section>(section: S): Promise<void> => {
    results[section] = await SECTION_RUNS[section](args, ctx);
    await ctx.progress(
      ++done,
      requested.length,
      `${section} ${isFailure(results[section]) ? 'skipped or failed' : 'done'}`,
    );
  };
  await Promise.all(requested.map(run));
  const integrated = integrate(signals(requested, results));
  const emotion = results.emotion;
  const first = ok(emotion) ? emotion.results[0] : undefined;
  const language = first && !('error' in first) ? first.language : args.language;
  const summary = [
    `sentiment ${fmt3(integrated.overall_sentiment.value)}, ethical ${fmt3(integrated.ethical_score.value)}, ` +
      `regret ${fmt3(integrated.regret_potential.value)}, causal clarity ${fmt3(integrated.causal_clarity.value)}, ` +
      `confidence ${fmt3(integrated.confidence.value)}`,
    ...requested.flatMap((s) => {
      const r = results[s];
      if (!isFailure(r)) return [];
      return 'skipped' in r ? [`${s}: skipped (${r.skipped})`] : [`${s}: ${r.error.code}: ${r.error.message}`];
    }),
  ].join('\n');
  if (args.detail === 'summary' && ok(emotion)) {
    results.emotion = {
      ...emotion,
      results: emotion.results.map((r) => (isDetailed(r) ? (summaryFromStandard(r) as EmotionResultItem) : r)),
    };
  }
  const structured = {
    language,
    sections: results,
    integrated,
    elapsed_ms: Math.round((performance.now() - t0) * 100) / 100,
  };
  return sizedOutput(structured, summary, 'granularity "text" / explain false, or a shorter text', args.detail);
}

function describeFull(model: ServedModel | null): string {
  return (
    'One call for a paragraph of text (diary entry, dilemma, customer message): runs analyze_emotion, bentham_score ' +
    '(scenario = the text unless parties are given), regret_forecast (anticipated regret of the text, or a full ' +
    'regret analysis when options/outcomes are given) and, when data are attached, surd_decompose, concurrently. ' +
    "Returns each section (or why it was skipped / failed; each section is that tool's result, read as its " +
    'description says) and five integrated scores in [0, 1] or [−1, 1] — overall_sentiment, ethical_score, ' +
    'regret_potential, causal_clarity, confidence — each with the formula and the inputs that produced it. ' +
    `${readsSentence(model)} The bentham and regret text sections read English and Korean only.`
  );
}

export const fullAnalysisTool: ToolDefinition<typeof input, typeof output> = {
  name: 'full_analysis',
  title: 'Full analysis: emotion, ethics, regret and causality in one call',
  description: describeFull(null),
  describe: describeFull,
  input,
  output,
  cache: 'args+model',
  handler,
};
