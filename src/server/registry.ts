// Wires ToolDefinitions into an McpServer: progress, cancellation and timeout, the result cache,
// error mapping and request ids. This is the only file that knows how the MCP SDK calls a tool.
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Logger } from 'pino';
import { ListRootsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ToolError } from '../core/errors.js';
import { MEMORY_TOOLS, TOOLS } from '../tools/index.js';
import { toToolError } from '../tools/errors.js';
import type { ResourceLink, ToolContext, ToolDefinition, ToolOutput, ToolServices } from '../tools/types.js';
import { failureIn } from './cache/failures.js';
import { cacheKey, type ResultCache } from './cache/result-cache.js';

export interface RegistryDeps {
  services: ToolServices;
  cache: ResultCache;
  logger: Logger;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Every structured result carries `cached`; tools need not declare it. */
export function withCachedFlag(output: z.ZodObject): z.ZodObject {
  if ('cached' in output.shape) return output;
  return output.extend({ cached: z.boolean().describe('true when this result was served from the result cache') });
}

export function errorResult(code: string, message: string, requestId: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}` }],
    _meta: { 'red-heart/error': { code, request_id: requestId } },
  };
}

/** Merges the client's cancellation with the configured per-call timeout. */
function callSignal(clientSignal: AbortSignal, timeoutMs: number): { signal: AbortSignal; dispose: () => void } {
  if (timeoutMs <= 0) return { signal: clientSignal, dispose: () => {} };
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new ToolError(
          'limit_exceeded',
          `the call exceeded the per-call timeout of ${timeoutMs} ms (RED_HEART_TIMEOUT_MS)`,
        ),
      ),
    timeoutMs,
  );
  const onAbort = () => controller.abort(clientSignal.reason);
  clientSignal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      clientSignal.removeEventListener('abort', onAbort);
    },
  };
}

function progressReporter(extra: Extra): ToolContext['progress'] {
  const token = extra._meta?.progressToken;
  if (token === undefined) return async () => {};
  return async (progress, total, message) => {
    try {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress, total, message },
      });
    } catch {
      // A client that went away cannot be told; the call itself goes on.
    }
  };
}

/** The cache key of a call, or null when it is not cached (tool opts out, cache off, model not installed, unkeyable). */
function keyOf(
  def: ToolDefinition,
  args: unknown,
  deps: RegistryDeps,
  logger: Logger,
): { key: string; modelId: string | null } | null {
  const usesModel =
    def.cache === 'args+model' || (def.cache === 'args' && (def.cacheKeyNeedsModel?.(args as never) ?? false));
  const modelId = usesModel ? deps.services.engine.modelId() : null;
  if (def.cache === 'none' || def.uncachedIf?.(args as never) || !deps.cache.enabled || (usesModel && modelId === null))
    return null;
  try {
    return { key: cacheKey(def.name, args, modelId), modelId };
  } catch (err) {
    // Arguments too deeply nested to serialise are served uncached; the handler then judges them.
    logger.warn({ err: (err as Error).message }, 'arguments cannot be cache-keyed; serving uncached');
    return null;
  }
}

/**
 * Runs a handler through the result cache: a hit is returned as stored, a miss is computed and stored unless the
 * result carries a failure (failures.ts). The model identity (id, version, sha256 of the model file as verified at
 * load) is read again after the call: a result is stored under the identity of the model that computed it.
 */
async function cachedRun(
  def: ToolDefinition,
  args: unknown,
  ctx: ToolContext,
  deps: RegistryDeps,
): Promise<ToolOutput<Record<string, unknown>> & { cached: boolean }> {
  const keyed = keyOf(def, args, deps, ctx.logger);
  if (keyed) {
    const hit = await deps.cache.get(keyed.key);
    if (hit) return { structured: hit.structured, summary: hit.summary, cached: true };
  }
  const out = await def.handler(args as never, ctx);
  const structured = { ...(out.structured as Record<string, unknown>), cached: false };
  if (keyed) {
    const failure = failureIn(structured);
    const now = keyed.modelId === null ? keyed : keyOf(def, args, deps, ctx.logger);
    if (failure) ctx.logger.debug({ failure }, 'result carries a failure; not cached');
    else if (now && now.modelId === keyed.modelId)
      await deps.cache.set(keyed.key, { structured, summary: out.summary });
    else if (now) await deps.cache.set(now.key, { structured, summary: out.summary });
  }
  return { structured, summary: out.summary, links: out.links, cached: false };
}

/** roots/list through the request's channel, when the client declared the roots capability. */
function rootsReader(extra: Extra, clientHasRoots: () => boolean): ToolContext['roots'] {
  return async () => {
    if (!clientHasRoots()) return null;
    const res = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, { timeout: 10_000 });
    return res.roots.map((r) => r.uri);
  };
}

function context(
  requestId: string,
  signal: AbortSignal,
  logger: Logger,
  progress: ToolContext['progress'],
  deps: RegistryDeps,
  roots?: ToolContext['roots'],
): ToolContext {
  const ctx: ToolContext = {
    requestId,
    signal,
    logger,
    progress,
    roots,
    services: deps.services,
    // Sub-calls report no progress of their own: the calling tool reports its own steps.
    runTool: (def, args) =>
      cachedRun(def as unknown as ToolDefinition, args, { ...ctx, progress: async () => {} }, deps) as never,
  };
  return ctx;
}

export async function runTool(
  def: ToolDefinition,
  args: unknown,
  extra: Extra,
  deps: RegistryDeps,
  clientHasRoots: () => boolean = () => false,
): Promise<CallToolResult> {
  const requestId = randomUUID().slice(0, 8);
  const logger = deps.logger.child({ tool: def.name, requestId });
  const started = performance.now();
  // A long-running tool (analyze_corpus) runs as long as its input needs; client cancellation still applies.
  const { signal, dispose } = callSignal(extra.signal, def.longRunning ? 0 : deps.services.limits.callTimeoutMs);
  try {
    const ctx = context(requestId, signal, logger, progressReporter(extra), deps, rootsReader(extra, clientHasRoots));
    const out = await abortable(cachedRun(def, args, ctx, deps), signal);
    logger[out.cached ? 'debug' : 'info'](
      { ms: Math.round(performance.now() - started), cached: out.cached },
      'tool call done',
    );
    return result({ ...out.structured, cached: out.cached }, out.summary, requestId, out.links);
  } catch (err) {
    const known = toToolError(err);
    if (known) {
      logger.info(
        { code: known.code, msg: known.message, ms: Math.round(performance.now() - started) },
        'tool call refused',
      );
      return errorResult(known.code, known.message, requestId);
    }
    logger.error({ err }, 'tool call failed');
    const message = err instanceof Error ? err.message : String(err);
    return errorResult('internal', `${message} (request id ${requestId}; details in the server log)`, requestId);
  } finally {
    dispose();
  }
}

/**
 * The text content is the summary (a headline, for batches and conversations a line per item), then the structured
 * result as JSON on the last line (what the MCP specification asks of a tool with structured content): a host that
 * shows its model only `content` still gets every number and item.
 */
export function resultText(summary: string, structured: Record<string, unknown>): string {
  return `${summary}\n${JSON.stringify(structured)}`;
}

function result(
  structured: Record<string, unknown>,
  summary: string,
  requestId: string,
  links: ResourceLink[] = [],
): CallToolResult {
  return {
    structuredContent: structured,
    content: [
      { type: 'text', text: resultText(summary, structured) },
      ...links.map((l) => ({ type: 'resource_link' as const, ...l })),
    ],
    _meta: { 'red-heart/request_id': requestId },
  };
}

/** Rejects as soon as the signal aborts, even if the handler ignores it. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortError(signal: AbortSignal): ToolError {
  return signal.reason instanceof ToolError
    ? signal.reason
    : new ToolError('cancelled', 'the call was cancelled by the client');
}

export function registerTool(server: McpServer, def: ToolDefinition, deps: RegistryDeps): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      // The SDK validates each result against this; what tools/list shows is built in tool-list.ts.
      outputSchema: withCachedFlag(def.output),
    },
    ((args: unknown, extra: Extra) =>
      runTool(def, args, extra, deps, () => !!server.server.getClientCapabilities()?.roots)) as never,
  );
}

export function registerTools(server: McpServer, deps: RegistryDeps): void {
  for (const tool of TOOLS) registerTool(server, tool, deps);
  // remember / recall / forget exist only when the user turned memory on
  if (deps.services.memory) for (const tool of MEMORY_TOOLS) registerTool(server, tool, deps);
}
