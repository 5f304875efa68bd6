// How the rows of a run are analysed: the interface the read loop drives, and its single-process form (batches of
// CORPUS_BATCH rows read by this process's engine). The queue form is run-queue.ts.
import type { Reader } from '../reading/pipeline.js';
import { CORPUS_BATCH } from './limits.js';
import { freshRecord, type ReadingSettings } from './queue.js';
import { textHash, type CachedRows, type RowRecord } from './rows.js';
import type { RunRows, TakenRow } from './run-rows.js';
import type { CorpusMemory } from './memory.js';

export interface RowAnalyser {
  /** One row for the model; may wait while a batch is read or the queue is full. `batchFull: false` defers the batch. */
  add(row: TakenRow, batchFull?: boolean): Promise<void>;
  /** Every row added is analysed and emitted (in row order). */
  finish(): Promise<void>;
  /** The call was cancelled: rows analysed so far are emitted, the rest dropped. */
  stop(): Promise<void>;
  /**
   * The run failed with `err`: emits what is done so that it is kept for the next run, and says whether the partial
   * file should be committed (true) or discarded (false).
   */
  salvage(err: unknown): Promise<boolean>;
}

/** What an analyser needs from the run. */
export interface AnalyserContext {
  rows: RunRows;
  cache: CachedRows | null;
  settings: ReadingSettings;
  signal: AbortSignal;
  /** memory: true (single-process runs only): adds each row's memory block before it is emitted. */
  memory?: CorpusMemory;
  /** Appends the emitted lines to the JSONL file. */
  write(lines: string): Promise<void>;
  /** Sends a progress notification. */
  progress(done: number, message: string): Promise<void>;
  /** "… bytes read" for progress messages. */
  readNote(): string;
}

/** The earlier run's records of these rows (null where none matches), asked for in row order. */
export async function cachedRecords(
  cache: CachedRows | null,
  rows: readonly TakenRow[],
): Promise<Array<RowRecord | null>> {
  const out: Array<RowRecord | null> = [];
  for (const r of rows) out.push(cache ? await cache.get(r.row, textHash(r.text)) : null);
  return out;
}

/** This process reads the rows with its own engine, CORPUS_BATCH at a time. */
export class LocalRows implements RowAnalyser {
  private pending: TakenRow[] = [];

  constructor(
    private readonly ctx: AnalyserContext,
    private readonly reader: Reader,
  ) {}

  async add(row: TakenRow, batchFull = true): Promise<void> {
    this.pending.push(row);
    if (batchFull && this.pending.length >= CORPUS_BATCH) await this.flush();
  }

  finish(): Promise<void> {
    return this.flush();
  }

  async stop(): Promise<void> {
    this.pending = [];
  }

  async salvage(): Promise<boolean> {
    return false;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const { rows, settings } = this.ctx;
    const reused = await cachedRecords(this.ctx.cache, batch);
    const fresh = batch.filter((_, i) => reused[i] === null);
    const analyses = fresh.length
      ? await this.reader.read(
          fresh.map((r) => r.text),
          fresh.map((r) => r.decided),
          this.ctx.signal,
        )
      : [];
    let k = 0;
    const records = batch.map((r, i) => reused[i] ?? freshRecord(r, analyses[k++], this.reader.model, settings));
    // a reused row's memory block is computed afresh too: the memory changes between runs, the reading does not
    await this.ctx.memory?.annotate(this.reader, batch, records, this.ctx.signal);
    for (let i = 0; i < batch.length; i++) {
      if (reused[i]) rows.emitCached(batch[i], records[i]);
      else rows.emitFresh(batch[i], records[i]);
    }
    await this.ctx.write(rows.drainLines());
    await this.ctx.progress(rows.counts.read, `${rows.counts.analysed} rows analysed; ${this.ctx.readNote()}`);
  }
}
