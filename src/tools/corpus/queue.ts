// analyze_corpus on a job queue (docs/corpus.md, "Workers on a queue"): what the coordinator (the server that runs
// the call) and a worker (`red-heart-mcp worker`, anywhere) say to each other, and the interface the tool sees. The
// queue itself (BullMQ on Redis) is the server's: src/server/corpus/queue.ts; this layer does no I/O.
//
// A chunk is a run of consecutive rows of the file; the coordinator reads the file and puts the rows' texts in the
// job, so a worker needs no shared disk. The worker returns one JSONL record per row, built by the same function the
// single-process run uses (`freshRecord`), and the coordinator aggregates the records in row order, exactly as the
// single-process run does: the summary and the JSONL are identical whatever the number of workers, the chunk size
// or the order in which chunks finish.
import { z } from 'zod';
import type { DecidedLanguage, ModelInfo, TextAnalysis } from '../../core/model.js';
import { LANGUAGE_CODES } from '../../core/model.js';
import { NATIVE_TAXONOMY, emotionProfile, head } from '../../analysis/emotion/profile.js';
import { rowRecord, textHash, DETAILS, type Detail, type RowRecord } from './rows.js';

/** Version of the job and result format; a worker refuses a job of another version (it runs other code). */
export const QUEUE_PROTOCOL = 1;

/** One row as a worker reads it. `group`, `time`, `bucket` only go into its record. */
export interface ChunkRow {
  row: number;
  line: number;
  text: string;
  decided: DecidedLanguage;
  group?: string;
  time?: string;
  bucket?: string;
}

/** What a record depends on besides the row: the model, and the call's settings. */
export interface ReadingSettings {
  detail: Detail;
  /** One threshold for every label; absent = the model's per-label thresholds. */
  threshold?: number;
}

/** Which model a job must be read with: id and version for messages, the content hash and the labels' fingerprint to decide. */
export interface ModelKey {
  id: string;
  version: string;
  /** The model file's sha256 (verified when the model loads). */
  sha256: string;
  /** Fingerprint of the labels, thresholds and languages of its manifest: they shape the record as much as the weights. */
  labels: string;
}

export interface ChunkJob {
  protocol: number;
  /** The call's run id (one per analyze_corpus call). */
  run: string;
  /** 0-based position of the chunk in the file. */
  chunk: number;
  model: ModelKey;
  settings: ReadingSettings;
  rows: ChunkRow[];
}

export interface ChunkResult {
  run: string;
  chunk: number;
  /** The worker that read it (host:pid), for messages and the progress line. */
  worker: string;
  records: RowRecord[];
}

const decided = z.object({
  language: z.enum(LANGUAGE_CODES),
  confidence: z.number().min(0).max(1).nullable(),
  uncertain: z.boolean().optional(),
});

/** What a worker accepts: a job of another shape is refused before any row is read. */
export const chunkJobSchema = z.object({
  protocol: z.number().int(),
  run: z.string().min(1).max(100),
  chunk: z.number().int().nonnegative(),
  model: z.object({ id: z.string(), version: z.string(), sha256: z.string(), labels: z.string() }),
  settings: z.object({ detail: z.enum(DETAILS), threshold: z.number().min(0).max(1).optional() }),
  rows: z
    .array(
      z.object({
        row: z.number().int().positive(),
        line: z.number().int().positive(),
        text: z.string(),
        decided,
        group: z.string().optional(),
        time: z.string().optional(),
        bucket: z.string().optional(),
      }),
    )
    .min(1),
});

export function modelKey(model: ModelInfo): ModelKey {
  return {
    id: model.id,
    version: model.version,
    sha256: model.sha256,
    labels: textHash(JSON.stringify([model.labels, model.thresholds, model.languages])),
  };
}

/** Why a worker serving `mine` must not read a job made for `wanted`, or null when it may. */
export function modelMismatch(mine: ModelKey, wanted: ModelKey): string | null {
  const name = (k: ModelKey) => `${k.id} ${k.version} (sha256 ${k.sha256.slice(0, 12)})`;
  if (mine.sha256 !== wanted.sha256)
    return `this worker serves ${name(mine)}, the job was made for ${name(wanted)}: the model's content hash differs`;
  if (mine.labels !== wanted.labels)
    return `this worker serves ${name(mine)} with other labels or thresholds in its manifest than the job's model`;
  return null;
}

/** The JSONL record of a row the model read: the one function behind both the single-process run and a worker. */
export function freshRecord(
  r: { row: number; line: number; text: string; group?: string; time?: string; bucket?: string },
  a: TextAnalysis,
  model: ModelInfo,
  settings: ReadingSettings,
): RowRecord {
  const profile = emotionProfile(a, model, { topK: 1, threshold: settings.threshold });
  const native = head(a, model, NATIVE_TAXONOMY[a.language]);
  return rowRecord(
    { row: r.row, line: r.line, text: r.text, group: r.group, time: r.time, bucket: r.bucket },
    profile,
    settings.detail,
    native.labels,
    native.probs,
  );
}

/** Reads texts as decided (the reading pipeline's Reader). */
export type ReadTexts = (
  texts: string[],
  decided: readonly DecidedLanguage[],
  signal: AbortSignal,
) => Promise<TextAnalysis[]>;

/**
 * A worker's part: the chunk's rows read in batches of `batch`, one record each, in row order. `between` runs after
 * each batch with the rows done so far (progress; it throws to stop the chunk, e.g. when the call was cancelled).
 */
export async function readChunk(
  job: ChunkJob,
  model: ModelInfo,
  read: ReadTexts,
  opts: { batch: number; signal: AbortSignal; between?: (done: number) => Promise<void> },
): Promise<RowRecord[]> {
  const records: RowRecord[] = [];
  for (let at = 0; at < job.rows.length; at += opts.batch) {
    const rows = job.rows.slice(at, at + opts.batch);
    const analyses = await read(
      rows.map((r) => r.text),
      rows.map((r) => r.decided),
      opts.signal,
    );
    rows.forEach((r, i) => records.push(freshRecord(r, analyses[i], model, job.settings)));
    await opts.between?.(records.length);
  }
  return records;
}

/** Why a worker's result cannot be merged for `job`, or null when it can (same rows, same texts, in order). */
export function resultProblem(job: ChunkJob, result: ChunkResult): string | null {
  if (result.run !== job.run || result.chunk !== job.chunk)
    return `a result for run ${result.run} chunk ${result.chunk}`;
  if (!Array.isArray(result.records) || result.records.length !== job.rows.length)
    return `${Array.isArray(result.records) ? result.records.length : 'no'} records for ${job.rows.length} rows`;
  for (let i = 0; i < job.rows.length; i++) {
    const rec = result.records[i];
    if (rec?.row !== job.rows[i].row || rec.h !== textHash(job.rows[i].text))
      return `record ${i + 1} is not row ${job.rows[i].row} with its text`;
  }
  return null;
}

/** Callbacks of one run's chunks, from the queue to the coordinator. */
export interface QueueListener {
  /** Rows of a chunk read so far by the worker that holds it (a retried chunk starts again from 0). */
  progress(chunk: number, rows: number): void;
}

/** One analyze_corpus call's use of the queue. */
export interface QueueRun {
  /** The run id (unique per call); the chunks' jobs carry it. */
  readonly id: string;
  /**
   * Enqueues a chunk; resolves with its result (the first one: a chunk read twice, after a worker died, counts once),
   * rejects with a ToolError when it failed for good (a worker refused it, Redis lost for too long, …).
   */
  submit(job: ChunkJob): Promise<ChunkResult>;
  /** Removes this run's chunks from the queue (waiting ones at once; running ones are told to stop). */
  cancel(): Promise<void>;
  /** Frees what the run holds (its chunks are finished or cancelled). */
  close(): Promise<void>;
}

/** The job queue as the tool sees it (src/server/corpus/queue.ts implements it on BullMQ). */
export interface CorpusQueue {
  /** Where the queue is, for messages (a password masked). */
  readonly where: string;
  /** Rows per chunk. */
  readonly chunkRows: number;
  /** Checks the connection and that a worker is there (clear ToolErrors otherwise), and opens a run. */
  open(listener: QueueListener): Promise<QueueRun>;
}
