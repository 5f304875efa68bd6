// analyze_emotion: emotions of English or Korean text from the shipped model (issue 6; mappings in docs/emotion.md).
// Issue 15 options — detail, granularity, explain — are read by src/tools/emotion_reading.ts.
import { z } from 'zod';
import { emotionProfile, type EmotionProfile } from '../analysis/emotion/index.js';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS } from '../core/limits.js';
import type { ModelInfo } from '../core/model.js';
import { round3, round4 } from '../core/numbers.js';
import {
  checkExplainLimits,
  checkResponseSize,
  detailParam,
  explainParam,
  explainText,
  explanationSchema,
  fullResult,
  granularityParam,
  sentenceResults,
  sentenceSchema,
  shape,
  standardResult,
  summaryResult,
  type Explanation,
} from './emotion_reading.js';
import { engineFor } from './text-input.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

const input = z.object({
  text: z.string().min(1).max(MAX_TEXT_CHARS).optional().describe(`One text to analyse (1..${MAX_TEXT_CHARS} characters). Give exactly one of text / texts.`),
  texts: z.array(z.string().min(1).max(MAX_TEXT_CHARS)).min(1).max(MAX_BATCH_TEXTS).optional().describe(`Several texts (1..${MAX_BATCH_TEXTS}), analysed in one batch; results keep their order.`),
  language: z.enum(['auto', 'en', 'ko']).default('auto').describe('auto: Korean when the text is mostly Hangul, otherwise English.'),
  top_k: z.number().int().min(1).max(44).default(5).describe('How many native-taxonomy labels to list per text (1..44).'),
  threshold: z.number().min(0).max(1).optional().describe('One decision threshold for every label; default: the model\'s per-label thresholds tuned on dev data.'),
  detail: detailParam('standard'),
  granularity: granularityParam,
  explain: explainParam,
});

const extras = {
  sentences: z.array(sentenceSchema).optional().describe('granularity "sentence": each sentence with UTF-16 offsets and its emotion at the same detail'),
  explanation: explanationSchema.optional().describe('explain: spans that drive the top labels'),
};
/** One text's result at detail full, standard or summary, with the optional sentences and explanation. */
const result = z.union([fullResult.extend(extras), standardResult.extend(extras), summaryResult.extend(extras)]);

const output = z.object({
  results: z.array(result),
  model: z.object({ id: z.string(), version: z.string(), sha256: z.string().describe('first 12 hex digits') }),
  cached: z.boolean(),
  elapsed_ms: z.number().nonnegative(),
});

type Args = z.infer<typeof input>;
export type EmotionOutput = z.infer<typeof output>;
export type EmotionResultItem = EmotionOutput['results'][number];

/** What the model said about each text, as emotion profiles (rounded to 4 decimals for reading), shaped per detail. */
export interface EmotionResult {
  profiles: EmotionProfile[];
  /** Each text's result at the requested detail, with sentences / explanation when asked for. */
  results: Array<Record<string, unknown>>;
  detail: Args['detail'];
  model: ModelInfo;
  elapsedMs: number;
}

export async function computeEmotion(args: Args, ctx: ToolContext): Promise<EmotionResult> {
  if ((args.text === undefined) === (args.texts === undefined)) {
    throw new ToolError('invalid_input', 'give exactly one of `text` or `texts`');
  }
  const texts = args.texts ?? [args.text as string];
  if (args.explain) checkExplainLimits(texts);
  const engine = await engineFor(ctx, texts.map((text, i) => ({ name: `text ${i}`, text })));
  const t0 = performance.now();
  const analyses = await engine.analyze(texts, { language: args.language, signal: ctx.signal });
  // numbers rounded to 4 decimals for readability (decisions are made on the unrounded values)
  const profiles = analyses.map((a) => round4(emotionProfile(a, engine.model, { topK: args.top_k, threshold: args.threshold })));
  const opts = { topK: args.top_k, threshold: args.threshold, detail: args.detail };
  const results: Array<Record<string, unknown>> =
    args.detail === 'standard' ? profiles.map((p) => ({ ...p })) : analyses.map((a) => shape(a, engine.model, opts));
  // Progress only for the optional long work (a plain call stays one step, as before).
  const steps = (args.granularity === 'sentence' ? 1 : 0) + (args.explain ? texts.length : 0);
  let done = 0;
  if (args.granularity === 'sentence') {
    const sentences = await sentenceResults(engine, texts, analyses, opts, ctx.signal);
    sentences.forEach((s, i) => (results[i].sentences = s));
    await ctx.progress(++done, steps, 'sentences read');
  }
  if (args.explain) {
    for (let i = 0; i < texts.length; i++) {
      throwIfCancelled(ctx.signal);
      results[i].explanation = (await explainText(engine, texts[i], analyses[i], ctx.signal)) satisfies Explanation;
      await ctx.progress(++done, steps, `text ${i} explained`);
    }
  }
  return { profiles, results, detail: args.detail, model: engine.model, elapsedMs: performance.now() - t0 };
}

export function presentEmotion(r: EmotionResult): ToolOutput<EmotionOutput> {
  const profiles = r.profiles;
  const summary = profiles
    .slice(0, 3)
    .map((p, i) => {
      const det = p.detected.slice(0, 3).map((d) => `${d.label} ${round3(d.score)}`).join(', ') || 'none over threshold';
      return `${profiles.length > 1 ? `[${i}] ` : ''}${p.language}: ${det}; Ekman ${p.ekman.dominant} ${round3(p.ekman.scores[p.ekman.dominant])}; ${p.sentiment.label}; valence ${round3(p.valence)}, arousal ${round3(p.arousal)}`;
    })
    .concat(profiles.length > 3 ? [`… ${profiles.length - 3} more`] : [])
    .join('\n');
  const structured = {
    results: r.results as EmotionResultItem[],
    model: { id: r.model.id, version: r.model.version, sha256: r.model.sha256.slice(0, 12) },
    cached: false,
    elapsed_ms: Math.round(r.elapsedMs * 100) / 100,
  };
  checkResponseSize(structured, 'send fewer texts', r.detail);
  return { structured, summary };
}

export const analyzeEmotionTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_emotion',
  title: 'Analyse emotions in text (English, Korean)',
  description:
    'Emotion analysis of English or Korean text with the shipped ONNX model. For each text returns GoEmotions (28, English) ' +
    'or KOTE (44, Korean) label probabilities, detected labels, an Ekman-7 projection, sentiment, valence (−1..1), ' +
    `arousal (0..1), and 정/한/체면 composite indices with their formulas. Give \`text\` or \`texts\` (up to ${MAX_BATCH_TEXTS}). ` +
    'Optional: detail (summary | standard | full) to size each result, granularity "sentence" for per-sentence results with ' +
    'offsets, explain for the words that drive the top labels.',
  input,
  output,
  cache: 'args+model',
  handler: async (args, ctx) => presentEmotion(await computeEmotion(args, ctx)),
};
