// analyze_conversation: a conversation read turn by turn — each turn's emotion, each speaker's smoothed
// trajectory and shifts, lag-1 influence between speakers, and a state token to continue later (see
// docs/conversation.md). The analysis itself is src/analysis/conversation (pure); this file reads the turns
// with the engine and presents the result.
import { z } from 'zod';
import {
  CONVERSATION_PARAMS,
  FOLLOW_MIN_PAIRS,
  advance,
  emptyConversation,
  influenceReport,
  speakerReport,
  type Advance,
  type TurnObservation,
} from '../analysis/conversation/index.js';
import { emotionProfile } from '../analysis/emotion/index.js';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import { EKMAN, type Ekman } from '../core/labels.js';
import { MAX_CONVERSATION_TURNS, MAX_TEXT_CHARS } from '../core/limits.js';
import { EN_KO, type ModelInfo, type TextAnalysis } from '../core/model.js';
import { round3, round4 } from '../core/numbers.js';
import * as reading from './emotion-reading.js';
import { decodeState, encodeState, MAX_SPEAKER_CHARS } from './conversation-state.js';
import type { ToolLanguages } from './reading/languages.js';
import { admitTexts, decideTexts, everyReading, readPlan } from './reading/pipeline.js';
import { textArg } from './text-input.js';
import { readsSentence } from './model-facts.js';
import type { ServedModel, ToolContext, ToolDefinition, ToolOutput } from './types.js';
import { modelBlock, modelBlockSchema } from './model-block.js';

const MAX_TURNS = MAX_CONVERSATION_TURNS;
const MAX_STATE_CHARS = 200_000;
/** The state's valence bins (influence) and the state token are defined for English and Korean only. */
const CONVERSATION_LANGUAGES: ToolLanguages = {
  languages: EN_KO,
  why: "analyze_conversation's valence bins and state are defined for English and Korean only (analyze_emotion reads this language)",
};

const input = z.object({
  turns: z
    .array(
      z.object({
        speaker: z
          .string()
          .min(1)
          .max(MAX_SPEAKER_CHARS)
          .describe('Who speaks (any name; the same name = the same speaker).'),
        text: textArg(
          `What they said (1..${MAX_TEXT_CHARS} characters, counted as Unicode code points; a blank turn is refused as empty_text).`,
        ),
        time: z
          .union([z.number(), z.string().min(1).max(64)])
          .optional()
          .describe(
            'When: seconds on any fixed clock (e.g. Unix time) or an ISO 8601 date-time. Times must not decrease.',
          ),
      }),
    )
    .min(1)
    .max(MAX_TURNS)
    .describe(`The turns in order (1..${MAX_TURNS}). With \`state\`, only the turns after those the state covers.`),
  state: z
    .string()
    .min(1)
    .max(MAX_STATE_CHARS)
    .optional()
    .describe(
      'The `state` returned by an earlier call on the same conversation: continue from there with only the new turns.',
    ),
  language: z
    .enum(['auto', 'en', 'ko'])
    .default('auto')
    .describe('auto: per turn, Korean when the turn is mostly Hangul, otherwise English.'),
  detail: reading.detailParam('summary'),
  top_k: z.number().int().min(1).max(44).default(5).describe('Labels listed per turn at detail standard/full (1..44).'),
  threshold: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('One decision threshold for every label; default: the tuned per-label thresholds.'),
  explain: reading.explainParam,
});

const prob = z.number().min(0).max(1);
const emotionPoint = z.object({
  valence: z.number().min(-1).max(1),
  arousal: z.number().min(0).max(1),
  ekman: z
    .object(Object.fromEntries(EKMAN.map((e) => [e, prob])) as Record<Ekman, typeof prob>)
    .optional()
    .describe('smoothed Ekman-7 scores (omitted at detail summary)'),
  ekman_dominant: z.enum(EKMAN),
});

const output = z.object({
  turns: z.array(
    z.object({
      index: z
        .number()
        .int()
        .nonnegative()
        .describe('position in the whole conversation (continues across calls with state)'),
      speaker: z.string(),
      time: z.number().nullable().describe('seconds, as given or parsed from ISO 8601'),
      emotion: reading.shapedResult,
      explanation: reading.explanationSchema.optional(),
    }),
  ),
  speakers: z.record(
    z.string(),
    z.object({
      turns: z.number().int().positive().describe('turns of this speaker in the whole conversation'),
      language: z.enum(['en', 'ko']).describe('language of the latest turn'),
      current: emotionPoint.describe('smoothed state after the latest turn'),
      dominant: z
        .array(z.object({ emotion: z.enum(EKMAN), mean: prob }))
        .describe('Ekman classes by mean score over all turns, top 3'),
      shifts: z.number().int().nonnegative().describe('shifts in the whole conversation'),
      summary: z.string(),
      trajectory: z
        .array(
          emotionPoint.extend({
            turn: z.number().int().nonnegative(),
            gain: prob.describe('Kalman gain at this turn'),
          }),
        )
        .describe("smoothed state after each of this speaker's turns in this call"),
    }),
  ),
  shifts: z
    .array(
      z.object({
        speaker: z.string(),
        turn: z.number().int().nonnegative().describe('first turn of the new state'),
        detected_at: z.number().int().nonnegative().describe('turn at which the CUSUM statistic crossed h'),
        triggers: z.array(
          z.object({
            dimension: z.enum(['valence', 'arousal']),
            direction: z.enum(['up', 'down']),
            statistic: z.number(),
          }),
        ),
        before: emotionPoint,
        after: emotionPoint,
      }),
    )
    .describe("shifts detected in this call's turns"),
  influence: z
    .object({
      lag: z.literal(1),
      bins: z
        .object({ en: z.array(z.number()), ko: z.array(z.number()) })
        .describe('inner valence bin edges per language'),
      pairs: z.array(
        z.object({
          from: z.string(),
          to: z.string(),
          samples: z.number().int().positive(),
          follow: z
            .object({
              slope: z
                .number()
                .nullable()
                .describe(
                  "valence bins of to's reply per bin of from's previous turn, to's own previous bin held " +
                    'fixed (least squares); null when undefined',
                ),
              interval_95: z
                .tuple([z.number(), z.number()])
                .nullable()
                .describe('95 % interval of the slope by inverting the permutation test, within ±2'),
              p_value: prob
                .nullable()
                .describe(
                  'two-sided test of slope 0: exact over all orders up to 8 samples, else 4,999 seeded permutations',
                ),
              test: z.enum(['exact', 'permutation']),
              orders: z.number().int().nonnegative().describe('orders compared'),
              reason: z.string().nullable().describe('why slope is null'),
            })
            .describe('from 6 samples on (docs/conversation.md)'),
          transfer_entropy: z
            .number()
            .nonnegative()
            .optional()
            .describe('from 20 samples on: bits, I(to_t; from_{t−1} | to_prev)'),
          p_value: prob
            .optional()
            .describe("from 20 samples on: permutation test of the transfer entropy, from's bins shuffled"),
          permutations: z.number().int().positive().optional(),
          surd: z
            .object({
              unique_from: z.number(),
              unique_self: z.number(),
              redundant: z.number(),
              synergistic: z.number(),
              mutual_information: z.number(),
            })
            .optional()
            .describe('from 20 samples on: SURD of I(to_t; from_{t−1}, to_prev), bits'),
        }),
      ),
      insufficient: z.array(z.object({ from: z.string(), to: z.string(), samples: z.number().int().nonnegative() })),
    })
    .nullable(),
  influence_reason: z.string().nullable().describe('why influence is null'),
  state: z.string().describe('opaque token: pass it back with only the new turns to continue this conversation'),
  model: modelBlockSchema,
  elapsed_ms: z.number().nonnegative(),
});

/** Seconds from a number or an ISO 8601 string; null when absent. */
function seconds(time: number | string | undefined, index: number): number | null {
  if (time === undefined) return null;
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) throw new ToolError('invalid_input', `turns[${index}].time is not a finite number`);
    return time;
  }
  const ms = Date.parse(time);
  if (Number.isNaN(ms))
    throw new ToolError('invalid_input', `turns[${index}].time '${time}' is neither seconds nor an ISO 8601 date-time`);
  return ms / 1000;
}

type Args = z.infer<typeof input>;
export type ConversationOutput = z.infer<typeof output>;

/** The conversation as computed: per-turn analyses, the advanced state and what it says. */
export interface ConversationResult {
  args: Args;
  firstIndex: number;
  times: Array<number | null>;
  analyses: TextAnalysis[];
  explanations: Array<reading.Explanation | undefined>;
  run: Advance;
  influence: ReturnType<typeof influenceReport>;
  state: string;
  model: ModelInfo;
  elapsedMs: number;
}

export async function computeConversation(args: Args, ctx: ToolContext): Promise<ConversationResult> {
  const texts = args.turns.map((t) => t.text);
  // The turn count has its own ceiling (MAX_CONVERSATION_TURNS, in the schema); each text has the usual limit.
  const named = texts.map((text, i) => ({ name: `turns[${i}].text`, text }));
  const admitted = admitTexts(
    named,
    { maxTextChars: ctx.services.limits.maxTextChars, maxBatchTexts: MAX_TURNS },
    'call',
  );
  if (args.explain) reading.checkExplainLimits(texts);
  const times = args.turns.map((t, i) => seconds(t.time, i));
  // A turn in a language the model does not read fails the call, naming the turn (the state needs every turn).
  const plan = await decideTexts(ctx, admitted, {
    language: args.language,
    only: CONVERSATION_LANGUAGES,
    requested: 'text',
  });
  plan.refuseCall();
  const model = plan.model;
  const binding = model.sha256.slice(0, 12);
  const signer = ctx.services.signer;
  if (!signer)
    throw new ToolError(
      'internal',
      "analyze_conversation needs the server's token signer for its state (services.signer)",
    );
  const start = args.state ? decodeState(args.state, binding, signer) : emptyConversation();
  const t0 = performance.now();
  const analyses = everyReading(await readPlan(plan, ctx.signal)).map((r) => r.analysis);
  const totalSteps = 1 + (args.explain ? texts.length : 0);
  await ctx.progress(1, totalSteps, `${texts.length} turns read`);
  const observations: TurnObservation[] = analyses.map((a, i) => {
    const p = emotionProfile(a, model, { topK: 1 });
    // every turn passed CONVERSATION_LANGUAGES above; this guards the type
    if (a.language !== 'en' && a.language !== 'ko')
      throw new ToolError(
        'internal',
        `turns[${i}] was read as ${a.language}, which the conversation state does not hold`,
      );
    return {
      speaker: args.turns[i].speaker,
      language: a.language,
      valence: p.valence,
      arousal: p.arousal,
      ekman: p.ekman.scores,
      time: times[i],
    };
  });
  const run = advance(start, observations); // ConversationInputError → invalid_input (src/tools/errors.ts)
  const explanations: Array<reading.Explanation | undefined> = [];
  if (args.explain) {
    for (let i = 0; i < texts.length; i++) {
      throwIfCancelled(ctx.signal);
      explanations.push(await reading.explainText(plan, texts[i], analyses[i], ctx.signal));
      await ctx.progress(2 + i, totalSteps, `turn ${start.turns + i} explained`);
    }
  }
  return {
    args,
    firstIndex: start.turns,
    times,
    analyses,
    explanations,
    run,
    influence: influenceReport(run.state),
    state: encodeState(run.state, binding, signer),
    model,
    elapsedMs: performance.now() - t0,
  };
}

export function presentConversation(r: ConversationResult): ToolOutput<ConversationOutput> {
  const { args, model } = r;
  const opts = { topK: args.top_k, threshold: args.threshold, detail: args.detail };
  const turns: ConversationOutput['turns'] = r.analyses.map((a, i) => {
    const turn: ConversationOutput['turns'][number] = {
      index: r.firstIndex + i,
      speaker: args.turns[i].speaker,
      time: r.times[i],
      emotion: reading.shape(a, model, opts) as ConversationOutput['turns'][number]['emotion'],
    };
    const ex = r.explanations[i];
    if (ex) turn.explanation = ex;
    return turn;
  });
  // At detail "summary" the smoothed points carry no Ekman scores (the dominant class stays).
  const withEkman = args.detail !== 'summary';
  const pointOut = <P extends { ekman: Record<Ekman, number> }>(p: P) => {
    const { ekman, ...rest } = p;
    return withEkman ? { ...rest, ekman } : rest;
  };
  // A Map, then own properties: a speaker named __proto__ (or constructor) is an ordinary name, not the prototype.
  const byName = new Map<string, ConversationOutput['speakers'][string]>();
  for (const s of r.run.state.speakers) {
    const rep = speakerReport(s);
    byName.set(
      s.name,
      round4({
        ...rep,
        current: pointOut(rep.current),
        trajectory: r.run.points.filter((p) => p.speaker === s.name).map(({ speaker: _, ...p }) => pointOut(p)),
      }),
    );
  }
  const speakers: ConversationOutput['speakers'] = Object.fromEntries(byName);
  const shifts = r.run.shifts.map((s) => round4({ ...s, before: pointOut(s.before), after: pointOut(s.after) }));
  const inf = r.influence;
  const influence = inf.influence && {
    lag: 1 as const,
    bins: { en: [...CONVERSATION_PARAMS.influence.edges.en], ko: [...CONVERSATION_PARAMS.influence.edges.ko] },
    pairs: inf.influence.pairs.map(({ from, to, samples, follow: f, information: i }) =>
      round4({
        from,
        to,
        samples,
        follow: {
          slope: f.slope,
          interval_95: f.interval,
          p_value: f.pValue,
          test: f.test,
          orders: f.orders,
          reason: f.reason,
        },
        ...(i && {
          transfer_entropy: i.transferEntropy,
          p_value: i.pValue,
          permutations: i.permutations,
          surd: {
            unique_from: i.uniqueFrom,
            unique_self: i.uniqueSelf,
            redundant: i.redundant,
            synergistic: i.synergistic,
            mutual_information: i.mutualInformation,
          },
        }),
      }),
    ),
    insufficient: inf.influence.insufficient,
  };
  const structured: ConversationOutput = {
    turns,
    speakers,
    shifts,
    influence,
    influence_reason: inf.reason,
    state: r.state,
    model: modelBlock(model),
    elapsed_ms: Math.round(r.elapsedMs * 100) / 100,
  };
  reading.checkResponseSize(structured, 'send fewer turns per call (continue with `state`)', args.detail);
  const summary = [
    ...Object.values(speakers).map((s) => s.summary),
    ...shifts
      .slice(0, 3)
      .map(
        (s) =>
          `shift: ${s.speaker} at turn ${s.turn} ` +
          `(${s.triggers.map((t) => `${t.dimension} ${t.direction}`).join(', ')}): ${s.before.ekman_dominant} ` +
          `${round3(s.before.valence)} → ${s.after.ekman_dominant} ${round3(s.after.valence)}`,
      ),
    shifts.length > 3 ? `… ${shifts.length - 3} more shifts` : [],
    influence ? influence.pairs.map(influenceLine).join('; ') : `influence: ${inf.reason}`,
  ]
    .flat()
    .join('\n');
  return { structured, summary };
}

/** Influence needs minPairs response pairs per direction; alternating speakers give one per turn after their first two. */
const INFLUENCE_TURNS = 2 * CONVERSATION_PARAMS.influence.minPairs + 2;

function describeConversation(model: ServedModel | null): string {
  return (
    `A conversation of 1..${MAX_TURNS} turns [{speaker, text, time?}]. ${readsSentence(model, ['en', 'ko'])} ` +
    "Returns each turn's emotion (detail summary by default; valence −1..1, arousal 0..1 as in analyze_emotion), " +
    "each speaker's Kalman-smoothed valence / arousal / Ekman trajectory with a summary, shifts (CUSUM: start turn, " +
    "detection turn, before/after means), and influence — whether one speaker's valence follows another's at lag 1: " +
    `a slope with exact/permutation p-value and 95 % interval from ${FOLLOW_MIN_PAIRS} response pairs per direction ` +
    `(about ${2 * FOLLOW_MIN_PAIRS + 2} alternating turns), transfer entropy + SURD from ` +
    `${CONVERSATION_PARAMS.influence.minPairs} (about ${INFLUENCE_TURNS} turns); fewer: the reason says how many ` +
    'more turns. A `state` token continues the conversation with only the new turns (same result as resending ' +
    'all). Text content: summary, then JSON.'
  );
}

type InfluencePair = NonNullable<ConversationOutput['influence']>['pairs'][number];

/** One direction in the text: the follow slope with its interval and test, and the transfer entropy when computed. */
function influenceLine(p: InfluencePair): string {
  const f = p.follow;
  const slope =
    f.slope === null || f.interval_95 === null || f.p_value === null
      ? `no slope (${f.reason})`
      : `${p.to} follows ${p.from} by ${round3(f.slope)} bins per bin [95 % ${round3(f.interval_95[0])}, ` +
        `${round3(f.interval_95[1])}], p ${round3(f.p_value)} ${f.test}`;
  const te =
    p.transfer_entropy === undefined || p.p_value === undefined
      ? ''
      : `, TE ${round3(p.transfer_entropy)} bits p ${round3(p.p_value)}`;
  return `influence ${p.from}→${p.to}: ${slope}${te} (${p.samples} pairs)`;
}

export const analyzeConversationTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_conversation',
  title: "Analyse a conversation: speakers' emotions over time, shifts and influence (English, Korean)",
  description: describeConversation(null),
  describe: describeConversation,
  input,
  output,
  cache: 'args+model',
  handler: async (args, ctx) => presentConversation(await computeConversation(args, ctx)),
};
