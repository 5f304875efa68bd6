// The rows of one analyze_corpus run as the coordinator sees them: each parsed record is counted and either skipped
// (malformed, empty, too long, unsupported language, not in the sample) or taken for the model with its decided
// language and time bucket; each analysed row is then emitted in row order: counted, aggregated into the summaries
// and turned into its JSONL line. Whoever analyses the rows (this process in batches, or workers on a queue) hands
// the records back through `emitFresh` / `emitCached` in row order, so the summary and the file are the same.
import { CorpusAggregator } from '../../analysis/corpus/aggregate.js';
import { bucketOf, parseTime, type TimeBucket } from '../../analysis/corpus/time.js';
import type { DecidedLanguage, LanguageRequest, ModelInfo } from '../../core/model.js';
import { decideText } from '../reading/languages.js';
import { EXCERPT_CHARS, MAX_MALFORMED_LISTED } from './limits.js';
import type { CorpusRow, ParseEvent } from './parse.js';
import { factsOf, type RowRecord } from './rows.js';

const GROUP_MISSING = '(missing)';

/** A row the model must read: as parsed, with its decided language and its time bucket (when a time field is given). */
export interface TakenRow extends CorpusRow {
  decided: DecidedLanguage;
  bucket?: string;
}

export interface RowCounts {
  read: number;
  analysed: number;
  from_cache: number;
  skipped: { malformed: number; empty_text: number; text_too_long: number; unsupported_language: number };
  not_in_sample: number;
  /** Rows taken for analysis whose language was read by the served-language prior, not identified. */
  language_uncertain: number;
  blank_lines: number;
  time_unreadable: number;
  group_missing: number;
}

export interface RowsPlan {
  /** Rows past this number are not read. */
  cap: number;
  /** The row limit of the server (a stop past it says so unless the caller's own limit is lower). */
  maxRows: number;
  /** The caller's limit, if any. */
  limit?: number;
  /** The sampled row numbers, ascending; null = every row. */
  selected: Uint32Array | null;
}

export interface TakeOptions {
  language: LanguageRequest;
  group_field?: string;
  time_field?: string;
  time_bucket: TimeBucket;
  maxTextChars: number;
}

/** `take` returns it when the row limit is passed: read no further. */
export const END = 'end';

function excerptOf(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS - 1)}…` : t;
}

export class RunRows {
  readonly counts: RowCounts = {
    read: 0,
    analysed: 0,
    from_cache: 0,
    skipped: { malformed: 0, empty_text: 0, text_too_long: 0, unsupported_language: 0 },
    not_in_sample: 0,
    language_uncertain: 0,
    blank_lines: 0,
    time_unreadable: 0,
    group_missing: 0,
  };
  readonly malformed: Array<{ row: number; line: number; reason: string }> = [];
  readonly aggregator = new CorpusAggregator();
  /** Set when the row limit stopped the reading. */
  stop: string | null = null;
  private sampleAt = 0;
  private lines = '';

  constructor(
    private readonly opts: TakeOptions,
    private readonly model: ModelInfo,
    private readonly plan: RowsPlan,
  ) {}

  /** Counts one parsed record; returns the row when the model must read it, null when it is skipped, END past the cap. */
  take(e: ParseEvent): TakenRow | null | typeof END {
    if (e.row > this.plan.cap) {
      const { limit, maxRows } = this.plan;
      if (limit === undefined || limit > maxRows)
        this.stop = `the file has more than ${maxRows} rows; only the first ${maxRows} were read (the row limit)`;
      return END;
    }
    if (!this.inSample(e.row)) {
      this.counts.not_in_sample++;
      return null;
    }
    this.counts.read++;
    if (e.kind === 'malformed') {
      this.counts.skipped.malformed++;
      if (this.malformed.length < MAX_MALFORMED_LISTED)
        this.malformed.push({ row: e.row, line: e.line, reason: e.reason });
      return null;
    }
    if (e.text.trim() === '') this.counts.skipped.empty_text++;
    else if (e.text.length > this.opts.maxTextChars) this.counts.skipped.text_too_long++;
    else {
      // a row in a language the model does not read is skipped and counted, not read as English (docs/language.md)
      const d = decideText(this.model, e.text, this.opts.language);
      if ('refused' in d) this.counts.skipped.unsupported_language++;
      else {
        if (d.decided.uncertain) this.counts.language_uncertain++;
        const bucket = this.bucketOf(e);
        return { ...e, decided: d.decided, ...(bucket !== undefined ? { bucket } : {}) };
      }
    }
    return null;
  }

  /** A row the model read (here or on a worker), emitted in row order. */
  emitFresh(r: TakenRow, rec: RowRecord): void {
    this.emit(r, rec);
  }

  /** A row reused from the previous run's JSONL: its place (line, group, time, bucket) is this run's. */
  emitCached(r: TakenRow, old: RowRecord): void {
    const rec: RowRecord = { ...old, line: r.line, group: r.group, time: r.time, bucket: r.bucket };
    for (const key of ['group', 'time', 'bucket'] as const) if (rec[key] === undefined) delete rec[key];
    this.counts.from_cache++;
    this.emit(r, rec);
  }

  /** The JSONL lines emitted since the last call. */
  drainLines(): string {
    const out = this.lines;
    this.lines = '';
    return out;
  }

  private emit(r: TakenRow, rec: RowRecord): void {
    if (this.opts.time_field && r.bucket === undefined) this.counts.time_unreadable++;
    let group: string | undefined;
    if (this.opts.group_field) {
      group = r.group ?? GROUP_MISSING;
      if (r.group === undefined) this.counts.group_missing++;
    }
    this.counts.analysed++;
    this.aggregator.add(factsOf(rec, excerptOf(r.text), group, r.bucket));
    this.lines += `${JSON.stringify(rec)}\n`;
  }

  private inSample(row: number): boolean {
    const selected = this.plan.selected;
    if (!selected) return true;
    while (this.sampleAt < selected.length && selected[this.sampleAt] < row) this.sampleAt++;
    return selected[this.sampleAt] === row;
  }

  private bucketOf(r: CorpusRow): string | undefined {
    if (!this.opts.time_field) return undefined;
    const t = r.time === undefined ? null : parseTime(r.time);
    return t === null ? undefined : bucketOf(t, this.opts.time_bucket);
  }
}
