// Registry features added for analyze_corpus: long-running tools skip the per-call timeout, links become
// resource_link content, roots/list is asked only when the client declared the capability.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ResultCache } from '../../src/server/cache/result-cache.js';
import { defaults } from '../../src/server/config.js';
import { runTool } from '../../src/server/registry.js';
import type { ToolDefinition } from '../../src/tools/types.js';

const logger = pino({ level: 'silent' });
function deps(timeoutMs: number) {
  const config = defaults({});
  config.limits.callTimeoutMs = timeoutMs;
  return {
    services: {
      limits: config.limits,
      engine: {
        require: async () => {
          throw new Error('unused');
        },
        modelId: () => null,
      },
    },
    cache: new ResultCache({ backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 10 }, logger),
    logger,
  };
}
const requests: string[] = [];
const extra = {
  signal: new AbortController().signal,
  sendNotification: async () => {},
  sendRequest: async (req: { method: string }) => {
    requests.push(req.method);
    return { roots: [{ uri: 'file:///srv/data' }] };
  },
} as never;

const input = z.object({});
const output = z.object({ roots: z.array(z.string()).nullable() });
const slow = (longRunning: boolean): ToolDefinition<typeof input, typeof output> => ({
  name: 'slow',
  title: 'Slow',
  description: 'waits',
  input,
  output,
  cache: 'none',
  longRunning,
  async handler(_args, ctx) {
    await new Promise((r) => setTimeout(r, 120));
    return {
      structured: { roots: (await ctx.roots?.()) ?? null },
      summary: 'done',
      links: [{ uri: 'file:///srv/data/r.html', name: 'r.html', mimeType: 'text/html' }],
    };
  },
});

describe('registry support for analyze_corpus', () => {
  it('a long-running tool outlives the per-call timeout; an ordinary one does not', async () => {
    const ok = await runTool(slow(true), {}, extra, deps(30));
    expect(ok.isError).toBeFalsy();
    const timedOut = await runTool(slow(false), {}, extra, deps(30));
    expect(timedOut.isError).toBe(true);
    expect((timedOut.content[0] as { text: string }).text).toMatch(/per-call timeout of 30 ms/);
  });

  it('links follow the summary as resource_link content', async () => {
    const res = await runTool(slow(true), {}, extra, deps(0));
    expect(res.content).toEqual([
      { type: 'text', text: `done\n${JSON.stringify(res.structuredContent)}` },
      { type: 'resource_link', uri: 'file:///srv/data/r.html', name: 'r.html', mimeType: 'text/html' },
    ]);
  });

  it('asks roots/list only when the client declared roots', async () => {
    requests.length = 0;
    const without = await runTool(slow(true), {}, extra, deps(0), () => false);
    expect(without.structuredContent).toMatchObject({ roots: null });
    expect(requests).toEqual([]);
    const withRoots = await runTool(slow(true), {}, extra, deps(0), () => true);
    expect(withRoots.structuredContent).toMatchObject({ roots: ['file:///srv/data'] });
    expect(requests).toEqual(['roots/list']);
  });
});
