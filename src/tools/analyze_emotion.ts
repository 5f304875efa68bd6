// analyze_emotion: emotions of text in the languages the model reads (en, ko; zh, ja with a v2 model) from the
// shipped model (issues 6, 14; mappings in docs/emotion.md).
// Issue 15 options — detail, granularity, explain — are read by src/tools/emotion_reading.ts.
import { z } from 'zod';
import { emotionProfile, type EmotionProfile } from '../analysis/emotion/index.js';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS } from '../core/limits.js';
import { LANGUAGE_CODES, type ModelInfo } from '../core/model.js';
import { round3, round4 } from '../core/numbers.js';
import {
  checkExplainLimits,
  sizedOutput,
  detailParam,
  explainParam,
  explainText,
  explanationSchema,
  fullResult,
  granularityParam,
  sentenceResults,
  sentenceSchema,
  shapeProfile,
  standardResult,
  summaryResult,
  type Explanation,
} from './emotion_reading.js';
import { emptyTextError, engineFor, isEmptyText, languageRefusal, refusalError, textArg, type LanguageRefusal } from './text-input.js';
import { memoryFor } from './memory-input.js';
import { memoryBlockSchema, memoryBlocks } from './memory-reading.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

const input = z.object({
  text: textArg(`One text to analyse (1..${MAX_TEXT_CHARS} characters, counted as Unicode code points). Give exactly one of text / texts.`).optional(),
  texts: z.array(textArg(`1..${MAX_TEXT_CHARS} characters (Unicode code points)`)).min(1).max(MAX_BATCH_TEXTS).optional().describe(`Several texts (1..${MAX_BATCH_TEXTS}), analysed in one batch; results keep their order. An empty text (only whitespace, BOMs, zero-width characters) gets {error: {code: 'empty_text'}} in its place.`),
  language: z
    .enum(['auto', ...LANGUAGE_CODES])
    .default('auto')
    .describe('auto: identified per text (docs/language.md); en, ko, zh, ja: read the text as that language. A language the model does not read (its manifest\'s languages, listed in red-heart://status; model 1.3.0 reads en and ko) is refused with unsupported_language.'),
  top_k: z.number().int().min(1).max(44).default(5).describe('How many native-taxonomy labels to list per text (1..44).'),
  threshold: z.number().min(0).max(1).optional().describe('One decision threshold for every label; default: the model\'s per-label thresholds tuned on dev data.'),
  detail: detailParam('standard'),
  granularity: granularityParam,
  explain: explainParam,
  memory: z.boolean().optional().describe('Add a memory block: the nearest labelled cases of the experience memory and the labels they vote for (needs the server to run with --memory; docs/memory.md)'),
});

const extras = {
  sentences: z.array(sentenceSchema).optional().describe('granularity "sentence": each sentence with UTF-16 offsets and its emotion at the same detail'),
  explanation: explanationSchema.optional().describe('explain: spans that drive the top labels'),
  memory: memoryBlockSchema.optional(),
};
/** One text's result at detail full, standard or summary, with the optional sentences and explanation. */
const result = z.union([fullResult.extend(extras), standardResult.extend(extras), summaryResult.extend(extras)]);
/** A text of a batch that was refused on its own (the other texts are still analysed). */
const itemError = z.union([
  z.object({ error: z.object({ code: z.literal('empty_text'), message: z.string() }) }),
  z.object({
    error: z.object({
      code: z.literal('unsupported_language'),
      message: z.string(),
      detected: z.string().describe('ISO 639-1 code identified (und: none)'),
      confidence: z.number().min(0).max(1),
      supported: z.array(z.string()).describe('languages the model reads'),
    }),
  }).describe('not analysed: the text is in a language the model does not read (docs/language.md)'),
]);

const output = z.object({
  results: z.array(z.union([result, itemError])).describe('one entry per text, in order: its analysis, or {error} for a text refused on its own'),
  model: z.object({ id: z.string(), version: z.string(), sha256: z.string().describe('first 12 hex digits') }),
  cached: z.boolean(),
  elapsed_ms: z.number().nonnegative(),
});

type Args = z.infer<typeof input>;
export type EmotionOutput = z.infer<typeof output>;
export type EmotionResultItem = EmotionOutput['results'][number];
export type ItemError = z.infer<typeof itemError>;

/** What the model said about each text, as emotion profiles (rounded to 4 decimals for reading) shaped per detail, or why a text was refused. */
export interface EmotionResult {
  profiles: Array<EmotionProfile | ItemError>;
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
  if (args.memory) memoryFor(ctx); // refused before any model work when memory is off
  const texts = args.texts ?? [args.text as string];
  const named = texts.map((text, i) => ({ name: `text ${i}`, text }));
  // An empty text is refused on its own: the whole call when it is the one `text`, only its entry in a batch.
  const nonEmpty = args.texts ? named.filter((t) => !isEmptyText(t.text)) : named;
  if (args.explain) checkExplainLimits(nonEmpty.map((t) => t.text));
  const engine = await engineFor(ctx, nonEmpty, { language: args.language, perItem: true });
  // A text in a language the model does not read is refused on its own too (docs/language.md); the one `text` fails the call.
  const unreadable = new Map<string, LanguageRefusal>();
  for (const t of nonEmpty) {
    const r = languageRefusal(engine, t.text, args.language);
    if (r && !args.texts) throw refusalError('text', r);
    if (r) unreadable.set(t.name, r);
  }
  const candidates = nonEmpty.filter((t) => !unreadable.has(t.name));
  const t0 = performance.now();
  const read = candidates.length ? await engine.analyze(candidates.map((t) => t.text), { language: args.language, signal: ctx.signal }) : [];
  // a text of characters the tokenizer drops entirely (e.g. only control characters) gives the model nothing
  const refusals = new Map<string, ToolError>();
  for (const t of named) {
    const i = candidates.indexOf(t);
    if (unreadable.has(t.name)) continue;
    if (i < 0) refusals.set(t.name, emptyTextError(t.name));
    else if (read[i].tokens === 0) refusals.set(t.name, new ToolError('empty_text', `${t.name} has no tokens after tokenisation: there is nothing to analyse`));
  }
  if (!args.texts && refusals.size > 0) throw refusals.values().next().value as ToolError;
  const kept = candidates.filter((t) => !refusals.has(t.name));
  const analyses = read.filter((_, i) => !refusals.has(candidates[i].name));
  // numbers rounded to 4 decimals for readability (decisions are made on the unrounded values)
  const opts = { topK: args.top_k, threshold: args.threshold, detail: args.detail };
  const unrounded = analyses.map((a) => emotionProfile(a, engine.model, { topK: args.top_k, threshold: args.threshold }));
  const keptProfiles = unrounded.map((p) => round4(p));
  const keptResults = unrounded.map((p, i) => shapeProfile(p, analyses[i], engine.model, opts));
  // Progress only for the optional long work (a plain call stays one step, as before).
  const steps = (args.granularity === 'sentence' ? 1 : 0) + (args.explain ? kept.length : 0);
  let done = 0;
  if (args.granularity === 'sentence') {
    const sentences = await sentenceResults(engine, kept.map((t) => t.text), analyses, opts, ctx.signal);
    sentences.forEach((s, i) => (keptResults[i].sentences = s));
    await ctx.progress(++done, steps, 'sentences read');
  }
  if (args.explain) {
    for (let i = 0; i < kept.length; i++) {
      throwIfCancelled(ctx.signal);
      keptResults[i].explanation = (await explainText(engine, kept[i].text, analyses[i], ctx.signal)) satisfies Explanation;
      await ctx.progress(++done, steps, `text ${i} explained`);
    }
  }
  if (args.memory) (await memoryBlocks(ctx, kept.map((t) => t.text))).forEach((b, i) => (keptResults[i].memory = b));
  const profiles: Array<EmotionProfile | ItemError> = [];
  const results: Array<Record<string, unknown>> = [];
  for (const t of named) {
    const language = unreadable.get(t.name);
    const refused = refusals.get(t.name);
    if (language) {
      const entry = { error: round4(language) };
      profiles.push(entry);
      results.push(entry);
    } else if (refused) {
      const entry = { error: { code: 'empty_text' as const, message: refused.message } };
      profiles.push(entry);
      results.push(entry);
    } else {
      const k = kept.indexOf(t);
      profiles.push(keptProfiles[k]);
      results.push(keptResults[k]);
    }
  }
  return { profiles, results, detail: args.detail, model: engine.model, elapsedMs: performance.now() - t0 };
}

export function presentEmotion(r: EmotionResult): ToolOutput<EmotionOutput> {
  const profiles = r.profiles;
  const summary = profiles
    .slice(0, 3)
    .map((p, i) => {
      if ('error' in p) return `${profiles.length > 1 ? `[${i}] ` : ''}${p.error.code}: ${p.error.message}`;
      const det = p.detected.slice(0, 3).map((d) => `${d.label} ${round3(d.score)}`).join(', ') || 'none over threshold';
      const transfer = p.transfer ? ` [cross-lingual transfer, no ${p.language} training data: ${p.transfer.join(', ')}]` : '';
      return `${profiles.length > 1 ? `[${i}] ` : ''}${p.language}: ${det}; Ekman ${p.ekman.dominant} ${round3(p.ekman.scores[p.ekman.dominant])}; ${p.sentiment.label}; valence ${round3(p.valence)}, arousal ${round3(p.arousal)}${transfer}${p.note ? ` (${p.note})` : ''}`;
    })
    .concat(profiles.length > 3 ? [`… ${profiles.length - 3} more`] : [])
    .join('\n');
  const structured = {
    results: r.results as EmotionResultItem[],
    model: { id: r.model.id, version: r.model.version, sha256: r.model.sha256.slice(0, 12) },
    cached: false,
    elapsed_ms: Math.round(r.elapsedMs * 100) / 100,
  };
  return sizedOutput(structured, summary, 'send fewer texts', r.detail);
}

export const analyzeEmotionTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_emotion',
  title: 'Analyse emotions in text (English, Korean; Chinese, Japanese with a v2 model)',
  description:
    'Emotion analysis with the shipped ONNX model, in the languages its manifest lists (red-heart://status; 1.3.0: English, Korean). ' +
    'For each text returns GoEmotions (28, English; Japanese by cross-lingual transfer), KOTE (44, Korean) or CPED (13, Chinese) ' +
    'label probabilities, detected labels, an Ekman-7 projection, sentiment, valence (−1..1), ' +
    `arousal (0..1), 정/한/체면 composite indices with their formulas (en, ko) and Plutchik-8 (zh). Give \`text\` or \`texts\` (up to ${MAX_BATCH_TEXTS}). ` +
    'Optional: detail (summary | standard | full) to size each result, granularity "sentence" for per-sentence results with ' +
    'offsets, explain for the words that drive the top labels.',
  input,
  output,
  cache: 'args+model',
  uncachedIf: (args) => args.memory === true, // the memory changes between calls
  handler: async (args, ctx) => presentEmotion(await computeEmotion(args, ctx)),
};
