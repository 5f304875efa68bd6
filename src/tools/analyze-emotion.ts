// analyze_emotion: emotions of text in the languages the model reads (en, ko; zh, ja with a v2 model) from the
// shipped model (mappings in docs/emotion.md).
// The options detail, granularity and explain are read by src/tools/emotion-reading.ts.
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
  sentenceSpans,
  sentenceSchema,
  shapeProfile,
  standardResult,
  summaryResult,
  thresholdParam,
  type ShapedText,
} from './emotion-reading.js';
import { admitTexts, decideTexts, readPlan, refusalToError, type Reading } from './reading/pipeline.js';
import { isEmptyText, textArg } from './text-input.js';
import { hasHead, readsSentence, taxonomies } from './model-facts.js';
import type { ServedModel, ToolContext, ToolDefinition, ToolOutput } from './types.js';
import { modelBlock, modelBlockSchema } from './model-block.js';
import { memoryFor } from './memory-input.js';
import { memoryBlockSchema, memoryBlocks } from './memory-reading.js';

const input = z.object({
  text: textArg(
    `One text to analyse (1..${MAX_TEXT_CHARS} characters, counted as Unicode code points). Give exactly one of text / texts.`,
  ).optional(),
  texts: z
    .array(textArg(`1..${MAX_TEXT_CHARS} characters (Unicode code points)`))
    .min(1)
    .max(MAX_BATCH_TEXTS)
    .optional()
    .describe(
      `Several texts (1..${MAX_BATCH_TEXTS}), analysed in one batch; results keep their order. An empty ` +
        `text (only whitespace, BOMs, zero-width characters) gets {error: {code: 'empty_text'}} in its place.`,
    ),
  language: z
    .enum(['auto', ...LANGUAGE_CODES])
    .default('auto')
    .describe(
      'auto: identified per text (docs/language.md); en, ko, zh, ja: read the text as that language. A ' +
        "language the model does not read (the tool description lists the served model's languages) is " +
        'refused with unsupported_language.',
    ),
  top_k: z
    .number()
    .int()
    .min(1)
    .max(44)
    .default(5)
    .describe('How many native-taxonomy labels to list per text (1..44).'),
  threshold: thresholdParam,
  detail: detailParam('standard'),
  granularity: granularityParam,
  explain: explainParam,
  memory: z
    .boolean()
    .optional()
    .describe(
      'Add a memory block: the nearest labelled cases of the experience memory and the labels they vote ' +
        'for (needs the server to run with --memory; docs/memory.md)',
    ),
});

const extras = {
  sentences: z
    .array(sentenceSchema)
    .optional()
    .describe('granularity "sentence": each sentence with UTF-16 offsets and its emotion at the same detail'),
  explanation: explanationSchema.optional().describe('explain: spans that drive the top labels'),
  memory: memoryBlockSchema.optional(),
};
/** One text's result at detail full, standard or summary, with the optional sentences and explanation. */
const result = z.union([fullResult.extend(extras), standardResult.extend(extras), summaryResult.extend(extras)]);
/** A text of a batch that was refused on its own (the other texts are still analysed). */
const itemError = z.union([
  z.object({ error: z.object({ code: z.literal('empty_text'), message: z.string() }) }),
  z
    .object({
      error: z.object({
        code: z.literal('unsupported_language'),
        message: z.string(),
        detected: z.string().describe('ISO 639-1 code identified (und: none)'),
        confidence: z.number().min(0).max(1),
        supported: z.array(z.string()).describe('languages the model reads'),
      }),
    })
    .describe('not analysed: the text is in a language the model does not read (docs/language.md)'),
]);

const output = z.object({
  results: z
    .array(z.union([result, itemError]))
    .describe('one entry per text, in order: its analysis, or {error} for a text refused on its own'),
  model: modelBlockSchema,
  cached: z.boolean(),
  elapsed_ms: z.number().nonnegative(),
});

type Args = z.infer<typeof input>;
export type EmotionOutput = z.infer<typeof output>;
export type EmotionResultItem = EmotionOutput['results'][number];
export type ItemError = z.infer<typeof itemError>;

/** One text's entry: why it was refused, or what the model read in it as an emotion profile and as the result at the requested detail. */
export type EmotionItem =
  | ItemError
  | {
      reading: Reading;
      /** Rounded to 4 decimals for reading (decisions were made on the unrounded values). */
      profile: EmotionProfile;
      result: ShapedText;
    };

export interface EmotionResult {
  /** One per text, in order. */
  items: EmotionItem[];
  detail: Args['detail'];
  model: ModelInfo;
  elapsedMs: number;
}

export async function computeEmotion(args: Args, ctx: ToolContext): Promise<EmotionResult> {
  if ((args.text === undefined) === (args.texts === undefined)) {
    throw new ToolError('invalid_input', 'give exactly one of `text` or `texts`');
  }
  if (args.memory) memoryFor(ctx); // refused before any model work when memory is off
  const batch = args.texts !== undefined;
  const named = (args.texts ?? [args.text as string]).map((text, i) => ({ name: `text ${i}`, text }));
  // A text that is empty or in a language the model does not read (docs/language.md) is refused on its own in a
  // batch; the one `text` fails the call.
  if (args.explain) checkExplainLimits((batch ? named.filter((t) => !isEmptyText(t.text)) : named).map((t) => t.text));
  const plan = await decideTexts(ctx, admitTexts(named, ctx.services.limits, batch ? 'item' : 'call'), {
    language: args.language,
  });
  if (!batch) plan.refuseCall('text');
  // granularity "sentence": the sentence limit is checked before any model work, and the reader reads every text's
  // sentences with it (its strongest-sentence block; sentenceResults takes them from the reading).
  const bySentence = args.granularity === 'sentence';
  const decidedTexts = plan.texts.flatMap((t) => ('decided' in t ? [{ text: t.text.text, decided: t.decided }] : []));
  if (bySentence)
    sentenceSpans(
      decidedTexts.map((t) => t.text),
      decidedTexts.map((t) => t.decided.language),
    );
  const t0 = performance.now();
  const outcomes = await readPlan(plan, ctx.signal, { requireTokens: true, sentences: bySentence });
  if (!batch && 'error' in outcomes[0]) throw refusalToError(outcomes[0].error, 'text');
  const opts = { topK: args.top_k, threshold: args.threshold, detail: args.detail };
  const items = outcomes.map((o): EmotionItem => {
    if ('error' in o) return o.error.code === 'empty_text' ? { error: o.error } : { error: round4(o.error) };
    const profile = emotionProfile(o.ok.analysis, plan.model, { topK: args.top_k, threshold: args.threshold });
    return { reading: o.ok, profile: round4(profile), result: shapeProfile(profile, o.ok.analysis, plan.model, opts) };
  });
  const read = items.flatMap((it) => ('reading' in it ? [it] : []));
  // Progress only for the optional long work (a plain call stays one step, as before).
  const steps = (bySentence ? 1 : 0) + (args.explain ? read.length : 0);
  let done = 0;
  if (bySentence) {
    const sentences = await sentenceResults(
      plan,
      sentenceSpans(
        read.map((it) => it.reading.text),
        read.map((it) => it.reading.analysis.language),
      ),
      read.map((it) => it.reading.analysis),
      opts,
      ctx.signal,
    );
    sentences.forEach((s, i) => (read[i].result.sentences = s));
    await ctx.progress(++done, steps, 'sentences read');
  }
  if (args.explain) {
    for (const [i, it] of read.entries()) {
      throwIfCancelled(ctx.signal);
      it.result.explanation = await explainText(plan, it.reading.text, it.reading.analysis, ctx.signal);
      await ctx.progress(++done, steps, `text ${i} explained`);
    }
  }
  if (args.memory)
    (
      await memoryBlocks(
        ctx,
        read.map((it) => it.reading.text),
      )
    ).forEach((b, i) => ((read[i].result as { memory?: unknown }).memory = b));
  return { items, detail: args.detail, model: plan.model, elapsedMs: performance.now() - t0 };
}

export function presentEmotion(r: EmotionResult): ToolOutput<EmotionOutput> {
  const profiles = r.items.map((it) => ('error' in it ? it : it.profile));
  const summary = profiles
    .slice(0, 3)
    .map((p, i) => {
      if ('error' in p) return `${profiles.length > 1 ? `[${i}] ` : ''}${p.error.code}: ${p.error.message}`;
      const det =
        p.detected
          .slice(0, 3)
          .map((d) => `${d.label} ${round3(d.score)}`)
          .join(', ') || 'none over threshold';
      const transfer = p.transfer
        ? ` [cross-lingual transfer, no ${p.language} training data: ${p.transfer.join(', ')}]`
        : '';
      return (
        `${profiles.length > 1 ? `[${i}] ` : ''}${p.language}: ${det}; Ekman ${p.ekman.dominant} ` +
        `${round3(p.ekman.scores[p.ekman.dominant])}; ${p.sentiment.label}; valence ${round3(p.valence)}, ` +
        `arousal ${round3(p.arousal)}${transfer}${p.note ? ` (${p.note})` : ''}`
      );
    })
    .concat(profiles.length > 3 ? [`… ${profiles.length - 3} more`] : [])
    .join('\n');
  const results = r.items.map((it): EmotionResultItem => ('error' in it ? it : it.result));
  const model = modelBlock(r.model);
  return sizedOutput(
    { results, model, cached: false, elapsed_ms: Math.round(r.elapsedMs * 100) / 100 },
    summary,
    'send fewer texts',
    r.detail,
  );
}

/** What tools/list says: the served model's languages and heads, and how to read each number. */
function describeEmotion(model: ServedModel | null): string {
  const zh = model?.languages.includes('zh');
  return (
    `Emotions of text. ${readsSentence(model)} Per text: label probabilities (${taxonomies(model)}; each 0..1, independent), ` +
    'detected labels (tuned thresholds), ekman (Ekman-7 from those labels, sums to 1), sentiment (four groups from the same labels' +
    `${zh ? '; zh: the CPED sentiment head' : ''}) with positive_probability (the separate polarity ` +
    `head), valence −1..1 and arousal 0..1 ` +
    `(English: the EmoBank VAD head; Korean valence: 2·P(positive) − 1 of the polarity head), 정/한/체면 ` +
    `indices (en, ko)${hasHead(model, 'xed_logits') ? ', Plutchik-8 (zh)' : ''}. ` +
    'Within one model window a text is read whole; longer, by sentences, heads averaged by tokens × (1 − ' +
    'Ekman neutral)² (one sentence: label maximum over windows; see `aggregation`). `document`: ' +
    'strongest sentence per class. ' +
    `Give text or texts (≤ ${MAX_BATCH_TEXTS}). detail summary | standard | full; granularity "sentence" ` +
    `adds each sentence (UTF-16 offsets) and its reading; explain: the words driving the top labels. ` +
    'Content: a summary, then the result as JSON.'
  );
}

export const analyzeEmotionTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_emotion',
  title: 'Analyse emotions in text (English, Korean; Chinese, Japanese with a v2 model)',
  description: describeEmotion(null),
  describe: describeEmotion,
  input,
  output,
  cache: 'args+model',
  uncachedIf: (args) => args.memory === true, // the memory changes between calls
  handler: async (args, ctx) => presentEmotion(await computeEmotion(args, ctx)),
};
