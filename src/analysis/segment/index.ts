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
  const icu: Span[] = [];
  for (const seg of new Intl.Segmenter(locale, { granularity: 'sentence' }).segment(input)) {
    const span = trimmed(input, seg.index, seg.index + seg.segment.length);
    if (span) icu.push(span);
  }
  return joinAbbreviations(input, icu).flatMap((s) => splitKoreanEndings(input, s));
}

/** Titles and Latin abbreviations that never end a sentence: ICU splits "Dear Mr." from "Harlow,". */
const TITLE_END = /(?:^|[\s(])(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Sr|Jr|Mt|Capt|Gen|Lt|Col|Sgt|Rev|vs|e\.g|i\.e|cf|approx)\.$/i;
/** Initialisms ("U.S.", "U.K.", "p.m."): they end a sentence only when a usual sentence opener follows. */
const INITIALISM_END = /(?:^|[\s(])(?:[A-Za-z]\.){2,}$/;
/** A parenthesised "(?)" or "(!)" marks a word as doubtful or surprising inside a sentence ("깔끔(?) 하게"): no end. */
const HEDGE_END = /\((?:\?|!|\?!|!\?)\)$/u;
const OPENER =
  /^(?:I|It|It's|The|This|That|These|Those|We|He|She|They|You|My|Our|But|And|So|Then|There|Thanks|Thank|Please|What|Why|How|When|If)\b/;

function joinAbbreviations(input: string, spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const prev = out[out.length - 1];
    if (
      prev &&
      (TITLE_END.test(prev.text) ||
        HEDGE_END.test(prev.text) ||
        (INITIALISM_END.test(prev.text) && !OPENER.test(s.text)))
    ) {
      out[out.length - 1] = { text: input.slice(prev.start, s.end), start: prev.start, end: s.end };
    } else out.push(s);
  }
  return out;
}

/**
 * Korean online text often ends its sentences with a polite or formal ending and no full stop ("감사합니다 진짜
 * 화나네요 ㅠㅠ 왜 그래요"): a word ending in -ㅂ니다 / -습니다, -ㅂ니까 / -습니까, -요 or -죠 closes a sentence when
 * more Hangul follows. Laughter or crying in jamo (ㅋㅋ, ㅠㅠ), emoji and punctuation right after it stay with that
 * sentence. Not endings (checked on KOTE dev comments): the connective -(으)니까 "because, when" ("보니까", "있으니까":
 * only the formal question -ㅂ니까 ends a sentence, so 니다 / 니까 count only after a syllable closed by ㅂ), and
 * nouns that end in 요 ("싸울 필요 없어요", "중요 포인트").
 */
const POLITE_END = /(?:[\uac00-\ud7a3]니다|[\uac00-\ud7a3]니까|요|죠)[~.!?…]*$/u;
/** Nouns ending in 요 (the whole word, before any punctuation): need, importance, main, demand, coercion, … */
const YO_NOUN = /^(?:불?필요|중요|주요|수요|강요|소요|동요|요요)[~.!?…]*$/u;
/** The syllable before 니다 / 니까 is closed by ㅂ (합니다, 입니다, 습니까): final consonant index 17 of 27. */
function closedByBieup(word: string): boolean {
  const m = /([\uac00-\ud7a3])니[다까][~.!?…]*$/u.exec(word);
  return !m || (m[1].charCodeAt(0) - 0xac00) % 28 === 17;
}
const endsSentence = (word: string) => POLITE_END.test(word) && !YO_NOUN.test(word) && closedByBieup(word);
// (the joiners are alternatives, not class members: in a class they would combine with the emoji before them)
const TRAILER = /^(?:[\u3131-\u318e~!?.…,\p{Extended_Pictographic}]|\u200d|\ufe0f)+$/u;
const HANGUL = /[\uac00-\ud7a3]/u;

function splitKoreanEndings(input: string, span: Span): Span[] {
  if (!HANGUL.test(span.text)) return [span];
  const tokens = [...span.text.matchAll(/\S+/gu)].map((m) => ({
    text: m[0],
    start: span.start + m.index,
    end: span.start + m.index + m[0].length,
  }));
  const out: Span[] = [];
  let from = 0;
  for (let k = 0; k < tokens.length - 1; k++) {
    if (!endsSentence(tokens[k].text)) continue;
    let last = k;
    while (last + 1 < tokens.length && TRAILER.test(tokens[last + 1].text)) last++;
    if (last + 1 >= tokens.length || !HANGUL.test(input.slice(tokens[last + 1].start, span.end))) break;
    out.push({
      text: input.slice(tokens[from].start, tokens[last].end),
      start: tokens[from].start,
      end: tokens[last].end,
    });
    from = last + 1;
    k = last;
  }
  out.push({ text: input.slice(tokens[from].start, span.end), start: tokens[from].start, end: span.end });
  return out;
}

// A unit worth occluding: contains a letter, a digit or a pictographic symbol (emoji). Whitespace and
// punctuation-only segments are not units (they carry little, and each unit costs one forward pass).
const CONTENT = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

/** Word-level units by the ICU word rules of `locale` (Korean: space-separated eojeol), with offsets. */
export function words(input: string, locale: string): Span[] {
  const out: Span[] = [];
  for (const seg of new Intl.Segmenter(locale, { granularity: 'word' }).segment(input)) {
    if (CONTENT.test(seg.segment))
      out.push({ text: seg.segment, start: seg.index, end: seg.index + seg.segment.length });
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
