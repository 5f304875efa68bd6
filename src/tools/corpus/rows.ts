// The per-row JSON Lines file of analyze_corpus: a header line (model, language, threshold, detail, memory — what the
// rows depend on), one line per analysed row, and a footer saying whether the run completed. The same file is the row
// cache of the next run: a row is reused when the header matches and the row's text hash is unchanged. The file
// lies in a user's directory and may have been edited, so it is checked whole before any row of it is reused: the
// header, then every row against the schema of a row this model writes (labels of the model's taxonomy for that
// row's language, probabilities in 0..1, the detail's fields, rows in increasing order). A file that fails is
// ignored with a warning and rewritten by this run; its rows are never read into a summary.
import { z } from 'zod';
import type { Language, LanguageRequest, ModelInfo } from '../../core/model.js';
import { NATIVE_TAXONOMY } from '../../analysis/emotion/profile.js';
import type { RowFacts } from '../../analysis/corpus/aggregate.js';
import { round4 } from '../../core/numbers.js';
import type { EmotionProfile } from '../../analysis/emotion/profile.js';
import { EKMAN, SENTIMENTS, type Ekman, type Sentiment } from '../../core/labels.js';
import type { CorpusFiles, LineReader } from './io.js';
import { memoryBlockSchema } from '../memory-reading.js';

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
  /** memory: true: every row carries a memory block (memory.ts); absent otherwise. */
  memory?: true;
}

export interface RowRecord {
  row: number;
  line: number;
  /** textHash of the text (a 64-bit change detector, not a cryptographic hash): a row is reused only when it matches. */
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
 * run, so a false match needs a change that leaves both lanes equal (about 2⁻⁶⁴ for unrelated texts). It is not a
 * cryptographic hash: someone who edits the input on purpose can make a collision; they can as well edit the JSONL.
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
  return (
    fmix32(a ^ text.length)
      .toString(16)
      .padStart(8, '0') + fmix32(b).toString(16).padStart(8, '0')
  );
}

const r4 = (x: number) => round4(x);

/**
 * The JSONL record of one analysed row. Numbers are rounded to 4 decimals; the summaries are built from these
 * records, so a re-run from cache gives the same summary.
 */
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

export function factsOf(
  rec: RowRecord,
  excerpt: string,
  group: string | undefined,
  bucket: string | undefined,
): RowFacts {
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

const headerSchema = z
  .object({
    type: z.literal('header'),
    format_version: z.literal(1),
    model: z.object({ id: z.string(), version: z.string(), sha256: z.string() }).strict(),
    language: z.string(),
    threshold: z.number().min(0).max(1).nullable(),
    detail: z.enum(DETAILS),
    memory: z.literal(true).optional(),
  })
  .strict();

function sameHeader(a: RowsHeader, b: RowsHeader): boolean {
  return (
    a.format_version === b.format_version &&
    a.model.sha256 === b.model.sha256 &&
    a.model.id === b.model.id &&
    a.model.version === b.model.version &&
    a.language === b.language &&
    a.threshold === b.threshold &&
    a.detail === b.detail &&
    a.memory === b.memory
  );
}

/** The native labels a row in `language` carries (its taxonomy's head of this model). */
function nativeLabels(model: ModelInfo, language: Language): readonly string[] {
  const taxonomy = NATIVE_TAXONOMY[language];
  return taxonomy === 'goemotions'
    ? model.labels.goemotions
    : taxonomy === 'kote'
      ? model.labels.kote
      : (model.labels.cpedEmotion ?? []);
}

const prob = z.number().min(0).max(1);
const text = z.string().max(100_000);

/** The schema of a row this model writes at this detail (with a memory block or not), for a row in `language`. */
function rowSchema(model: ModelInfo, language: Language, detail: Detail, memory: boolean) {
  const labels = nativeLabels(model, language);
  const label = z.string().refine((l) => labels.includes(l), 'not a label of the model for this language');
  return z
    .object({
      row: z.number().int().positive(),
      line: z.number().int().positive(),
      h: z.string().regex(/^[0-9a-f]{16}$/),
      language: z.literal(language),
      group: text.optional(),
      time: text.optional(),
      bucket: text.optional(),
      dominant: z.object({ label, score: prob }).strict(),
      detected: z
        .array(z.object({ label, score: prob }).strict())
        .max(labels.length)
        .refine((d) => new Set(d.map((x) => x.label)).size === d.length, 'a label detected twice'),
      ekman: z.enum(EKMAN),
      sentiment: z.enum(SENTIMENTS),
      valence: z.number().min(-1).max(1),
      arousal: prob,
      ...(detail !== 'summary'
        ? {
            ekman_scores: z.object(Object.fromEntries(EKMAN.map((e) => [e, prob]))).strict(),
            sentiment_scores: z.object(Object.fromEntries(SENTIMENTS.map((x) => [x, prob.optional()]))).strict(),
          }
        : {}),
      ...(detail === 'full'
        ? {
            scores: z
              .record(label, prob)
              .refine((r) => Object.keys(r).length === labels.length, 'not every label has a score'),
          }
        : {}),
      ...(memory ? { memory: memoryBlockSchema } : {}),
    })
    .strict();
}

/** Why a reused file's line is not trusted, or null for a valid row (`after`: the previous row number). */
function rowProblem(
  line: string,
  model: ModelInfo,
  header: Pick<RowsHeader, 'detail' | 'memory'>,
  after: number,
): { rec: RowRecord | null; footer: boolean; problem: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { rec: null, footer: false, problem: 'not JSON' };
  }
  if (raw && typeof raw === 'object' && (raw as { type?: unknown }).type === 'footer')
    return { rec: null, footer: true, problem: null };
  const language = (raw as { language?: unknown } | null)?.language;
  if (typeof language !== 'string' || !model.languages.includes(language as Language))
    return { rec: null, footer: false, problem: 'language: not one the model reads' };
  const parsed = rowSchema(model, language as Language, header.detail, header.memory === true).safeParse(raw);
  if (!parsed.success)
    return {
      rec: null,
      footer: false,
      problem: parsed.error.issues
        .slice(0, 2)
        .map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`)
        .join('; '),
    };
  const rec = parsed.data as RowRecord;
  if (rec.row <= after)
    return {
      rec: null,
      footer: false,
      problem: `row ${rec.row} after row ${after} (rows are written in increasing order)`,
    };
  return { rec, footer: false, problem: null };
}

/** Rows of an earlier run's JSONL, read forward in row order alongside the new run. */
export class CachedRows {
  private next: RowRecord | null = null;
  private done = false;
  private last = 0;

  private constructor(
    private readonly lines: LineReader,
    private readonly model: ModelInfo,
    private readonly header: RowsHeader,
  ) {}

  /**
   * Opens `path` when it is a regular file written for the same header and every row in it is one this model
   * writes; otherwise null (nothing to reuse). A file that exists but fails a check is reported through `warn`.
   * A torn last line (a run killed mid-write) ends the reusable part without failing the file.
   */
  static async open(
    files: CorpusFiles,
    path: string,
    header: RowsHeader,
    model: ModelInfo,
    warn: (message: string) => void = () => {},
  ): Promise<CachedRows | null> {
    const problem = await CachedRows.check(files, path, header, model);
    if (problem === undefined) return null;
    if (problem !== null) {
      warn(`the earlier per-row file is not reused (${problem}); it is ignored and rewritten`);
      return null;
    }
    const lines = await files.readLines(path);
    if (!lines) return null;
    await lines.next(); // the header, checked above
    return new CachedRows(lines, model, header);
  }

  /** undefined: no file (or another header: nothing to reuse); null: every line checks out; else what failed. */
  private static async check(
    files: CorpusFiles,
    path: string,
    header: RowsHeader,
    model: ModelInfo,
  ): Promise<string | null | undefined> {
    const lines = await files.readLines(path);
    if (!lines) return undefined;
    try {
      const first = await lines.next();
      if (first === null) return undefined;
      let h: unknown;
      try {
        h = JSON.parse(first);
      } catch {
        return 'line 1: the header is not JSON';
      }
      const parsedHeader = headerSchema.safeParse(h);
      if (!parsedHeader.success)
        return (
          `line 1: not a header of this tool (${parsedHeader.error.issues[0].path.join('.')}: ` +
          `${parsedHeader.error.issues[0].message})`
        );
      if (!sameHeader(parsedHeader.data as RowsHeader, header)) return undefined; // another model or other options: a fresh run
      let after = 0;
      let n = 1;
      let torn: number | null = null;
      for (let line = await lines.next(); line !== null; line = await lines.next()) {
        n++;
        if (torn !== null) return `line ${torn}: not JSON, and more lines follow`;
        const r = rowProblem(line, model, header, after);
        if (r.footer) return null;
        if (r.problem === 'not JSON') {
          torn = n;
          continue;
        }
        if (r.problem) return `line ${n}: ${r.problem}`;
        after = r.rec!.row;
      }
      return null;
    } finally {
      await lines.close();
    }
  }

  /** The cached record of `row` when its text hash is `h`; rows must be asked for in increasing order. */
  async get(row: number, h: string): Promise<RowRecord | null> {
    while (!this.done && (this.next === null || this.next.row < row)) {
      const line = await this.lines.next();
      if (line === null) {
        this.done = true;
        break;
      }
      // Checked again as read: the file may have changed since it was checked whole.
      const r = rowProblem(line, this.model, this.header, this.last);
      if (r.footer || r.problem) {
        this.done = true;
        break;
      }
      this.next = r.rec;
      this.last = r.rec!.row;
    }
    return this.next !== null && this.next.row === row && this.next.h === h ? this.next : null;
  }

  async close(): Promise<void> {
    await this.lines.close();
  }
}
