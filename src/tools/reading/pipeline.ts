// The one way a tool reads texts with the model. Three steps, each usable on its own where a tool must do
// something in between (analyze_conversation checks its state against the model before reading):
//   admitTexts  – text and batch limits, empty texts (no model needed);
//   decideTexts – the engine is loaded and each text's language decided once (model, tool, request);
//   readPlan    – the engine reads every decided text as decided, in one batch;
// so that each text ends with exactly one outcome: its reading, or why it was refused. `readAll` runs the steps
// for tools that need every text read (a refusal fails the call, naming the text).
import { ToolError, throwIfCancelled } from '../../core/errors.js';
import type {
  DecidedLanguage,
  EmbedderInfo,
  Language,
  LanguageRequest,
  ModelInfo,
  TextAnalysis,
  TextEngine,
} from '../../core/model.js';
import { readDocuments } from './documents.js';
import { checkTexts, emptyTextError, isEmptyText, type NamedText } from '../text-input.js';
import type { ToolContext } from '../types.js';
import {
  checkRequested,
  decideText,
  loadLanguageDetector,
  refusalError,
  type LanguageRefusal,
  type ToolLanguages,
} from './languages.js';

/** One text the model read: what the caller calls it, the text, and the engine's analysis (read as decided). */
export interface Reading extends NamedText {
  analysis: TextAnalysis;
}

export interface EmptyRefusal {
  code: 'empty_text';
  message: string;
}

/** Why one text was not read. */
export type Refusal = EmptyRefusal | LanguageRefusal;

export type Outcome = { ok: Reading } | { error: Refusal };

/** The texts after the checks that need no model: 'call' refuses the call at the first failure, 'item' each text on its own. */
export interface Admitted {
  texts: ReadonlyArray<{ text: NamedText; refused?: Refusal }>;
}

/**
 * Limits and emptiness. 'call': more texts than the limit, a text over the length limit or an empty one fails the
 * call (naming the text). 'item': an empty text is refused on its own and the limits count only the others.
 */
export function admitTexts(
  texts: readonly NamedText[],
  limits: { maxTextChars: number; maxBatchTexts: number },
  refuse: 'call' | 'item',
): Admitted {
  const empty = (t: NamedText) => isEmptyText(t.text);
  if (refuse === 'call') {
    checkTexts(texts, limits);
    const first = texts.find(empty);
    if (first) throw emptyTextError(first.name);
    return { texts: texts.map((text) => ({ text })) };
  }
  checkTexts(
    texts.filter((t) => !empty(t)),
    limits,
  );
  return {
    texts: texts.map((text) =>
      empty(text) ? { text, refused: { code: 'empty_text', message: emptyTextError(text.name).message } } : { text },
    ),
  };
}

/** The engine as the pipeline hands it on: it reads texts whose languages are decided, one decision per text. */
export interface Reader {
  readonly model: ModelInfo;
  /** `sentences`: also read the sentences of a text that fits one window (reading/documents.ts), in the same call. */
  read(
    texts: string[],
    decided: readonly DecidedLanguage[],
    signal: AbortSignal,
    opts?: { sentences?: boolean },
  ): Promise<TextAnalysis[]>;
  /**
   * The pooled sentence representation of texts whose languages are decided (what the memory compares texts by),
   * with the model it comes from; model_missing for a model without a sentence_embedding output.
   */
  embed(
    texts: string[],
    decided: readonly DecidedLanguage[],
    signal: AbortSignal,
  ): Promise<{ embedder: EmbedderInfo; vectors: Float32Array[] }>;
}

/**
 * A text longer than one window and of several sentences is read as a document of sentences, any other text whole
 * (reading/documents.ts): the same for every tool.
 */
export function readerOf(engine: TextEngine): Reader {
  return {
    model: engine.model,
    read: (texts, decided, signal, opts) =>
      readDocuments(engine, texts, decided, signal, { sentences: opts?.sentences ?? false }),
    embed: async (texts, decided, signal) => {
      const { embed, embedder } = embedderOf(engine);
      const vectors = texts.length ? await embed(texts, { decided, signal }) : [];
      throwIfCancelled(signal);
      return { embedder, vectors };
    },
  };
}

/** The engine's embedding and what it returns vectors of, or model_missing naming the model without them. */
function embedderOf(engine: TextEngine): { embed: NonNullable<TextEngine['embed']>; embedder: EmbedderInfo } {
  if (!engine.embed || !engine.embedder) {
    throw new ToolError(
      'model_missing',
      `the model ${engine.model.id} ${engine.model.version} has no sentence_embedding output, which the ` +
        `memory compares texts by (training/add_embedding_output.py adds it)`,
    );
  }
  return { embed: engine.embed.bind(engine), embedder: engine.embedder };
}

/** The engine for bulk reading (analyze_corpus's rows): it skips the shared analysis memo, which rows would only churn. */
export function bulkEngine(ctx: ToolContext): Promise<TextEngine> {
  const handle = ctx.services.engine;
  return handle.requireBulk ? handle.requireBulk() : handle.require();
}

/** Reads texts as the language of the text they come from (its sentences, occlusion variants): no decision of their own. */
export function readAs(
  reader: Reader,
  texts: string[],
  language: Language,
  signal: AbortSignal,
): Promise<TextAnalysis[]> {
  return reader.read(
    texts,
    texts.map(() => ({ language, confidence: null })),
    signal,
  );
}

/** The texts with the model that will read them and each text's decided language (or refusal). */
export interface Plan extends Reader {
  texts: ReadonlyArray<{ text: NamedText } & ({ decided: DecidedLanguage } | { refused: Refusal })>;
  /** Refuses the call at the first refused text, naming it (`name` instead, for a tool's single text). */
  refuseCall(name?: string): void;
}

export interface DecideOptions {
  language?: LanguageRequest;
  /** The languages the tool reads, when fewer than the model's. */
  only?: ToolLanguages;
  /** 'call' (default): a requested language the model does not read fails the call; 'text': it refuses each text. */
  requested?: 'call' | 'text';
}

/** The ToolError for a refusal, naming the text. */
export function refusalToError(r: Refusal, name: string): ToolError {
  return r.code === 'empty_text' ? new ToolError('empty_text', r.message) : refusalError(name, r);
}

/** Loads the engine (model_missing when there is none) and decides each admitted text's language once. */
export async function decideTexts(ctx: ToolContext, admitted: Admitted, opts: DecideOptions = {}): Promise<Plan> {
  // the language detector loads lazily (not before `initialize`); a loaded engine has usually loaded it already
  const [engine] = await Promise.all([ctx.services.engine.require(), loadLanguageDetector()]);
  throwIfCancelled(ctx.signal);
  if ((opts.requested ?? 'call') === 'call') checkRequested(engine.model, opts.language);
  const texts: Plan['texts'] = admitted.texts.map(({ text, refused }) => {
    if (refused) return { text, refused };
    const d = decideText(engine.model, text.text, opts.language, opts.only);
    return 'refused' in d ? { text, refused: d.refused } : { text, decided: d.decided };
  });
  return {
    ...readerOf(engine),
    texts,
    refuseCall(name?: string) {
      for (const t of texts) if ('refused' in t) throw refusalToError(t.refused, name ?? t.text.name);
    },
  };
}

/**
 * Reads every decided text (reading/documents.ts); one outcome per text, in order. `requireTokens`: a text the
 * tokenizer drops entirely (e.g. only control characters) gives the model nothing and is refused as empty.
 * `sentences`: the sentences of a text that fits one window are read too (its strongest-sentence block).
 */
export async function readPlan(
  plan: Plan,
  signal: AbortSignal,
  opts: { requireTokens?: boolean; sentences?: boolean } = {},
): Promise<Outcome[]> {
  const todo = plan.texts.flatMap((t) => ('decided' in t ? [t] : []));
  const analyses = todo.length
    ? await plan.read(
        todo.map((t) => t.text.text),
        todo.map((t) => t.decided),
        signal,
        { sentences: opts.sentences ?? false },
      )
    : [];
  const byText = new Map(todo.map((t, k) => [t, analyses[k]]));
  return plan.texts.map((t): Outcome => {
    if ('refused' in t) return { error: t.refused };
    const analysis = byText.get(t) as TextAnalysis;
    if (opts.requireTokens && analysis.tokens === 0)
      return {
        error: {
          code: 'empty_text',
          message: `${t.text.name} has no tokens after tokenisation: there is nothing to analyse`,
        },
      };
    return { ok: { ...t.text, analysis } };
  });
}

/** Every text read, or the call refused at the first text that cannot be (named). */
export async function readAll(
  ctx: ToolContext,
  texts: readonly NamedText[],
  opts: DecideOptions = {},
): Promise<{ reader: Reader; readings: Reading[] }> {
  const plan = await decideTexts(ctx, admitTexts(texts, ctx.services.limits, 'call'), opts);
  plan.refuseCall();
  return { reader: plan, readings: everyReading(await readPlan(plan, ctx.signal)) };
}

/** The readings of outcomes that hold no refusal (for plans that refused the call before reading). */
export function everyReading(outcomes: readonly Outcome[]): Reading[] {
  return outcomes.map((o, i) => {
    if ('error' in o)
      throw new ToolError('internal', `text ${i} was refused after its plan was accepted: ${o.error.message}`);
    return o.ok;
  });
}

/** The loaded model and what its embeddings are vectors of; model_missing for a model without a sentence_embedding output. */
export async function memoryEmbedder(ctx: ToolContext): Promise<{ model: ModelInfo; embedder: EmbedderInfo }> {
  const engine = await ctx.services.engine.require();
  return { model: engine.model, embedder: embedderOf(engine).embedder };
}

/**
 * The pooled sentence representation of each text (the memory tools compare texts by it), each text read as the
 * language decided here; the call is refused at the first text the model does not read, and for a model without a
 * sentence_embedding output.
 */
export async function embedTexts(
  ctx: ToolContext,
  texts: readonly NamedText[],
): Promise<{ model: ModelInfo; embedder: EmbedderInfo; vectors: Float32Array[] }> {
  const { model, embedder, outcomes } = await embedPlan(
    ctx,
    await decideTexts(ctx, admitTexts(texts, ctx.services.limits, 'call')),
    'call',
  );
  return { model, embedder, vectors: outcomes.map((o) => (o as { vector: Float32Array }).vector) };
}

/**
 * The same, one outcome per text: a text the model does not read, or an empty one, is refused on its own (texts
 * over the length limit and batches over the batch limit still fail the call). For re-embedding stored records.
 */
export async function embedEach(
  ctx: ToolContext,
  texts: readonly NamedText[],
): Promise<{
  model: ModelInfo;
  embedder: EmbedderInfo;
  outcomes: Array<{ vector: Float32Array } | { error: Refusal }>;
}> {
  return embedPlan(ctx, await decideTexts(ctx, admitTexts(texts, ctx.services.limits, 'item')), 'item');
}

async function embedPlan(ctx: ToolContext, plan: Plan, refuse: 'call' | 'item') {
  if (refuse === 'call') plan.refuseCall();
  const todo = plan.texts.flatMap((t) => ('decided' in t ? [t] : []));
  const { embedder, vectors } = await plan.embed(
    todo.map((t) => t.text.text),
    todo.map((t) => t.decided),
    ctx.signal,
  );
  const byText = new Map(todo.map((t, k) => [t, vectors[k]]));
  const outcomes = plan.texts.map((t) =>
    'refused' in t ? { error: t.refused } : { vector: byText.get(t) as Float32Array },
  );
  return { model: plan.model, embedder, outcomes };
}
