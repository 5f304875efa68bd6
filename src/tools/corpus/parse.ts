// Incremental record parsers for analyze_corpus: CSV and TSV (RFC 4180 quoting; in TSV a quote inside an unquoted
// field is literal), JSON Lines, plain text (one text
// per line). Text is fed in chunks of any size (a chunk may end inside a field, a quote pair or a CRLF); each feed
// returns the records completed so far, so a file is never held whole. Only the fields the tool asked for are kept.
// Blank lines are not rows (counted in `blankLines`). A record that cannot be read is returned as `malformed` with
// its first line number and the reason; parsing goes on with the next record.
import { ToolError } from '../../core/errors.js';

export const CORPUS_FORMATS = ['csv', 'tsv', 'jsonl', 'text'] as const;
export type CorpusFormat = (typeof CORPUS_FORMATS)[number];

export interface FieldSpec {
  /** Column (CSV/TSV header) or key (JSONL) holding the text; unused for plain text. */
  text?: string;
  group?: string;
  time?: string;
}

export interface CorpusRow {
  kind: 'row';
  /** 1-based data row number (CSV/TSV header and blank lines not counted). */
  row: number;
  /** 1-based line on which the record starts. */
  line: number;
  text: string;
  /** Group value as text; undefined when the field is empty or missing. */
  group?: string;
  time?: string;
}

export interface MalformedRow {
  kind: 'malformed';
  row: number;
  line: number;
  reason: string;
}

export type ParseEvent = CorpusRow | MalformedRow;

export interface RecordParser {
  feed(chunk: string): ParseEvent[];
  /** Call once at end of input: returns the last record (or the malformed tail). */
  end(): ParseEvent[];
  readonly blankLines: number;
}

export interface ParserLimits {
  /** Longest record (CSV/TSV) or line (JSONL/text) kept, in UTF-16 code units; longer ones are malformed. */
  maxRecordChars: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = { maxRecordChars: 1 << 20 };

export function createParser(
  format: CorpusFormat,
  fields: FieldSpec,
  limits: ParserLimits = DEFAULT_PARSER_LIMITS,
): RecordParser {
  switch (format) {
    case 'csv':
      return new DelimitedParser(',', fields, limits);
    case 'tsv':
      return new DelimitedParser('\t', fields, limits);
    case 'jsonl':
      return new LineParser(jsonlRecord(fields), limits);
    case 'text':
      return new LineParser((line, row, lineNo) => ({ kind: 'row', row, line: lineNo, text: line }), limits);
  }
}

/** U+FFFD in decoded text: the decoder met bytes that are not UTF-8 (the file may also hold a literal U+FFFD). */
const REPLACEMENT = '\uFFFD';
const INVALID_UTF8 = 'invalid UTF-8 (or a U+FFFD character) in the record';

// ---------------------------------------------------------------- CSV / TSV

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just read a quote inside a quoted field: "" (escaped quote) or the closing quote. */
  QuoteInQuoted,
}

class DelimitedParser implements RecordParser {
  private readonly delim: number;
  private state = S.FieldStart;
  private fields: string[] = [];
  private field = '';
  private recordChars = 0;
  private problem: string | null = null;
  /** Line the current record started on, and the current line. */
  private recordLine = 1;
  private line = 1;
  /** A CR ended the last record/line: a directly following LF belongs to it. */
  private afterCR = false;
  private header: string[] | null = null;
  private columns: { text: number; group: number; time: number } | null = null;
  private row = 0;
  blankLines = 0;

  /** CSV (RFC 4180) refuses a quote inside an unquoted field; TSV takes it literally (many TSV writers never quote). */
  private readonly strictQuotes: boolean;

  constructor(
    delim: ',' | '\t',
    private readonly spec: FieldSpec,
    private readonly limits: ParserLimits,
  ) {
    this.delim = delim.charCodeAt(0);
    this.strictQuotes = delim === ',';
  }

  feed(chunk: string): ParseEvent[] {
    const out: ParseEvent[] = [];
    const n = chunk.length;
    let i = 0;
    // Start of the run of field characters not yet appended to this.field (−1: none); a field left open by the
    // previous chunk continues from this chunk's start.
    let seg = this.state === S.Quoted || this.state === S.Unquoted ? 0 : -1;
    const flush = (end: number) => {
      if (seg >= 0 && end > seg) this.append(chunk.slice(seg, end));
      seg = -1;
    };
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.afterCR) {
        this.afterCR = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case S.FieldStart:
          if (c === QUOTE) {
            this.state = S.Quoted;
            seg = i + 1;
          } else if (c === this.delim) this.endField();
          else if (c === LF || c === CR) this.endRecord(out, c);
          else {
            this.state = S.Unquoted;
            seg = i;
          }
          break;
        case S.Unquoted:
          if (c === this.delim) {
            flush(i);
            this.endField();
            this.state = S.FieldStart;
          } else if (c === LF || c === CR) {
            flush(i);
            this.endRecord(out, c);
          } else if (c === QUOTE && this.strictQuotes)
            this.problem ??= `line ${this.line}: a quote inside an unquoted field (quote the whole field and double inner quotes)`;
          break;
        case S.Quoted:
          if (c === QUOTE) {
            flush(i);
            this.state = S.QuoteInQuoted;
          } else if (c === LF) this.line++;
          break;
        case S.QuoteInQuoted:
          if (c === QUOTE) {
            this.append('"');
            this.state = S.Quoted;
            seg = i + 1;
          } else if (c === this.delim) {
            this.endField();
            this.state = S.FieldStart;
          } else if (c === LF || c === CR) this.endRecord(out, c);
          else {
            this.problem ??= `line ${this.line}: text after the closing quote of a field`;
            this.state = S.Unquoted;
            seg = i;
          }
          break;
      }
      i++;
    }
    flush(n);
    return out;
  }

  end(): ParseEvent[] {
    const out: ParseEvent[] = [];
    if (this.state === S.Quoted) {
      this.problem ??= `a quoted field opened on line ${this.recordLine} is never closed (unbalanced quotes)`;
      this.state = S.QuoteInQuoted; // close it so the record can be emitted as malformed
    }
    if (this.state !== S.FieldStart || this.fields.length > 0) this.endRecord(out, -1);
    return out;
  }

  private append(s: string): void {
    this.recordChars += s.length;
    if (this.recordChars > this.limits.maxRecordChars) {
      this.problem ??= `record longer than ${this.limits.maxRecordChars} characters`;
      return; // stop storing; keep scanning for the record's end
    }
    this.field += s;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
  }

  /** c: the line-break character that ended the record, or −1 at end of input. */
  private endRecord(out: ParseEvent[], c: number): void {
    this.endField();
    const fields = this.fields;
    const line = this.recordLine;
    const problem = this.problem;
    this.fields = [];
    this.recordChars = 0;
    this.problem = null;
    this.state = S.FieldStart;
    if (c === CR) this.afterCR = true;
    if (c !== -1) this.line++;
    this.recordLine = this.line;

    if (problem === null && fields.length === 1 && fields[0] === '') {
      this.blankLines++;
      return;
    }
    if (this.header === null) {
      if (problem !== null) throw new ToolError('invalid_input', `the header line cannot be read: ${problem}`);
      this.header = fields.map((f) => f.trim());
      this.columns = this.resolveColumns(this.header);
      return;
    }
    const row = ++this.row;
    if (problem !== null) {
      out.push({ kind: 'malformed', row, line, reason: problem });
      return;
    }
    if (fields.length !== this.header.length) {
      out.push({
        kind: 'malformed',
        row,
        line,
        reason: `expected ${this.header.length} fields (as in the header), found ${fields.length}`,
      });
      return;
    }
    const cols = this.columns as NonNullable<DelimitedParser['columns']>;
    const text = fields[cols.text];
    if (text.includes(REPLACEMENT)) {
      out.push({ kind: 'malformed', row, line, reason: INVALID_UTF8 });
      return;
    }
    out.push({ kind: 'row', row, line, text, group: optional(fields, cols.group), time: optional(fields, cols.time) });
  }

  private resolveColumns(header: string[]): { text: number; group: number; time: number } {
    const find = (name: string | undefined, role: string, required: boolean): number => {
      if (name === undefined) {
        if (required)
          throw new ToolError(
            'invalid_input',
            `text_field is required for CSV/TSV files; the header has: ${listColumns(header)}`,
          );
        return -1;
      }
      const i = header.indexOf(name);
      if (i < 0)
        throw new ToolError(
          'invalid_input',
          `${role} '${name}' is not a column of the header; the header has: ${listColumns(header)}`,
        );
      return i;
    };
    return {
      text: find(this.spec.text, 'text_field', true),
      group: find(this.spec.group, 'group_field', false),
      time: find(this.spec.time, 'time_field', false),
    };
  }
}

function listColumns(header: string[]): string {
  const shown = header
    .slice(0, 30)
    .map((h) => JSON.stringify(h))
    .join(', ');
  return header.length > 30 ? `${shown}, … (${header.length} columns)` : shown;
}

function optional(fields: string[], i: number): string | undefined {
  if (i < 0) return undefined;
  const v = fields[i].trim();
  return v === '' ? undefined : v;
}

// ---------------------------------------------------------------- line-based formats

type LineRecord = (line: string, row: number, lineNo: number) => ParseEvent;

class LineParser implements RecordParser {
  private buf = '';
  private overlong = false;
  private line = 1;
  private row = 0;
  private afterCR = false;
  blankLines = 0;

  constructor(
    private readonly toRecord: LineRecord,
    private readonly limits: ParserLimits,
  ) {}

  feed(chunk: string): ParseEvent[] {
    const out: ParseEvent[] = [];
    let start = 0;
    if (this.afterCR && chunk.charCodeAt(0) === LF) start = 1;
    this.afterCR = false;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      this.take(chunk.slice(start, i));
      this.endLine(out);
      if (c === CR) {
        if (i + 1 < chunk.length) {
          if (chunk.charCodeAt(i + 1) === LF) i++;
        } else this.afterCR = true;
      }
      start = i + 1;
    }
    this.take(chunk.slice(start));
    return out;
  }

  end(): ParseEvent[] {
    const out: ParseEvent[] = [];
    if (this.buf !== '' || this.overlong) this.endLine(out);
    return out;
  }

  private take(s: string): void {
    if (this.overlong) return;
    if (this.buf.length + s.length > this.limits.maxRecordChars) {
      this.overlong = true;
      this.buf = '';
      return;
    }
    this.buf += s;
  }

  private endLine(out: ParseEvent[]): void {
    const lineNo = this.line++;
    const text = this.buf;
    const overlong = this.overlong;
    this.buf = '';
    this.overlong = false;
    if (!overlong && text.trim() === '') {
      this.blankLines++;
      return;
    }
    const row = ++this.row;
    if (overlong)
      out.push({
        kind: 'malformed',
        row,
        line: lineNo,
        reason: `line longer than ${this.limits.maxRecordChars} characters`,
      });
    else if (text.includes(REPLACEMENT)) out.push({ kind: 'malformed', row, line: lineNo, reason: INVALID_UTF8 });
    else out.push(this.toRecord(text, row, lineNo));
  }
}

function jsonlRecord(spec: FieldSpec): LineRecord {
  if (spec.text === undefined)
    throw new ToolError('invalid_input', 'text_field is required for JSON Lines files (the key that holds the text)');
  const key = spec.text;
  return (line, row, lineNo) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return {
        kind: 'malformed',
        row,
        line: lineNo,
        reason: `not valid JSON (${(err as Error).message.slice(0, 80)})`,
      };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { kind: 'malformed', row, line: lineNo, reason: 'the line is not a JSON object' };
    const obj = value as Record<string, unknown>;
    if (!(key in obj)) return { kind: 'malformed', row, line: lineNo, reason: `no key '${key}' (text_field)` };
    const text = obj[key];
    if (typeof text !== 'string')
      return {
        kind: 'malformed',
        row,
        line: lineNo,
        reason: `'${key}' (text_field) is ${text === null ? 'null' : typeof text}, not a string`,
      };
    return { kind: 'row', row, line: lineNo, text, group: scalar(obj, spec.group), time: scalar(obj, spec.time) };
  };
}

/** A JSONL value used as group or time: strings, numbers and booleans as text; null, missing or nested: undefined. */
function scalar(obj: Record<string, unknown>, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const v = obj[key];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Format from the file name: .csv, .tsv/.tab, .jsonl/.ndjson, .txt; null when the extension says nothing. */
export function formatFromName(name: string): CorpusFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  switch (ext) {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'txt':
    case 'text':
      return 'text';
    default:
      return null;
  }
}
