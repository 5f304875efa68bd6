// Output sized to the caller: `summary` keeps six facts per text, `standard` is the EmotionProfile,
// `full` adds every label of the heads that fed the result, with the threshold each was judged against.
import type { ModelInfo, TextAnalysis } from '../../core/model.js';
import type { Ekman, Sentiment } from '../../core/labels.js';
import { PROJECTION_SOURCES, TRANSFER, head, type EmotionProfile, type LabelScore, type Taxonomy } from './profile.js';

export const DETAILS = ['summary', 'standard', 'full'] as const;
export type Detail = (typeof DETAILS)[number];

/** Per text at detail "summary": at most SUMMARY_MAX_BYTES of JSON (the longest label name is 27 bytes). */
export interface EmotionSummary {
  language: EmotionProfile['language'];
  /** Summary fields read by cross-lingual transfer (TRANSFER); absent when none. */
  transfer?: string[];
  dominant: { label: string; score: number };
  ekman_dominant: Ekman;
  sentiment: Sentiment;
  valence: number;
  arousal: number;
}

export const SUMMARY_MAX_BYTES = 400;

export function summaryOf(p: EmotionProfile): EmotionSummary {
  const transfer = TRANSFER[p.language].summary;
  return {
    language: p.language,
    ...(transfer.length ? { transfer: [...transfer] } : {}),
    dominant: p.dominant,
    ekman_dominant: p.ekman.dominant,
    sentiment: p.sentiment.label,
    valence: p.valence,
    arousal: p.arousal,
  };
}

export interface ScoredLabel {
  label: string;
  score: number;
  threshold: number;
}

/**
 * Every label of each head that feeds this text's projections (the native head first), in the model's label
 * order, with the threshold used for `detected` (one caller-given threshold, or the tuned per-label ones). The CPED
 * head has no tuned thresholds: its labels carry one only when the caller gave it.
 */
export function allLabels(
  a: TextAnalysis,
  model: ModelInfo,
  threshold?: number,
): Partial<Record<Taxonomy, Array<ScoredLabel | LabelScore>>> {
  const out: Partial<Record<Taxonomy, Array<ScoredLabel | LabelScore>>> = {};
  for (const { taxonomy } of PROJECTION_SOURCES[a.language]) {
    const h = head(a, model, taxonomy);
    const t = h.thresholds;
    out[taxonomy] = h.labels.map((label, i) => {
      const th = threshold ?? t?.[i];
      return th === undefined ? { label, score: h.probs[i] } : { label, score: h.probs[i], threshold: th };
    });
  }
  return out;
}

/** UTF-8 bytes of the JSON text of a value: the unit of every size limit and measurement here. */
const utf8 = new TextEncoder();
export const jsonBytes = (v: unknown): number => utf8.encode(JSON.stringify(v)).length;
