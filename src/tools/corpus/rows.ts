// The per-row JSON Lines file of analyze_corpus: a header line (model, language, threshold, detail — what the rows
// depend on), one line per analysed row, and a footer saying whether the run completed. The same file is the row
// cache of the next run: a row is reused when the header matches and the row's text hash is unchanged.
import type { Language, LanguageRequest } from '../../core/model.js';
import { NATIVE_TAXONOMY } from '../../analysis/emotion/profile.js';
import type { RowFacts } from '../../analysis/corpus/aggregate.js';
import { round4 } from '../../core/numbers.js';
import type { EmotionProfile } from '../../analysis/emotion/profile.js';
import type { Ekman, Sentiment } from '../../core/labels.js';
import type { CorpusFiles, LineReader } from './io.js';

export const DETAILS = ['summary', 'standard', 'full'] as const;
export type Detail = (typeof DETAILS)[number];

export interface RowsHeader {
  type: 'header';
  format_version: 1;
  model: { id: string; version: string; sha256: string };
  language: LanguageRequest;
  /** One threshold for every label, or null for the model's per-label thresholds. */
  threshold: number | null;
  detail: Detail;
}

export interface RowRecord {
  row: number;
  line: number;
  /** textHash of the text: the cache reuses a row only when the text is unchanged. */
  h: string;
  language: Language;
  group?: string;
  time?: string;
  bucket?: string;
  dominant: { label: string; score: number };
  /** Native labels at or over their threshold (every detail level: the label distribution is built from them). */
  detected: Array<{ label: string; score: number }>;
  ekman: Ekman;
  sentiment: Sentiment;
  valence: number;
  arousal: number;
  /** standard and full */
  ekman_scores?: Record<Ekman, number>;
  /** four groups (en, ko, ja) or CPED's three classes (zh) */
  sentiment_scores?: Partial<Record<Sentiment, number>>;
  /** full: every native label's probability */
  scores?: Record<string, number>;
}

export interface RowsFooter {
  type: 'footer';
  complete: boolean;
  stop_reason: string | null;
  rows_written: number;
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * 64-bit fingerprint of a text (16 hex digits): two 32-bit multiplicative lanes over the UTF-16 code units (FNV-1a's
 * prime and murmur2's multiplier), each finalised. It only has to tell whether row n's text changed since the last
 * run, so a false match needs a change that leaves both lanes equal (about 2⁻⁶⁴ for unrelated texts).
 */
export function textHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return fmix32(a ^ text.length).toString(16).padStart(8, '0') + fmix32(b).toString(16).padStart(8, '0');
}

const r4 = (x: number) => round4(x);

/** The JSONL record of one analysed row. Numbers are rounded to 4 decimals; the summaries are built from these records, so a re-run from cache gives the same summary. */
export function rowRecord(
  base: { row: number; line: number; text: string; group?: string; time?: string; bucket?: string },
  p: EmotionProfile,
  detail: Detail,
  labelNames: readonly string[],
  probs: ArrayLike<number>,
): RowRecord {
  const rec: RowRecord = {
    row: base.row,
    line: base.line,
    h: textHash(base.text),
    language: p.language,
    ...(base.group !== undefined ? { group: base.group } : {}),
    ...(base.time !== undefined ? { time: base.time } : {}),
    ...(base.bucket !== undefined ? { bucket: base.bucket } : {}),
    dominant: { label: p.dominant.label, score: r4(p.dominant.score) },
    detected: p.detected.map((d) => ({ label: d.label, score: r4(d.score) })),
    ekman: p.ekman.dominant,
    sentiment: p.sentiment.label,
    valence: r4(p.valence),
    arousal: r4(p.arousal),
  };
  if (detail !== 'summary') {
    rec.ekman_scores = round4(p.ekman.scores);
    rec.sentiment_scores = round4(p.sentiment.scores);
  }
  if (detail === 'full') rec.scores = Object.fromEntries(labelNames.map((l, i) => [l, r4(probs[i])]));
  return rec;
}

export function factsOf(rec: RowRecord, excerpt: string, group: string | undefined, bucket: string | undefined): RowFacts {
  return {
    row: rec.row,
    language: rec.language,
    taxonomy: NATIVE_TAXONOMY[rec.language],
    detected: rec.detected,
    ekman: rec.ekman,
    sentiment: rec.sentiment,
    valence: rec.valence,
    arousal: rec.arousal,
    group,
    bucket,
    excerpt,
  };
}

function sameHeader(a: RowsHeader, b: RowsHeader): boolean {
  return a.format_version === b.format_version && a.model.sha256 === b.model.sha256 && a.model.id === b.model.id && a.language === b.language && a.threshold === b.threshold && a.detail === b.detail;
}

/** Rows of an earlier run's JSONL, read forward in row order alongside the new run. */
export class CachedRows {
  private next: RowRecord | null = null;
  private done = false;

  private constructor(private readonly lines: LineReader) {}

  /** Opens `path` when it is a regular file written for the same header; otherwise null (nothing to reuse). */
  static async open(files: CorpusFiles, path: string, header: RowsHeader): Promise<CachedRows | null> {
    const lines = await files.readLines(path);
    if (!lines) return null;
    try {
      const first = await lines.next();
      const h = first === null ? null : (JSON.parse(first) as RowsHeader);
      if (h && h.type === 'header' && sameHeader(h, header)) return new CachedRows(lines);
    } catch {
      // not a file this tool wrote: nothing to reuse
    }
    await lines.close();
    return null;
  }

  /** The cached record of `row` when its text hash is `h`; rows must be asked for in increasing order. */
  async get(row: number, h: string): Promise<RowRecord | null> {
    while (!this.done && (this.next === null || this.next.row < row)) {
      const line = await this.lines.next();
      if (line === null) { this.done = true; break; }
      try {
        const rec = JSON.parse(line) as RowRecord & { type?: string };
        if (rec.type === 'footer') { this.done = true; break; }
        if (typeof rec.row === 'number') this.next = rec;
      } catch {
        this.done = true; // a torn last line: stop reusing here
      }
    }
    return this.next !== null && this.next.row === row && this.next.h === h ? this.next : null;
  }

  async close(): Promise<void> {
    await this.lines.close();
  }
}
