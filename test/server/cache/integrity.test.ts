// Cached values carry an HMAC-SHA256 under the installation secret: an entry edited where it is stored (the
// SQLite file, Redis), moved to another key, or written under another secret is a miss, counted as `tampered`,
// never served. The secret is generated once next to the cache file when none is configured.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache, type CacheOptions } from '../../../src/server/cache/result-cache.js';
import { Database } from '../../../src/server/cache/sqlite-db.js';
import { ConfigError, loadConfig } from '../../../src/server/config.js';
import { captureLogger } from '../../helpers/logger.js';
import { until } from '../../helpers/poll.js';
import { requirement } from '../../helpers/require.js';
import { redisUnavailable, startRedis, type TestRedis } from '../helpers/redis.js';

const logger = pino({ level: 'silent' });
const tmp = () => mkdtempSync(join(tmpdir(), 'rh-integrity-'));
const entry = (n: number) => ({ structured: { score: n }, summary: `score ${n}` });
const fileCache = (path: string, extra: Partial<CacheOptions> = {}) =>
  new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 100, ...extra }, logger);

/** Rewrites the stored value of `key` in the SQLite file, as someone with write access to the file could. */
function editFile(path: string, key: string, edit: (value: string) => string): void {
  const db = new Database(path);
  try {
    const row = db.prepare('SELECT value FROM entries WHERE key = ?').get(key) as { value: string };
    db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(edit(row.value), key);
  } finally {
    db.close();
  }
}

describe('file backend', () => {
  it('generates the secret once, next to the cache file, readable only by its owner', async () => {
    const dir = tmp();
    const a = fileCache(join(dir, 'cache.sqlite'));
    const secret = readFileSync(join(dir, 'cache.secret'), 'utf8');
    expect(secret).toMatch(/^[0-9a-f]{64}\n$/); // 32 random bytes, hex
    expect(statSync(join(dir, 'cache.secret')).mode & 0o777).toBe(0o600);
    expect(a.snapshot().secret).toBe('generated');
    await a.set('k', entry(1));
    await a.close();
    const b = fileCache(join(dir, 'cache.sqlite'));
    expect(readFileSync(join(dir, 'cache.secret'), 'utf8')).toBe(secret);
    expect(await b.get('k')).toEqual(entry(1));
    await b.close();
  });

  it('an entry edited in the SQLite file is a miss, counted, and replaced by the next write', async () => {
    const path = join(tmp(), 'cache.sqlite');
    const a = fileCache(path);
    await a.set('k', entry(1));
    await a.close();
    editFile(path, 'k', (v) => v.replace('"score":1', '"score":9'));
    const b = fileCache(path);
    expect(await b.get('k')).toBeUndefined();
    expect(b.snapshot()).toMatchObject({ tampered: 1, misses: 1, hits: 0 });
    await b.set('k', entry(2));
    expect(await b.get('k')).toEqual(entry(2));
    await b.close();
  });

  it('a sound entry copied under another key does not verify there', async () => {
    const path = join(tmp(), 'cache.sqlite');
    const a = fileCache(path);
    await a.set('good', entry(1));
    await a.set('other', entry(2));
    await a.close();
    const db = new Database(path);
    const { value } = db.prepare('SELECT value FROM entries WHERE key = ?').get('good') as { value: string };
    db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(value, 'other');
    db.close();
    const b = fileCache(path);
    expect(await b.get('other')).toBeUndefined();
    expect(await b.get('good')).toEqual(entry(1));
    expect(b.snapshot().tampered).toBe(1);
    await b.close();
  });

  it('entries written under another secret are misses; a configured secret or secret file is shared by replicas', async () => {
    const dir = tmp();
    const path = join(dir, 'cache.sqlite');
    writeFileSync(join(dir, 'shared.secret'), 'replicas-share-this-secret\n');
    const a = fileCache(path, { secretFile: join(dir, 'shared.secret') });
    await a.set('k', entry(1));
    await a.close();
    const same = fileCache(path, { secret: 'replicas-share-this-secret' });
    expect(await same.get('k')).toEqual(entry(1)); // the file's content is the secret (trimmed)
    expect(same.snapshot().secret).toBe('setting');
    await same.close();
    const other = fileCache(path, { secret: 'a-different-secret-entirely' });
    expect(await other.get('k')).toBeUndefined();
    expect(other.snapshot().tampered).toBe(1);
    await other.close();
  });

  it('an unusable configured secret serves uncached and says why', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'short.secret'), 'short\n');
    const c = fileCache(join(dir, 'cache.sqlite'), { secretFile: join(dir, 'short.secret') });
    expect(c.enabled).toBe(false);
    expect(c.snapshot().degraded).toMatch(/secret unusable.*at least 16/);
    await c.set('k', entry(1));
    expect(await c.get('k')).toBeUndefined();
    expect(() => loadConfig([], { RED_HEART_CACHE_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig(['--cache-secret', 'sixteen-characters-or-more'], {})).toThrow(
      /not accepted on the command line.*RED_HEART_CACHE_SECRET or use --cache-secret-file/,
    );
    expect(loadConfig(['--cache-secret-file', '/x/y'], {}).config.cache.secretFile).toBe('/x/y');
  });
});

const unavailable = requirement('Redis integrity tests', redisUnavailable(), 'redis');

describe.skipIf(unavailable !== null)('redis backend', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a value edited in Redis is a miss, counted as tampered, for every replica', async () => {
    const log = captureLogger('info');
    const open = () =>
      new ResultCache(
        {
          backend: 'redis',
          url: redis.url,
          path: '',
          secret: 'replicas-share-this-secret',
          ttlSeconds: 0,
          maxEntries: 100,
          timeoutMs: 2000,
        },
        log.logger,
      );
    const a = open();
    const b = open();
    try {
      await a.set('k', entry(1));
      expect(await b.get('k')).toEqual(entry(1));
      const raw = createClient({ url: redis.url });
      await raw.connect();
      try {
        const keys = await raw.keys('*k');
        expect(keys).toEqual(['rh::k']);
        const stored = (await raw.get(keys[0])) as string;
        expect(stored).toContain('score');
        await raw.set(keys[0], stored.replace(/score\\+":1/, 'score\\":7'));
        expect(await raw.get(keys[0])).not.toBe(stored);
      } finally {
        await raw.quit();
      }
      expect(await b.get('k')).toBeUndefined();
      expect(await a.get('k')).toBeUndefined();
      expect(a.snapshot().tampered + b.snapshot().tampered).toBeGreaterThanOrEqual(1);
      await until('the tampering to be logged', () => log.lines.some((l) => /integrity check/.test(String(l.msg))));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
