// analyze_conversation: a conversation read turn by turn — each turn's emotion, each speaker's smoothed
// trajectory and shifts, lag-1 influence between speakers, and a state token to continue later (issue 15;
// docs/conversation.md). The analysis itself is src/analysis/conversation (pure); this file reads the turns
// with the engine and presents the result.
import { z } from 'zod';
import {
  CONVERSATION_PARAMS,
  ConversationInputError,
  advance,
  emptyConversation,
  influenceReport,
  speakerReport,
  type TurnObservation,
} from '../analysis/conversation/index.js';
import { EKMAN, emotionProfile, type Ekman } from '../analysis/emotion/index.js';
import {
  checkExplainLimits,
  checkResponseSize,
  detailParam,
  explainParam,
  explainText,
  explanationSchema,
  round4,
  shape,
  shapedResult,
} from './emotion_reading.js';
import { decodeState, encodeState } from './conversation_state.js';
import { ToolError, throwIfCancelled, type ToolDefinition } from './types.js';

export const MAX_TURNS = 500;
const MAX_STATE_CHARS = 200_000;

const input = z.object({
  turns: z.array(z.object({
    speaker: z.string().min(1).max(100).describe('Who speaks (any name; the same name = the same speaker).'),
    text: z.string().min(1).max(20_000).describe('What they said (1..20000 characters).'),
    time: z.union([z.number(), z.string().min(1).max(64)]).optional().describe('When: seconds on any fixed clock (e.g. Unix time) or an ISO 8601 date-time. Times must not decrease.'),
  })).min(1).max(MAX_TURNS).describe(`The turns in order (1..${MAX_TURNS}). With \`state\`, only the turns after those the state covers.`),
  state: z.string().min(1).max(MAX_STATE_CHARS).optional().describe('The `state` returned by an earlier call on the same conversation: continue from there with only the new turns.'),
  language: z.enum(['auto', 'en', 'ko']).default('auto').describe('auto: per turn, Korean when the turn is mostly Hangul, otherwise English.'),
  detail: detailParam('summary'),
  top_k: z.number().int().min(1).max(44).default(5).describe('Labels listed per turn at detail standard/full (1..44).'),
  threshold: z.number().min(0).max(1).optional().describe('One decision threshold for every label; default: the tuned per-label thresholds.'),
  explain: explainParam,
});

const prob = z.number().min(0).max(1);
const emotionPoint = z.object({
  valence: z.number().min(-1).max(1),
  arousal: z.number().min(0).max(1),
  ekman: z.object(Object.fromEntries(EKMAN.map((e) => [e, prob])) as Record<Ekman, typeof prob>).optional().describe('smoothed Ekman-7 scores (omitted at detail summary)'),
  ekman_dominant: z.enum(EKMAN),
});

const output = z.object({
  turns: z.array(z.object({
    index: z.number().int().nonnegative().describe('position in the whole conversation (continues across calls with state)'),
    speaker: z.string(),
    time: z.number().nullable().describe('seconds, as given or parsed from ISO 8601'),
    emotion: shapedResult,
    explanation: explanationSchema.optional(),
  })),
  speakers: z.record(z.string(), z.object({
    turns: z.number().int().positive().describe('turns of this speaker in the whole conversation'),
    language: z.enum(['en', 'ko']).describe('language of the latest turn'),
    current: emotionPoint.describe('smoothed state after the latest turn'),
    dominant: z.array(z.object({ emotion: z.enum(EKMAN), mean: prob })).describe('Ekman classes by mean score over all turns, top 3'),
    shifts: z.number().int().nonnegative().describe('shifts in the whole conversation'),
    summary: z.string(),
    trajectory: z.array(emotionPoint.extend({ turn: z.number().int().nonnegative(), gain: prob.describe('Kalman gain at this turn') }))
      .describe('smoothed state after each of this speaker\'s turns in this call'),
  })),
  shifts: z.array(z.object({
    speaker: z.string(),
    turn: z.number().int().nonnegative().describe('first turn of the new state'),
    detected_at: z.number().int().nonnegative().describe('turn at which the CUSUM statistic crossed h'),
    triggers: z.array(z.object({ dimension: z.enum(['valence', 'arousal']), direction: z.enum(['up', 'down']), statistic: z.number() })),
    before: emotionPoint,
    after: emotionPoint,
  })).describe('shifts detected in this call\'s turns'),
  influence: z.object({
    lag: z.literal(1),
    bins: z.object({ en: z.array(z.number()), ko: z.array(z.number()) }).describe('inner valence bin edges per language'),
    pairs: z.array(z.object({
      from: z.string(),
      to: z.string(),
      samples: z.number().int().positive(),
      transfer_entropy: z.number().nonnegative().describe('bits: I(to_t; from_{t−1} | to_prev)'),
      p_value: prob.describe('permutation test, from\'s bins shuffled'),
      permutations: z.number().int().positive(),
      surd: z.object({ unique_from: z.number(), unique_self: z.number(), redundant: z.number(), synergistic: z.number(), mutual_information: z.number() })
        .describe('SURD of I(to_t; from_{t−1}, to_prev), bits'),
    })),
    insufficient: z.array(z.object({ from: z.string(), to: z.string(), samples: z.number().int().nonnegative() })),
  }).nullable(),
  influence_reason: z.string().nullable().describe('why influence is null'),
  state: z.string().describe('opaque token: pass it back with only the new turns to continue this conversation'),
  model: z.object({ id: z.string(), version: z.string(), sha256: z.string() }),
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
  if (Number.isNaN(ms)) throw new ToolError('invalid_input', `turns[${index}].time '${time}' is neither seconds nor an ISO 8601 date-time`);
  return ms / 1000;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export const analyzeConversationTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_conversation',
  title: 'Analyse a conversation: speakers\' emotions over time, shifts and influence (English, Korean)',
  description:
    'A conversation of 1..500 turns [{speaker, text, time?}]: each turn\'s emotion (detail summary by default), each speaker\'s ' +
    'valence / arousal / Ekman trajectory smoothed by a Kalman filter with the dominant emotions and a summary, shifts in a ' +
    'speaker\'s state (CUSUM change detection, with before/after), and whether one speaker\'s valence follows another\'s at lag 1 ' +
    `(transfer entropy + SURD, from ${CONVERSATION_PARAMS.influence.minPairs} response pairs on). Returns a \`state\` token: ` +
    'send it back with only the new turns to continue, with the same result as sending the whole conversation.',
  input,
  output,
  cache: 'args+model',
  async handler(args, ctx) {
    const limits = ctx.services.config.limits;
    args.turns.forEach((t, i) => {
      if (t.text.length > limits.maxTextChars) {
        throw new ToolError('limit_exceeded', `turns[${i}].text has ${t.text.length} characters; the limit is ${limits.maxTextChars} (--max-text-chars)`);
      }
    });
    const texts = args.turns.map((t) => t.text);
    if (args.explain) checkExplainLimits(texts);
    const times = args.turns.map((t, i) => seconds(t.time, i));
    const engine = await ctx.services.engine.require();
    const model = engine.model;
    const binding = model.sha256.slice(0, 12);
    const t0 = performance.now();
    try {
      const start = args.state ? decodeState(args.state, binding) : emptyConversation();
      throwIfCancelled(ctx.signal);
      const analyses = await engine.analyze(texts, { language: args.language, signal: ctx.signal });
      const explainSteps = args.explain ? texts.length : 0;
      const totalSteps = 1 + explainSteps;
      await ctx.progress(1, totalSteps, `${texts.length} turns read`);
      const observations: TurnObservation[] = analyses.map((a, i) => {
        const p = emotionProfile(a, model, { topK: 1 });
        return { speaker: args.turns[i].speaker, language: a.language, valence: p.valence, arousal: p.arousal, ekman: p.ekman.scores, time: times[i] };
      });
      const run = advance(start, observations);
      const opts = { topK: args.top_k, threshold: args.threshold, detail: args.detail };
      const turns: z.infer<typeof output>['turns'] = [];
      for (let i = 0; i < texts.length; i++) {
        const turn: z.infer<typeof output>['turns'][number] = {
          index: start.turns + i,
          speaker: args.turns[i].speaker,
          time: times[i],
          emotion: shape(analyses[i], model, opts) as z.infer<typeof output>['turns'][number]['emotion'],
        };
        if (args.explain) {
          throwIfCancelled(ctx.signal);
          turn.explanation = await explainText(engine, texts[i], analyses[i], ctx.signal);
          await ctx.progress(2 + i, totalSteps, `turn ${start.turns + i} explained`);
        }
        turns.push(turn);
      }
      const withEkman = args.detail !== 'summary';
      const pointOut = <P extends { ekman: Record<Ekman, number> }>(p: P) => {
        const { ekman, ...rest } = p;
        return withEkman ? { ...rest, ekman } : rest;
      };
      const speakers: z.infer<typeof output>['speakers'] = {};
      for (const s of run.state.speakers) {
        const rep = speakerReport(s);
        speakers[s.name] = round4({
          ...rep,
          current: pointOut(rep.current),
          trajectory: run.points.filter((p) => p.speaker === s.name).map(({ speaker: _, ...p }) => pointOut(p)),
        });
      }
      const shifts = run.shifts.map((s) => round4({ ...s, before: pointOut(s.before), after: pointOut(s.after) }));
      const inf = influenceReport(run.state);
      const influence = inf.influence && {
        lag: 1 as const,
        bins: { en: [...CONVERSATION_PARAMS.influence.edges.en], ko: [...CONVERSATION_PARAMS.influence.edges.ko] },
        pairs: inf.influence.pairs.map((p) => round4({
          from: p.from, to: p.to, samples: p.samples, transfer_entropy: p.transferEntropy, p_value: p.pValue, permutations: p.permutations,
          surd: { unique_from: p.uniqueFrom, unique_self: p.uniqueSelf, redundant: p.redundant, synergistic: p.synergistic, mutual_information: p.mutualInformation },
        })),
        insufficient: inf.influence.insufficient,
      };
      const structured = {
        turns,
        speakers,
        shifts,
        influence,
        influence_reason: inf.reason,
        state: encodeState(run.state, binding),
        model: { id: model.id, version: model.version, sha256: binding },
        elapsed_ms: Math.round((performance.now() - t0) * 100) / 100,
      };
      checkResponseSize(structured, 'turns per call (continue with `state`)', args.detail);
      const summary = [
        ...Object.values(speakers).map((s) => s.summary),
        ...shifts.slice(0, 3).map((s) => `shift: ${s.speaker} at turn ${s.turn} (${s.triggers.map((t) => `${t.dimension} ${t.direction}`).join(', ')}): ${s.before.ekman_dominant} ${r3(s.before.valence)} → ${s.after.ekman_dominant} ${r3(s.after.valence)}`),
        influence
          ? influence.pairs.map((p) => `influence ${p.from}→${p.to}: TE ${r3(p.transfer_entropy)} bits, p ${r3(p.p_value)} (${p.samples} pairs)`).join('; ')
          : `influence: ${inf.reason}`,
      ].join('\n');
      return { structured, summary };
    } catch (err) {
      if (err instanceof ConversationInputError) throw new ToolError('invalid_input', err.message);
      throw err;
    }
  },
};
