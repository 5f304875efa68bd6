// Wires ToolDefinitions into an McpServer: progress, cancellation and timeout, the result cache,
// error mapping and request ids. This is the only tool-side file that knows the MCP SDK.
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { cacheKey, type ResultCache } from '../engine/cache.js';
import { ListRootsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { ToolError, type ResourceLink, type ToolContext, type ToolDefinition, type ToolServices } from './types.js';

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
  const timer = setTimeout(() => controller.abort(new ToolError('limit_exceeded', `the call exceeded the per-call timeout of ${timeoutMs} ms (RED_HEART_TIMEOUT_MS)`)), timeoutMs);
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
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total, message } });
    } catch {
      // A client that went away cannot be told; the call itself goes on.
    }
  };
}

/** roots/list through the request's channel, when the client declared the roots capability. */
function rootsReader(extra: Extra, clientHasRoots: () => boolean): ToolContext['roots'] {
  return async () => {
    if (!clientHasRoots()) return null;
    const res = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, { timeout: 10_000 });
    return res.roots.map((r) => r.uri);
  };
}

export async function runTool(def: ToolDefinition, args: unknown, extra: Extra, deps: RegistryDeps, clientHasRoots: () => boolean = () => false): Promise<CallToolResult> {
  const requestId = randomUUID().slice(0, 8);
  const logger = deps.logger.child({ tool: def.name, requestId });
  const started = performance.now();
  const { signal, dispose } = callSignal(extra.signal, def.longRunning ? 0 : deps.services.config.limits.callTimeoutMs);
  try {
    const usesModel = def.cache === 'args+model' || (def.cache === 'args' && (def.cacheKeyNeedsModel?.(args as never) ?? false));
    const modelId = usesModel ? deps.services.engine.modelId() : null;
    const cacheable = def.cache !== 'none' && deps.cache.enabled && (!usesModel || modelId !== null);
    const key = cacheable ? safeCacheKey(def.name, args, modelId, logger) : null;
    if (key) {
      const hit = await deps.cache.get(key);
      if (hit) {
        logger.debug({ ms: performance.now() - started }, 'cache hit');
        return result({ ...hit.structured, cached: true }, hit.summary, requestId);
      }
    }
    const ctx: ToolContext = { requestId, signal, logger, progress: progressReporter(extra), roots: rootsReader(extra, clientHasRoots), services: deps.services };
    const out = await abortable(def.handler(args as never, ctx), signal);
    const structured = { ...(out.structured as Record<string, unknown>), cached: false };
    if (key) await deps.cache.set(key, { structured, summary: out.summary });
    logger.info({ ms: Math.round(performance.now() - started) }, 'tool call done');
    return result(structured, out.summary, requestId, out.links);
  } catch (err) {
    if (err instanceof ToolError) {
      logger.info({ code: err.code, msg: err.message }, 'tool call refused');
      return errorResult(err.code, err.message, requestId);
    }
    logger.error({ err }, 'tool call failed');
    const message = err instanceof Error ? err.message : String(err);
    return errorResult('internal', `${message} (request id ${requestId}; details in the server log)`, requestId);
  } finally {
    dispose();
  }
}

/** Arguments too deeply nested to serialise are served uncached; the handler then judges them. */
function safeCacheKey(tool: string, args: unknown, modelId: string | null, logger: Logger): string | null {
  try {
    return cacheKey(tool, args, modelId);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'arguments cannot be cache-keyed; serving uncached');
    return null;
  }
}

function result(structured: Record<string, unknown>, summary: string, requestId: string, links: ResourceLink[] = []): CallToolResult {
  return {
    structuredContent: structured,
    content: [{ type: 'text', text: summary }, ...links.map((l) => ({ type: 'resource_link' as const, ...l }))],
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
  return signal.reason instanceof ToolError ? signal.reason : new ToolError('cancelled', 'the call was cancelled by the client');
}

export function registerTool(server: McpServer, def: ToolDefinition, deps: RegistryDeps): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      outputSchema: withCachedFlag(def.output),
      annotations: { title: def.title, readOnlyHint: !def.writesFiles, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    },
    ((args: unknown, extra: Extra) => runTool(def, args, extra, deps, () => !!server.server.getClientCapabilities()?.roots)) as never,
  );
}
