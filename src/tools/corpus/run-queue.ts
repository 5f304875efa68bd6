// The queue form of a run's analysis (docs/corpus.md, "Workers on a queue"): rows are packed into chunks of
// consecutive rows (rows the previous run's JSONL already holds stay here), each chunk's fresh rows become one job,
// and at most `window` chunks are out at once. Results come back in any order; chunks are merged strictly in chunk
// order, row by row, through the same RunRows the single-process run uses, so the floating sums of the summary
// happen in the same order and the result is identical. A chunk counts once whatever the queue does (a chunk read
// twice after a worker died resolves once).
import { ToolError } from '../../core/errors.js';
import type { ModelInfo } from '../../core/model.js';
import type { AnalyserContext, RowAnalyser } from './run-local.js';
import {
  QUEUE_PROTOCOL,
  modelKey,
  resultProblem,
  type ChunkJob,
  type ChunkResult,
  type ChunkRow,
  type QueueRun,
} from './queue.js';
import { textHash, type RowRecord } from './rows.js';
import type { TakenRow } from './run-rows.js';

interface Item {
  row: TakenRow;
  cached: RowRecord | null;
}

interface Chunk {
  index: number;
  items: Item[];
  job: ChunkJob | null;
  /** Fresh rows (sent to a worker). */
  fresh: number;
  /** Rows of it a worker reported done (the most seen: a retried chunk starts again from 0). */
  done: number;
  result: Promise<ChunkResult | null>;
  settled: { ok: ChunkResult | null } | { error: unknown } | null;
}

const CANCELLED = Symbol('cancelled');

export class QueueRows implements RowAnalyser {
  private building: Item[] = [];
  private readonly out: Chunk[] = [];
  private next = 0;
  /** Fresh rows taken but not yet merged. */
  private open = 0;
  private lastProgress = -1;
  private readonly workers = new Set<string>();
  private failure: { error: unknown } | null = null;
  private wake: () => void = () => {};
  /** Resolves when the call is cancelled (one listener for the whole run). */
  private readonly cancelled: Promise<typeof CANCELLED>;

  constructor(
    private readonly ctx: AnalyserContext,
    private readonly run: QueueRun,
    private readonly model: ModelInfo,
    private readonly opts: { chunkRows: number; window: number },
  ) {
    this.cancelled = aborted(ctx.signal);
  }

  /** The queue's progress callback: rows of a chunk a worker has read so far. */
  progressOf(chunk: number, rows: number): void {
    const c = this.out.find((x) => x.index === chunk);
    if (!c || rows <= c.done) return;
    c.done = Math.min(rows, c.fresh);
    this.report().catch(() => {}); // a progress notification that cannot be sent does not stop the run
  }

  async add(row: TakenRow): Promise<void> {
    const cached = this.ctx.cache ? await this.ctx.cache.get(row.row, textHash(row.text)) : null;
    this.building.push({ row, cached });
    if (!cached) this.open++;
    if (this.building.length >= this.opts.chunkRows) await this.send();
  }

  async finish(): Promise<void> {
    await this.send();
    while (this.out.length) await this.mergeHead();
  }

  async stop(): Promise<void> {
    await this.run.cancel();
    this.mergeSettled();
    await this.ctx.write(this.ctx.rows.drainLines());
  }

  async salvage(): Promise<boolean> {
    await this.run.cancel().catch(() => {});
    this.mergeSettled();
    await this.ctx.write(this.ctx.rows.drainLines());
    return true;
  }

  private async send(): Promise<void> {
    if (this.building.length === 0) return;
    const items = this.building;
    this.building = [];
    const freshRows = items.filter((i) => !i.cached).map((i) => chunkRow(i.row));
    const job: ChunkJob | null = freshRows.length
      ? {
          protocol: QUEUE_PROTOCOL,
          run: this.run.id,
          chunk: this.next,
          model: modelKey(this.model),
          settings: this.ctx.settings,
          rows: freshRows,
        }
      : null;
    const chunk: Chunk = {
      index: this.next++,
      items,
      job,
      fresh: freshRows.length,
      done: 0,
      result: job ? this.run.submit(job) : Promise.resolve(null),
      settled: null,
    };
    chunk.result.then(
      (ok) => {
        chunk.settled = { ok };
        this.wake();
      },
      (error) => {
        chunk.settled = { error };
        this.failure ??= { error };
        this.wake();
      },
    );
    this.out.push(chunk);
    while (this.out.length >= this.opts.window) await this.mergeHead();
  }

  /** Waits for the oldest chunk and merges it; throws the first failure of any chunk, or on cancellation. */
  private async mergeHead(): Promise<void> {
    const head = this.out[0];
    while (head.settled === null && this.failure === null) {
      const woke = new Promise<void>((resolve) => (this.wake = resolve));
      if ((await Promise.race([woke, this.cancelled])) === CANCELLED)
        throw new ToolError('cancelled', 'the call was cancelled');
    }
    if (this.failure) throw this.failure.error;
    this.out.shift();
    this.merge(head, (head.settled as { ok: ChunkResult | null }).ok);
    await this.ctx.write(this.ctx.rows.drainLines());
    await this.report();
  }

  /** Merges every chunk whose result is in, in chunk order, skipping the others (a stopped or failed run). */
  private mergeSettled(): void {
    try {
      for (const c of this.out.splice(0)) if (c.settled && 'ok' in c.settled) this.merge(c, c.settled.ok);
    } catch {
      // a result that does not fit its chunk ends what is kept here; the run reports its own failure
    }
  }

  private merge(chunk: Chunk, result: ChunkResult | null): void {
    if (chunk.job && result) {
      const problem = resultProblem(chunk.job, result);
      if (problem)
        throw new ToolError('queue_error', `chunk ${chunk.index} came back wrong from ${result.worker}: ${problem}`);
      this.workers.add(result.worker);
    }
    let k = 0;
    for (const item of chunk.items) {
      if (item.cached) this.ctx.rows.emitCached(item.row, item.cached);
      else this.ctx.rows.emitFresh(item.row, (result as ChunkResult).records[k++]);
    }
    this.open -= chunk.fresh;
  }

  /** Progress: rows read and settled (skipped, reused, merged, or read by a worker so far); it only increases. */
  private async report(): Promise<void> {
    const inFlight = this.out.reduce((t, c) => t + c.done, 0);
    const done = this.ctx.rows.counts.read - this.open + inFlight;
    if (done <= this.lastProgress) return;
    this.lastProgress = done;
    const analysed = this.ctx.rows.counts.analysed;
    await this.ctx.progress(
      done,
      `${analysed} rows merged, ${inFlight} more read by workers (${this.workers.size} so far); ${this.ctx.readNote()}`,
    );
  }
}

function chunkRow(r: TakenRow): ChunkRow {
  return {
    row: r.row,
    line: r.line,
    text: r.text,
    decided: r.decided,
    ...(r.group !== undefined ? { group: r.group } : {}),
    ...(r.time !== undefined ? { time: r.time } : {}),
    ...(r.bucket !== undefined ? { bucket: r.bucket } : {}),
  };
}

function aborted(signal: AbortSignal): Promise<typeof CANCELLED> {
  if (signal.aborted) return Promise.resolve(CANCELLED);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(CANCELLED), { once: true }));
}
