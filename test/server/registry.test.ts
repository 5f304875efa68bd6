import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ResultCache } from '../../src/server/cache/result-cache.js';
import { defaults } from '../../src/server/config.js';
import { runTool, withCachedFlag } from '../../src/server/registry.js';
import { ToolError } from '../../src/core/errors.js';
import { type ToolDefinition, type ToolServices } from '../../src/tools/types.js';

const logger = pino({ level: 'silent' });

function deps(overrides: { modelId?: string | null; timeoutMs?: number } = {}) {
  const config = defaults({});
  config.limits.callTimeoutMs = overrides.timeoutMs ?? 0;
  const services: ToolServices = {
    limits: config.limits,
    engine: {
      require: async () => {
        throw new ToolError('model_missing', 'model not installed: models/x.onnx');
      },
      modelId: () => (overrides.modelId === undefined ? 'model-a' : overrides.modelId),
    },
  };
  return {
    services,
    cache: new ResultCache({ backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 100 }, logger),
    logger,
  };
}

function extra(progress: Array<unknown> = [], signal = new AbortController().signal, withToken = false) {
  return {
    signal,
    _meta: withToken ? { progressToken: 'p1' } : undefined,
    sendNotification: async (n: unknown) => {
      progress.push(n);
    },
  } as never;
}

const input = z.object({ x: z.number() });
const output = z.object({ y: z.number() });
function tool(
  handler: ToolDefinition<typeof input, typeof output>['handler'],
  cache: ToolDefinition['cache'] = 'args',
): ToolDefinition {
  return {
    name: 'double',
    title: 'Double',
    description: 'doubles x',
    input,
    output,
    cache,
    handler,
  } as unknown as ToolDefinition;
}

describe('runTool', () => {
  it('returns structured content, a text summary and cached:false, then a cache hit', async () => {
    let calls = 0;
    const def = tool(async ({ x }) => {
      calls++;
      return { structured: { y: 2 * x }, summary: `y=${2 * x}` };
    });
    const d = deps();
    const first = await runTool(def, { x: 3 }, extra(), d);
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toEqual({ y: 6, cached: false });
    // The summary, then the structured result as JSON (a text-only host gets every number).
    expect(first.content).toEqual([{ type: 'text', text: 'y=6\n{"y":6,"cached":false}' }]);
    const second = await runTool(def, { x: 3 }, extra(), d);
    expect(second.structuredContent).toEqual({ y: 6, cached: true });
    expect(calls).toBe(1);
    const third = await runTool(def, { x: 4 }, extra(), d);
    expect(third.structuredContent).toEqual({ y: 8, cached: false });
    expect(calls).toBe(2);
  });

  it('keys model-dependent results by model id and skips the cache when no model is installed', async () => {
    let calls = 0;
    const def = tool(async ({ x }) => {
      calls++;
      return { structured: { y: x }, summary: '' };
    }, 'args+model');
    const d = deps({ modelId: null });
    await runTool(def, { x: 1 }, extra(), d);
    await runTool(def, { x: 1 }, extra(), d);
    expect(calls).toBe(2);
    expect(d.cache.snapshot().writes).toBe(0);
  });

  it('maps a ToolError to isError with its code and message', async () => {
    const def = tool(async () => {
      throw new ToolError('invalid_input', 'outcomes has 3 rows but options has 2');
    });
    const res = await runTool(def, { x: 1 }, extra(), deps());
    expect(res.isError).toBe(true);
    expect(res.content[0]).toEqual({ type: 'text', text: 'invalid_input: outcomes has 3 rows but options has 2' });
  });

  it('maps an unexpected exception to an internal error with a request id', async () => {
    const def = tool(async () => {
      throw new RangeError('boom');
    });
    const res = await runTool(def, { x: 1 }, extra(), deps());
    expect(res.isError).toBe(true);
    const text = (res.content[0] as { text: string }).text;
    expect(text).toMatch(/^internal: boom \(request id [0-9a-f]{8}; details in the server log\)$/);
  });

  it('does not cache errors', async () => {
    let calls = 0;
    const def = tool(async () => {
      calls++;
      throw new ToolError('invalid_input', 'no');
    });
    const d = deps();
    await runTool(def, { x: 1 }, extra(), d);
    await runTool(def, { x: 1 }, extra(), d);
    expect(calls).toBe(2);
  });

  it('stops a call at the per-call timeout with an error naming the limit', async () => {
    const def = tool(() => new Promise(() => {}));
    const res = await runTool(def, { x: 1 }, extra(), deps({ timeoutMs: 50 }));
    expect(res.isError).toBe(true);
    expect((res.content[0] as { text: string }).text).toContain('per-call timeout of 50 ms');
  });

  it('reports cancellation by the client', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const def = tool((_args, ctx) => {
      seen = ctx.signal;
      return new Promise(() => {});
    });
    const pending = runTool(def, { x: 1 }, extra([], controller.signal), deps({ timeoutMs: 10_000 }));
    setTimeout(() => controller.abort(), 20);
    const res = await pending;
    expect(res.isError).toBe(true);
    expect((res.content[0] as { text: string }).text).toMatch(/^cancelled:/);
    expect(seen?.aborted).toBe(true);
  });

  it('sends progress notifications only when the client gave a progress token', async () => {
    const def = tool(async ({ x }, ctx) => {
      await ctx.progress(1, 2, 'half');
      return { structured: { y: x }, summary: '' };
    }, 'none');
    const sent: unknown[] = [];
    await runTool(def, { x: 1 }, extra(sent, undefined, false), deps());
    expect(sent).toHaveLength(0);
    await runTool(def, { x: 1 }, extra(sent, undefined, true), deps());
    expect(sent).toEqual([
      { method: 'notifications/progress', params: { progressToken: 'p1', progress: 1, total: 2, message: 'half' } },
    ]);
  });
});

describe('withCachedFlag', () => {
  it('adds a boolean cached field unless the tool declares one', () => {
    expect(Object.keys(withCachedFlag(output).shape)).toEqual(['y', 'cached']);
    const own = z.object({ cached: z.boolean() });
    expect(withCachedFlag(own)).toBe(own);
  });
});
