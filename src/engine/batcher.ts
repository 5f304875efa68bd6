// Dynamic micro-batching. Callers submit single items; items arriving within `windowMs` of the first queued
// item (or as soon as `maxBatch` are queued) are run together. When more than `maxBatch` are queued, they are
// sorted by length and cut into consecutive groups, so each batch pads to a similar length. A failing batch is
// retried item by item, so a bad input fails only its own caller. Aborted items leave the queue at once.
//
// An isolated request is not made to wait: when the batcher is idle (nothing queued or running) and the last batch
// was a single item or ended more than `windowMs` ago, the item runs at the next turn of the event loop
// (setImmediate), which still gathers everything submitted in the same turn. The window applies under concurrent
// load, i.e. right after a batch of several items.
//
// Up to `concurrency` batches run at once (default 1: one at a time); the engine sets it to the number of inference
// sessions it has, so each session is kept busy. Items that arrive while every slot is taken are taken as soon as a
// batch finishes.
import { ToolError } from '../core/errors.js';

export interface BatcherOptions<I, O> {
  windowMs: number;
  maxBatch: number;
  /** Sort key (e.g. token count). */
  length(input: I): number;
  /** Runs one batch; returns one output per input, in order. */
  run(inputs: I[]): Promise<O[]>;
  /** Batches that may run at the same time (default 1). */
  concurrency?: number;
}

export interface BatchStats {
  batches: number;
  items: number;
  /** Mean items per batch. */
  meanBatch: number;
  largestBatch: number;
  /** Batches that failed as a whole and were retried item by item. */
  isolationRetries: number;
  failedItems: number;
  cancelledItems: number;
  /** Σ real lengths / Σ (batch size × longest length): 1 = no padding. */
  paddingEfficiency: number;
  runMs: number;
  queued: number;
}

interface Pending<I, O> {
  input: I;
  len: number;
  signal?: AbortSignal;
  resolve(value: O): void;
  reject(err: unknown): void;
  settled: boolean;
  cleanup(): void;
}

function cancelled(): ToolError {
  return new ToolError('cancelled', 'the call was cancelled');
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private scheduled = false;
  private lastBatchSize = 0;
  private lastBatchEnd = -Infinity;
  private s = {
    batches: 0,
    items: 0,
    largest: 0,
    isolationRetries: 0,
    failedItems: 0,
    cancelledItems: 0,
    realLen: 0,
    paddedLen: 0,
    runMs: 0,
  };

  private readonly concurrency: number;
  /** Batches running now. */
  private readonly running = new Set<Promise<void>>();
  /** Groups cut from the queue, waiting for a free slot. */
  private readonly ready: Pending<I, O>[][] = [];
  /** Wakes a waiting drain loop (set while it waits). */
  private wake: (() => void) | null = null;

  constructor(private readonly opts: BatcherOptions<I, O>) {
    if (opts.maxBatch < 1) throw new Error('maxBatch must be ≥ 1');
    this.concurrency = opts.concurrency ?? 1;
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1))
      throw new Error(`concurrency must be an integer ≥ 1 (got ${opts.concurrency})`);
  }

  submit(input: I, signal?: AbortSignal): Promise<O> {
    if (signal?.aborted) {
      this.s.cancelledItems++;
      return Promise.reject(cancelled());
    }
    return new Promise<O>((resolve, reject) => {
      const p: Pending<I, O> = {
        input,
        len: this.opts.length(input),
        signal,
        settled: false,
        resolve: (v) => {
          if (p.settled) return;
          p.settled = true;
          p.cleanup();
          resolve(v);
        },
        reject: (e) => {
          if (p.settled) return;
          p.settled = true;
          p.cleanup();
          reject(e);
        },
        cleanup: () => {},
      };
      if (signal) this.watch(signal, p);
      this.queue.push(p);
      const underLoad = this.lastBatchSize > 1 && performance.now() - this.lastBatchEnd < this.opts.windowMs;
      const idle = this.queue.length === 1 && !this.draining && !this.timer && !underLoad;
      this.schedule(idle);
    });
  }

  /** One abort listener per signal (a 64-text call submits many windows with the same signal). */
  private watched = new Map<AbortSignal, { items: Set<Pending<I, O>>; onAbort: () => void }>();

  private watch(signal: AbortSignal, p: Pending<I, O>): void {
    let w = this.watched.get(signal);
    if (!w) {
      const entry = {
        items: new Set<Pending<I, O>>(),
        onAbort: () => {
          this.watched.delete(signal);
          for (const item of [...entry.items]) {
            const i = this.queue.indexOf(item);
            if (i >= 0) this.queue.splice(i, 1);
            this.s.cancelledItems++;
            item.reject(cancelled());
          }
        },
      };
      w = entry;
      this.watched.set(signal, w);
      signal.addEventListener('abort', w.onAbort, { once: true });
    }
    const entry = w;
    entry.items.add(p);
    p.cleanup = () => {
      entry.items.delete(p);
      if (entry.items.size === 0 && this.watched.get(signal) === entry) {
        this.watched.delete(signal);
        signal.removeEventListener('abort', entry.onAbort);
      }
    };
  }

  stats(): BatchStats {
    const s = this.s;
    return {
      batches: s.batches,
      items: s.items,
      meanBatch: s.batches ? s.items / s.batches : 0,
      largestBatch: s.largest,
      isolationRetries: s.isolationRetries,
      failedItems: s.failedItems,
      cancelledItems: s.cancelledItems,
      paddingEfficiency: s.paddedLen ? s.realLen / s.paddedLen : 1,
      runMs: Math.round(s.runMs * 10) / 10,
      queued: this.queue.length + this.ready.reduce((n, g) => n + g.filter((p) => !p.settled).length, 0),
    };
  }

  private schedule(idle = false): void {
    if (this.draining) {
      // the running drain loop takes new items when a batch finishes, or now when a slot is free
      if (this.running.size < this.concurrency) this.wake?.();
      return;
    }
    if (this.scheduled) return; // a drain is already due this turn; it takes everything queued
    if (idle) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
      return;
    }
    if (this.queue.length >= this.opts.maxBatch || this.opts.windowMs <= 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      this.scheduled = true;
      // after the current synchronous code: a caller submitting many items at once gets them all sorted together
      queueMicrotask(() => {
        this.scheduled = false;
        void this.drain();
      });
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.drain();
      }, this.opts.windowMs);
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        // Items are taken when a slot is free (with one slot: when the running batch has finished), all at once, so
        // everything that arrived meanwhile is sorted and cut into groups together.
        if (this.ready.length === 0 && this.queue.length > 0 && this.running.size < this.concurrency) {
          const taken = this.queue.splice(0, this.queue.length).filter((p) => !p.settled);
          taken.sort((a, b) => a.len - b.len);
          for (let i = 0; i < taken.length; i += this.opts.maxBatch)
            this.ready.push(taken.slice(i, i + this.opts.maxBatch));
        }
        if (this.ready.length > 0 && this.running.size < this.concurrency) {
          const run: Promise<void> = this.runGroup(this.ready.shift() as Pending<I, O>[]).finally(() => {
            this.running.delete(run);
          });
          this.running.add(run);
          continue;
        }
        if (this.ready.length === 0 && this.queue.length === 0 && this.running.size === 0) break;
        // a batch finishing, or a new item while a slot is free (submit wakes the loop then)
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          for (const r of this.running) void r.then(resolve);
        });
        this.wake = null;
      }
    } finally {
      this.draining = false;
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    }
  }

  private async runGroup(group: Pending<I, O>[]): Promise<void> {
    const live = group.filter((p) => !p.settled);
    if (live.length === 0) return;
    try {
      const outs = await this.timed(live);
      live.forEach((p, i) => p.resolve(outs[i]));
    } catch (err) {
      if (live.length === 1) {
        this.s.failedItems++;
        live[0].reject(err);
        return;
      }
      // isolate: run each item alone so only the bad ones fail
      this.s.isolationRetries++;
      for (const p of live) {
        if (p.settled) continue;
        try {
          const [out] = await this.timed([p]);
          p.resolve(out);
        } catch (e) {
          this.s.failedItems++;
          p.reject(e);
        }
      }
    }
  }

  private async timed(items: Pending<I, O>[]): Promise<O[]> {
    const t0 = performance.now();
    try {
      const outs = await this.opts.run(items.map((p) => p.input));
      if (outs.length !== items.length)
        throw new Error(`batch runner returned ${outs.length} outputs for ${items.length} inputs`);
      return outs;
    } finally {
      const longest = items.reduce((m, p) => Math.max(m, p.len), 0);
      this.s.batches++;
      this.s.items += items.length;
      this.s.largest = Math.max(this.s.largest, items.length);
      this.s.realLen += items.reduce((a, p) => a + p.len, 0);
      this.s.paddedLen += longest * items.length;
      this.s.runMs += performance.now() - t0;
      this.lastBatchSize = items.length;
      this.lastBatchEnd = performance.now();
    }
  }
}
