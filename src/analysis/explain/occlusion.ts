// Occlusion explanations: how much each word (or phrase) of a text holds up a label's probability.
// For every unit u the text is re-scored with u deleted; contribution(u, label) = p(label | text) − p(label | text
// without u). All deletions of one text go to the scorer as one batch. Pure: the scorer is a callback.
import { deleteSpans, words, type Span } from '../segment/index.js';

/** Scores a batch of texts; returns, per text, a vector of label probabilities (same label order every time). */
export type BatchScorer = (texts: string[]) => Promise<ArrayLike<number>[]>;

export interface SpanContribution extends Span {
  /** p(label | text) − p(label | text without this span); positive = the span supports the label. */
  contribution: number;
}

/** Most occlusion variants (= forward passes) per text; longer texts are occluded phrase by phrase. */
export const MAX_OCCLUSION_UNITS = 48;

/**
 * The occlusion units of a text: its words (Intl.Segmenter word rules for `locale`); when there are more than
 * `maxUnits`, runs of g = ⌈n / maxUnits⌉ consecutive words form one phrase unit (from the first word's start to
 * the last word's end), so the cost stays bounded by `maxUnits` passes.
 */
export function occlusionUnits(text: string, locale: string, maxUnits = MAX_OCCLUSION_UNITS): Span[] {
  const w = words(text, locale);
  if (w.length <= maxUnits) return w;
  const g = Math.ceil(w.length / maxUnits);
  const out: Span[] = [];
  for (let i = 0; i < w.length; i += g) {
    const start = w[i].start;
    const end = w[Math.min(i + g, w.length) - 1].end;
    out.push({ text: text.slice(start, end), start, end });
  }
  return out;
}

export interface Occlusion {
  units: Span[];
  /** Label probabilities of the whole text. */
  base: number[];
  /** Label probabilities with unit i deleted, one row per unit. */
  occluded: number[][];
}

/**
 * Scores the text and every single-unit deletion in one batch (the whole text is scored in the same batch
 * unless `base` is given). A text whose only unit is deleted becomes the empty string, which is scored as is.
 */
export async function occlude(
  text: string,
  units: Span[],
  score: BatchScorer,
  base?: ArrayLike<number>,
): Promise<Occlusion> {
  const variants = units.map((u) => deleteSpans(text, [u]));
  const scored = await score(base ? variants : [text, ...variants]);
  if (scored.length !== variants.length + (base ? 0 : 1))
    throw new Error(`scorer returned ${scored.length} rows for ${variants.length + (base ? 0 : 1)} texts`);
  const rows = scored.map((r) => Array.from(r));
  return { units, base: base ? Array.from(base) : rows[0], occluded: base ? rows : rows.slice(1) };
}

/** Spans for one label, sorted by contribution (largest first; ties keep text order), at most `limit`. */
export function contributions(o: Occlusion, label: number, limit = Infinity): SpanContribution[] {
  return o.units
    .map((u, i) => ({ ...u, contribution: o.base[label] - o.occluded[i][label] }))
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.contribution - a.s.contribution || a.i - b.i)
    .slice(0, limit)
    .map(({ s }) => s);
}
