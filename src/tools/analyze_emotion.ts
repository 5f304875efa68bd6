// analyze_emotion: emotions of English or Korean text from the shipped model (issue 6; mappings in docs/emotion.md).
import { z } from 'zod';
import { emotionProfile, type EmotionProfile } from '../analysis/emotion/index.js';
import { ToolError } from '../core/errors.js';
import { EKMAN, SENTIMENTS } from '../core/labels.js';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS } from '../core/limits.js';
import type { ModelInfo } from '../core/model.js';
import { round3, round4 } from '../core/numbers.js';
import { engineFor } from './text-input.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

const input = z.object({
  text: z.string().min(1).max(MAX_TEXT_CHARS).optional().describe(`One text to analyse (1..${MAX_TEXT_CHARS} characters). Give exactly one of text / texts.`),
  texts: z.array(z.string().min(1).max(MAX_TEXT_CHARS)).min(1).max(MAX_BATCH_TEXTS).optional().describe(`Several texts (1..${MAX_BATCH_TEXTS}), analysed in one batch; results keep their order.`),
  language: z.enum(['auto', 'en', 'ko']).default('auto').describe('auto: Korean when the text is mostly Hangul, otherwise English.'),
  top_k: z.number().int().min(1).max(44).default(5).describe('How many native-taxonomy labels to list per text (1..44).'),
  threshold: z.number().min(0).max(1).optional().describe('One decision threshold for every label; default: the model\'s per-label thresholds tuned on dev data.'),
});

const labelScore = z.object({ label: z.string(), score: z.number().min(0).max(1) });
const prob = z.number().min(0).max(1);

const result = z.object({
  language: z.enum(['en', 'ko']),
  taxonomy: z.enum(['goemotions', 'kote']).describe('goemotions (28 labels) for English, kote (44 labels) for Korean'),
  labels: z.array(labelScore).describe('Native-taxonomy labels, highest first, at most top_k'),
  detected: z.array(labelScore.extend({ threshold: prob })).describe('Labels whose probability reaches the threshold'),
  dominant: labelScore.describe('The highest-scoring native label'),
  ekman: z.object({
    scores: z.object(Object.fromEntries(EKMAN.map((e) => [e, prob])) as Record<(typeof EKMAN)[number], typeof prob>),
    dominant: z.enum(EKMAN),
    sources: z.array(z.enum(['goemotions', 'kote'])),
  }).describe('Ekman-7 projection (sums to 1); see docs/emotion.md'),
  sentiment: z.object({
    label: z.enum(SENTIMENTS),
    score: prob,
    scores: z.object(Object.fromEntries(SENTIMENTS.map((s) => [s, prob])) as Record<(typeof SENTIMENTS)[number], typeof prob>),
    positive_probability: prob.describe('P(positive) from the polarity head'),
  }),
  valence: z.number().min(-1).max(1),
  arousal: z.number().min(0).max(1),
  cultural: z.object({
    jeong: z.object({ score: prob, formula: z.string() }),
    han: z.object({ score: prob, formula: z.string() }),
    chemyeon: z.object({ score: prob, formula: z.string() }),
  }).describe('정 / 한 / 체면 composite indices (heuristic, documented formulas; not validated scales)'),
  tokens: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  truncated: z.boolean(),
});

const output = z.object({
  results: z.array(result),
  model: z.object({ id: z.string(), version: z.string(), sha256: z.string().describe('first 12 hex digits') }),
  cached: z.boolean(),
  elapsed_ms: z.number().nonnegative(),
});

type Args = z.infer<typeof input>;
export type EmotionOutput = z.infer<typeof output>;

/** What the model said about each text, as emotion profiles (rounded to 4 decimals for reading). */
export interface EmotionResult {
  profiles: EmotionProfile[];
  model: ModelInfo;
  elapsedMs: number;
}

export async function computeEmotion(args: Args, ctx: ToolContext): Promise<EmotionResult> {
  if ((args.text === undefined) === (args.texts === undefined)) {
    throw new ToolError('invalid_input', 'give exactly one of `text` or `texts`');
  }
  const texts = args.texts ?? [args.text as string];
  const engine = await engineFor(ctx, texts.map((text, i) => ({ name: `text ${i}`, text })));
  const t0 = performance.now();
  const analyses = await engine.analyze(texts, { language: args.language, signal: ctx.signal });
  // numbers rounded to 4 decimals for readability (decisions are made on the unrounded values)
  const profiles = analyses.map((a) => round4(emotionProfile(a, engine.model, { topK: args.top_k, threshold: args.threshold })));
  return { profiles, model: engine.model, elapsedMs: performance.now() - t0 };
}

export function presentEmotion(r: EmotionResult): ToolOutput<EmotionOutput> {
  const results = r.profiles;
  const summary = results
    .slice(0, 3)
    .map((p, i) => {
      const det = p.detected.slice(0, 3).map((d) => `${d.label} ${round3(d.score)}`).join(', ') || 'none over threshold';
      return `${results.length > 1 ? `[${i}] ` : ''}${p.language}: ${det}; Ekman ${p.ekman.dominant} ${round3(p.ekman.scores[p.ekman.dominant])}; ${p.sentiment.label}; valence ${round3(p.valence)}, arousal ${round3(p.arousal)}`;
    })
    .concat(results.length > 3 ? [`… ${results.length - 3} more`] : [])
    .join('\n');
  return {
    structured: {
      results,
      model: { id: r.model.id, version: r.model.version, sha256: r.model.sha256.slice(0, 12) },
      cached: false,
      elapsed_ms: Math.round(r.elapsedMs * 100) / 100,
    },
    summary,
  };
}

export const analyzeEmotionTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_emotion',
  title: 'Analyse emotions in text (English, Korean)',
  description:
    'Emotion analysis of English or Korean text with the shipped ONNX model. For each text returns GoEmotions (28, English) ' +
    'or KOTE (44, Korean) label probabilities, detected labels, an Ekman-7 projection, sentiment, valence (−1..1), ' +
    `arousal (0..1), and 정/한/체면 composite indices with their formulas. Give \`text\` or \`texts\` (up to ${MAX_BATCH_TEXTS}).`,
  input,
  output,
  cache: 'args+model',
  handler: async (args, ctx) => presentEmotion(await computeEmotion(args, ctx)),
};
