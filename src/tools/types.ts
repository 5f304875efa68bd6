// The contract every tool module implements. A tool is typed compute (validated input → typed result, using the
// engine where needed) plus a presenter (typed result → structured output + one-line summary); `handler` is the
// two composed. Transport, caching, error mapping and metadata are added by src/server/registry.ts, so a tool file
// never touches the MCP SDK.
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Limits } from '../core/limits.js';
import type { EngineHandle } from '../engine/handle.js';
import type { CorpusFiles } from './corpus/io.js';
import type { CorpusQueue } from './corpus/queue.js';
import type { MemoryService } from './memory-service.js';

export interface ToolServices {
  limits: Limits;
  /** The text engine; `require()` throws ToolError('model_missing') when no model is usable. */
  engine: Pick<EngineHandle, 'require' | 'modelId' | 'requireBulk'>;
  /** File access for analyze_corpus, confined to the allowed directories (src/server/corpus/files.ts). */
  files?: CorpusFiles;
  /** The job queue analyze_corpus hands its rows to (--queue redis://…); absent = the server reads them itself. */
  corpusQueue?: CorpusQueue;
  /** The experience store, present only when memory is on (--memory PATH / RED_HEART_MEMORY). */
  memory?: MemoryService;
  /** Signs the tokens a tool hands out and checks them when they come back (analyze_conversation's `state`). */
  signer?: TokenSigner;
}

/** HMAC-SHA256 under the installation secret (src/server/cache/secret.ts); hex signatures. */
export interface TokenSigner {
  sign(data: string): string;
  verify(data: string, signature: string): boolean;
}

export interface ToolContext {
  requestId: string;
  /** Aborted when the client cancels the call or a limit/timeout is hit. Long loops should check it. */
  signal: AbortSignal;
  logger: Logger;
  /** Sends notifications/progress when the client asked for progress; otherwise a no-op. */
  progress(done: number, total?: number, message?: string): Promise<void>;
  /** The client's MCP roots (URIs) via roots/list; null when the client does not declare the roots capability. */
  roots?(): Promise<string[] | null>;
  services: ToolServices;
  /**
   * Runs another tool's handler under the result-cache entry a direct call of that tool with these arguments uses
   * (full_analysis's sections). `cached` says whether the entry was there.
   */
  runTool<I extends z.ZodObject, O extends z.ZodObject>(
    def: ToolDefinition<I, O>,
    args: z.infer<I>,
  ): Promise<ToolOutput<z.infer<O>> & { cached: boolean }>;
}

export interface ToolOutput<O> {
  structured: O;
  /** Short human-readable text (one or a few lines) returned as the text content of the result. */
  summary: string;
  /** Files the call wrote, returned as MCP resource_link content after the summary. */
  links?: ResourceLink[];
}

export interface ResourceLink {
  uri: string;
  name: string;
  title?: string;
  mimeType?: string;
  description?: string;
}

/** What tools/list knows of the model that will serve text (read from its manifest, before any model loads). */
export interface ServedModel {
  id: string;
  version: string;
  /** The manifest's `languages`: texts in others are refused. */
  languages: readonly string[];
  /** The manifest's output heads (`goemotions_logits`, `vad`, …). */
  heads: readonly string[];
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** Tells an LLM when to use the tool and what it returns (what is known without a model manifest). */
  description: string;
  /** The description for the model the server serves (tools/list); absent = `description`. */
  describe?(model: ServedModel | null): string;
  input: I;
  output: O;
  /**
   * How results are cached: 'none' never; 'args' keyed by tool + normalised arguments;
   * 'args+model' additionally keyed by the model id (text tools).
   * Tools whose *some* requests use the model may decide per call via `cacheKeyNeedsModel`.
   */
  cache: 'none' | 'args' | 'args+model';
  /** Optional per-call refinement for tools that use the model only on some inputs (e.g. text-only Bentham). */
  cacheKeyNeedsModel?(args: z.infer<I>): boolean;
  /**
   * Writes files (its own outputs, inside allowed directories), replacing a regular file of the same name: announced
   * with readOnlyHint false and destructiveHint true.
   */
  writesFiles?: boolean;
  /** Changes the experience store (remember, forget): not read-only, not idempotent; forget also destructive. */
  changesMemory?: 'adds' | 'deletes';
  /** Per-call opt-out of the result cache (a result that reads the memory changes when the memory does). */
  uncachedIf?(args: z.infer<I>): boolean;
  /** Runs as long as its input needs (progress keeps clients informed): the per-call timeout does not apply; client cancellation does. */
  longRunning?: boolean;
  handler(args: z.infer<I>, ctx: ToolContext): Promise<ToolOutput<z.infer<O>>>;
}

/** A context whose runTool calls the other tool's handler directly, without a cache (in-process use: tests, benchmarks). */
export function uncachedContext(base: Omit<ToolContext, 'runTool'>): ToolContext {
  const ctx: ToolContext = {
    ...base,
    runTool: async (def, args) => ({
      ...(await def.handler(args, { ...ctx, progress: async () => {} })),
      cached: false,
    }),
  };
  return ctx;
}
