// An ONNX Runtime session that lives in a worker thread. onnxruntime-node runs a session synchronously on the
// calling thread (its async run() only defers to setImmediate), so in-thread inference blocks the event loop for
// the whole run; here the main thread only tokenises, posts the int64 feeds and receives the float outputs.
// Same session options, same graph, same inputs: the outputs are bit-identical (test/engine/ort-worker.test.ts).
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
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
}

export class WorkerSession implements SessionLike {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;
  inputNames: readonly string[] = [];
  outputNames: readonly string[] = [];

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    const die = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => die(new Error(`inference worker failed: ${err.message}`)));
    worker.on('exit', (code) => die(new Error(`inference worker exited (code ${code})`)));
    worker.unref(); // an idle inference thread does not keep the process alive (it is ref'd while a run is pending)
  }

  /** Starts the worker and creates the session there from the (already verified) model bytes. */
  static async create(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions, logLevel: string | undefined): Promise<WorkerSession> {
    const s = new WorkerSession(new Worker(workerScript(import.meta.url, 'ort-worker.js')));
    try {
      const names = (await s.call({ op: 'create', bytes, options: options as Record<string, unknown>, logLevel })) as { inputNames: string[]; outputNames: string[] };
      s.inputNames = names.inputNames;
      s.outputNames = names.outputNames;
      return s;
    } catch (err) {
      await s.worker.terminate();
      throw err;
    }
  }

  async run(feeds: Record<string, ort.Tensor>, fetches: string[]): Promise<Record<string, RawTensor>> {
    const raw: Record<string, RawTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const data = t.data as BigInt64Array;
      raw[name] = { type: t.type, data, dims: [...t.dims] };
      if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
    }
    return (await this.call({ op: 'run', feeds: raw, fetches }, transfer)) as Record<string, RawTensor>;
  }

  async release(): Promise<void> {
    if (!this.dead) await this.call({ op: 'release' }).catch(() => {});
    await this.worker.terminate();
  }

  private call(req: Omit<OrtRequest, 'id'> & Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }
}
