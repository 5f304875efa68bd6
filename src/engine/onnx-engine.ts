// The ONNX text engine: verified files, one session (provider with fallback), tokenization, windowing,
// micro-batched inference, activations and chunk aggregation. Implements TextEngine.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { ToolError } from '../core/errors.js';
import { NONE_LABEL } from '../core/labels.js';
import { MicroBatcher, type BatchStats } from './batcher.js';
import { aggregateLabels, MAX_CHUNKS, planWindows, weightedMean, weightedMeanVector } from './chunking.js';
import { EngineLoadError, InferenceError } from './errors.js';
import { decideLanguage } from './language.js';
import { INSTALL_HINT, ZH_OUTPUTS, type ResolvedModel } from './manifest.js';
import { BATCH_VARIANT_OPS, countOnnxParameters, onnxOpTypes, type ParameterCount } from './onnx-params.js';
import { autoCandidates, ensureOrtLogging, firstLine, type ProviderAttempt, type ProviderName, type ProviderRequest } from './providers.js';
import { createTokenizer, type TextTokenizer } from './tokenizer.js';
import { WorkerSession, type RawTensor, type SessionLike } from './workers/ort-session.js';
import type { AnalyzeOptions, EmbedderInfo, Language, ModelInfo, TextAnalysis, TextEngine } from '../core/model.js';

/** The optional output with the pooled sentence representation (training/add_embedding_output.py). */
export const EMBEDDING_OUTPUT = 'sentence_embedding';
export const OUTPUT_NAMES = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad'] as const;
type OutputName = (typeof OUTPUT_NAMES)[number] | (typeof ZH_OUTPUTS)[number];

/** The outputs the engine runs for a manifest entry: the five v1 outputs, then the zh ones it lists. */
function outputNames(entry: ResolvedModel['entry']): OutputName[] {
  return [...OUTPUT_NAMES, ...ZH_OUTPUTS.filter((o) => entry.outputs[o])];
}

export interface EngineOptions {
  provider: ProviderRequest;
  /** Intra-op threads; 0 = all cores. */
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

/** Raw head outputs for one window (after activation). */
interface WindowOut {
  goemotions: Float32Array;
  kote: Float32Array;
  positive: number;
  utility: number;
  vad: [number, number, number];
  /** zh heads (v2 models): CPED emotion and sentiment (softmax), XED Plutchik-8 (sigmoid). */
  cpedEmotion?: Float32Array;
  cpedSentiment?: Float32Array;
  xed?: Float32Array;
}

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
  threads: number;
  /** Where the ONNX session runs. */
  inferenceThread: 'worker' | 'main';
  loadMs: number;
  warmupMs: number;
  thresholdsSource: string;
  /** How windows are batched, and why. */
  batching: { mode: 'dynamic' | 'exact'; requested: 'auto' | 'dynamic' | 'exact'; maxBatch: number; windowMs: number; reason: string };
}

export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

function readVerified(path: string, expected: string | undefined, what: string, skip: boolean): Buffer {
  if (!existsSync(path)) throw new EngineLoadError('file_missing', `${path} not found (${what}) — ${INSTALL_HINT}`, path);
  const buf = readFileSync(path);
  if (expected && !skip) {
    const got = sha256(buf);
    if (got !== expected.toLowerCase()) {
      throw new EngineLoadError(
        'checksum_mismatch',
        `${path} (${what}) has sha256 ${got.slice(0, 16)}…, but the manifest expects ${expected.slice(0, 16)}…: the file is damaged or belongs to another model version — ${INSTALL_HINT}`,
        path,
      );
    }
  }
  return buf;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Softmax of one row of logits (shifted by the maximum, so large logits do not overflow). */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - m);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export class OnnxTextEngine implements TextEngine {
  readonly model: ModelInfo;
  readonly embedder?: EmbedderInfo;
  private readonly batcher: MicroBatcher<number[], WindowOut>;
  private readonly windowSize: number;
  private readonly noneIdx: { goemotions: number[]; kote: number[] };
  private closed = false;

  private constructor(
    private readonly session: SessionLike,
    private readonly tokenizer: TextTokenizer,
    private readonly resolved: ResolvedModel,
    readonly info: LoadedEngineInfo,
  ) {
    const e = resolved.entry;
    this.model = {
      id: e.id,
      version: e.version,
      sha256: e.sha256.toLowerCase(),
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
      thresholds: { goemotions: [...e.outputs.goemotions_logits.thresholds], kote: [...e.outputs.kote_logits.thresholds] },
    };
    const emb = e.outputs.sentence_embedding;
    if (emb && session.outputNames.includes(EMBEDDING_OUTPUT)) this.embedder = { id: e.id, sha256: this.model.sha256, dim: emb.dim };
    this.windowSize = e.max_length - tokenizer.prefix.length - tokenizer.suffix.length;
    if (this.windowSize < 1) throw new EngineLoadError('model_invalid', `max_length ${e.max_length} leaves no room for text after special tokens`, resolved.manifestPath);
    this.noneIdx = {
      goemotions: this.model.labels.goemotions.flatMap((l, i) => (l === NONE_LABEL.goemotions ? [i] : [])),
      kote: this.model.labels.kote.flatMap((l, i) => (l === NONE_LABEL.kote ? [i] : [])),
    };
    this.batcher = new MicroBatcher<number[], WindowOut>({
      windowMs: info.batching.windowMs,
      maxBatch: info.batching.maxBatch,
      length: (ids) => ids.length,
      run: (batch) => this.runBatch(batch),
    });
  }

  /** Verifies the files, creates the session on the requested provider (with `auto` fallback) and warms it up. */
  static async load(resolved: ResolvedModel, opts: EngineOptions): Promise<OnnxTextEngine> {
    ensureOrtLogging();
    const t0 = performance.now();
    const e = resolved.entry;
    const modelBytes = readVerified(resolved.modelPath, e.sha256, 'ONNX model', !!opts.skipChecksum);
    const tokBytes = readVerified(resolved.tokenizerPath, e.tokenizer_sha256, 'tokenizer', !!opts.skipChecksum);
    let parameters: ParameterCount;
    try {
      parameters = countOnnxParameters(modelBytes);
    } catch (err) {
      throw new EngineLoadError('model_invalid', `${resolved.modelPath} is not a readable ONNX model (${(err as Error).message}) — ${INSTALL_HINT}`, resolved.modelPath);
    }
    const opTypes = onnxOpTypes(modelBytes);
    const variantOps = BATCH_VARIANT_OPS.filter((op) => opTypes.has(op));
    const requested = opts.batching ?? 'auto';
    const mode: 'dynamic' | 'exact' = requested === 'auto' ? (variantOps.length ? 'exact' : 'dynamic') : requested;
    const batching = {
      mode,
      requested,
      maxBatch: mode === 'exact' ? 1 : opts.maxBatch,
      windowMs: mode === 'exact' ? 0 : opts.batchWindowMs,
      reason:
        requested !== 'auto'
          ? `batching '${requested}' requested`
          : variantOps.length
            ? `the model uses ${variantOps.join(', ')} (dynamic int8 quantisation: activation scales are computed over the whole batch, so batched scores would depend on the other texts in the batch); each window runs alone so results are exact and reproducible`
            : 'the model has no batch-dependent operators: batched scores equal one-by-one scores',
    };
    if (e.parameters !== undefined && e.parameters !== parameters.parameters) {
      opts.logger?.warn({ manifest: e.parameters, counted: parameters.parameters }, 'parameter count in the manifest differs from the ONNX initializers; reporting the counted value');
    }
    let tokenizer: TextTokenizer;
    try {
      tokenizer = createTokenizer(JSON.parse(tokBytes.toString('utf8')), e.tokenizer_config as Record<string, unknown>);
    } catch (err) {
      throw new EngineLoadError('model_invalid', `${resolved.tokenizerPath} could not be loaded by @huggingface/tokenizers (${firstLine(err)}) — ${INSTALL_HINT}`, resolved.tokenizerPath);
    }
    const threads = opts.threads > 0 ? opts.threads : availableParallelism();
    const candidates: ProviderName[] = opts.provider === 'auto' ? autoCandidates() : [opts.provider];
    const attempts: ProviderAttempt[] = [];
    for (const provider of candidates) {
      let session: SessionLike | null = null;
      try {
        const sessionOptions: ort.InferenceSession.SessionOptions = {
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
        session =
          (opts.inferenceThread ?? 'worker') === 'worker'
            ? await WorkerSession.create(modelBytes, sessionOptions, ort.env.logLevel)
            : ((await ort.InferenceSession.create(modelBytes, sessionOptions)) as unknown as SessionLike);
        checkIo(session, resolved);
        const loadMs = performance.now() - t0;
        attempts.push({ provider, ok: true });
        const fallbackReason = attempts.some((a) => !a.ok)
          ? attempts.filter((a) => !a.ok).map((a) => `${a.provider}: ${a.error}`).join('; ')
          : null;
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
          inferenceThread: opts.inferenceThread ?? 'worker',
          loadMs: Math.round(loadMs),
          warmupMs: 0,
          thresholdsSource: `${resolved.manifestPath} (per-label thresholds tuned on dev splits)`,
          batching,
        };
        const engine = new OnnxTextEngine(session, tokenizer, resolved, info);
        const w0 = performance.now();
        await engine.warmUp();
        info.warmupMs = Math.round(performance.now() - w0);
        if (fallbackReason) opts.logger?.warn({ requested: opts.provider, provider, reason: fallbackReason }, 'execution provider fell back to CPU');
        opts.logger?.info({ model: e.id, provider, threads, parameters: parameters.parameters, loadMs: info.loadMs, warmupMs: info.warmupMs, batching: batching.mode }, 'model loaded');
        return engine;
      } catch (err) {
        if (session) await session.release().catch(() => {});
        if (err instanceof EngineLoadError) throw err;
        attempts.push({ provider, ok: false, error: firstLine(err) });
        if (opts.provider !== 'auto') {
          throw new EngineLoadError(
            'provider_unavailable',
            `execution provider '${provider}' could not run ${resolved.modelPath}: ${firstLine(err)} — install the provider's runtime, or start with --provider auto (falls back to CPU) or --provider cpu`,
          );
        }
      }
    }
    throw new EngineLoadError(
      'model_invalid',
      `${resolved.modelPath} could not be loaded on any execution provider (${attempts.map((a) => `${a.provider}: ${a.error}`).join('; ')}) — ${INSTALL_HINT}`,
      resolved.modelPath,
    );
  }

  batchStats(): BatchStats {
    return this.batcher.stats();
  }

  /** Number of content tokens the tokenizer produces (no special tokens). */
  countTokens(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  /** Token ids of each window the engine would run for `text` (for benchmarks and parity checks). */
  windowIds(text: string, overflow: 'window' | 'truncate' = 'window'): number[][] {
    return this.plan(this.tokenizer.encode(text), overflow).inputs;
  }

  /**
   * Runs already-tokenised windows (with special tokens) as ONE batch, bypassing the micro-batcher; for
   * benchmarks and parity checks against Python onnxruntime on the same ids.
   */
  async runWindows(batch: number[][]): Promise<WindowOut[]> {
    return this.runBatch(batch);
  }

  async analyze(texts: string[], options: EngineAnalyzeOptions = {}): Promise<TextAnalysis[]> {
    if (this.closed) throw new ToolError('internal', 'the engine was closed');
    const signal = options.signal;
    if (signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled');
    const overflow = options.overflow ?? 'window';
    const decisions = texts.map((text) => decideLanguage(text, options.language, this.model.languages));
    // Tools refuse unsupported texts per item before they get here; this is the guard for every other caller.
    const plans = texts.map((text, i) => {
      const d = decisions[i];
      if (!d.ok) throw new ToolError('unsupported_language', `text ${i}: ${d.message}`, { detected: d.detected, confidence: d.confidence, supported: d.supported });
      const ids = this.tokenizer.encode(text);
      const unk = this.tokenizer.unkId;
      const unknownTokens = unk === undefined ? 0 : ids.reduce((n, id) => n + (id === unk ? 1 : 0), 0);
      const contentTokens = ids.reduce((n, id) => n + (this.tokenizer.isContent(id) ? 1 : 0), 0);
      return { language: d.language, confidence: d.confidence, tokens: ids.length, unknownTokens, contentTokens, ...this.plan(ids, overflow) };
    });
    const outs = await Promise.all(plans.map((p) => Promise.all(p.inputs.map((ids) => this.batcher.submit(ids, signal)))));
    return plans.map((p, i) => ({ ...this.aggregate(p.language, p.tokens, p.weights, p.truncated, outs[i]), languageConfidence: p.confidence, unknownTokens: p.unknownTokens, contentTokens: p.contentTokens }));
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
    if (!info) throw new ToolError('internal', `the model ${this.model.id} has no ${EMBEDDING_OUTPUT} output (manifest outputs.${EMBEDDING_OUTPUT})`);
    if (this.closed) throw new ToolError('internal', 'the engine was closed');
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (options.signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled');
      const d = decideLanguage(texts[i], options.language, this.model.languages);
      if (!d.ok) throw new ToolError('unsupported_language', `text ${i}: ${d.message}`, { detected: d.detected, confidence: d.confidence, supported: d.supported });
      const p = this.plan(this.tokenizer.encode(texts[i]), 'window');
      const vecs: Float32Array[] = [];
      for (const ids of p.inputs) {
        const feeds: Record<string, ort.Tensor> = {};
        const n = ids.length;
        for (const name of this.resolved.entry.inputs) {
          if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]);
          else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
          else feeds[name] = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
        }
        let res: Record<string, RawTensor>;
        try {
          res = await this.session.run(feeds, [EMBEDDING_OUTPUT]);
        } catch (err) {
          throw new InferenceError(`the model failed at run time: ${firstLine(err)}`, { cause: err });
        }
        const t = res[EMBEDDING_OUTPUT];
        if (!t || t.type !== 'float32' || t.data.length !== info.dim) throw new InferenceError(`the model's output ${EMBEDDING_OUTPUT} is missing or not ${info.dim} float32 values`);
        vecs.push(Float32Array.from(t.data as Float32Array));
      }
      out.push(weightedMeanVector(vecs, p.weights));
    }
    return out;
  }

  private plan(ids: number[], overflow: 'window' | 'truncate'): { inputs: number[][]; weights: number[]; truncated: boolean } {
    const { windows, truncated } =
      overflow === 'truncate'
        ? { windows: [{ start: 0, end: Math.min(ids.length, this.windowSize) }], truncated: ids.length > this.windowSize }
        : planWindows(ids.length, this.windowSize, MAX_CHUNKS);
    const { prefix, suffix } = this.tokenizer;
    return {
      inputs: windows.map((w) => [...prefix, ...ids.slice(w.start, w.end), ...suffix]),
      weights: windows.map((w) => w.end - w.start),
      truncated,
    };
  }

  private aggregate(language: Language, tokens: number, weights: number[], truncated: boolean, outs: WindowOut[]): Omit<TextAnalysis, 'languageConfidence' | 'unknownTokens' | 'contentTokens'> {
    const vad = [0, 1, 2].map((k) => weightedMean(outs.map((o) => o.vad[k]), weights)) as [number, number, number];
    const zh = outs[0].cpedEmotion
      ? {
          cpedEmotion: weightedMeanVector(outs.map((o) => o.cpedEmotion!), weights),
          cpedSentiment: weightedMeanVector(outs.map((o) => o.cpedSentiment!), weights),
          xed: aggregateLabels(outs.map((o) => o.xed!)),
        }
      : {};
    return {
      language,
      tokens,
      chunks: outs.length,
      truncated,
      goemotions: aggregateLabels(outs.map((o) => o.goemotions), this.noneIdx.goemotions),
      kote: aggregateLabels(outs.map((o) => o.kote), this.noneIdx.kote),
      positive: weightedMean(outs.map((o) => o.positive), weights),
      utility: weightedMean(outs.map((o) => o.utility), weights),
      vad,
      ...zh,
    };
  }

  private async warmUp(): Promise<void> {
    const { prefix, suffix } = this.tokenizer;
    const probe = [...prefix, ...this.tokenizer.encode('warm up'), ...suffix];
    const [out] = await this.runBatch([probe]);
    const ge = this.model.labels.goemotions.length;
    const ko = this.model.labels.kote.length;
    if (out.goemotions.length !== ge || out.kote.length !== ko) {
      throw new EngineLoadError(
        'model_invalid',
        `${this.resolved.modelPath} outputs ${out.goemotions.length} GoEmotions / ${out.kote.length} KOTE scores but the manifest lists ${ge} / ${ko} labels`,
        this.resolved.modelPath,
      );
    }
    const zh: Array<[string, Float32Array | undefined, string[] | undefined]> = [
      ['cped_emotion_logits', out.cpedEmotion, this.model.labels.cpedEmotion],
      ['cped_sentiment_logits', out.cpedSentiment, this.model.labels.cpedSentiment],
      ['xed_logits', out.xed, this.model.labels.xed],
    ];
    for (const [name, got, labels] of zh) {
      if (labels && got && got.length !== labels.length) {
        throw new EngineLoadError('model_invalid', `${this.resolved.modelPath} outputs ${got.length} ${name} scores but the manifest lists ${labels.length} labels`, this.resolved.modelPath);
      }
    }
  }

  private async runBatch(batch: number[][]): Promise<WindowOut[]> {
    const e = this.resolved.entry;
    const B = batch.length;
    const S = batch.reduce((m, ids) => Math.max(m, ids.length), 1);
    const ids = new BigInt64Array(B * S).fill(BigInt(e.pad_token_id));
    const mask = new BigInt64Array(B * S);
    for (let b = 0; b < B; b++) {
      const row = batch[b];
      for (let s = 0; s < row.length; s++) {
        ids[b * S + s] = BigInt(row[s]);
        mask[b * S + s] = 1n;
      }
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of e.inputs) {
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, [B, S]);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, [B, S]);
      else feeds[name] = new ort.Tensor('int64', new BigInt64Array(B * S), [B, S]); // token_type_ids: all segment 0
    }
    let res: Record<string, RawTensor>;
    try {
      res = await this.session.run(feeds, outputNames(e));
    } catch (err) {
      throw new InferenceError(`the model failed at run time: ${firstLine(err)}`, { cause: err });
    }
    const get = (name: OutputName, width?: number): { data: Float32Array; width: number } => {
      const t = res[name];
      if (!t || t.type !== 'float32') throw new InferenceError(`the model's output ${name} is missing or not float32`);
      const dims = t.dims;
      const w = dims.length === 1 ? 1 : Number(dims[dims.length - 1]);
      if (Number(dims[0]) !== B || (width !== undefined && w !== width)) throw new InferenceError(`the model's output ${name} has shape [${dims.join(',')}], expected [${B},${width ?? w}]`);
      return { data: t.data as Float32Array, width: w };
    };
    const ge = get('goemotions_logits');
    const ko = get('kote_logits');
    const pol = get('polarity_logits', 2);
    const util = get('utility', 1);
    const vad = get('vad', 3);
    const zh = e.outputs.cped_emotion_logits
      ? { emotion: get('cped_emotion_logits'), sentiment: get('cped_sentiment_logits'), xed: get('xed_logits') }
      : null;
    const out: WindowOut[] = [];
    for (let b = 0; b < B; b++) {
      const g = ge.data.slice(b * ge.width, (b + 1) * ge.width).map(sigmoid);
      const k = ko.data.slice(b * ko.width, (b + 1) * ko.width).map(sigmoid);
      const l0 = pol.data[b * 2];
      const l1 = pol.data[b * 2 + 1];
      const positive = 1 / (1 + Math.exp(l0 - l1)); // softmax([l0, l1])[1]
      out.push({
        goemotions: g,
        kote: k,
        positive,
        utility: util.data[b],
        vad: [vad.data[b * 3], vad.data[b * 3 + 1], vad.data[b * 3 + 2]],
        ...(zh
          ? {
              cpedEmotion: softmax(zh.emotion.data.subarray(b * zh.emotion.width, (b + 1) * zh.emotion.width)),
              cpedSentiment: softmax(zh.sentiment.data.subarray(b * zh.sentiment.width, (b + 1) * zh.sentiment.width)),
              xed: zh.xed.data.slice(b * zh.xed.width, (b + 1) * zh.xed.width).map(sigmoid),
            }
          : {}),
      });
    }
    return out;
  }
}

function checkIo(session: SessionLike, resolved: ResolvedModel): void {
  const missingIn = resolved.entry.inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputNames(resolved.entry).filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new EngineLoadError(
      'model_invalid',
      `${resolved.modelPath} does not match the manifest: missing inputs [${missingIn.join(', ')}], missing outputs [${missingOut.join(', ')}] (has inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}])`,
      resolved.modelPath,
    );
  }
}
