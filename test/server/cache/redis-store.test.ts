// The redis:// cache backend against a real redis-server on a free loopback port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskUrl, ResultCache, type CacheOptions } from '../../../src/server/cache/result-cache.js';
import { until } from '../../helpers/poll.js';
import { requirement } from '../../helpers/require.js';
import { freePort, redisUnavailable, startRedis, type TestRedis } from '../helpers/redis.js';
import { captureLogger } from '../../helpers/logger.js';

const entry = (n: number) => ({ structured: { n }, summary: `n=${n}` });
const unavailable = requirement('Redis cache tests', redisUnavailable(), 'redis');

describe.skipIf(unavailable !== null)('ResultCache on Redis', () => {
  let redis: TestRedis;
  const opened: ResultCache[] = [];
  const logs = new WeakMap<ResultCache, Array<Record<string, unknown>>>();
  const open = (extra: Partial<CacheOptions> = {}) => {
    const { logger, lines } = captureLogger();
    const cache = new ResultCache(
      {
        backend: 'redis',
        url: redis.url,
        path: '',
        ttlSeconds: 0,
        maxEntries: 100,
        timeoutMs: 200,
        retryMs: 100,
        ...extra,
      },
      logger,
    );
    logs.set(cache, lines);
    opened.push(cache);
    return cache;
  };
  /** Waits for the cache's 'redis cache connected' log line (instead of sleeping a guessed connect time). */
  const connected = (c: ResultCache) =>
    until('the cache to connect to Redis', () => logs.get(c)!.some((l) => /redis cache connected/.test(String(l.msg))));
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await redis?.stop();
  });

  it('shares entries between two instances (replicas)', async () => {
    const a = open();
    const b = open();
    await Promise.all([connected(a), connected(b)]);
    await a.set('shared', entry(1));
    expect(await b.get('shared')).toEqual(entry(1));
    expect(b.snapshot()).toMatchObject({ backend: 'redis', hits: 1, degraded: null });
    expect(await b.get('absent')).toBeUndefined();
    expect(b.snapshot().misses).toBe(1);
  });

  it('the first operations after start-up wait for the connection (no miss, no warning)', async () => {
    const { logger, lines } = captureLogger();
    const c = new ResultCache(
      { backend: 'redis', url: redis.url, path: '', ttlSeconds: 0, maxEntries: 10, timeoutMs: 2_000 },
      logger,
    );
    opened.push(c);
    await c.set('fresh', entry(9)); // no sleep: the client is still connecting
    expect(await c.get('fresh')).toEqual(entry(9));
    expect(c.snapshot().degraded).toBeNull();
    expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
  });

  it('expires entries after the TTL', async () => {
    const c = open({ ttlSeconds: 1 });
    await connected(c);
    const t0 = Date.now();
    await c.set('ttl', entry(2));
    expect(await c.get('ttl')).toEqual(entry(2));
    await until('the entry to expire', async () => (await c.get('ttl')) === undefined, {
      timeoutMs: 10_000,
      everyMs: 100,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // not before its TTL of 1 s (Redis rounds to ms)
  });

  it('degrades to uncached when Redis dies, without throwing, and resumes when it returns', async () => {
    const { logger, lines } = captureLogger();
    const c = new ResultCache(
      { backend: 'redis', url: redis.url, path: '', ttlSeconds: 0, maxEntries: 100, timeoutMs: 200, retryMs: 100 },
      logger,
    );
    opened.push(c);
    await until('the cache to connect to Redis', () => lines.some((l) => /redis cache connected/.test(String(l.msg))));
    await c.set('k', entry(3));
    expect(await c.get('k')).toEqual(entry(3));

    await redis.kill();
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      expect(await c.get('k')).toBeUndefined(); // a miss, never an exception
      await c.set(`k${i}`, entry(i));
    }
    expect(performance.now() - t0).toBeLessThan(20 * 2 * 250); // every operation bounded
    expect(c.snapshot().degraded).toMatch(/redis/);
    expect(lines.some((l) => l.level === 40 && /uncached/.test(String(l.msg)))).toBe(true);

    await redis.restart(); // same port, empty
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      await c.set('after', entry(4));
      if (c.snapshot().degraded === null) break;
      await new Promise((r) => setTimeout(r, 100)); // between polls
    }
    expect(c.snapshot().degraded).toBeNull();
    expect(await c.get('after')).toEqual(entry(4));
    expect(lines.some((l) => /caching resumed/.test(String(l.msg)))).toBe(true);
  });

  it('bounds every operation when Redis hangs (slow), and recovers', async () => {
    const c = open({ timeoutMs: 150, retryMs: 50 });
    await connected(c);
    await c.set('slow', entry(5));
    redis.pause();
    try {
      const t0 = performance.now();
      expect(await c.get('slow')).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(c.snapshot().degraded).toMatch(/within 150 ms/);
      const t1 = performance.now();
      await c.set('slow2', entry(6)); // skipped during back-off or bounded by the timeout
      expect(performance.now() - t1).toBeLessThan(1000);
    } finally {
      redis.resume();
    }
    await until(
      'the cache to answer again after Redis resumed',
      async () => JSON.stringify(await c.get('slow')) === JSON.stringify(entry(5)),
      { everyMs: 50 },
    );
    expect(c.snapshot().degraded).toBeNull();
  });

  it('starts degraded (not failing) when Redis is not there at all, and closes promptly', async () => {
    const port = await freePort();
    const c = new ResultCache(
      { backend: 'redis', url: `redis://127.0.0.1:${port}`, path: '', ttlSeconds: 0, maxEntries: 10, timeoutMs: 100 },
      captureLogger().logger,
    );
    expect(c.enabled).toBe(true);
    expect(await c.get('x')).toBeUndefined();
    await c.set('x', entry(1));
    expect(c.snapshot().degraded).toMatch(/redis/);
    const t0 = performance.now();
    await c.close();
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('maskUrl', () => {
  it('hides the password of a Redis URL', () => {
    expect(maskUrl('redis://user:s3cret@db.example:6379/2')).toBe('redis://user:***@db.example:6379/2');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
