// An ONNX Runtime session that lives in a worker thread. onnxruntime-node runs a session synchronously on the
// calling thread (its async run() only defers to setImmediate), so in-thread inference blocks the event loop for
// the whole run; here the main thread only tokenises, posts the int64 feeds and receives the float outputs.
// Same session options, same graph, same inputs: the outputs are bit-identical (test/engine/ort-worker.test.ts).
// Supervised: when the thread dies, the runs in flight on it fail once (WorkerCrashError, naming the crash) and a
// replacement thread is started from the model file (re-read and checked by `reload`); after WORKER_CRASH_LIMIT
// crashes within the window the session is failed for good and health says so (crash-window.ts).
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { WorkerCrashError } from '../errors.js';
import { CrashWindow, type WorkerHealth } from './crash-window.js';
import { workerScript } from './script.js';

export interface RawTensor {
  type: string;
  data: ArrayBufferView & ArrayLike<unknown>;
  dims: readonly number[];
}

export type OrtRequest =
  | { id: number; op: 'create'; bytes: Uint8Array; options: Record<string, unknown>; logLevel: string | undefined }
  | { id: number; op: 'run'; feeds: Record<string, RawTensor>; fetches: string[] }
  | { id: number; op: 'release' };

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The part of ort.InferenceSession the engine uses; both the in-thread session and WorkerSession provide it. */
export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>, fetches: string[]): Promise<Record<string, RawTensor>>;
  release(): Promise<void>;
  /** Crash counts of a supervised worker (absent for an in-thread session). */
  health?(): WorkerHealth;
}

interface SessionSetup {
  options: Record<string, unknown>;
  logLevel: string | undefined;
  /** The model bytes again, verified, for a replacement worker; absent = a crash is not recovered from. */
  reload?: () => Uint8Array;
}

/** A worker thread started ahead of its session (WorkerSession.startWorker); `gone` once it failed or exited. */
export interface EarlyWorker {
  worker: Worker;
  gone: boolean;
}

export class WorkerSession implements SessionLike {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Set when no worker will answer again (failed supervision, or released). */
  private dead: Error | null = null;
  /** A replacement worker being started; runs wait for it. */
  private restarting: Promise<void> | null = null;
  private released = false;
  private readonly supervision = new CrashWindow('the inference worker');
  private worker: Worker;
  inputNames: readonly string[] = [];
  outputNames: readonly string[] = [];

  private constructor(
    private readonly setup: SessionSetup,
    early?: EarlyWorker,
  ) {
    this.worker = this.spawn(early);
  }

  /**
   * Starts an inference worker thread now, before the model bytes are read and checked, so that the thread's start
   * and its import of onnxruntime-node overlap that work; `create` then uses it. Unref'd until used.
   */
  static startWorker(): EarlyWorker {
    const worker = new Worker(workerScript(import.meta.url, 'ort-worker.js'));
    const early: EarlyWorker = { worker, gone: false };
    const gone = () => {
      early.gone = true;
    };
    worker.on('error', gone).on('exit', gone);
    worker.unref();
    return early;
  }

  /**
   * Starts the worker (or takes `early`, from startWorker, unless it has died) and creates the session there from
   * the (already verified) model bytes.
   */
  static async create(
    bytes: Uint8Array,
    options: ort.InferenceSession.SessionOptions,
    logLevel: string | undefined,
    reload?: () => Uint8Array,
    early?: EarlyWorker,
  ): Promise<WorkerSession> {
    const s = new WorkerSession({ options: options as Record<string, unknown>, logLevel, reload }, early);
    try {
      const names = (await s.call({ op: 'create', bytes, options: s.setup.options, logLevel })) as {
        inputNames: string[];
        outputNames: string[];
      };
      s.inputNames = names.inputNames;
      s.outputNames = names.outputNames;
      return s;
    } catch (err) {
      s.released = true;
      await s.worker.terminate();
      throw err;
    }
  }

  async run(feeds: Record<string, ort.Tensor>, fetches: string[]): Promise<Record<string, RawTensor>> {
    if (this.restarting) await this.restarting;
    const raw: Record<string, RawTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const data = t.data as BigInt64Array;
      raw[name] = { type: t.type, data, dims: [...t.dims] };
      if (
        data.byteOffset === 0 &&
        data.byteLength === data.buffer.byteLength &&
        !transfer.includes(data.buffer as ArrayBuffer)
      )
        transfer.push(data.buffer as ArrayBuffer);
    }
    return (await this.call({ op: 'run', feeds: raw, fetches }, transfer)) as Record<string, RawTensor>;
  }

  async release(): Promise<void> {
    this.released = true;
    await this.restarting;
    if (!this.dead) await this.call({ op: 'release' }).catch(() => {});
    this.dead ??= new Error('the inference session is released');
    await this.worker.terminate();
  }

  health(): WorkerHealth {
    return this.supervision.health();
  }

  private spawn(early?: EarlyWorker): Worker {
    const worker = early && !early.gone ? early.worker : new Worker(workerScript(import.meta.url, 'ort-worker.js'));
    if (early?.gone) void early.worker.terminate();
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    worker.on('error', (err) => this.crashed(worker, `failed: ${err.message}`));
    worker.on('exit', (code) => this.crashed(worker, `exited with code ${code}`));
    worker.unref(); // an idle inference thread does not keep the process alive (it is ref'd while a run is pending)
    return worker;
  }

  /** The current worker died: fail its runs once, then replace it (or give up, see the file header). */
  private crashed(worker: Worker, how: string): void {
    if (worker !== this.worker || this.released) return;
    const reason = `the inference worker ${how}`;
    const gaveUp = this.supervision.record(reason);
    const recover = !gaveUp && !!this.setup.reload && this.inputNames.length > 0 && !this.restarting;
    const err = new WorkerCrashError(
      `${reason}; this call was not completed ` +
        `(${recover ? 'a new worker is starting: retry' : (this.supervision.failed ?? 'the worker is not replaced')})`,
    );
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (this.restarting) return; // the replacement itself died: replace() reports it
    if (!recover) {
      this.supervision.fail(`${reason} and cannot be replaced`);
      this.dead = new WorkerCrashError(this.supervision.failed as string);
      return;
    }
    this.restarting = this.replace().finally(() => {
      this.restarting = null;
    });
  }

  private async replace(): Promise<void> {
    try {
      const bytes = (this.setup.reload as () => Uint8Array)();
      this.worker = this.spawn();
      await this.call({ op: 'create', bytes, options: this.setup.options, logLevel: this.setup.logLevel });
      this.supervision.restarted();
    } catch (err) {
      this.supervision.fail(`the inference worker could not be replaced: ${(err as Error).message}`);
      this.dead = new WorkerCrashError(this.supervision.failed as string);
      void this.worker.terminate();
    }
  }

  private call(req: Omit<OrtRequest, 'id'> & Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id }, transfer);
    });
  }
}
