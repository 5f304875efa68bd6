// A small pool of worker threads running one kind of task, with progress messages, cancellation and crash
// handling. Chosen over piscina/tinypool (see docs/engine.md, "Work off the event loop"): the tasks need progress
// messages mid-task and must stop within milliseconds when cancelled; here a cancelled or timed-out task's worker
// is terminated (V8 stops it mid-loop) and a replacement started at once, which is all a pool library would add.
//
// Protocol (worker side: see runWorkerTasks below): the pool posts { id, task }; the worker answers
// { id, type: 'progress', value } any number of times, then { id, type: 'done', value } or
// { id, type: 'error', error: { name, message, field? } }.
import { availableParallelism, setPriority } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import { WorkerCrashError } from '../errors.js';
import { CrashWindow, type WorkerHealth } from './crash-window.js';

/** Threads a CPU-bound pool may use: all cores but one (left for the event loop and inference), at least one. */
export function spareCores(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface WorkerTaskError {
  name: string;
  message: string;
  field?: string;
}

/** An error thrown inside the worker, rebuilt in the calling thread (name, message and field kept). */
export class WorkerTaskFailure extends Error {
  constructor(readonly remote: WorkerTaskError) {
    super(remote.message);
    this.name = remote.name;
  }
}

export interface RunOptions<P> {
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
  /** Objects moved (not copied) to the worker, e.g. large typed-array buffers. */
  transfer?: ArrayBuffer[];
  /** What the task rejects with when the signal aborts (default: the signal's reason). */
  abortError?: (signal: AbortSignal) => unknown;
}

export interface PoolStats {
  size: number;
  busy: number;
  queued: number;
  started: number;
  /** Workers terminated because their task was cancelled or timed out. */
  terminated: number;
  crashed: number;
  /** Why the pool gave up after repeated crashes (null while healthy); then every task is refused. */
  failed: string | null;
}

type Msg<P, R> =
  | { id: number; type: 'progress'; value: P }
  | { id: number; type: 'done'; value: R }
  | { id: number; type: 'error'; error: WorkerTaskError };

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class WorkerPool<T, R, P = unknown> {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  private readonly counts = { started: 0, terminated: 0, crashed: 0 };
  private readonly supervision: CrashWindow;

  constructor(
    private readonly script: URL,
    private readonly maxWorkers: number,
    what = 'a worker thread',
  ) {
    this.supervision = new CrashWindow(what);
    if (!(maxWorkers >= 1)) throw new Error(`a worker pool needs at least one worker (got ${maxWorkers})`);
  }

  stats(): PoolStats {
    return {
      size: this.slots.length,
      busy: this.slots.filter((s) => s.busy).length,
      queued: this.waiting.length,
      ...this.counts,
      failed: this.supervision.failed,
    };
  }

  health(): WorkerHealth {
    return this.supervision.health();
  }

  async run(task: T, options: RunOptions<P> = {}): Promise<R> {
    const { signal } = options;
    const abortErr = () =>
      options.abortError ? options.abortError(signal as AbortSignal) : (signal as AbortSignal).reason;
    const slot = await this.acquire(signal, abortErr);
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const { worker } = slot;
      const finish = (release: boolean) => {
        worker.off('message', onMessage);
        worker.off('error', onThreadError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        if (release) this.release(slot);
      };
      const onMessage = (m: Msg<P, R>) => {
        if (m.id !== id) return;
        if (m.type === 'progress') options.onProgress?.(m.value);
        else if (m.type === 'done') {
          finish(true);
          resolve(m.value);
        } else {
          finish(true);
          reject(new WorkerTaskFailure(m.error));
        }
      };
      // A crash fails this task once; the thread is replaced at once unless the pool has crashed too often.
      const onError = (err: Error) => {
        if (this.closed) {
          finish(false);
          reject(new Error('the worker pool is closed'));
          return;
        }
        this.counts.crashed++;
        const gaveUp = this.supervision.record(err.message);
        this.drop(slot);
        finish(false);
        if (!gaveUp) {
          this.supervision.restarted();
          this.spawnSpare();
        }
        reject(
          new WorkerCrashError(
            `the worker thread running this call ${err.message}; the call was not completed ` +
              `(${gaveUp ? this.supervision.failed : 'a new thread replaces it: retry'})`,
          ),
        );
      };
      const onExit = (code: number) => onError(new Error(`exited with code ${code}`));
      const onThreadError = (err: Error) => onError(new Error(`failed: ${err.message}`));
      const onAbort = () => {
        // Terminating is the only way to stop synchronous work in the thread; the replacement starts on demand.
        this.counts.terminated++;
        this.drop(slot);
        finish(false);
        void worker.terminate();
        this.spawnSpare(); // the next call should not pay a thread start (tens of ms, more on a busy machine)
        reject(abortErr());
      };
      worker.on('message', onMessage);
      worker.on('error', onThreadError);
      worker.on('exit', onExit);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      worker.postMessage({ id, task }, options.transfer ?? []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }

  private async acquire(signal: AbortSignal | undefined, abortErr: () => unknown): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('the worker pool is closed');
      if (this.supervision.failed) throw new WorkerCrashError(this.supervision.failed);
      if (signal?.aborted) throw abortErr();
      const idle = this.slots.find((s) => !s.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.slots.length < this.maxWorkers) return this.spawn();
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake);
          const at = this.waiting.indexOf(wake);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve();
        };
        this.waiting.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Starts an idle worker now if there is room, so the next task finds a warm thread. */
  private spawnSpare(): void {
    if (this.closed || this.slots.length >= this.maxWorkers) return;
    const slot = this.spawn();
    slot.busy = false;
    slot.worker.unref();
    this.waiting.shift()?.();
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.script), busy: true };
    slot.worker.on('error', () => {}); // per-task listeners report it; an idle worker's crash just drops it
    slot.worker.on('exit', () => this.drop(slot));
    this.counts.started++;
    this.slots.push(slot);
    return slot;
  }

  private release(slot: Slot): void {
    slot.busy = false;
    slot.worker.unref(); // an idle worker does not keep the process alive
    this.waiting.shift()?.();
  }

  private drop(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    this.waiting.shift()?.();
  }
}

/** Nice value of a background worker thread (0 = normal, 19 = lowest). */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling worker thread's CPU priority (Linux only: there the nice value is per thread, and pid 0 means
 * the calling thread; elsewhere it is per process, so this would slow the whole server and is not done).
 * Idle cores still run the thread at full speed; it only yields to busier threads such as inference.
 */
export function lowerThreadPriority(nice = BACKGROUND_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    setPriority(0, nice);
    return true;
  } catch {
    return false; // not permitted (e.g. a seccomp profile): the thread runs at normal priority
  }
}

/** Worker side: answers the pool's tasks with `handle`, which may report progress. */
export function runWorkerTasks<T, R, P>(
  handle: (task: T, progress: (p: P) => void) => { value: R; transfer?: ArrayBuffer[] },
): void {
  const port = parentPort;
  if (!port) throw new Error('runWorkerTasks must run inside a worker thread');
  port.on('message', ({ id, task }: { id: number; task: T }) => {
    try {
      const { value, transfer } = handle(task, (p) => port.postMessage({ id, type: 'progress', value: p }));
      port.postMessage({ id, type: 'done', value }, transfer ?? []);
    } catch (err) {
      const e = err as Error & { field?: string };
      port.postMessage({
        id,
        type: 'error',
        error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), field: e?.field },
      });
    }
  });
}
