// Runs SURD in a worker thread so a large decomposition never blocks the event loop (other clients keep being
// answered) and a timeout or cancellation stops it at once: the pool terminates the thread mid-computation.
import type {
  SamplesInput,
  SamplesOutput,
  SignificanceResult,
  SurdProgress,
  SurdResult,
} from '../analysis/surd/index.js';
import { SurdInputError } from '../analysis/surd/index.js';
import { spareCores, WorkerPool, WorkerTaskFailure } from '../engine/workers/pool.js';
import { workerScript } from '../engine/workers/script.js';
import type { WorkerHealth } from '../engine/workers/crash-window.js';

export type SurdTask =
  | { kind: 'table'; data: Float64Array; shape: number[] }
  | { kind: 'samples'; input: SamplesInput }
  | { kind: 'significance'; input: SamplesInput; options: { surrogates: number; seed?: number } };

let pool: WorkerPool<SurdTask, unknown, SurdProgress> | null = null;

/** The process-wide SURD pool: at most one thread per core but one, at least one. */
export function surdPool(): WorkerPool<SurdTask, unknown, SurdProgress> {
  pool ??= new WorkerPool(workerScript(import.meta.url, 'surd-worker.js'), spareCores(), 'the SURD worker');
  return pool;
}

/** Supervision of the SURD threads (for health and red-heart://status); null before the first SURD call. */
export function surdWorkerHealth(): WorkerHealth | null {
  return pool?.health() ?? null;
}

export async function closeSurdPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.close();
}

interface RunOpts {
  signal: AbortSignal;
  onProgress: (p: SurdProgress) => void;
  abortError: (signal: AbortSignal) => unknown;
}

function rethrow(err: unknown): never {
  if (err instanceof WorkerTaskFailure && err.remote.name === 'SurdInputError')
    throw new SurdInputError(err.remote.message, err.remote.field);
  throw err;
}

/** SURD of a joint table (moved to the worker: the caller must not use `data` afterwards). */
export function surdTableInWorker(data: Float64Array, shape: number[], opts: RunOpts): Promise<SurdResult> {
  return surdPool()
    .run({ kind: 'table', data, shape }, { ...opts, transfer: [data.buffer as ArrayBuffer] })
    .then((r) => r as SurdResult, rethrow);
}

/** The series as Float64Arrays, to be moved (not cloned: cloning a long number[] costs milliseconds on this thread). */
function movable(input: SamplesInput): { input: SamplesInput; transfer: ArrayBuffer[] } {
  const target = Float64Array.from(input.target);
  const sources = input.sources.map((s) => Float64Array.from(s));
  return { input: { ...input, target, sources }, transfer: [target, ...sources].map((a) => a.buffer as ArrayBuffer) };
}

/** SURD from samples. */
export function surdSamplesInWorker(input: SamplesInput, opts: RunOpts): Promise<SamplesOutput> {
  const m = movable(input);
  return surdPool()
    .run({ kind: 'samples', input: m.input }, { ...opts, transfer: m.transfer })
    .then((r) => r as SamplesOutput, rethrow);
}

/** SURD from samples with the circular-shift significance test. */
export function surdSignificanceInWorker(
  input: SamplesInput,
  options: { surrogates: number; seed?: number },
  opts: RunOpts,
): Promise<SamplesOutput & { significance: SignificanceResult }> {
  const m = movable(input);
  return surdPool()
    .run({ kind: 'significance', input: m.input, options }, { ...opts, transfer: m.transfer })
    .then((r) => r as SamplesOutput & { significance: SignificanceResult }, rethrow);
}
