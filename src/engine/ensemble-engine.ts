// An ensemble of ONNX models served as one TextEngine (docs/engine.md, "Ensembles"): each member is an
// OnnxTextEngine with its own tokenizer, windows, session (its own worker thread, so members run at the same time)
// and micro-batcher; the ensemble passes every call (texts, language, overflow, cancellation signal) to all members
// and fuses their per-text results with the manifest's weights (fusion.ts).
import { ToolError } from '../core/errors.js';
import type { AnalyzeOptions, ModelInfo, TextAnalysis, TextEngine } from '../core/model.js';
import { EngineLoadError } from './errors.js';
import { REQUIRED_HEADS, fuseAnalyses, type FusionWeights } from './fusion.js';
import { decidedLanguages } from './decided.js';
import type { ResolvedEnsemble } from './manifest.js';
import { OnnxTextEngine, type EngineAnalyzeOptions, type EngineOptions } from './onnx-engine.js';

export interface EnsembleInfo {
  id: string;
  version: string;
  /** See ResolvedEnsemble.sha256. */
  sha256: string;
  manifestPath: string;
  weights: FusionWeights;
  thresholdsSource: string;
  /** Wall time to load all members (they load concurrently). */
  loadMs: number;
}

export class EnsembleTextEngine implements TextEngine {
  readonly model: ModelInfo;
  private closed = false;

  private constructor(
    /** In manifest order (the order of the weights). */
    readonly members: readonly OnnxTextEngine[],
    readonly info: EnsembleInfo,
    thresholds: { goemotions: number[]; kote: number[] },
    /** The ensemble's own thresholds per fused multi-label head. */
    headThresholds: Readonly<Record<string, readonly number[]>>,
  ) {
    const first = members[0].model;
    this.model = {
      id: info.id,
      version: info.version,
      sha256: info.sha256,
      provider: [...new Set(members.map((m) => m.model.provider))].join('+'),
      parameters: members.reduce((s, m) => s + m.model.parameters, 0),
      maxLength: first.maxLength,
      // zh in every member means every member has the zh heads, so the manifest gave them weights and they are fused
      languages: first.languages.filter((l) => members.every((m) => m.model.languages.includes(l))),
      labels: { ...first.labels },
      thresholds,
      heads: first.heads?.map((h) => (h.thresholds ? { ...h, thresholds: [...headThresholds[h.name]] } : h)),
    };
  }

  /** Loads every member (concurrently; a member that fails closes the others) and checks what fusion needs. */
  static async load(resolved: ResolvedEnsemble, opts: EngineOptions): Promise<EnsembleTextEngine> {
    const e = resolved.entry;
    const name = `ensemble '${e.id}' in ${resolved.manifestPath}`;
    const heads = Object.keys(e.weights);
    const missing = REQUIRED_HEADS.filter((h) => !heads.includes(h));
    if (missing.length) {
      throw new EngineLoadError(
        'model_invalid',
        `${name}: no weights for head ${missing.map((h) => `'${h}'`).join(', ')}`,
        resolved.manifestPath,
      );
    }
    const t0 = performance.now();
    const settled = await Promise.allSettled(resolved.members.map((m) => OnnxTextEngine.load(m, opts)));
    const loaded = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = settled.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      await Promise.all(loaded.map((m) => m.close()));
      const err = (settled[failed] as PromiseRejectedResult).reason as unknown;
      const member = resolved.members[failed].entry.id;
      if (err instanceof EngineLoadError)
        throw new EngineLoadError(err.kind, `${name}, member '${member}': ${err.message}`, err.file);
      throw err;
    }
    const thresholds = { goemotions: [...e.thresholds.goemotions_logits], kote: [...e.thresholds.kote_logits] };
    const info: EnsembleInfo = {
      id: e.id,
      version: e.version,
      sha256: resolved.sha256,
      manifestPath: resolved.manifestPath,
      weights: Object.fromEntries(heads.map((h) => [h, [...e.weights[h]]])),
      thresholdsSource: `${resolved.manifestPath}, ensemble '${e.id}' (its own thresholds for the fused probabilities, tuned on dev)`,
      loadMs: Math.round(performance.now() - t0),
    };
    const engine = new EnsembleTextEngine(loaded, info, thresholds, e.thresholds);
    opts.logger?.info(
      { ensemble: e.id, members: e.members, parameters: engine.model.parameters, loadMs: info.loadMs },
      'ensemble loaded',
    );
    return engine;
  }

  async analyze(texts: string[], options: EngineAnalyzeOptions = {}): Promise<TextAnalysis[]> {
    return (await this.analyzeWithMembers(texts, options)).fused;
  }

  /** The windows of the first member, whose count a fused analysis reports as its `chunks` (fusion.ts). */
  windows(texts: readonly string[]): number[] {
    return this.members[0].windows(texts);
  }

  /** The first member with a sentence_embedding output embeds (a memory's vectors come from one model's space). */
  get embedder() {
    return this.members.find((m) => m.embedder)?.embedder;
  }

  async embed(texts: string[], options: AnalyzeOptions = {}): Promise<Float32Array[]> {
    const m = this.members.find((x) => x.embedder);
    if (!m)
      throw new ToolError('internal', `no member of the ensemble ${this.model.id} has a sentence_embedding output`);
    return m.embed(texts, options);
  }

  /** The fused analyses and each member's own (members in manifest order); for the ensemble measurement. */
  async analyzeWithMembers(
    texts: string[],
    options: EngineAnalyzeOptions = {},
  ): Promise<{ fused: TextAnalysis[]; members: TextAnalysis[][] }> {
    if (this.closed) throw new ToolError('internal', 'the engine was closed');
    if (options.signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled');
    // The language is decided once (by the caller, or here over the languages every member reads: each member's
    // own decision could differ, e.g. for a text without letters) and every member reads the text as decided.
    const decided = decidedLanguages(texts, options, this.model.languages);
    const members = await Promise.all(this.members.map((m) => m.analyze(texts, { ...options, decided })));
    const fused = texts.map((_, i) =>
      fuseAnalyses(
        members.map((r) => r[i]),
        this.info.weights,
        {
          language: decided[i].language,
          languageConfidence: decided[i].confidence,
          ...(decided[i].uncertain ? { languageUncertain: true } : {}),
        },
      ),
    );
    return { fused, members };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.members.map((m) => m.close()));
  }
}
