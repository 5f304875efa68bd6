// How the text tools read texts with the options detail, granularity and explain, on top of one
// engine pass: shaping (detail), per-sentence results, occlusion explanations and the response size limit.
// Shared by analyze_emotion, full_analysis and analyze_conversation so every tool sizes results the same way.
import { z } from 'zod';
import { contributions, occlude, occlusionUnits, type BatchScorer } from '../analysis/explain/occlusion.js';
import {
  DETAILS,
  NATIVE_TAXONOMY,
  SUMMARY_MAX_BYTES,
  TRANSFER,
  allLabels,
  emotionProfile,
  head,
  jsonBytes,
  summaryOf,
  type Detail,
  type EmotionProfile,
} from '../analysis/emotion/index.js';
import { sentences, words, type Span } from '../analysis/segment/index.js';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import { CPED_SENTIMENTS, EKMAN, PLUTCHIK, SENTIMENTS, type Ekman } from '../core/labels.js';
import { MAX_EXPLAIN_CHARS, MAX_EXPLAIN_TEXTS, MAX_RESPONSE_BYTES, MAX_SENTENCES } from '../core/limits.js';
import {
  LANGUAGE_CODES,
  type Language,
  type LanguageRequest,
  type ModelInfo,
  type TextAnalysis,
} from '../core/model.js';
import { round4 } from '../core/numbers.js';
import { readAs, type Reader } from './reading/pipeline.js';

export { MAX_EXPLAIN_CHARS, MAX_EXPLAIN_TEXTS, MAX_RESPONSE_BYTES, MAX_SENTENCES };
/** Labels explained per text (the top native labels) and spans listed per label. */
export const EXPLAIN_LABELS = 3;
export const EXPLAIN_SPANS = 5;

export const detailParam = (fallback: Detail) =>
  z
    .enum(DETAILS)
    .default(fallback)
    .describe(
      `summary: per text language, dominant label, Ekman dominant, sentiment label, valence, arousal (≤ ` +
        `${SUMMARY_MAX_BYTES} bytes of JSON); ` +
        'standard: the full result; full: plus every label of the heads that fed it, with its threshold.',
    );
export const thresholdParam = z
  .number()
  .min(0)
  .max(1)
  .optional()
  .describe("One decision threshold for every label; default: the model's per-label thresholds tuned on dev data.");
export const granularityParam = z
  .enum(['text', 'sentence'])
  .default('text')
  .describe(
    "sentence: also split each text into sentences (Intl.Segmenter rules for the text's language) and analyse each; " +
      '`sentences[].start/end` are UTF-16 code-unit offsets (JavaScript string indices), so text.slice(start, end) === sentence text.',
  );
export const explainParam = z
  .boolean()
  .default(false)
  .describe(
    `Explain the top ${EXPLAIN_LABELS} labels of each text by occlusion: every word (or phrase, for long ` +
      `texts) is deleted in turn and the text re-scored; ` +
      `returns the ${EXPLAIN_SPANS} spans whose deletion lowers each label most, with UTF-16 offsets. At ` +
      `most ${MAX_EXPLAIN_TEXTS} texts of ≤ ${MAX_EXPLAIN_CHARS} characters.`,
  );

// ---- output schemas ----
const prob = z.number().min(0).max(1);
const labelScore = z.object({ label: z.string(), score: prob });
const probsOf = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, prob])) as Record<K, typeof prob>);
const ekmanScores = probsOf(EKMAN);
const TAXONOMIES = ['goemotions', 'kote', 'cped'] as const;
const transferOf = (fields: readonly [string, ...string[]]) =>
  z
    .array(z.enum(fields))
    .optional()
    .describe(
      'present for zh and ja only: the fields computed by heads that had no training data in this language ' +
        '(cross-lingual transfer; read them as such, docs/emotion.md)',
    );

const strongest = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  score: prob,
});
const documentSchema = z
  .object({
    sentences: z.number().int().min(2),
    strongest: z.object({
      ekman: z.object(Object.fromEntries(EKMAN.map((e) => [e, strongest])) as Record<Ekman, typeof strongest>),
      sentiment: z.record(z.string(), strongest).describe('per sentiment group (zh: per CPED sentiment class)'),
    }),
  })
  .describe(
    'per Ekman class and sentiment group, the sentence whose own reading scores it highest (UTF-16 ' +
      '[start, end), score); with aggregation sentences, or granularity "sentence" and several sentences',
  );

export const standardResult = z.object({
  language: z.enum(LANGUAGE_CODES),
  language_confidence: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe(
      'How sure the language identification is (0..1; docs/language.md); null when the language was given ' +
        '(and for sentences, which follow their text)',
    ),
  language_uncertain: z
    .literal(true)
    .optional()
    .describe(
      'present when the language was not identified but read as a served one (a short or ambiguous Latin ' +
        "text as English, a text with some Hangul as Korean); language_confidence is then the detector's " +
        'score for it (docs/language.md)',
    ),
  transfer: transferOf([
    'labels',
    'detected',
    'dominant',
    'ekman',
    'sentiment',
    'sentiment.positive_probability',
    'valence',
    'arousal',
  ]),
  taxonomy: z
    .enum(TAXONOMIES)
    .describe(
      'goemotions (28 labels) for English and Japanese, kote (44 labels) for Korean, cped (13 labels, single-label) for Chinese',
    ),
  labels: z.array(labelScore).describe('Native-taxonomy labels, highest first, at most top_k'),
  detected: z
    .array(
      z.union([
        labelScore.extend({ threshold: prob }),
        labelScore.extend({
          rule: z
            .literal('argmax')
            .describe("cped without a given threshold: the single-label head's decision is its highest label"),
        }),
      ]),
    )
    .describe('Labels whose probability reaches the threshold (cped without a threshold: the argmax label)'),
  dominant: labelScore.describe('The highest-scoring native label'),
  ekman: z
    .object({
      scores: ekmanScores,
      dominant: z.enum(EKMAN),
      sources: z.array(z.enum(TAXONOMIES)),
      unmapped: prob
        .optional()
        .describe(
          'cped only: probability of positive-other + negative-other, which map to no Ekman class; scores are renormalised over the rest',
        ),
    })
    .describe('Ekman-7 projection (sums to 1); see docs/emotion.md'),
  sentiment: z
    .union([
      z.object({
        label: z.enum(SENTIMENTS),
        score: prob,
        scores: probsOf(SENTIMENTS).describe('the four groups projected from the emotion head(s)'),
        positive_probability: prob.describe(
          'P(positive) from the polarity head alone (one of the heads; see probability)',
        ),
        probability: prob.describe(
          'P(positive) by the one sentiment rule (docs/emotion.md): label, probability and valence agree',
        ),
        valence: z
          .number()
          .min(-1)
          .max(1)
          .describe("2·probability − 1: the sentiment's signed strength, same polarity as label"),
        rule: z
          .enum(['combined', 'polarity_head'])
          .describe('combined (en, ja: logistic combination of the heads, fitted on dev) or polarity_head (ko)'),
        agreement: z
          .object({ groups: z.enum(SENTIMENTS), polarity_head: prob, valence_head: z.number() })
          .describe("each head's own reading"),
        heads_disagree: z
          .boolean()
          .describe('true when one head reads positive and another negative: read the sentiment as mixed'),
      }),
      z.object({
        label: z.enum(CPED_SENTIMENTS),
        score: prob,
        scores: probsOf(CPED_SENTIMENTS).describe('the CPED sentiment head (softmax, Chinese)'),
        positive_probability: prob.describe(
          'P(positive) from the polarity head (trained on Korean reviews: transfer for Chinese)',
        ),
      }),
    ])
    .describe('four groups projected from the native head (en, ko, ja), or the CPED 3-class sentiment head (zh)'),
  valence: z.number().min(-1).max(1),
  arousal: z.number().min(0).max(1),
  cultural: z
    .object({
      jeong: z.object({ score: prob, formula: z.string() }),
      han: z.object({ score: prob, formula: z.string() }),
      chemyeon: z.object({ score: prob, formula: z.string() }),
    })
    .optional()
    .describe(
      '정 / 한 / 체면 composite indices (heuristic, documented formulas; not validated scales); English and Korean only',
    ),
  plutchik: z
    .object({
      scores: probsOf(PLUTCHIK).describe('sigmoid probabilities, multi-label (need not sum to 1)'),
      dominant: z.enum(PLUTCHIK),
      source: z.literal('xed'),
    })
    .optional()
    .describe('zh only: Plutchik-8 from the XED head (trained on the XED Chinese projections; no tuned thresholds)'),
  tokens: z.number().int().nonnegative(),
  unknown_tokens: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("tokens outside the tokenizer's vocabulary (<unk>); present only when there are some"),
  chunks: z.number().int().positive(),
  truncated: z.boolean(),
  aggregation: z
    .enum(['one_window', 'windows', 'sentences'])
    .describe(
      'how the reading was made: one_window (whole, one pass); windows (one sentence over a window: ' +
        'per-label maximum over windows); sentences (longer than a window, several sentences: each read ' +
        'alone, heads averaged with weights tokens × (1 − Ekman neutral)²; docs/emotion.md)',
    ),
  document: documentSchema.optional(),
  note: z
    .string()
    .optional()
    .describe(
      'present when no token is known to the tokenizer (only <unk> and word boundaries): the scores then read no content',
    ),
});

const scoredLabel = z.object({ label: z.string(), score: prob, threshold: prob });
export const fullResult = standardResult.extend({
  all_labels: z
    .object({
      goemotions: z.array(scoredLabel).optional(),
      kote: z.array(scoredLabel).optional(),
      cped: z
        .array(z.union([scoredLabel, labelScore]))
        .optional()
        .describe('no tuned thresholds: a threshold only when one was given'),
    })
    .describe(
      'detail "full": every label of each head that fed the projections (native head first), model label order',
    ),
});

export const summaryResult = z.object({
  language: z.enum(LANGUAGE_CODES),
  transfer: transferOf(['dominant', 'ekman_dominant', 'sentiment', 'valence', 'arousal']),
  dominant: labelScore,
  ekman_dominant: z.enum(EKMAN),
  sentiment: z.enum(SENTIMENTS),
  valence: z.number().min(-1).max(1),
  arousal: z.number().min(0).max(1),
});

export const shapedResult = z.union([fullResult, standardResult, summaryResult]);

export const spanSchema = z.object({
  text: z.string(),
  start: z.number().int().nonnegative().describe('UTF-16 code units'),
  end: z.number().int().nonnegative().describe('UTF-16 code units, exclusive'),
});

export const explanationSchema = z.object({
  unit: z.enum(['word', 'phrase']).describe('phrase when the text has more than 48 words (runs of consecutive words)'),
  units: z.number().int().nonnegative(),
  labels: z.array(
    z.object({
      label: z.string(),
      probability: prob,
      spans: z
        .array(
          spanSchema.extend({
            contribution: z.number().describe('p(label | text) − p(label | text without the span)'),
          }),
        )
        .describe('largest contribution first'),
    }),
  ),
});

export type Explanation = z.infer<typeof explanationSchema>;

export const sentenceSchema = z.union([
  fullResult.extend(spanSchema.shape),
  standardResult.extend(spanSchema.shape),
  summaryResult.extend(spanSchema.shape),
]);

/** One text's emotion at the requested detail. */
export type Shaped = z.infer<typeof shapedResult>;
export type SentenceResult = z.infer<typeof sentenceSchema>;
/** A text's result with the optional per-sentence results and explanation. */
export type ShapedText = Shaped & { sentences?: SentenceResult[]; explanation?: Explanation };

// ---- shaping ----

export interface ReadOptions {
  topK: number;
  threshold?: number;
  detail: Detail;
}

export function shape(a: TextAnalysis, model: ModelInfo, o: ReadOptions): Shaped {
  return shapeProfile(emotionProfile(a, model, { topK: o.topK, threshold: o.threshold }), a, model, o);
}

/** shape() for a profile already computed from `a` with the same options (unrounded). */
export function shapeProfile(profile: EmotionProfile, a: TextAnalysis, model: ModelInfo, o: ReadOptions): Shaped {
  // The profile types of src/analysis/emotion are the schemas' shapes with wider label strings.
  if (o.detail === 'summary') return round4(summaryOf(profile)) as unknown as Shaped;
  if (o.detail === 'standard') return round4(profile) as unknown as Shaped;
  return round4({ ...profile, all_labels: allLabels(a, model, o.threshold) }) as unknown as Shaped;
}

/** A result at detail standard or full (not summary). */
export function isDetailed<R extends object>(r: R): r is R & z.infer<typeof standardResult> {
  return 'ekman' in r && typeof (r as { sentiment?: unknown }).sentiment === 'object';
}

/**
 * The summary of a standard result (and of its sentences), keeping the explanation: the same numbers summaryOf
 * gives, since rounding to 4 decimals commutes with picking fields.
 */
type Summary = z.infer<typeof summaryResult>;

export function summaryFromStandard(
  r: z.infer<typeof standardResult> & { sentences?: unknown[]; explanation?: Explanation },
): Summary & { sentences?: SentenceResult[]; explanation?: Explanation } {
  const pick = (x: z.infer<typeof standardResult>): Summary => ({
    language: x.language,
    ...(TRANSFER[x.language].summary.length ? { transfer: [...TRANSFER[x.language].summary] } : {}),
    dominant: x.dominant,
    ekman_dominant: x.ekman.dominant,
    sentiment: x.sentiment.label,
    valence: x.valence,
    arousal: x.arousal,
  });
  const out: Summary & { sentences?: SentenceResult[]; explanation?: Explanation } = pick(r);
  if (r.sentences) {
    out.sentences = (
      r.sentences as Array<z.infer<typeof standardResult> & { text: string; start: number; end: number }>
    ).map((s) => ({ text: s.text, start: s.start, end: s.end, ...pick(s) }));
  }
  if (r.explanation) out.explanation = r.explanation;
  return out;
}

const locale = (l: Language) => l;

/**
 * The sentences of each text (for granularity "sentence"), split as the text's language; refused before any model
 * work when the texts hold more than MAX_SENTENCES.
 */
export function sentenceSpans(texts: readonly string[], languages: readonly Language[]): Span[][] {
  const spans = texts.map((t, i) => sentences(t, locale(languages[i])));
  const total = spans.reduce((s, x) => s + x.length, 0);
  if (total > MAX_SENTENCES) {
    throw new ToolError(
      'limit_exceeded',
      `the texts hold ${total} sentences; granularity "sentence" allows at most ${MAX_SENTENCES} per call — send fewer or shorter texts`,
    );
  }
  return spans;
}

/**
 * Sentence results for each text. A sentence the text's reading already holds (`analysis.sentences`: the reader
 * read them, reading/documents.ts) is taken from there; the others (a text of one sentence, or of more sentences
 * than a document reads one by one) are read, all of one language in one engine call, as their text's language.
 */
export async function sentenceResults(
  reader: Reader,
  spans: readonly Span[][],
  analyses: readonly TextAnalysis[],
  o: ReadOptions,
  signal: AbortSignal,
): Promise<SentenceResult[][]> {
  const out = spans.map((s) => new Array<SentenceResult>(s.length));
  const put = (i: number, j: number, a: TextAnalysis) => {
    const { text, start, end } = spans[i][j];
    out[i][j] = { text, start, end, ...shape(a, reader.model, o) };
  };
  const known = analyses.map((a) => new Map((a.sentences ?? []).map((s) => [`${s.start}:${s.end}`, s.analysis])));
  for (const lang of LANGUAGE_CODES) {
    const where: Array<[number, number]> = [];
    spans.forEach((s, i) => {
      if (analyses[i].language !== lang) return;
      s.forEach((x, j) => {
        const a = known[i].get(`${x.start}:${x.end}`);
        if (a) put(i, j, a);
        else where.push([i, j]);
      });
    });
    if (where.length === 0) continue;
    throwIfCancelled(signal);
    const res = await readAs(
      reader,
      where.map(([i, j]) => spans[i][j].text),
      lang,
      signal,
    );
    where.forEach(([i, j], k) => put(i, j, res[k]));
  }
  return out;
}

export function checkExplainLimits(texts: string[]): void {
  if (texts.length > MAX_EXPLAIN_TEXTS) {
    throw new ToolError(
      'limit_exceeded',
      `explain allows at most ${MAX_EXPLAIN_TEXTS} texts per call (got ${texts.length}); send fewer texts or explain=false`,
    );
  }
  texts.forEach((t, i) => {
    if (t.length > MAX_EXPLAIN_CHARS) {
      throw new ToolError(
        'limit_exceeded',
        `explain allows texts of at most ${MAX_EXPLAIN_CHARS} characters; text ${i} has ${t.length} — explain a shorter passage`,
      );
    }
  });
}

/** Occlusion explanation of one text's top native labels (one batch of deletions). */
export async function explainText(
  reader: Reader,
  text: string,
  a: TextAnalysis,
  signal: AbortSignal,
): Promise<Explanation> {
  const taxonomy = NATIVE_TAXONOMY[a.language];
  const native = head(a, reader.model, taxonomy);
  const labels = native.labels;
  const score: BatchScorer = async (variants) =>
    (await readAs(reader, variants, a.language, signal)).map((x) =>
      Float32Array.from(head(x, reader.model, taxonomy).probs),
    );
  const units = occlusionUnits(text, locale(a.language));
  const o = await occlude(text, units, score, Float32Array.from(native.probs));
  const top = o.base
    .map((p, i) => ({ p, i }))
    .sort((x, y) => y.p - x.p || x.i - y.i)
    .slice(0, EXPLAIN_LABELS);
  const phrase = units.length < words(text, locale(a.language)).length;
  return round4({
    unit: phrase ? ('phrase' as const) : ('word' as const),
    units: units.length,
    labels: top.map(({ p, i }) => ({ label: labels[i], probability: p, spans: contributions(o, i, EXPLAIN_SPANS) })),
  });
}

/** Refuses (never truncates) a structured result over MAX_RESPONSE_BYTES, saying what would make it fit. */
export function checkResponseSize(structured: unknown, remedy: string, detail: Detail): void {
  const bytes = jsonBytes(structured);
  if (bytes <= MAX_RESPONSE_BYTES) return;
  const hint = detail === 'summary' ? remedy : `use detail "summary" or ${remedy}`;
  throw new ToolError(
    'limit_exceeded',
    `the result would be ${bytes} bytes of JSON, over the response limit of ${MAX_RESPONSE_BYTES} bytes; ${hint}`,
  );
}

/** The tool output, after refusing one over the response limit (see checkResponseSize). */
export function sizedOutput<S>(
  structured: S,
  summary: string,
  remedy: string,
  detail: Detail,
): { structured: S; summary: string } {
  checkResponseSize(structured, remedy, detail);
  return { structured, summary };
}

export type { Detail, LanguageRequest };
