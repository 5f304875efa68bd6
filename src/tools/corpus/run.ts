// One analyze_corpus run: check the paths, stream the file through the parser, hand the rows to the analyser (this
// process's engine in batches, or workers on a job queue: run-local.ts / run-queue.ts), reuse rows of the previous
// run's JSONL, aggregate in row order, and write the per-row JSONL and the HTML report. On cancellation the rows
// finished so far are written with a footer that says the run is partial, and the report says so too: the files on
// disk are always consistent. A queue run that fails keeps the rows done so far in the JSONL (a footer names the
// failure), so the next run resumes from them.
import type { CorpusSummary } from '../../analysis/corpus/aggregate.js';
import { sampleRows } from '../../analysis/corpus/sample.js';
import type { TimeBucket } from '../../analysis/corpus/time.js';
import type { LanguageRequest, ModelInfo, TextEngine } from '../../core/model.js';
import { ToolError } from '../../core/errors.js';
import { checkRequested, loadLanguageDetector } from '../reading/languages.js';
import { readerOf, type Reader } from '../reading/pipeline.js';
import type { ToolContext } from '../types.js';
import { MAX_CORPUS_BYTES, MAX_CORPUS_ROWS } from '../../core/limits.js';
import { createParser, formatFromName, type CorpusFormat, type ParseEvent } from './parse.js';
import type { AllowedDirectory, CorpusFiles, CorpusInput, FileWriter, OutputFiles } from './io.js';
import { renderReport, type ReportData } from './report-html.js';
import { CachedRows, type Detail, type RowsFooter, type RowsHeader } from './rows.js';
import { modelBlock, type ModelBlock } from '../model-block.js';
import type { CorpusQueue } from './queue.js';
import { END, RunRows, type RowCounts, type RowsPlan } from './run-rows.js';
import { LocalRows, type AnalyserContext, type RowAnalyser } from './run-local.js';
import { QueueRows } from './run-queue.js';
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
  /** Workers on a job queue read the rows (--queue); absent = this process reads them. */
  queue?: CorpusQueue;
  /** memory: true: each row gets a memory block, the summary the memory's agreement (memory.ts). */
  memory?: CorpusMemory;
}

export interface CorpusResult {
  file: string;
  format: CorpusFormat;
  complete: boolean;
  stop_reason: string | null;
  rows: RowCounts;
  malformed: Array<{ row: number; line: number; reason: string }>;
  summary: CorpusSummary & { memory?: CorpusMemorySummary };
  model: ModelBlock;
  thresholds: string;
  files: { rows_jsonl: string; report_html: string };
  elapsed_ms: number;
  rows_per_second: number;
}

/** Characters handed to the parser at a time (see the read loop). */
const PARSE_SLICE_CHARS = 4096;
/** Chunks out on the queue at once, per chunk a worker can hold: enough to keep every worker busy while the oldest is merged. */
const QUEUE_WINDOW = 64;

/** The format, and the fields it needs (a ToolError otherwise). */
function checkFormat(req: CorpusRequest, name: string): CorpusFormat {
  const format = req.format ?? formatFromName(name);
  if (!format)
    throw new ToolError(
      'invalid_input',
      `cannot tell the format of '${name}' from its extension (.csv, .tsv, .jsonl, .txt); give format`,
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
  return format;
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

/** Which rows are read: the cap (limit, row limit) and the sample. */
async function rowsPlan(
  req: CorpusRequest,
  env: CorpusEnvironment,
  input: CorpusInput,
  format: CorpusFormat,
): Promise<RowsPlan> {
  const maxRows = env.maxRows ?? MAX_CORPUS_ROWS;
  const cap = Math.min(req.limit ?? maxRows, maxRows);
  const selected = req.sample
    ? sampleRows(await countRows(input, format, req, cap, env.signal), req.sample.rows, req.sample.seed)
    : null;
  return { cap, maxRows, limit: req.limit, selected };
}

function rowsHeader(req: CorpusRequest, model: ModelInfo, memory: boolean): RowsHeader {
  return {
    type: 'header',
    format_version: 1,
    model: modelBlock(model),
    language: req.language,
    threshold: req.threshold ?? null,
    detail: req.detail,
    ...(memory ? { memory: true as const } : {}),
  };
}

/** What stays open during a run (closed or discarded by runCorpus whatever happens). */
interface OpenFiles {
  cache: CachedRows | null;
  out: FileWriter | null;
}

/** Everything a run holds once the checks have passed. */
interface Run {
  req: CorpusRequest;
  env: CorpusEnvironment;
  input: CorpusInput;
  format: CorpusFormat;
  outputs: OutputFiles;
  reader: Reader;
  plan: RowsPlan;
  rows: RunRows;
  bytesRead: number;
}

/** The analyser of this run: this process's engine, or the job queue when the server has one. */
async function analyserFor(run: Run, open: OpenFiles): Promise<RowAnalyser> {
  const { req, env, plan, input } = run;
  const total = plan.selected ? plan.selected.length : req.limit !== undefined ? plan.cap : undefined;
  const ctx: AnalyserContext = {
    rows: run.rows,
    cache: open.cache,
    settings: { detail: req.detail, ...(req.threshold !== undefined ? { threshold: req.threshold } : {}) },
    signal: env.signal,
    ...(env.memory ? { memory: env.memory } : {}),
    write: (lines) => (open.out as FileWriter).write(lines),
    progress: (done, message) => env.progress(done, total, message),
    readNote: () => `${run.bytesRead} of ${input.size} bytes read`,
  };
  if (!env.queue) return new LocalRows(ctx, run.reader);
  let rows: QueueRows | null = null;
  const queueRun = await env.queue.open({ progress: (chunk, n) => rows?.progressOf(chunk, n) });
  rows = new QueueRows(ctx, queueRun, run.reader.model, { chunkRows: env.queue.chunkRows, window: QUEUE_WINDOW });
  return withClose(rows, () => queueRun.close());
}

/** The analyser, with `close` run once its run has ended (finished, stopped or salvaged). */
function withClose(a: RowAnalyser, close: () => Promise<void>): RowAnalyser {
  const after = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } finally {
      await close().catch(() => {});
    }
  };
  return {
    add: (row, full) => a.add(row, full),
    finish: () => after(a.finish()),
    stop: () => after(a.stop()),
    salvage: (err) => after(a.salvage(err)),
  };
}

/** Streams the file through the parser into the analyser. Returns the stop reason (null: the whole file was read). */
async function readRows(run: Run, analyser: RowAnalyser): Promise<string | null> {
  const { req, env, input, rows } = run;
  const parser = createParser(run.format, { text: req.text_field, group: req.group_field, time: req.time_field });
  let cancelled = false;
  let ended = false;
  try {
    outer: for await (const chunk of input.chunks()) {
      run.bytesRead = chunk.bytesRead;
      // The parser is fed a slice at a time so that only a few dozen parsed rows wait for the engine: rows that
      // outlive many batches would be promoted to V8's old space and raise the peak RSS with the file's length.
      for (let at = 0; at < chunk.text.length; at += PARSE_SLICE_CHARS) {
        for (const e of parser.feed(chunk.text.slice(at, at + PARSE_SLICE_CHARS))) {
          const taken = rows.take(e);
          if (taken === END) {
            ended = true;
            break outer;
          }
          if (taken) await analyser.add(taken);
        }
      }
      if (env.signal.aborted) {
        cancelled = true;
        break;
      }
    }
    if (!ended && !cancelled)
      for (const e of parser.end()) {
        const taken = rows.take(e);
        if (taken === END) break;
        if (taken) await analyser.add(taken, false);
      }
    // Rows taken before the row limit stopped the reading are analysed too.
    if (!cancelled) await analyser.finish();
  } catch (err) {
    if (!env.signal.aborted) throw err;
    cancelled = true;
  }
  if (env.signal.aborted && rows.stop === null) cancelled = true;
  if (cancelled) await analyser.stop();
  rows.counts.blank_lines = parser.blankLines;
  return rows.stop ?? (cancelled ? 'cancelled by the client' : null);
}

async function writeFooter(out: FileWriter, stop: string | null, written: number): Promise<void> {
  const footer: RowsFooter = { type: 'footer', complete: stop === null, stop_reason: stop, rows_written: written };
  await out.write(`${JSON.stringify(footer)}\n`);
}

/** A queue run that failed: the rows done so far are committed with a footer naming the failure (the next run resumes). */
async function keepPartial(run: Run, analyser: RowAnalyser, open: OpenFiles, err: unknown): Promise<void> {
  if (!open.out || !(await analyser.salvage(err).catch(() => false))) return;
  await writeFooter(open.out, `failed: ${(err as Error).message}`, run.rows.counts.analysed);
  await open.cache?.close();
  open.cache = null;
  await open.out.commit();
  open.out = null;
}

export async function runCorpus(req: CorpusRequest, env: CorpusEnvironment): Promise<CorpusResult> {
  const started = performance.now();
  if (env.queue && env.memory)
    throw new ToolError(
      'invalid_input',
      'memory: true is not available when analyze_corpus runs on a job queue (--queue): the workers do not share ' +
        "this server's experience memory; call without memory, or on a server without --queue",
    );
  const input = await env.files.openInput(req.path, env.allowed, env.maxBytes ?? MAX_CORPUS_BYTES);
  const open: OpenFiles = { cache: null, out: null };
  try {
    const run = await startRun(req, env, input, open);
    const analyser = await analyserFor(run, open);
    let stop: string | null;
    try {
      stop = await readRows(run, analyser);
    } catch (err) {
      await keepPartial(run, analyser, open, err);
      throw err;
    }
    if (run.rows.counts.read === 0 && stop === null && run.rows.counts.not_in_sample === 0) {
      throw new ToolError(
        'invalid_input',
        `'${input.name}' has no data rows${run.format === 'csv' || run.format === 'tsv' ? ' after the header' : ''}`,
      );
    }
    await writeFooter(open.out as FileWriter, stop, run.rows.counts.analysed);
    await open.cache?.close();
    open.cache = null;
    await (open.out as FileWriter).commit();
    open.out = null;
    return await finishRun(run, stop, started);
  } finally {
    await open.out?.discard().catch(() => {});
    await open.cache?.close().catch(() => {});
    await input.close().catch(() => {});
  }
}

/** The checks, the model, the plan, the earlier rows and the new JSONL with its header. */
async function startRun(req: CorpusRequest, env: CorpusEnvironment, input: CorpusInput, open: OpenFiles): Promise<Run> {
  const format = checkFormat(req, input.name);
  const outputs = await env.files.outputFiles(input, req.output_dir, env.allowed);
  const reader = readerOf(await env.engine()); // model_missing before any work
  checkRequested(reader.model, req.language);
  await loadLanguageDetector(); // rows are decided as they are taken
  const header = rowsHeader(req, reader.model, env.memory !== undefined);
  const plan = await rowsPlan(req, env, input, format);
  open.cache = await CachedRows.open(env.files, outputs.rows, header, reader.model, (m) => env.warn?.(m));
  open.out = await env.files.createWriter(outputs.rows);
  await open.out.write(`${JSON.stringify(header)}\n`);
  const rows = new RunRows({ ...req, maxTextChars: env.maxTextChars }, reader.model, plan);
  return { req, env, input, format, outputs, reader, plan, rows, bytesRead: 0 };
}

/** The summary, the HTML report and the result. */
async function finishRun(run: Run, stop: string | null, started: number): Promise<CorpusResult> {
  const { req, input, rows, outputs } = run;
  const model = run.reader.model;
  const summary = run.env.memory
    ? { ...rows.aggregator.summary(), memory: run.env.memory.summary() }
    : rows.aggregator.summary();
  const html = await run.env.files.createWriter(outputs.report);
  try {
    await html.write(renderReport(reportData(run, stop, summary)));
    await html.commit();
  } catch (err) {
    await html.discard();
    throw err;
  }
  const elapsed = performance.now() - started;
  return {
    file: input.path,
    format: run.format,
    complete: stop === null,
    stop_reason: stop,
    rows: rows.counts,
    malformed: rows.malformed,
    summary,
    model: modelBlock(model),
    thresholds:
      req.threshold === undefined
        ? 'per-label thresholds tuned on dev data (the model default)'
        : `one threshold for every label: ${req.threshold}`,
    files: { rows_jsonl: outputs.rows, report_html: outputs.report },
    elapsed_ms: Math.round(elapsed),
    rows_per_second: elapsed > 0 ? Math.round((rows.counts.analysed / elapsed) * 1000 * 10) / 10 : 0,
  };
}

function reportData(run: Run, stop: string | null, summary: CorpusSummary): ReportData {
  const { req, rows } = run;
  const model = run.reader.model;
  const counts = rows.counts;
  return {
    file: run.input.path,
    generatedAt: (run.env.now?.() ?? new Date()).toISOString(),
    complete: stop === null,
    stopReason: stop,
    model: modelBlock(model),
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
      format: run.format,
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
    malformed: rows.malformed,
    summary,
  };
}

function zip(labels: readonly string[], values: readonly number[]): Record<string, number> {
  return Object.fromEntries(labels.map((l, i) => [l, values[i]]));
}
