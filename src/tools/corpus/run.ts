// One analyze_corpus run: check the paths, stream the file through the parser in batches, analyse each batch with
// the engine (or reuse the row from the previous run's JSONL), aggregate, and write the per-row JSONL and the HTML
// report. On cancellation the rows finished so far are written with a footer that says the run is partial, and the
// report says so too: the files on disk are always consistent.
import { CorpusAggregator, type CorpusSummary } from '../../analysis/corpus/aggregate.js';
import { sampleRows } from '../../analysis/corpus/sample.js';
import { bucketOf, parseTime, type TimeBucket } from '../../analysis/corpus/time.js';
import { NATIVE_TAXONOMY, emotionProfile, head } from '../../analysis/emotion/profile.js';
import type { DecidedLanguage, LanguageRequest, TextEngine } from '../../core/model.js';
import { ToolError } from '../../core/errors.js';
import { checkRequested, decideText, loadLanguageDetector } from '../reading/languages.js';
import { readerOf } from '../reading/pipeline.js';
import type { ToolContext } from '../types.js';
import { MAX_CORPUS_BYTES, MAX_CORPUS_ROWS } from '../../core/limits.js';
import { CORPUS_BATCH, EXCERPT_CHARS, MAX_MALFORMED_LISTED } from './limits.js';
import { createParser, formatFromName, type CorpusFormat, type CorpusRow, type ParseEvent } from './parse.js';
import type { AllowedDirectory, CorpusFiles, CorpusInput, FileWriter } from './io.js';
import { renderReport, type ReportData } from './report-html.js';
import {
  CachedRows,
  factsOf,
  rowRecord,
  textHash,
  type Detail,
  type RowRecord,
  type RowsFooter,
  type RowsHeader,
} from './rows.js';
import { modelBlock, type ModelBlock } from '../model-block.js';
import type { CorpusMemory, CorpusMemorySummary } from './memory.js';

export interface CorpusRequest {
  path: string;
  format?: CorpusFormat;
  text_field?: string;
  group_field?: string;
  time_field?: string;
  time_bucket: TimeBucket;
  limit?: number;
  sample?: { rows: number; seed: number };
  language: LanguageRequest;
  detail: Detail;
  threshold?: number;
  output_dir?: string;
}

export interface CorpusEnvironment {
  engine: () => Promise<TextEngine>;
  files: CorpusFiles;
  allowed: readonly AllowedDirectory[];
  signal: AbortSignal;
  progress: ToolContext['progress'];
  maxTextChars: number;
  maxBytes?: number;
  maxRows?: number;
  now?: () => Date;
  /** Told when an earlier per-row file is not reused because it fails its checks (rows.ts). */
  warn?: (message: string) => void;
  /** memory: true: each row gets a memory block, the summary the memory's agreement (memory.ts). */
  memory?: CorpusMemory;
}

export interface CorpusResult {
  file: string;
  format: CorpusFormat;
  complete: boolean;
  stop_reason: string | null;
  rows: {
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
  };
  malformed: Array<{ row: number; line: number; reason: string }>;
  summary: CorpusSummary & { memory?: CorpusMemorySummary };
  model: ModelBlock;
  thresholds: string;
  files: { rows_jsonl: string; report_html: string };
  elapsed_ms: number;
  rows_per_second: number;
}

const GROUP_MISSING = '(missing)';
/** Characters handed to the parser at a time (see the read loop). */
const PARSE_SLICE_CHARS = 4096;

function excerptOf(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS - 1)}…` : t;
}

/** Counts data rows (for the sample) by parsing the whole file once without analysing anything. */
async function countRows(
  input: CorpusInput,
  format: CorpusFormat,
  req: CorpusRequest,
  cap: number,
  signal: AbortSignal,
): Promise<number> {
  const parser = createParser(format, { text: req.text_field, group: req.group_field, time: req.time_field });
  let last = 0;
  const see = (evs: ParseEvent[]) => {
    for (const e of evs) last = e.row;
  };
  for await (const chunk of input.chunks()) {
    see(parser.feed(chunk.text));
    if (last > cap) return cap;
    if (signal.aborted) throw new ToolError('cancelled', 'the call was cancelled while counting rows for the sample');
  }
  see(parser.end());
  return Math.min(last, cap);
}

export async function runCorpus(req: CorpusRequest, env: CorpusEnvironment): Promise<CorpusResult> {
  const started = performance.now();
  const maxRows = env.maxRows ?? MAX_CORPUS_ROWS;
  const { files } = env;
  const input = await files.openInput(req.path, env.allowed, env.maxBytes ?? MAX_CORPUS_BYTES);
  let cache: CachedRows | null = null;
  let out: FileWriter | null = null;
  try {
    const format = req.format ?? formatFromName(input.name);
    if (!format)
      throw new ToolError(
        'invalid_input',
        `cannot tell the format of '${input.name}' from its extension (.csv, .tsv, .jsonl, .txt); give format`,
      );
    if (format === 'text' && (req.text_field || req.group_field || req.time_field)) {
      throw new ToolError(
        'invalid_input',
        'a plain text file (one text per line) has no fields: leave text_field, group_field and time_field out, or use CSV/TSV/JSONL',
      );
    }
    if (format !== 'text' && !req.text_field)
      throw new ToolError(
        'invalid_input',
        `text_field is required for ${format.toUpperCase()} files (the column or key that holds the text)`,
      );

    const outputs = await files.outputFiles(input, req.output_dir, env.allowed);

    const reader = readerOf(await env.engine()); // model_missing before any work
    const model = reader.model;
    checkRequested(model, req.language);
    await loadLanguageDetector(); // rows are decided as they are taken
    const modelInfo = modelBlock(model);
    const header: RowsHeader = {
      type: 'header',
      format_version: 1,
      model: modelInfo,
      language: req.language,
      threshold: req.threshold ?? null,
      detail: req.detail,
      ...(env.memory ? { memory: true as const } : {}),
    };

    const cap = Math.min(req.limit ?? maxRows, maxRows);
    let selected: Uint32Array | null = null;
    if (req.sample)
      selected = sampleRows(await countRows(input, format, req, cap, env.signal), req.sample.rows, req.sample.seed);
    const total = selected ? selected.length : req.limit !== undefined ? cap : undefined;

    cache = await CachedRows.open(files, outputs.rows, header, model, (message) => env.warn?.(message));
    out = await files.createWriter(outputs.rows);
    await out.write(`${JSON.stringify(header)}\n`);

    const aggregator = new CorpusAggregator();
    const counts: CorpusResult['rows'] = {
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
    const malformed: CorpusResult['malformed'] = [];
    /** Rows waiting for the engine, each with the language it is read as (decided once, when the row was taken). */
    let pending: Array<CorpusRow & { decided: DecidedLanguage }> = [];
    let sampleAt = 0;
    let stop: string | null = null;
    let bytesRead = 0;

    const bucketFor = (r: CorpusRow): string | undefined => {
      if (!req.time_field) return undefined;
      const t = r.time === undefined ? null : parseTime(r.time);
      if (t === null) {
        counts.time_unreadable++;
        return undefined;
      }
      return bucketOf(t, req.time_bucket);
    };

    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const hashes = batch.map((r) => textHash(r.text));
      const reused: Array<RowRecord | null> = [];
      for (let i = 0; i < batch.length; i++) reused.push(cache ? await cache.get(batch[i].row, hashes[i]) : null);
      const fresh = batch.filter((_, i) => reused[i] === null);
      const analyses = fresh.length
        ? await reader.read(
            fresh.map((r) => r.text),
            fresh.map((r) => r.decided),
            env.signal,
          )
        : [];
      let k = 0;
      const recs: RowRecord[] = [];
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i];
        const bucket = bucketFor(r);
        let group: string | undefined;
        if (req.group_field) {
          group = r.group ?? GROUP_MISSING;
          if (r.group === undefined) counts.group_missing++;
        }
        const place = { group: r.group, time: r.time, bucket };
        let rec: RowRecord;
        const old = reused[i];
        if (old) {
          rec = { ...old, line: r.line, ...place };
          for (const key of ['group', 'time', 'bucket'] as const) if (rec[key] === undefined) delete rec[key];
          counts.from_cache++;
        } else {
          const a = analyses[k++];
          const profile = emotionProfile(a, model, { topK: 1, threshold: req.threshold });
          const native = head(a, model, NATIVE_TAXONOMY[a.language]);
          rec = rowRecord(
            { row: r.row, line: r.line, text: r.text, ...place },
            profile,
            req.detail,
            native.labels,
            native.probs,
          );
        }
        counts.analysed++;
        aggregator.add(factsOf(rec, excerptOf(r.text), group, bucket));
        recs.push(rec);
      }
      await env.memory?.annotate(reader, batch, recs, env.signal);
      await (out as FileWriter).write(recs.map((rec) => `${JSON.stringify(rec)}\n`).join(''));
      await env.progress(
        counts.read,
        total,
        `${counts.analysed} rows analysed; ${bytesRead} of ${input.size} bytes read`,
      );
    };

    const take = (e: ParseEvent): boolean => {
      if (e.row > cap) {
        if (req.limit === undefined || req.limit > maxRows)
          stop = `the file has more than ${maxRows} rows; only the first ${maxRows} were read (the row limit)`;
        return false;
      }
      if (selected) {
        while (sampleAt < selected.length && selected[sampleAt] < e.row) sampleAt++;
        if (selected[sampleAt] !== e.row) {
          counts.not_in_sample++;
          return true;
        }
      }
      counts.read++;
      if (e.kind === 'malformed') {
        counts.skipped.malformed++;
        if (malformed.length < MAX_MALFORMED_LISTED) malformed.push({ row: e.row, line: e.line, reason: e.reason });
      } else if (e.text.trim() === '') counts.skipped.empty_text++;
      else if (e.text.length > env.maxTextChars) counts.skipped.text_too_long++;
      else {
        // a row in a language the model does not read is skipped and counted, not read as English (docs/language.md)
        const d = decideText(model, e.text, req.language);
        if ('refused' in d) counts.skipped.unsupported_language++;
        else {
          if (d.decided.uncertain) counts.language_uncertain++;
          pending.push({ ...e, decided: d.decided });
        }
      }
      return true;
    };

    const parser = createParser(format, { text: req.text_field, group: req.group_field, time: req.time_field });
    let ended = false;
    try {
      outer: for await (const chunk of input.chunks()) {
        bytesRead = chunk.bytesRead;
        // The parser is fed a slice at a time so that only a few dozen parsed rows wait for the engine: rows that
        // outlive many batches would be promoted to V8's old space and raise the peak RSS with the file's length.
        for (let at = 0; at < chunk.text.length; at += PARSE_SLICE_CHARS) {
          for (const e of parser.feed(chunk.text.slice(at, at + PARSE_SLICE_CHARS))) {
            if (!take(e)) {
              ended = true;
              break outer;
            }
            if (pending.length >= CORPUS_BATCH) await flush();
          }
        }
        if (env.signal.aborted) {
          stop = 'cancelled by the client';
          break;
        }
      }
      if (!ended && stop === null) for (const e of parser.end()) if (!take(e)) break;
      if (stop === null) await flush();
    } catch (err) {
      if (!env.signal.aborted) throw err;
      stop = 'cancelled by the client';
    }
    if (env.signal.aborted && stop === null) stop = 'cancelled by the client';
    counts.blank_lines = parser.blankLines;
    if (counts.read === 0 && stop === null && counts.not_in_sample === 0) {
      throw new ToolError(
        'invalid_input',
        `'${input.name}' has no data rows${format === 'csv' || format === 'tsv' ? ' after the header' : ''}`,
      );
    }

    const complete = stop === null;
    const footer: RowsFooter = { type: 'footer', complete, stop_reason: stop, rows_written: counts.analysed };
    await out.write(`${JSON.stringify(footer)}\n`);
    await cache?.close();
    cache = null;
    await out.commit();
    out = null;

    const summary = env.memory ? { ...aggregator.summary(), memory: env.memory.summary() } : aggregator.summary();
    const thresholds =
      req.threshold === undefined
        ? 'per-label thresholds tuned on dev data (the model default)'
        : `one threshold for every label: ${req.threshold}`;
    const report: ReportData = {
      file: input.path,
      generatedAt: (env.now?.() ?? new Date()).toISOString(),
      complete,
      stopReason: stop,
      model: modelInfo,
      thresholds:
        req.threshold === undefined
          ? {
              kind: 'per-label',
              values: {
                goemotions: zip(model.labels.goemotions, model.thresholds.goemotions),
                kote: zip(model.labels.kote, model.thresholds.kote),
              },
            }
          : { kind: 'single', value: req.threshold },
      settings: {
        format,
        text_field: req.text_field ?? null,
        group_field: req.group_field ?? null,
        time_field: req.time_field ?? null,
        time_bucket: req.time_field ? req.time_bucket : null,
        limit: req.limit ?? null,
        sample: req.sample ? `${req.sample.rows} rows, seed ${req.sample.seed}` : null,
        language: req.language,
        detail: req.detail,
      },
      counts: {
        rows_read: counts.read,
        rows_analysed: counts.analysed,
        rows_cached: counts.from_cache,
        skipped: { ...counts.skipped },
        blank_lines: counts.blank_lines,
      },
      malformed,
      summary,
    };
    const html = await files.createWriter(outputs.report);
    try {
      await html.write(renderReport(report));
      await html.commit();
    } catch (err) {
      await html.discard();
      throw err;
    }

    const elapsed = performance.now() - started;
    return {
      file: input.path,
      format,
      complete,
      stop_reason: stop,
      rows: counts,
      malformed,
      summary,
      model: modelInfo,
      thresholds,
      files: { rows_jsonl: outputs.rows, report_html: outputs.report },
      elapsed_ms: Math.round(elapsed),
      rows_per_second: elapsed > 0 ? Math.round((counts.analysed / elapsed) * 1000 * 10) / 10 : 0,
    };
  } finally {
    await out?.discard().catch(() => {});
    await cache?.close().catch(() => {});
    await input.close().catch(() => {});
  }
}

function zip(labels: readonly string[], values: readonly number[]): Record<string, number> {
  return Object.fromEntries(labels.map((l, i) => [l, values[i]]));
}
