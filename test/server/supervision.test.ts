// Chaos: worker threads killed during a burst of calls over Streamable HTTP (server in this process, so the test can
// reach the threads; this server runs no worker processes). A killed inference or SURD thread fails the calls
// running on it once, with model_error naming the crash; it is replaced and the next calls succeed; /healthz and
// red-heart://status tell the truth throughout: ready (200) while crashes are replaced, failed (503, with the
// reason) once 3 crashes fall within 60 s.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineHandle, type EngineHandle } from '../../src/engine/handle.js';
import { WORKER_CRASH_LIMIT } from '../../src/engine/workers/crash-window.js';
import { ResultCache } from '../../src/server/cache/result-cache.js';
import { healthFields } from '../../src/server/health.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http.js';
import { createServer, STATUS_URI } from '../../src/server/server.js';
import { surdPool } from '../../src/tools/surd-runner.js';
import { silent, testConfig } from '../engine/helpers.js';
import { connectHttp } from './helpers/http.js';
import { regretCall } from '../helpers/calls.js';

const config = testConfig({
  http: { ...testConfig().http, listen: { host: '127.0.0.1', port: 0 }, maxClientConcurrency: 1000 },
});
let engine: EngineHandle;
let http: RunningHttpServer;
let client: Client;

beforeAll(async () => {
  engine = await createEngineHandle(config, silent);
  const cache = new ResultCache({ ...config.cache, backend: 'none' }, silent);
  const root = createServer({ config, logger: silent, engine, cache });
  http = await startHttpServer({
    config,
    logger: silent,
    tokens: [],
    createMcp: () => createServer({ config, logger: silent, engine, cache }).mcp,
    health: () => healthFields(config, root.status()),
  });
  client = await connectHttp(http.url);
});
afterAll(async () => {
  await client?.close();
  await http?.close(1000);
  await engine?.close();
});

type HealthBody = { status: string; engine: { state: string }; failing?: string[] };
async function health(): Promise<{ code: number; body: HealthBody }> {
  const res = await fetch(http.url.replace(/\/mcp$/, '/healthz'));
  return { code: res.status, body: (await res.json()) as HealthBody };
}

type Outcome = { ok: true } | { ok: false; code: string; text: string };
async function call(name: string, args: Record<string, unknown>): Promise<Outcome> {
  const r = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: Array<{ text: string }>;
    _meta?: Record<string, unknown>;
  };
  if (!r.isError) return { ok: true };
  const text = r.content[0].text;
  return { ok: false, code: text.split(':')[0], text };
}

/** Waits until `ready()` holds, checking every few ms; throws after `ms`. */
async function until(ready: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Health sampled every 20 ms while `work` runs: every answer must match `expected`. */
async function watchHealth<T>(
  work: Promise<T>,
  expected: { code: number; state: string },
): Promise<{ value: T; samples: number }> {
  let done = false;
  let samples = 0;
  const watcher = (async () => {
    while (!done) {
      const h = await health();
      expect({ code: h.code, state: h.body.engine.state }).toEqual(expected);
      samples++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const value = await work.finally(() => {
    done = true;
  });
  await watcher;
  return { value, samples };
}

describe('supervised inference worker', () => {
  it('a thread killed during a burst fails only its calls in flight, once, naming the crash; it is replaced and health stays true', async () => {
    const loaded = await engine.require();
    type Thread = {
      terminate(): Promise<number>;
      postMessage(m: { op?: string }, t?: unknown): void;
      removeAllListeners(e: string): void;
    };
    // the engine's private session and its worker thread (the class declares them private)
    const session = (loaded as unknown as { session: { worker: Thread } }).session;
    expect((await call('analyze_emotion', { text: 'warm-up before the burst' })).ok).toBe(true);
    // 60 distinct texts at once; the thread dies right after the first run (a micro-batch) has been handed to it:
    // its answer is never delivered (a thread may finish a tiny run before terminate() takes effect, which would
    // make the crash miss the calls), then it is terminated.
    const thread = session.worker;
    const post = thread.postMessage.bind(thread);
    let runs = 0;
    thread.postMessage = (m, t) => {
      post(m, t);
      if (m.op === 'run' && ++runs === 1) {
        thread.removeAllListeners('message');
        void thread.terminate();
      }
    };
    const burst = Promise.all(
      Array.from({ length: 60 }, (_, i) => call('analyze_emotion', { text: `burst text number ${i}, quite happy` })),
    );
    const { value: outcomes, samples } = await watchHealth(burst, { code: 200, state: 'ready' });
    expect(samples).toBeGreaterThan(0);
    const failed = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThan(60);
    for (const f of failed) {
      expect(f.code).toBe('model_error');
      expect(f.text).toMatch(
        /inference worker exited with code \d+; this call was not completed \(a new worker is starting: retry\)/,
      );
    }
    // Nothing lost afterwards: the next 60 calls all succeed on the replacement thread.
    const after = await Promise.all(
      Array.from({ length: 60 }, (_, i) => call('analyze_emotion', { text: `after the crash ${i}` })),
    );
    expect(after.filter((o) => !o.ok)).toEqual([]);
    expect(engine.status()).toMatchObject({
      state: 'ready',
      inference_worker: { crashes: 1, restarts: 1, failed: null },
    });
    expect(await health()).toMatchObject({ code: 200, body: { status: 'ok', engine: { state: 'ready' } } });
  });

  it(`after ${WORKER_CRASH_LIMIT} crashes within the window the engine is failed: /healthz 503, status says why, calls answer model_error`, async () => {
    const loaded = await engine.require();
    const current = () =>
      (loaded as unknown as { session: { worker: { terminate(): Promise<number> }; restarting: Promise<void> | null } })
        .session;
    for (let i = 1; i < WORKER_CRASH_LIMIT; i++) {
      await current().worker.terminate();
      await until(() => current().restarting === null);
    }
    const h = await health();
    expect(h.code).toBe(503);
    expect(h.body.status).toBe('failing');
    expect(h.body.engine.state).toBe('failed');
    expect(h.body.failing?.[0]).toMatch(/the inference worker crashed 3 times within 60 s .* restart the server/);
    const status = JSON.parse(((await client.readResource({ uri: STATUS_URI })).contents[0] as { text: string }).text);
    expect(status.engine.state).toBe('failed');
    expect(status.engine.error).toMatchObject({
      kind: 'worker_failed',
      message: expect.stringMatching(/crashed 3 times/),
    });
    const r = await call('analyze_emotion', { text: 'after the engine failed' });
    expect(r).toMatchObject({ ok: false, code: 'model_error' });
    expect((r as { text: string }).text).toMatch(/crashed 3 times within 60 s/);
    // The exact tools need no model and keep serving.
    expect((await call('regret_forecast', regretCall().arguments)).ok).toBe(true);
  });
});

describe('supervised SURD threads', () => {
  const slow = () => {
    const n = 40_000;
    const src = Array.from({ length: 3 }, (_, j) =>
      Array.from({ length: n }, (_, i) => (Math.imul(i + 1, 0x9e3779b1 + 2 * j) >>> 0) % 1009),
    );
    return { target: src[0], sources: src, bins: 8, significance: { surrogates: 400 } };
  };
  type Slots = { slots: Array<{ worker: { terminate(): Promise<number> }; busy: boolean }> };

  it('a SURD thread killed mid-call fails that call once (model_error, naming the crash); the next call succeeds; 3 crashes mark it failed', async () => {
    const pool = surdPool() as unknown as Slots; // the pool's private slots
    const kill = async () => {
      const running = call('surd_decompose', slow());
      await until(() => pool.slots.some((s) => s.busy));
      await pool.slots.find((s) => s.busy)!.worker.terminate();
      return running;
    };
    const first = await kill();
    expect(first).toMatchObject({ ok: false, code: 'model_error' });
    expect((first as { text: string }).text).toMatch(
      /the worker thread running this call exited with code \d+; the call was not completed \(a new thread replaces it: retry\)/,
    );
    expect((await call('surd_decompose', { target: [0, 1, 0, 1, 1, 0], sources: [[0, 1, 0, 1, 1, 0]] })).ok).toBe(true);
    expect((await health()).code).toBe(503); // the inference engine failed in the test above; SURD is not why
    expect((await health()).body.failing).toHaveLength(1);
    for (let i = 1; i < WORKER_CRASH_LIMIT; i++) expect((await kill()).ok).toBe(false);
    const h = await health();
    expect(h.body.failing).toHaveLength(2);
    expect(h.body.failing?.[1]).toMatch(/the SURD worker crashed 3 times within 60 s/);
    const status = JSON.parse(((await client.readResource({ uri: STATUS_URI })).contents[0] as { text: string }).text);
    expect(status.workers.surd).toMatchObject({
      crashes: 3,
      restarts: 2,
      failed: expect.stringMatching(/SURD worker crashed 3 times/),
    });
    expect(await call('surd_decompose', { target: [0, 1, 0, 1, 1, 0], sources: [[0, 1, 0, 1, 1, 0]] })).toMatchObject({
      ok: false,
      code: 'model_error',
    });
  });
});
