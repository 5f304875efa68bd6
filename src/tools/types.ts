// The contract every tool module implements. Handlers receive already-validated arguments and a context;
// they return structured output plus a one-line summary. Transport, caching, error mapping and metadata
// are added by src/tools/registry.ts, so a tool file never touches the MCP SDK directly (a later move to
// SDK v2 changes only the registry).
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { AppConfig } from '../server/config.js';
import type { TextEngine } from '../engine/types.js';
import type { CorpusFiles } from './corpus/io.js';

export interface ToolServices {
  config: AppConfig;
  /** The text engine; throws a ToolError('model_missing') from `require()` when no model is usable. */
  engine: EngineHandle;
  /** File access for analyze_corpus, confined to the allowed directories (src/server/corpus/files.ts). */
  files?: CorpusFiles;
}

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

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** Tells an LLM when to use the tool and what it returns. */
  description: string;
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
  /** Writes files (its own outputs, inside allowed directories): announced with readOnlyHint false. */
  writesFiles?: boolean;
  /** Runs as long as its input needs (progress keeps clients informed): the per-call timeout does not apply; client cancellation does. */
  longRunning?: boolean;
  handler(args: z.infer<I>, ctx: ToolContext): Promise<ToolOutput<z.infer<O>>>;
}

/** Error kinds a handler may throw; each becomes `isError: true` with a clear message. */
export type ToolErrorCode =
  | 'invalid_input' // arguments are well-typed but semantically wrong (unequal lengths, probabilities not summing to 1, …)
  | 'limit_exceeded' // a configured limit was hit; message names the limit and its value
  | 'model_missing' // no usable model; message names the missing file and the fix
  | 'path_not_allowed' // a file path outside the allowed directories, or not a regular file (analyze_corpus)
  | 'not_implemented'
  | 'cancelled'
  | 'internal';

export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Helper for handlers' loops: throws ToolError('cancelled') once the signal is aborted. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new ToolError('cancelled', 'the call was cancelled');
}
