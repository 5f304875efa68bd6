// Two real server processes on one host with the default file cache on the same path (e.g. Claude Desktop
// plus another client): a result computed by one is a hit on the other, concurrent writes from both are
// all kept, and both report the shared entries in red-heart://status.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS } from '../server/helpers/http.js';
import { cachedFlag, regretCall } from '../helpers/calls.js';
import { startServer, type RunningServer } from './harness.js';

/** One cache entry per k. */
const regret = (k: number) =>
  regretCall([
    [3, k],
    [1, 2],
  ]);
const status = async (s: RunningServer) =>
  JSON.parse(((await s.client.readResource({ uri: 'red-heart://status' })).contents[0] as { text: string }).text).cache;

describe('two server processes sharing one cache file', () => {
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    const env = {
      RED_HEART_CACHE: 'file',
      RED_HEART_CACHE_PATH: join(mkdtempSync(join(tmpdir(), 'rh-shared-')), 'cache.sqlite'),
      RED_HEART_MODELS_DIR: FIXTURE_MODELS,
    };
    [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('a result computed by one is served from the cache by the other', async () => {
    expect(cachedFlag(await a.client.callTool(regret(0)))).toBe(false);
    let hit = false;
    for (let i = 0; i < 50 && !hit; i++) {
      await new Promise((r) => setTimeout(r, 20)); // the write is committed within about 20 ms
      hit = cachedFlag(await b.client.callTool(regret(0))) === true;
    }
    expect(hit).toBe(true);
  });

  it('concurrent writes from both processes are all kept, and both report them', async () => {
    const calls = Array.from({ length: 40 }, (_, k) => (k % 2 ? a : b).client.callTool(regret(100 + k)));
    const results = await Promise.all(calls);
    expect(results.every((r) => !r.isError && cachedFlag(r) === false)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    // every one of them is now a hit on the OTHER process
    const again = await Promise.all(
      Array.from({ length: 40 }, (_, k) => (k % 2 ? b : a).client.callTool(regret(100 + k))),
    );
    expect(again.map(cachedFlag)).toEqual(new Array(40).fill(true));
    const [sa, sb] = await Promise.all([status(a), status(b)]);
    for (const s of [sa, sb]) {
      expect(s).toMatchObject({ backend: 'file', entries: 41, degraded: null, evictions: 0 });
      expect(s.bytes).toBeGreaterThan(0);
      expect(s).toHaveProperty('hits');
      expect(s).toHaveProperty('misses');
    }
  });
});
