// A result that carries a failure is never stored: a model that cannot load (here: a truncated .onnx under the
// same manifest) makes full_analysis answer with failed sections, and that answer must not outlive the fault.
// Restarted with the good model on the same cache file, the server computes a fresh, correct answer.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolError } from '../../../src/core/errors.js';
import { failureIn } from '../../../src/server/cache/failures.js';
import { ResultCache } from '../../../src/server/cache/result-cache.js';
import { defaults } from '../../../src/server/config.js';
import { runTool } from '../../../src/server/registry.js';
import type { ToolDefinition } from '../../../src/tools/types.js';
import { startServer } from '../../integration/harness.js';
import { FIXTURE_MODELS } from '../helpers/http.js';
import type { ClientToolResult } from '../../helpers/calls.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
type Structured = Record<string, unknown> & {
  cached?: boolean;
  sections?: Record<string, { error?: { code: string } }>;
};
const structured = (r: ClientToolResult) => r.structuredContent as Structured;
async function status(server: Awaited<ReturnType<typeof startServer>>): Promise<{ cache: Record<string, unknown> }> {
  const res = await server.client.readResource({ uri: 'red-heart://status' });
  return JSON.parse((res.contents[0] as { text: string }).text);
}

describe('failureIn', () => {
  it('finds a failed section, a model error at any depth, and lets per-text refusals through', () => {
    expect(
      failureIn({
        sections: { emotion: { error: { code: 'model_missing', message: 'x' } }, surd: { skipped: 'no data' } },
      }),
    ).toBe('model_missing');
    // a failed section fails the result whatever its code
    expect(failureIn({ sections: { bentham: { error: { code: 'invalid_input', message: 'x' } } } })).toBe(
      'invalid_input',
    );
    expect(failureIn({ results: [{ error: { code: 'model_error', message: 'worker exited' } }] })).toBe('model_error');
    expect(
      failureIn({
        results: [
          { error: { code: 'empty_text', message: '' } },
          { error: { code: 'unsupported_language', message: '' } },
          { label: 'joy' },
        ],
      }),
    ).toBeNull();
    expect(failureIn({ sections: { surd: { skipped: 'no data' } }, integrated: {} })).toBeNull();
  });
});

describe('the registry stores no failure', () => {
  const input = z.object({ x: z.number() });
  const output = z.object({}).loose();
  const logger = pino({ level: 'silent' });
  const make = (body: (x: number) => Record<string, unknown>): ToolDefinition =>
    ({
      name: 'sections',
      title: 't',
      description: 'd',
      input,
      output,
      cache: 'args',
      handler: async (a: { x: number }) => ({ structured: body(a.x), summary: 's' }),
    }) as unknown as ToolDefinition;
  const deps = () => {
    const config = defaults({});
    config.limits.callTimeoutMs = 0;
    return {
      services: {
        limits: config.limits,
        engine: {
          require: async () => {
            throw new ToolError('model_missing', 'none');
          },
          modelId: () => 'm',
        },
      },
      cache: new ResultCache({ backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 100 }, logger),
      logger,
    };
  };
  const extra = { signal: new AbortController().signal, sendNotification: async () => {} } as never;

  it('a result with a failed section is computed again on every call; a sound one is served from the cache', async () => {
    const d = deps();
    let runs = 0;
    const failing = make(() => ({
      run: ++runs,
      sections: { emotion: { error: { code: 'model_error', message: 'inference worker exited' } } },
    }));
    for (let i = 0; i < 3; i++)
      expect((await runTool(failing, { x: 1 }, extra, d)).structuredContent).toMatchObject({ cached: false });
    expect(runs).toBe(3);
    expect(d.cache.snapshot().writes).toBe(0);
    const sound = make(() => ({ run: ++runs, sections: { emotion: { label: 'joy' } } }));
    await runTool(sound, { x: 2 }, extra, d);
    expect((await runTool(sound, { x: 2 }, extra, d)).structuredContent).toMatchObject({ cached: true, run: 4 });
  });
});

describe('a truncated model, then the good one on the same cache file', () => {
  it('full_analysis caches nothing while the model is broken, and answers fresh and correct after the fix', async () => {
    const models = tmp('rh-truncated-');
    for (const f of readdirSync(FIXTURE_MODELS)) copyFileSync(join(FIXTURE_MODELS, f), join(models, f));
    const onnx = join(models, 'fixture.onnx');
    const good = readFileSync(onnx);
    writeFileSync(onnx, good.subarray(0, Math.floor(good.length / 2))); // same manifest, half the file
    const env = {
      RED_HEART_MODELS_DIR: models,
      RED_HEART_CACHE: 'file',
      RED_HEART_CACHE_PATH: join(tmp('rh-h2-cache-'), 'cache.sqlite'),
    };
    const call = { name: 'full_analysis', arguments: { text: 'I lied to my best friend and now I cannot sleep.' } };

    const broken = await startServer({ env });
    try {
      for (let i = 0; i < 2; i++) {
        const r = structured(await broken.client.callTool(call));
        expect(r.cached).toBe(false);
        expect(r.sections?.emotion?.error?.code).toBe('model_missing');
      }
      const s = await status(broken);
      expect(s.cache).toMatchObject({ writes: 0, entries: 0 });
    } finally {
      await broken.close();
    }

    writeFileSync(onnx, good);
    const fixed = await startServer({ env });
    try {
      const r = structured(await fixed.client.callTool(call));
      expect(r.cached).toBe(false);
      expect(r.sections?.emotion?.error).toBeUndefined();
      expect(r.sections?.emotion).toHaveProperty('results');
      expect(r.sections?.bentham?.error).toBeUndefined();
      // the sound answer is kept: the next call is a hit with the same content
      const again = structured(await fixed.client.callTool(call));
      expect(again.cached).toBe(true);
      expect(again.sections).toEqual(r.sections);
    } finally {
      await fixed.close();
    }
  }, 60_000);
});
