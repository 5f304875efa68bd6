// Two server processes sharing one real redis-server (free loopback port): hits are shared; killing
// Redis mid-run degrades to uncached with no failed call; a restarted Redis is used again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectHttp, FIXTURE_MODELS, startHttpProcess, type HttpServerProcess } from '../server/helpers/http.js';
import { redisUnavailable, startRedis, type TestRedis } from '../server/helpers/redis.js';
import { requirement } from '../helpers/require.js';
import { cachedFlag, regretCall } from '../helpers/calls.js';
import { startServer, type RunningServer } from './harness.js';

const unavailable = requirement('Redis integration tests', redisUnavailable(), 'redis');

/** One cache entry per k. */
const regret = (k: number) =>
  regretCall([
    [1 + k / 10_000, 0],
    [0, 1],
  ]);
async function status(client: Client): Promise<{ cache: { backend: string; degraded: string | null; hits: number } }> {
  const res = await client.readResource({ uri: 'red-heart://status' });
  return JSON.parse((res.contents[0] as { text: string }).text);
}

/** Makes calls until the process reports a working cache (after a start or a Redis restart). */
async function healthy(c: Client): Promise<boolean> {
  for (let k = 0; k < 100; k++) {
    await c.callTool(regret(500 + k));
    if ((await status(c)).cache.degraded === null) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.skipIf(unavailable !== null)('shared Redis cache across two server processes', () => {
  let redis: TestRedis;
  let httpServer: HttpServerProcess;
  let a: Client;
  let b: RunningServer;
  beforeAll(async () => {
    redis = await startRedis();
    const env = { RED_HEART_CACHE: redis.url, RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_CACHE_TIMEOUT_MS: '200' };
    httpServer = await startHttpProcess({ env });
    a = await connectHttp(httpServer.url);
    b = await startServer({ env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await httpServer?.stop();
    await redis?.stop();
  });

  it('a result computed by one instance is a hit in the other', async () => {
    const first = await a.callTool(regret(1));
    expect(first.isError).toBeFalsy();
    expect(cachedFlag(first)).toBe(false);
    const second = await b.client.callTool(regret(1));
    expect(cachedFlag(second)).toBe(true);
    expect({ ...(second.structuredContent as object), cached: false }).toEqual(first.structuredContent);
    expect((await status(b.client)).cache).toMatchObject({ backend: 'redis', degraded: null, hits: 1 });
  });

  it('killed mid-run: every call still answers (uncached), and status shows the degraded cache', async () => {
    // Two clients call concurrently; Redis is killed (SIGKILL) while they run.
    let done = 0;
    let failed = 0;
    const errors: string[] = [];
    const run = async (client: Client, offset: number) => {
      for (let k = 0; k < 30; k++) {
        try {
          const r = await client.callTool(regret(1000 + offset + k));
          if (r.isError) {
            failed++;
            errors.push(JSON.stringify(r.content));
          }
        } catch (err) {
          failed++;
          errors.push(String(err));
        }
        done++;
      }
    };
    const t0 = performance.now();
    const runs = Promise.all([run(a, 0), run(b.client, 100)]);
    while (done < 10) await new Promise((r) => setTimeout(r, 5));
    await redis.kill();
    const killedAt = done;
    await runs;
    expect(errors).toEqual([]);
    expect(failed).toBe(0);
    console.log(
      `[redis] 60 calls, Redis killed after ${killedAt}: 0 failed, ${((performance.now() - t0) / 60).toFixed(1)} ms per call`,
    );
    for (let k = 0; k < 3; k++) expect(cachedFlag(await a.callTool(regret(1)))).toBe(false); // even a former hit is computed
    expect((await status(a)).cache.degraded).toMatch(/redis/);
    expect((await status(b.client)).cache.degraded).toMatch(/redis/);
    expect(b.stderr()).toMatch(/serving uncached/);
  });

  it('a hung Redis (SIGSTOP) costs a call at most the cache timeout, never an error', async () => {
    await redis.restart();
    // make sure both processes are connected again before hanging it
    expect(await healthy(a)).toBe(true);
    expect(await healthy(b.client)).toBe(true);
    redis.pause();
    try {
      for (let k = 0; k < 10; k++) {
        const t0 = performance.now();
        const r = await a.callTool(regret(600 + k));
        expect(r.isError).toBeFalsy();
        expect(performance.now() - t0).toBeLessThan(2_000); // 200 ms cache timeout per operation, plus the call
      }
      // degraded: first by the 200 ms bound, then (once the client notices) as offline
      expect((await status(a)).cache.degraded).toMatch(
        /redis cache .* failed: (no answer within 200 ms|The client is offline)/,
      );
    } finally {
      redis.resume();
    }
  });

  it('never serves a result computed with another model (replicas on different models share one Redis)', async () => {
    await redis.restart();
    const text = { name: 'analyze_emotion', arguments: { text: 'The shared cache must know which model answered.' } };
    const other = await startServer({
      env: { RED_HEART_CACHE: redis.url, RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_MODEL: 'fixture-tiny-int8' },
    });
    try {
      // wait until the first process is connected again
      for (let k = 0; k < 40 && cachedFlag(await b.client.callTool(regret(700))) !== true; k++)
        await new Promise((r) => setTimeout(r, 100));
      const first = await b.client.callTool(text); // default model
      expect(first.isError, JSON.stringify(first.content)).toBeFalsy();
      expect(cachedFlag(await b.client.callTool(text))).toBe(true);
      const onOther = await other.client.callTool(text); // int8 model, same arguments
      expect(onOther.isError, JSON.stringify(onOther.content)).toBeFalsy();
      expect(cachedFlag(onOther)).toBe(false);
      expect(cachedFlag(await other.client.callTool(text))).toBe(true); // its own entry
    } finally {
      await other.close();
    }
  });

  it('resumes caching when Redis comes back', async () => {
    await redis.restart();
    const deadline = Date.now() + 20_000;
    let shared = false;
    for (let k = 100; Date.now() < deadline && !shared; k++) {
      const first = await a.callTool(regret(k));
      expect(first.isError).toBeFalsy();
      const second = await b.client.callTool(regret(k));
      expect(second.isError).toBeFalsy();
      shared = cachedFlag(second) === true;
      if (!shared) await new Promise((r) => setTimeout(r, 250));
    }
    expect(shared).toBe(true);
    expect((await status(a)).cache.degraded).toBeNull();
    expect(b.stderr()).toMatch(/caching resumed/);
  });
});
