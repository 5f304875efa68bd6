// The ONNX text engine: tokenization, windowing, micro-batched inference and window aggregation for every head
// the manifest lists (heads.ts); the files (model-files.ts), the batching mode (batch-mode.ts), the session and its
// provider fallback (open-session.ts) and one batch's run (run-heads.ts) are their own modules. Implements TextEngine.
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { ToolError } from '../core/errors.js';
import { headFields, type HeadFields, type HeadValue } from '../core/heads.js';
import { batchingFor, type BatchingInfo } from './batch-mode.js';
import { MicroBatcher, type BatchStats } from './batcher.js';
import { MAX_CHUNKS, planWindows, weightedMeanVector } from './chunking.js';
import { loadLanguageDetector } from './language.js';
import { decidedLanguages } from './decided.js';
import { EngineLoadError, InferenceError } from './errors.js';
import { aggregateHeads, headsOf, type HeadSpec } from './heads.js';
import { EMBEDDING_OUTPUT, INSTALL_HINT, type ResolvedModel } from './manifest.js';
import { readVerified } from './model-files.js';
import { countOnnxParameters, type ParameterCount } from './onnx-params.js';
import { openSession } from './open-session.js';
import {
  ensureOrtLogging,
  firstLine,
  type ProviderAttempt,
  type ProviderName,
  type ProviderRequest,
} from './providers.js';
import { runHeads } from './run-heads.js';
import { createTokenizer, type TextTokenizer } from './tokenizer.js';
import ort from 'onnxruntime-node';
import type { WorkerHealth } from './workers/crash-window.js';
import { WorkerSession, type EarlyWorker, type RawTensor, type SessionLike } from './workers/ort-session.js';
import { SessionPool, type PoolInfo } from './workers/session-pool.js';
import type { AnalyzeOptions, EmbedderInfo, Language, ModelInfo, TextAnalysis, TextEngine } from '../core/model.js';

export { sha256 } from './model-files.js';
export { softmax } from './heads.js';

export { EMBEDDING_OUTPUT } from './manifest.js';

/** Most single-threaded sessions a model gets with `threads: 0` (each holds its own copy of the weights). */
export const MAX_SESSIONS = 4;

export interface EngineOptions {
  provider: ProviderRequest;
  /**
   * Intra-op threads; 0 = all cores: for a model whose windows run one at a time (exact batching) on the CPU in
   * worker threads, that is one single-threaded session per core (at most MAX_SESSIONS), otherwise one session with
   * a thread per core. A number > 0: one session with that many threads.
   */
  threads: number;
  batchWindowMs: number;
  maxBatch: number;
  logger?: Logger;
  /** Skip the sha256 check (only for tools that already verified the file; never used by the server). */
  skipChecksum?: boolean;
  /**
   * 'auto' (default): micro-batch, except for models with dynamic quantisation (batch-variant operators), whose
   * windows then run one at a time so every text gets the same scores whatever else is in flight.
   * 'dynamic': always micro-batch (faster under load; int8-dynamic scores then vary slightly with the batch).
   * 'exact': never batch (each window alone).
   */
  batching?: 'auto' | 'dynamic' | 'exact';
  /**
   * Sessions on the CPU provider in worker threads, each with one intra-op thread (overrides the rule under
   * `threads`; for tests and benchmarks). 1 = one session with `threads`.
   */
  sessions?: number;
  /**
   * 'worker' (default): the ONNX session runs in a worker thread, so inference never blocks the event loop.
   * 'main': in the calling thread (what the engine did before; kept for benchmarks and comparison).
   */
  inferenceThread?: 'worker' | 'main';
}

export interface EngineAnalyzeOptions extends AnalyzeOptions {
  /**
   * How texts longer than one window are handled: 'window' (default) = overlapping windows, aggregated;
   * 'truncate' = first window only (what training/evaluation do), `truncated` reports the cut.
   */
  overflow?: 'window' | 'truncate';
}

/** One window's decoded values, by head name. */
type WindowOut = Map<string, HeadValue>;

/** The model file an engine runs (reported by red-heart://status as well). */
export interface ModelFileInfo {
  id: string;
  version: string;
  file: string;
  sha256: string;
  precision: string | null;
  bytes: number;
}

export interface LoadedEngineInfo extends ModelFileInfo {
  parameters: ParameterCount;
  manifestParameters: number | null;
  maxLength: number;
  /** Languages the model reads (manifest `languages`). */
  languages: string[];
  provider: ProviderName;
  providerAttempts: ProviderAttempt[];
  fallbackReason: string | null;
  /** Intra-op threads of each session. */
  threads: number;
  /** Sessions the windows are spread over (each in its own worker thread; see workers/session-pool.ts). */
  sessions: number;
  /** Where the ONNX session runs. */
  inferenceThread: 'worker' | 'main';
  loadMs: number;
  warmupMs: number;
  thresholdsSource: string;
  /** How windows are batched, and why. */
  batching: BatchingInfo;
}

export class OnnxTextEngine implements TextEngine {
  readonly model: ModelInfo;
  private readonly heads: readonly HeadSpec[];
  readonly embedder?: EmbedderInfo;
  private readonly batcher: MicroBatcher<number[], WindowOut>;
  private readonly windowSize: number;
  /** Batches in flight at once (the batcher's concurrency). */
  readonly concurrency: number;
  private closed = false;

  private constructor(
    private readonly session: SessionLike,
    private readonly tokenizer: TextTokenizer,
    private readonly resolved: ResolvedModel,
    readonly info: LoadedEngineInfo,
  ) {
    const e = resolved.entry;
    this.heads = headsOf(e);
    this.model = {
      id: e.id,
      version: e.version,
      sha256: e.sha256.toLowerCase(),
      provider: info.provider,
      parameters: info.parameters.parameters,
      maxLength: e.max_length,
      languages: [...e.languages],
      labels: {
        goemotions: [...e.outputs.goemotions_logits.labels],
        kote: [...e.outputs.kote_logits.labels],
        ...(e.outputs.cped_emotion_logits ? { cpedEmotion: [...e.outputs.cped_emotion_logits.labels] } : {}),
        ...(e.outputs.cped_sentiment_logits ? { cpedSentiment: [...e.outputs.cped_sentiment_logits.labels] } : {}),
        ...(e.outputs.xed_logits ? { xed: [...e.outputs.xed_logits.labels] } : {}),
      },
      thresholds: {
        goemotions: [...e.outputs.goemotions_logits.thresholds],
        kote: [...e.outputs.kote_logits.thresholds],
      },
      heads: this.heads.map(({ none: _, ...h }) => h),
    };
    const emb = e.outputs.sentence_embedding;
    if (emb && session.outputNames.includes(EMBEDDING_OUTPUT))
      this.embedder = { id: e.id, sha256: this.model.sha256, dim: emb.dim };
    this.windowSize = e.max_length - tokenizer.prefix.length - tokenizer.suffix.length;
    if (this.windowSize < 1)
      throw new EngineLoadError(
        'model_invalid',
        `max_length ${e.max_length} leaves no room for text after special tokens`,
        resolved.manifestPath,
      );
    // Exact mode (windows alone) keeps every session busy with the next window queued behind the running one, so a
    // session never waits for the main thread between windows; batched mode runs one batch at a time, so that the
    // windows arriving meanwhile are gathered into the next batch.
    this.concurrency = info.batching.mode === 'exact' && info.inferenceThread === 'worker' ? 2 * info.sessions : 1;
    this.batcher = new MicroBatcher<number[], WindowOut>({
      windowMs: info.batching.windowMs,
      maxBatch: info.batching.maxBatch,
      length: (ids) => ids.length,
      run: (batch) => runHeads(this.session, this.resolved.entry, this.heads, batch),
      concurrency: this.concurrency,
    });
  }

  /** Verifies the files, creates the session on the requested provider (with `auto` fallback) and warms it up. */
  static async load(resolved: ResolvedModel, opts: EngineOptions): Promise<OnnxTextEngine> {
    // The detector loads while the session is created (in the worker thread); the engine is ready when both are.
    const detector = loadLanguageDetector();
    detector.catch(() => {}); // awaited below; a model that fails first must not leave it unhandled
    ensureOrtLogging();
    const t0 = performance.now();
    const inferenceThread = opts.inferenceThread ?? 'worker';
    // The inference thread starts (and imports onnxruntime-node) while the files are read and checked here.
    const early = inferenceThread === 'worker' ? WorkerSession.startWorker() : undefined;
    try {
      return await OnnxTextEngine.open(resolved, opts, t0, detector, inferenceThread, early);
    } catch (err) {
      if (early) void early.worker.terminate(); // not used (a file failed its check before the session was made)
      throw err;
    }
  }

  private static async open(
    resolved: ResolvedModel,
    opts: EngineOptions,
    t0: number,
    detector: Promise<void>,
    inferenceThread: 'worker' | 'main',
    early: EarlyWorker | undefined,
  ): Promise<OnnxTextEngine> {
    const e = resolved.entry;
    const modelBytes = readVerified(resolved.modelPath, e.sha256, 'ONNX model', !!opts.skipChecksum);
    const tokBytes = readVerified(resolved.tokenizerPath, e.tokenizer_sha256, 'tokenizer', !!opts.skipChecksum);
    const parameters = parametersOf(modelBytes, resolved.modelPath);
    const batching = batchingFor(modelBytes, opts.batching ?? 'auto', opts.maxBatch, opts.batchWindowMs);
    if (e.parameters !== undefined && e.parameters !== parameters.parameters) {
      opts.logger?.warn(
        { manifest: e.parameters, counted: parameters.parameters },
        'parameter count in the manifest differs from the ONNX initializers; reporting the counted value',
      );
    }
    const tokenizer = tokenizerOf(tokBytes, resolved);
    const cores = availableParallelism();
    return openSession(
      modelBytes,
      resolved.modelPath,
      {
        provider: opts.provider,
        threads: opts.threads > 0 ? opts.threads : cores,
        inferenceThread,
        // One window at a time gains nothing from intra-op threads; windows side by side do (see session-pool.ts).
        sessions:
          opts.sessions ?? (opts.threads === 0 && batching.mode === 'exact' ? Math.min(cores, MAX_SESSIONS) : 1),
        reload: () => readVerified(resolved.modelPath, e.sha256, 'ONNX model', !!opts.skipChecksum),
        early,
      },
      async ({ session, provider, attempts, fallbackReason, threads, sessions }) => {
        checkIo(session, resolved);
        const info: LoadedEngineInfo = {
          id: e.id,
          version: e.version,
          file: resolved.modelPath,
          sha256: e.sha256.toLowerCase(),
          precision: e.precision ?? null,
          bytes: modelBytes.length,
          parameters,
          manifestParameters: e.parameters ?? null,
          maxLength: e.max_length,
          languages: [...e.languages],
          provider,
          providerAttempts: attempts,
          fallbackReason,
          threads,
          sessions,
          inferenceThread,
          loadMs: Math.round(performance.now() - t0),
          warmupMs: 0,
          thresholdsSource: `${resolved.manifestPath} (per-label thresholds tuned on dev splits)`,
          batching,
        };
        const engine = new OnnxTextEngine(session, tokenizer, resolved, info);
        const w0 = performance.now();
        await detector;
        await engine.warmUp();
        info.warmupMs = Math.round(performance.now() - w0);
        if (fallbackReason)
          opts.logger?.warn(
            { requested: opts.provider, provider, reason: fallbackReason },
            `execution provider fell back to ${provider}`,
          );
        opts.logger?.info(
          {
            model: e.id,
            provider,
            threads,
            parameters: parameters.parameters,
            loadMs: info.loadMs,
            warmupMs: info.warmupMs,
            batching: batching.mode,
          },
          'model loaded',
        );
        return engine;
      },
    );
  }

  batchStats(): BatchStats {
    return this.batcher.stats();
  }

  /** How many sessions the pool has made so far (null without a pool: one session). */
  sessionPool(): PoolInfo | null {
    return this.session instanceof SessionPool ? this.session.info() : null;
  }

  /** Settles when every planned session exists (or one could not be made: see sessionPool().error). */
  async whenSessionsReady(): Promise<void> {
    if (this.session instanceof SessionPool) await this.session.grown();
  }

  /** Crash counts of the inference worker (null when the session runs on the main thread). */
  workerHealth(): WorkerHealth | null {
    return this.session.health?.() ?? null;
  }

  /** Number of content tokens the tokenizer produces (no special tokens). */
  countTokens(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  /** How many windows analyze() reads each text in (its `chunks`), by tokenizing it only. */
  windows(texts: readonly string[]): number[] {
    return texts.map((t) => planWindows(this.tokenizer.encode(t).length, this.windowSize, MAX_CHUNKS).windows.length);
  }

  /** Token ids of each window the engine would run for `text` (for benchmarks and parity checks). */
  windowIds(text: string, overflow: 'window' | 'truncate' = 'window'): number[][] {
    return this.plan(this.tokenizer.encode(text), overflow).inputs;
  }

  /**
   * Runs already-tokenised windows (with special tokens) as ONE batch, bypassing the micro-batcher; for
   * benchmarks and parity checks against Python onnxruntime on the same ids. Each window's head values.
   */
  async runWindows(batch: number[][]): Promise<HeadFields[]> {
    return (await runHeads(this.session, this.resolved.entry, this.heads, batch)).map(headFields);
  }

  async analyze(texts: string[], options: EngineAnalyzeOptions = {}): Promise<TextAnalysis[]> {
    if (this.closed) throw new ToolError('internal', 'the engine was closed');
    const signal = options.signal;
    if (signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled');
    const overflow = options.overflow ?? 'window';
    const decisions = decidedLanguages(texts, options, this.model.languages);
    const plans = texts.map((text) => {
      const ids = this.tokenizer.encode(text);
      const unk = this.tokenizer.unkId;
      const unknownTokens = unk === undefined ? 0 : ids.reduce((n, id) => n + (id === unk ? 1 : 0), 0);
      const contentTokens = ids.reduce((n, id) => n + (this.tokenizer.isContent(id) ? 1 : 0), 0);
      return { tokens: ids.length, unknownTokens, contentTokens, ...this.plan(ids, overflow) };
    });
    const outs = await Promise.all(
      plans.map((p) => Promise.all(p.inputs.map((ids) => this.batcher.submit(ids, signal)))),
    );
    return plans.map((p, i) => ({
      ...this.aggregate(decisions[i].language, decisions[i].confidence, p, outs[i]),
      ...(decisions[i].uncertain ? { languageUncertain: true } : {}),
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release().catch(() => {});
  }

  /**
   * The pooled sentence representation of each text: one run per window fetching only `sentence_embedding`
   * (windows one at a time, as the int8 model's other outputs), averaged over windows weighted by their tokens.
   */
  async embed(texts: string[], options: AnalyzeOptions = {}): Promise<Float32Array[]> {
    const info = this.embedder;
    if (!info)
      throw new ToolError(
        'internal',
        `the model ${this.model.id} has no ${EMBEDDING_OUTPUT} output (manifest outputs.${EMBEDDING_OUTPUT})`,
      );
    if (this.closed) throw new ToolError('internal', 'the engine was closed');
    decidedLanguages(texts, options, this.model.languages); // refuses a text the model does not read
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (options.signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled');
      const p = this.plan(this.tokenizer.encode(texts[i]), 'window');
      const vecs: Float32Array[] = [];
      for (const ids of p.inputs) {
        const feeds: Record<string, ort.Tensor> = {};
        const n = ids.length;
        for (const name of this.resolved.entry.inputs) {
          if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]);
          else if (name === 'attention_mask')
            feeds[name] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
          else feeds[name] = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
        }
        let res: Record<string, RawTensor>;
        try {
          res = await this.session.run(feeds, [EMBEDDING_OUTPUT]);
        } catch (err) {
          throw new InferenceError(`the model failed at run time: ${firstLine(err)}`, { cause: err });
        }
        const t = res[EMBEDDING_OUTPUT];
        if (!t || t.type !== 'float32' || t.data.length !== info.dim)
          throw new InferenceError(
            `the model's output ${EMBEDDING_OUTPUT} is missing or not ${info.dim} float32 values`,
          );
        vecs.push(Float32Array.from(t.data as Float32Array));
      }
      out.push(weightedMeanVector(vecs, p.weights));
    }
    return out;
  }

  private plan(
    ids: number[],
    overflow: 'window' | 'truncate',
  ): { inputs: number[][]; weights: number[]; truncated: boolean } {
    const { windows, truncated } =
      overflow === 'truncate'
        ? {
            windows: [{ start: 0, end: Math.min(ids.length, this.windowSize) }],
            truncated: ids.length > this.windowSize,
          }
        : planWindows(ids.length, this.windowSize, MAX_CHUNKS);
    const { prefix, suffix } = this.tokenizer;
    return {
      inputs: windows.map((w) => [...prefix, ...ids.slice(w.start, w.end), ...suffix]),
      weights: windows.map((w) => w.end - w.start),
      truncated,
    };
  }

  private aggregate(
    language: Language,
    languageConfidence: number | null,
    p: { tokens: number; unknownTokens: number; contentTokens: number; weights: number[]; truncated: boolean },
    outs: WindowOut[],
  ): TextAnalysis {
    return {
      language,
      languageConfidence,
      tokens: p.tokens,
      unknownTokens: p.unknownTokens,
      contentTokens: p.contentTokens,
      chunks: outs.length,
      truncated: p.truncated,
      ...headFields(aggregateHeads(this.heads, outs, p.weights)),
    };
  }

  /** One probe window through every head: each head's output must have as many values as the manifest has labels. */
  private async warmUp(): Promise<void> {
    const { prefix, suffix } = this.tokenizer;
    const probe = [...prefix, ...this.tokenizer.encode('warm up'), ...suffix];
    const [out] = await runHeads(this.session, this.resolved.entry, this.heads, [probe]);
    for (const h of this.heads) {
      const got = out.get(h.name) as HeadValue;
      const want = h.kind === 'pairwise' ? 1 : h.labels.length;
      if (got.length !== want) {
        throw new EngineLoadError(
          'model_invalid',
          `${this.resolved.modelPath} outputs ${got.length} ${h.name} scores but the manifest lists ${h.labels.length} labels`,
          this.resolved.modelPath,
        );
      }
    }
  }
}

function parametersOf(modelBytes: Uint8Array, modelPath: string): ParameterCount {
  try {
    return countOnnxParameters(modelBytes);
  } catch (err) {
    throw new EngineLoadError(
      'model_invalid',
      `${modelPath} is not a readable ONNX model (${(err as Error).message}) — ${INSTALL_HINT}`,
      modelPath,
    );
  }
}

function tokenizerOf(tokBytes: Buffer, resolved: ResolvedModel): TextTokenizer {
  try {
    return createTokenizer(
      JSON.parse(tokBytes.toString('utf8')),
      resolved.entry.tokenizer_config as Record<string, unknown>,
    );
  } catch (err) {
    throw new EngineLoadError(
      'model_invalid',
      `${resolved.tokenizerPath} could not be loaded by @huggingface/tokenizers (${firstLine(err)}) — ${INSTALL_HINT}`,
      resolved.tokenizerPath,
    );
  }
}

function checkIo(session: SessionLike, resolved: ResolvedModel): void {
  const missingIn = resolved.entry.inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = headsOf(resolved.entry)
    .map((h) => h.name)
    .filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new EngineLoadError(
      'model_invalid',
      `${resolved.modelPath} does not match the manifest: missing inputs [${missingIn.join(', ')}], ` +
        `missing outputs [${missingOut.join(', ')}] (has inputs [${session.inputNames.join(', ')}], outputs ` +
        `[${session.outputNames.join(', ')}])`,
      resolved.modelPath,
    );
  }
}
