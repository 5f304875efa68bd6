// Opens the ONNX session on the requested execution provider; with 'auto', on the first candidate that both creates
// the session and passes `use` (the engine's I/O check and warm-up), recording why the others failed.
import ort from 'onnxruntime-node';
import { EngineLoadError } from './errors.js';
import { INSTALL_HINT } from './manifest.js';
import {
  describeFailures,
  failureReason,
  providerCandidates,
  unavailableReason,
  type ProviderAttempt,
  type ProviderName,
  type ProviderRequest,
} from './providers.js';
import { WorkerSession, type EarlyWorker, type SessionLike } from './workers/ort-session.js';
import { SessionPool } from './workers/session-pool.js';

export interface SessionRequest {
  provider: ProviderRequest;
  /** Intra-op threads of a single session. */
  threads: number;
  inferenceThread: 'worker' | 'main';
  /**
   * Sessions wanted on the CPU provider, each in its own worker with one intra-op thread (session-pool.ts); 1 = one
   * session with `threads`. Other providers, and 'main', always get one session.
   */
  sessions: number;
  /** The model bytes again, verified, for a worker that replaces a crashed one. */
  reload?: () => Uint8Array;
  /** A worker thread started early (WorkerSession.startWorker) for the first session; terminated if not used. */
  early?: EarlyWorker;
}

export interface OpenedSession {
  session: SessionLike;
  provider: ProviderName;
  /** Intra-op threads of each session. */
  threads: number;
  /** Sessions the engine runs on (a pool grows to this many after the engine is ready). */
  sessions: number;
  attempts: ProviderAttempt[];
  /** Why earlier candidates failed; null when the first one worked. */
  fallbackReason: string | null;
}

function sessionOptions(provider: ProviderName, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    logSeverityLevel: 3,
    // Idle intra-op threads sleep instead of spin-waiting: on a busy 2-core laptop spinning threads fight the
    // other processes (measured: batch-1 p50 24 ms with spinning vs 12 ms without, under load; see docs/engine.md).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/**
 * The result of `use` on the first provider that works. An EngineLoadError from `use` is final (the model, not the
 * provider, is at fault); any other failure moves 'auto' to the next candidate and fails a named provider.
 */
export async function openSession<T>(
  modelBytes: Uint8Array,
  modelPath: string,
  req: SessionRequest,
  use: (opened: OpenedSession) => Promise<T>,
): Promise<T> {
  let unusedEarly = req.early;
  try {
    return await openFirstWorking(modelBytes, modelPath, req, use, () => {
      const e = unusedEarly;
      unusedEarly = undefined;
      return e;
    });
  } finally {
    if (unusedEarly) void unusedEarly.worker.terminate();
  }
}

async function openFirstWorking<T>(
  modelBytes: Uint8Array,
  modelPath: string,
  req: SessionRequest,
  use: (opened: OpenedSession) => Promise<T>,
  takeEarly: () => EarlyWorker | undefined,
): Promise<T> {
  const attempts: ProviderAttempt[] = [];
  const unusable = (provider: ProviderName, reason: string) =>
    new EngineLoadError(
      'provider_unavailable',
      `execution provider '${provider}' could not run ${modelPath}: ${reason} — install the provider's ` +
        `runtime, or start with --provider auto (falls back to CPU) or --provider cpu`,
    );
  for (const provider of providerCandidates(req.provider)) {
    let session: SessionLike | null = null;
    const skip = unavailableReason(provider);
    if (skip) {
      attempts.push({ provider, ok: false, error: skip });
      if (req.provider !== 'auto') throw unusable(provider, skip);
      continue;
    }
    try {
      const pooled = req.inferenceThread === 'worker' && provider === 'cpu' && req.sessions > 1;
      const threads = pooled ? 1 : req.threads;
      const options = sessionOptions(provider, threads);
      const create = () => WorkerSession.create(modelBytes, options, ort.env.logLevel, req.reload);
      session =
        req.inferenceThread === 'worker'
          ? await WorkerSession.create(modelBytes, options, ort.env.logLevel, req.reload, takeEarly())
          : ((await ort.InferenceSession.create(modelBytes, options)) as unknown as SessionLike);
      if (pooled) session = new SessionPool(session, req.sessions);
      attempts.push({ provider, ok: true });
      const fallbackReason = describeFailures(attempts);
      const sessions = pooled ? req.sessions : 1;
      const result = await use({ session, provider, attempts, fallbackReason, threads, sessions });
      // the other sessions are made after the engine is ready, so they do not delay the first answer
      if (session instanceof SessionPool) void session.grow(create);
      return result;
    } catch (err) {
      if (session) await session.release().catch(() => {});
      if (err instanceof EngineLoadError) throw err;
      const reason = failureReason(provider, err);
      attempts.push({ provider, ok: false, error: reason });
      if (req.provider !== 'auto') throw unusable(provider, reason);
    }
  }
  throw new EngineLoadError(
    'model_invalid',
    `${modelPath} could not be loaded on any execution provider ` +
      `(${attempts.map((a) => `${a.provider}: ${a.error}`).join('; ')}) — ${INSTALL_HINT}`,
    modelPath,
  );
}
