// Sentence and word segmentation with Intl.Segmenter (ICU rules for the text's language). Offsets are
// UTF-16 code-unit indices into the original string — JavaScript string indices — so that
// `text.slice(start, end)` gives the span exactly (an emoji outside the BMP counts 2, a Hangul syllable 1).

/** A piece of the input: `text === input.slice(start, end)`. */
export interface Span {
  text: string;
  /** Inclusive start, UTF-16 code units. */
  start: number;
  /** Exclusive end, UTF-16 code units. */
  end: number;
}

const EDGE_SPACE = /^\s+|\s+$/gu;

/** Trims whitespace from both ends of input[start, end) and returns the span, or null when nothing is left. */
function trimmed(input: string, start: number, end: number): Span | null {
  let s = start;
  let e = end;
  while (s < e && /\s/u.test(input[s])) s++;
  while (e > s && /\s/u.test(input[e - 1])) e--;
  return e > s ? { text: input.slice(s, e), start: s, end: e } : null;
}

/**
 * Sentences of `input` by the ICU sentence rules of `locale` ('en', 'ko', …), each trimmed of surrounding
 * whitespace; whitespace-only segments are dropped. Always at least one span for a text with any non-space.
 */
export function sentences(input: string, locale: string): Span[] {
  const out: Span[] = [];
  for (const seg of new Intl.Segmenter(locale, { granularity: 'sentence' }).segment(input)) {
    const span = trimmed(input, seg.index, seg.index + seg.segment.length);
    if (span) out.push(span);
  }
  return out;
}

// A unit worth occluding: contains a letter, a digit or a pictographic symbol (emoji). Whitespace and
// punctuation-only segments are not units (they carry little, and each unit costs one forward pass).
const CONTENT = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

/** Word-level units by the ICU word rules of `locale` (Korean: space-separated eojeol), with offsets. */
export function words(input: string, locale: string): Span[] {
  const out: Span[] = [];
  for (const seg of new Intl.Segmenter(locale, { granularity: 'word' }).segment(input)) {
    if (CONTENT.test(seg.segment)) out.push({ text: seg.segment, start: seg.index, end: seg.index + seg.segment.length });
  }
  return out;
}

/** Removes the given spans (non-overlapping) and collapses the whitespace left at each seam to one space. */
export function deleteSpans(input: string, spans: readonly Pick<Span, 'start' | 'end'>[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const s of sorted) {
    if (s.start < pos) throw new RangeError(`spans overlap at ${s.start}`);
    out = seam(out, input.slice(pos, s.start));
    pos = s.end;
  }
  return seam(out, input.slice(pos)).replace(EDGE_SPACE, '');
}

function seam(left: string, right: string): string {
  if (/\s$/u.test(left) && /^\s/u.test(right)) return left + right.replace(/^\s+/u, '');
  return left + right;
}
