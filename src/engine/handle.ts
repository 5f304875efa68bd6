// The engine handle the server hands to tools (ctx.services.engine) and reads for red-heart://status.
// createEngineHandle(config, logger):
//  - checks the configured execution provider at once (an explicit provider that cannot load = start-up error);
//  - with loadMode 'eager' loads the model before returning (no model installed or a broken one = logged, status
//    says why, text tools answer model_missing and the rest keep serving; onModelError 'exit' makes a broken one fatal);
//  - with 'lazy' loads on the first require().
import type { Logger } from 'pino';
import { ToolError } from '../core/errors.js';
import type { TextEngine } from '../core/model.js';
import type { BatchStats } from './batcher.js';
import { EngineLoadError, type EngineLoadErrorKind } from './errors.js';
import { EnsembleTextEngine } from './ensemble-engine.js';
import { listEnsembles, listModels, resolveSelection } from './manifest.js';
import { OnnxTextEngine, type ModelFileInfo } from './onnx-engine.js';
import {
  configureOrtLogging,
  describeFailures,
  probeProvider,
  providerCandidates,
  type ProviderAttempt,
  type ProviderName,
  type ProviderRequest,
} from './providers.js';
import { existsSync } from 'node:fs';
import { combinedHealth, type WorkerHealth } from './workers/crash-window.js';

export interface EngineStatus {
  /** 'failed': the inference worker crashed too often and is no longer replaced (`error` says why; /healthz answers 503). */
  state: 'not_loaded' | 'loading' | 'ready' | 'error' | 'failed';
  load_mode: 'lazy' | 'eager';
  provider: {
    requested: ProviderRequest;
    /** The provider the loaded session really runs on; null until a model is loaded. */
    active: ProviderName | null;
    /** Why `auto` (or the probe) passed over the providers before the one used ("cuda: …; webgpu: …"); null when it did not. */
    fallback_reason: string | null;
    /** Start-up probe of the provider candidates (one-node model), in order tried. */
    probe: ProviderAttempt[];
    /** Attempts made when the model itself was loaded. */
    attempts: ProviderAttempt[];
  };
  /** ONNX Runtime intra-op threads of each session (null until loaded). */
  threads: number | null;
  /**
   * Inference sessions of the model (an ensemble: of its first member), each in its own worker thread: `planned`,
   * `ready` (a pool adds its sessions after the first answer can be given), why it has fewer, and the runs each
   * session has served (null until loaded).
   */
  inference_sessions: { planned: number; ready: number; error: string | null; runs: number[] | null } | null;
  /** 'worker' = the ONNX session runs in a worker thread, off the event loop (null until loaded). */
  inference_thread: 'worker' | 'main' | null;
  /** Supervision of the inference worker(s) (all ensemble members together); null until loaded or without a worker. */
  inference_worker: WorkerHealth | null;
  /** The model in use (null until loaded). */
  model:
    | (ModelFileInfo & {
        /** Counted from the ONNX graph initializers. */
        parameters: number;
        parameters_by_type: Record<string, number>;
        /** Quantisation scale / zero-point elements (not counted in `parameters`). */
        quantization_params: number;
        /** The count the manifest claims (null if absent); differs from `parameters` only if the manifest is stale. */
        manifest_parameters: number | null;
        max_length: number;
        /** Languages the model reads; texts in others are refused with unsupported_language. */
        languages: string[];
        load_ms: number;
        warmup_ms: number;
        /**
         * Only for an ensemble (then `file` is the manifest that defines it, `sha256` its identity hash, `parameters`
         * and the other counts the members' totals).
         */
        kind?: 'ensemble';
        members?: EnsembleMemberStatus[];
        /** Fusion weights per head, one per member in `members` order. */
        weights?: Record<string, readonly number[]>;
      })
    | null;
  /** Every model the configured manifests list. */
  available_models: Array<{
    id: string;
    version: string;
    file: string;
    precision: string | null;
    parameters: number | null;
    dir: string;
    installed: boolean;
    /** manifest `languages`, known before the model loads */ languages: string[];
  }>;
  /** Every ensemble the configured manifests list (absent when there is none). */
  available_ensembles?: Array<{ id: string; version: string; members: string[]; dir: string; installed: boolean }>;
  thresholds_source: string | null;
  batching: {
    /** 'dynamic' = micro-batching; 'exact' = each window alone (chosen for dynamically quantised models). */
    mode: 'dynamic' | 'exact' | null;
    reason: string | null;
    window_ms: number;
    max_batch: number;
    /** Batches (windows, in exact mode) in flight at once: each session runs one and has the next one waiting. */
    max_concurrent_batches: number;
  } & Partial<BatchStats>;
  /** Why no model is usable (null when fine or not yet tried). */
  error: { kind: EngineLoadErrorKind | 'internal' | 'worker_failed'; message: string; file: string | null } | null;
}

/** One member of a loaded ensemble, as status lists it. */
export interface EnsembleMemberStatus {
  id: string;
  version: string;
  file: string;
  /** First 12 hex digits of the member file's sha256. */
  sha256_prefix: string;
  precision: string | null;
  bytes: number;
  parameters: number;
  parameters_by_type: Record<string, number>;
  quantization_params: number;
  max_length: number;
  languages: string[];
  provider: ProviderName;
  load_ms: number;
  warmup_ms: number;
  batching: { mode: 'dynamic' | 'exact'; reason: string; window_ms: number; max_batch: number } & BatchStats;
}

/** The settings the engine reads (a subset of the server's AppConfig, which satisfies it). */
export interface EngineConfig {
  modelsDir: string;
  extraModelsDir?: string;
  model?: string;
  provider: ProviderRequest;
  threads: number;
  loadMode: 'lazy' | 'eager';
  /**
   * With loadMode 'eager': 'exit' = a model that fails to load is a start-up error; 'serve' (default) = reported,
   * tools without a model keep serving.
   */
  onModelError?: 'serve' | 'exit';
  batchWindowMs: number;
  maxBatch: number;
  batching: 'auto' | 'dynamic' | 'exact';
  logLevel: string;
}

/** The engine as tools and the server see it: a model loaded on demand, its cache identity and its status. */
export interface EngineHandle {
  /** Returns the loaded engine or throws ToolError('model_missing', …) saying which file is missing and how to fix it. */
  require(): Promise<TextEngine>;
  /**
   * The same engine without the shared analysis memo, for bulk callers whose texts rarely repeat (analyze_corpus):
   * a million rows through a 1,024-entry memo would only churn it and raise the peak memory. Absent = require().
   */
  requireBulk?(): Promise<TextEngine>;
  /** Identifier of the model that text results depend on (goes into cache keys); null when none is installed. */
  modelId(): string | null;
  /** For red-heart://status. */
  status(): EngineStatus;
  close(): Promise<void>;
}

class OnnxEngineHandle implements EngineHandle {
  private engine: LoadedEngine | null = null;
  private loading: Promise<LoadedEngine> | null = null;
  private lastError: EngineStatus['error'] = null;
  private probe: ProviderAttempt[] = [];
  private idCache: string | null = null;
  private closed = false;

  constructor(
    private readonly config: EngineConfig,
    private readonly logger: Logger,
  ) {}

  async init(): Promise<void> {
    configureOrtLogging(this.config.logLevel);
    const requested = this.config.provider;
    if (requested !== 'cpu') {
      for (const p of providerCandidates(requested)) {
        const attempt = await probeProvider(p);
        this.probe.push(attempt);
        if (attempt.ok) break;
        if (requested !== 'auto') {
          throw new EngineLoadError(
            'provider_unavailable',
            `execution provider '${p}' is not usable: ${attempt.error} — install its runtime, or use --provider ` +
              `auto (falls back to CPU) or --provider cpu`,
          );
        }
        this.logger.warn({ provider: p, reason: attempt.error }, 'execution provider unavailable; auto will fall back');
      }
    }
    if (this.config.loadMode === 'eager') {
      try {
        await this.load();
      } catch (err) {
        if (err instanceof EngineLoadError && err.kind === 'file_missing') {
          this.logger.error({ err: err.message }, 'no usable model: text tools will answer model_missing');
          return;
        }
        // A broken model must not take the exact tools down with it, unless the operator asked for that.
        if (this.config.onModelError === 'exit') throw err;
        this.logger.error(
          { err: (err as Error).message },
          'the model failed to load: text tools will answer model_missing; tools that need no model keep ' +
            'serving (--on-model-error exit makes this fatal)',
        );
      }
    }
  }

  modelId(): string | null {
    const id = this.manifestId();
    // Results computed on an accelerator can differ from CPU ones in the last digits: their cache entries are kept apart.
    const provider = this.engine?.model.provider ?? this.probe.find((a) => a.ok)?.provider ?? this.config.provider;
    return id && provider !== 'cpu' && provider !== 'auto' ? `${id}+${provider}` : id;
  }

  private manifestId(): string | null {
    if (this.engine) return cacheId(this.engine.model.id, this.engine.model.version, this.engine.model.sha256);
    if (this.idCache) return this.idCache;
    try {
      const sel = resolveSelection(this.config.modelsDir, this.config.extraModelsDir, this.config.model);
      if (sel.kind === 'model') {
        if (!existsSync(sel.model.modelPath)) return null;
        this.idCache = cacheId(sel.model.entry.id, sel.model.entry.version, sel.model.entry.sha256);
      } else {
        if (!sel.ensemble.members.every((m) => existsSync(m.modelPath))) return null;
        this.idCache = cacheId(sel.ensemble.entry.id, sel.ensemble.entry.version, sel.ensemble.sha256);
      }
      return this.idCache;
    } catch {
      return null;
    }
  }

  async require(): Promise<LoadedEngine> {
    if (this.engine) return this.engine;
    try {
      return await this.load();
    } catch (err) {
      if (err instanceof EngineLoadError) {
        throw new ToolError('model_missing', err.message, { kind: err.kind, file: err.file ?? null });
      }
      throw new ToolError('internal', `model loading failed: ${(err as Error).message}`);
    }
  }

  status(): EngineStatus {
    const status = withWorkerHealth(
      this.engine instanceof EnsembleTextEngine ? this.ensembleStatus(this.engine) : this.modelStatus(this.engine),
      this.engine,
    );
    const ensembles = listEnsembles(this.config.modelsDir, this.config.extraModelsDir);
    if (ensembles.length === 0) return status;
    const models = listModels(this.config.modelsDir, this.config.extraModelsDir);
    return {
      ...status,
      available_ensembles: ensembles.map(({ entry, dir }) => ({
        id: entry.id,
        version: entry.version,
        members: [...entry.members],
        dir,
        installed: entry.members.every((id) =>
          models.some((m) => m.dir === dir && m.entry.id === id && existsSync(`${dir}/${m.entry.file}`)),
        ),
      })),
    };
  }

  private modelStatus(engine: OnnxTextEngine | null): EngineStatus {
    const info = engine?.info;
    const models = listModels(this.config.modelsDir, this.config.extraModelsDir);
    const probeFallback = describeFailures(this.probe);
    return {
      state: this.engine ? 'ready' : this.loading ? 'loading' : this.lastError ? 'error' : 'not_loaded',
      load_mode: this.config.loadMode,
      provider: {
        requested: this.config.provider,
        active: info?.provider ?? null,
        fallback_reason: info ? info.fallbackReason : probeFallback,
        probe: this.probe,
        attempts: info?.providerAttempts ?? [],
      },
      threads: info?.threads ?? null,
      inference_sessions: engine ? (engine.sessionPool() ?? { planned: 1, ready: 1, error: null, runs: null }) : null,
      inference_thread: info?.inferenceThread ?? null,
      inference_worker: null,
      model: info
        ? {
            id: info.id,
            version: info.version,
            file: info.file,
            sha256: info.sha256,
            precision: info.precision,
            bytes: info.bytes,
            parameters: info.parameters.parameters,
            parameters_by_type: info.parameters.byType,
            quantization_params: info.parameters.quantizationParams,
            manifest_parameters: info.manifestParameters,
            max_length: info.maxLength,
            languages: info.languages,
            load_ms: info.loadMs,
            warmup_ms: info.warmupMs,
          }
        : null,
      available_models: models.map(({ entry, dir }) => ({
        id: entry.id,
        version: entry.version,
        file: entry.file,
        precision: entry.precision ?? null,
        parameters: entry.parameters ?? null,
        dir,
        installed: existsSync(`${dir}/${entry.file}`),
        languages: [...entry.languages],
      })),
      thresholds_source: info?.thresholdsSource ?? null,
      batching: {
        mode: info?.batching.mode ?? null,
        reason: info?.batching.reason ?? null,
        window_ms: info?.batching.windowMs ?? this.config.batchWindowMs,
        max_batch: info?.batching.maxBatch ?? this.config.maxBatch,
        max_concurrent_batches: engine?.concurrency ?? 1,
        ...(engine ? engine.batchStats() : {}),
      },
      error: this.lastError,
    };
  }

  /** An ensemble: the members' totals, each member listed, provider and threads of the first member. */
  private ensembleStatus(engine: EnsembleTextEngine): EngineStatus {
    const base = this.modelStatus(engine.members[0]);
    const infos = engine.members.map((m) => m.info);
    const sum = (f: (i: (typeof infos)[number]) => number) => infos.reduce((s, i) => s + f(i), 0);
    const byType: Record<string, number> = {};
    for (const i of infos) for (const [t, n] of Object.entries(i.parameters.byType)) byType[t] = (byType[t] ?? 0) + n;
    const modes = [...new Set(infos.map((i) => i.batching.mode))];
    return {
      ...base,
      model: {
        kind: 'ensemble',
        id: engine.info.id,
        version: engine.info.version,
        file: engine.info.manifestPath,
        sha256: engine.info.sha256,
        precision: null,
        bytes: sum((i) => i.bytes),
        parameters: engine.model.parameters,
        parameters_by_type: byType,
        quantization_params: sum((i) => i.parameters.quantizationParams),
        manifest_parameters: infos.every((i) => i.manifestParameters !== null)
          ? sum((i) => i.manifestParameters ?? 0)
          : null,
        max_length: engine.model.maxLength,
        languages: [...engine.model.languages],
        load_ms: engine.info.loadMs,
        warmup_ms: sum((i) => i.warmupMs),
        members: engine.members.map((m) => ({
          id: m.info.id,
          version: m.info.version,
          file: m.info.file,
          sha256_prefix: m.info.sha256.slice(0, 12),
          precision: m.info.precision,
          bytes: m.info.bytes,
          parameters: m.info.parameters.parameters,
          parameters_by_type: m.info.parameters.byType,
          quantization_params: m.info.parameters.quantizationParams,
          max_length: m.info.maxLength,
          languages: m.info.languages,
          provider: m.info.provider,
          load_ms: m.info.loadMs,
          warmup_ms: m.info.warmupMs,
          batching: {
            mode: m.info.batching.mode,
            reason: m.info.batching.reason,
            window_ms: m.info.batching.windowMs,
            max_batch: m.info.batching.maxBatch,
            ...m.batchStats(),
          },
        })),
        weights: engine.info.weights,
      },
      thresholds_source: engine.info.thresholdsSource,
      batching: {
        mode: modes.length === 1 ? modes[0] : null,
        reason: `each member batches on its own (model.members[].batching): ${infos.map((i) => `${i.id}: ${i.batching.mode}`).join(', ')}`,
        window_ms: this.config.batchWindowMs,
        max_batch: this.config.maxBatch,
        max_concurrent_batches: Math.max(...engine.members.map((m) => m.concurrency)),
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const e = this.engine ?? (await this.loading?.catch(() => null)) ?? null;
    this.engine = null;
    await e?.close();
  }

  private load(): Promise<LoadedEngine> {
    if (this.closed) return Promise.reject(new EngineLoadError('file_missing', 'the engine is shut down'));
    if (this.loading) return this.loading;
    this.loading = (async () => {
      try {
        const sel = resolveSelection(this.config.modelsDir, this.config.extraModelsDir, this.config.model);
        const options = {
          provider: this.config.provider,
          threads: this.config.threads,
          batchWindowMs: this.config.batchWindowMs,
          maxBatch: this.config.maxBatch,
          batching: this.config.batching,
          logger: this.logger,
        };
        const engine =
          sel.kind === 'model'
            ? await OnnxTextEngine.load(sel.model, options)
            : await EnsembleTextEngine.load(sel.ensemble, options);
        this.engine = engine;
        this.lastError = null;
        return engine;
      } catch (err) {
        this.lastError =
          err instanceof EngineLoadError
            ? { kind: err.kind, message: err.message, file: err.file ?? null }
            : { kind: 'internal', message: (err as Error).message, file: null };
        this.logger.error({ err: this.lastError }, 'model load failed');
        throw err;
      }
    })();
    const current = this.loading;
    // cleared after settling (not in a finally inside: a synchronous throw would run it before the assignment)
    current.then(
      () => {
        if (this.loading === current) this.loading = null;
      },
      () => {
        if (this.loading === current) this.loading = null;
      },
    );
    return current;
  }
}

/** Adds the inference workers' supervision; a failed worker turns the state to 'failed' with the reason as the error. */
function withWorkerHealth(status: EngineStatus, engine: LoadedEngine | null): EngineStatus {
  const members = engine instanceof EnsembleTextEngine ? engine.members : engine ? [engine] : [];
  const all = members.map((m) => m.workerHealth()).filter((h): h is WorkerHealth => h !== null);
  if (all.length === 0) return status;
  const health = combinedHealth(all);
  if (health.failed === null) return { ...status, inference_worker: health };
  return {
    ...status,
    state: 'failed',
    inference_worker: health,
    error: { kind: 'worker_failed', message: health.failed, file: null },
  };
}

/** A single model or an ensemble of them. */
export type LoadedEngine = OnnxTextEngine | EnsembleTextEngine;

/**
 * The model's identity in cache keys: id, version and the full sha256 of its file (an ensemble: the hash over its
 * members' file hashes, weights and thresholds). The load verifies the file against it, so a result computed by a
 * loaded model is keyed by the content that computed it, not only by the manifest's name for it.
 */
function cacheId(id: string, version: string, sha: string): string {
  return `${id}@${version}#${sha.toLowerCase()}`;
}

/** Creates the engine handle; throws EngineLoadError when the configuration cannot work (see file header). */
export async function createEngineHandle(config: EngineConfig, logger: Logger): Promise<EngineHandle> {
  const handle = new OnnxEngineHandle(config, logger);
  await handle.init();
  return handle;
}
