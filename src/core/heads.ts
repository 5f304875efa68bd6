// Model heads as data: what a head is (its kind, labels, thresholds, languages) and where its values land in a
// TextAnalysis. The engine decodes, aggregates and fuses every head the manifest lists by its kind alone
// (src/engine/heads.ts, fusion.ts); the heads the analyses of src/analysis read have a named field (HEAD_FIELDS),
// every other head is served in `TextAnalysis.heads` under its manifest name, for a presenter to show.
import type { TextAnalysis } from './model.js';

/**
 * How a head's logits become values, and how windows and ensemble members are combined:
 * - multi-label: sigmoid per label; windows: per-label maximum ("no emotion" labels: minimum); members: mean;
 * - softmax: softmax over the labels; windows: token-weighted mean; members: mean;
 * - pairwise: softmax over two logits, kept as P(second label); windows: token-weighted mean; members: mean;
 * - regression: the raw values; windows: token-weighted mean; members: mean.
 */
export const HEAD_KINDS = ['multi-label', 'softmax', 'pairwise', 'regression'] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

/** One head as the manifest lists it. */
export interface HeadInfo {
  /** The ONNX output's name, which is also the head's name in ensembles' weights and in `TextAnalysis.heads`. */
  name: string;
  kind: HeadKind;
  /** What each value is (pairwise: the two classes; the value is P(second)). */
  labels: readonly string[];
  /** Per-label decision thresholds tuned on dev (multi-label heads that have them). */
  thresholds?: readonly number[];
  /** Languages whose training data the head saw; absent = it serves every language the model reads. */
  languages?: readonly string[];
}

/**
 * One head's values for one text: probabilities (multi-label, softmax) as float32 like the model's outputs;
 * pairwise and regression values as float64 numbers.
 */
export type HeadValue = Float32Array | number[];

/** The TextAnalysis field each head with a field fills (the heads src/analysis reads). */
export const HEAD_FIELDS = {
  goemotions_logits: 'goemotions',
  kote_logits: 'kote',
  polarity_logits: 'positive',
  utility: 'utility',
  vad: 'vad',
  cped_emotion_logits: 'cpedEmotion',
  cped_sentiment_logits: 'cpedSentiment',
  xed_logits: 'xed',
} as const;

/** The head outputs part of a TextAnalysis (what one window, one text or one fused text has). */
export type HeadFields = Pick<
  TextAnalysis,
  'goemotions' | 'kote' | 'positive' | 'utility' | 'vad' | 'cpedEmotion' | 'cpedSentiment' | 'xed' | 'heads'
>;

const hasField = (name: string): name is keyof typeof HEAD_FIELDS => Object.hasOwn(HEAD_FIELDS, name);

/** A head's values in an analysis (a named field or `heads`); undefined when the analysis has no such head. */
export function headValue(a: Partial<HeadFields>, name: string): HeadValue | undefined {
  if (!hasField(name)) return a.heads?.[name];
  const v = a[HEAD_FIELDS[name]];
  return typeof v === 'number' ? [v] : v;
}

/** The analysis fields for heads' values: named fields for the heads that have one, `heads` for the rest. */
export function headFields(values: ReadonlyMap<string, HeadValue>): HeadFields {
  const out: Record<string, unknown> = {};
  const extra: Record<string, HeadValue> = {};
  for (const [name, v] of values) {
    if (!hasField(name)) extra[name] = v;
    else if (name === 'polarity_logits' || name === 'utility') out[HEAD_FIELDS[name]] = v[0];
    else out[HEAD_FIELDS[name]] = v;
  }
  if (Object.keys(extra).length) out.heads = extra;
  return out as unknown as HeadFields;
}
