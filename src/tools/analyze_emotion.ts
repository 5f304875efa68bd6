// analyze_emotion: emotions of English or Korean text from the shipped model (issue 6; mappings in docs/emotion.md).
import { z } from 'zod';
import { emotionProfile } from '../analysis/emotion/index.js';
import { EKMAN, SENTIMENTS } from '../core/labels.js';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import type { ToolDefinition } from './types.js';

const MAX_CHARS = 20_000;
const MAX_TEXTS = 64;

const input = z.object({
  text: z.string().min(1).max(MAX_CHARS).optional().describe('One text to analyse (1..20000 characters). Give exactly one of text / texts.'),
  texts: z.array(z.string().min(1).max(MAX_CHARS)).min(1).max(MAX_TEXTS).optional().describe('Several texts (1..64), analysed in one batch; results keep their order.'),
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

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function round4<T>(v: T): T {
  if (typeof v === 'number') return (Math.round(v * 1e4) / 1e4) as T;
  if (Array.isArray(v)) return v.map(round4) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round4(x)])) as T;
  return v;
}

export const analyzeEmotionTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_emotion',
  title: 'Analyse emotions in text (English, Korean)',
  description:
    'Emotion analysis of English or Korean text with the shipped ONNX model. For each text returns GoEmotions (28, English) ' +
    'or KOTE (44, Korean) label probabilities, detected labels, an Ekman-7 projection, sentiment, valence (−1..1), ' +
    'arousal (0..1), and 정/한/체면 composite indices with their formulas. Give `text` or `texts` (up to 64).',
  input,
  output,
  cache: 'args+model',
  async handler(args, ctx) {
    if ((args.text === undefined) === (args.texts === undefined)) {
      throw new ToolError('invalid_input', 'give exactly one of `text` or `texts`');
    }
    const texts = args.texts ?? [args.text as string];
    const limits = ctx.services.limits;
    if (texts.length > limits.maxBatchTexts) {
      throw new ToolError('limit_exceeded', `${texts.length} texts exceed the limit of ${limits.maxBatchTexts} (--max-batch-texts)`);
    }
    texts.forEach((t, i) => {
      if (t.length > limits.maxTextChars) {
        throw new ToolError('limit_exceeded', `text ${i} has ${t.length} characters; the limit is ${limits.maxTextChars} (--max-text-chars)`);
      }
    });
    const engine = await ctx.services.engine.require();
    throwIfCancelled(ctx.signal);
    const t0 = performance.now();
    const analyses = await engine.analyze(texts, { language: args.language, signal: ctx.signal });
    const model = engine.model;
    // numbers rounded to 4 decimals for readability (decisions are made on the unrounded values)
    const results = analyses.map((a) => round4(emotionProfile(a, model, { topK: args.top_k, threshold: args.threshold })));
    const elapsed = performance.now() - t0;
    const summary = results
      .slice(0, 3)
      .map((r, i) => {
        const det = r.detected.slice(0, 3).map((d) => `${d.label} ${r3(d.score)}`).join(', ') || 'none over threshold';
        return `${texts.length > 1 ? `[${i}] ` : ''}${r.language}: ${det}; Ekman ${r.ekman.dominant} ${r3(r.ekman.scores[r.ekman.dominant])}; ${r.sentiment.label}; valence ${r3(r.valence)}, arousal ${r3(r.arousal)}`;
      })
      .concat(results.length > 3 ? [`… ${results.length - 3} more`] : [])
      .join('\n');
    return {
      structured: {
        results,
        model: { id: model.id, version: model.version, sha256: model.sha256.slice(0, 12) },
        cached: false,
        elapsed_ms: Math.round(elapsed * 100) / 100,
      },
      summary,
    };
  },
};
