import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, ResultCache } from '../../../src/server/cache/result-cache.js';
import { captureLogger } from '../../helpers/logger.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rh-cache-'));
const entry = (n: number) => ({ structured: { n }, summary: `n=${n}` });
/** A stored value is the 64-hex-digit HMAC of the entry, a dot, then the entry's JSON. */
const storedBytes = (v: unknown) => 64 + 1 + Buffer.byteLength(JSON.stringify(v));

describe('cache keys', () => {
  it('ignore object key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(cacheKey('t', { a: 1, b: 2 }, 'm')).toBe(cacheKey('t', { b: 2, a: 1 }, 'm'));
  });
  it('differ by tool, arguments and model id', () => {
    const base = cacheKey('t', { a: 1 }, 'm1');
    expect(cacheKey('u', { a: 1 }, 'm1')).not.toBe(base);
    expect(cacheKey('t', { a: 2 }, 'm1')).not.toBe(base);
    expect(cacheKey('t', { a: 1 }, 'm2')).not.toBe(base);
    expect(cacheKey('t', { a: 1 }, null)).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('ResultCache', () => {
  it('counts hits and misses in memory', async () => {
    const cache = new ResultCache(
      { backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 10 },
      captureLogger().logger,
    );
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toEqual(entry(1));
    const s = cache.snapshot();
    expect([s.hits, s.misses, s.writes, s.entries]).toEqual([1, 1, 1, 1]);
  });

  it('expires entries after the TTL', async () => {
    const cache = new ResultCache(
      { backend: 'memory', path: '', ttlSeconds: 1, maxEntries: 10 },
      captureLogger().logger,
    );
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toEqual(entry(1));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.get('k')).toBeUndefined();
  });

  it('evicts the least recently used entry past maxEntries (memory)', async () => {
    const cache = new ResultCache(
      { backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 2 },
      captureLogger().logger,
    );
    await cache.set('a', entry(1));
    await cache.set('b', entry(2));
    expect(await cache.get('a')).toEqual(entry(1)); // a becomes the most recently used
    await cache.set('c', entry(3));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toEqual(entry(1));
    expect(await cache.get('c')).toEqual(entry(3));
    expect(cache.snapshot()).toMatchObject({ entries: 2, evictions: 1 });
  });

  it('bounds the memory backend by bytes', async () => {
    const one = storedBytes(entry(1));
    const cache = new ResultCache(
      { backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 100, maxBytes: 2 * one },
      captureLogger().logger,
    );
    for (let i = 1; i <= 4; i++) await cache.set(`k${i}`, entry(i));
    expect(cache.snapshot()).toMatchObject({ entries: 2, bytes: 2 * one, evictions: 2 });
    expect(await cache.get('k4')).toEqual(entry(4));
  });

  it('persists to the file backend (SQLite) across instances and reports entries and bytes', async () => {
    const path = join(tmp(), 'cache.sqlite');
    const first = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    await first.set('k', entry(7));
    expect(await first.get('k')).toEqual(entry(7)); // read back before the write-behind flush
    await first.close();
    const second = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    expect(second.snapshot()).toMatchObject({ backend: 'file', entries: 1, bytes: storedBytes(entry(7)), hits: 0 });
    expect(await second.get('k')).toEqual(entry(7));
    expect(await second.get('other')).toBeUndefined();
    expect(second.snapshot()).toMatchObject({ hits: 1, misses: 1, evictions: 0 });
    await second.close();
  });

  it('moves an old JSON cache at the path aside with a warning and starts empty', async () => {
    const dir = tmp();
    const path = join(dir, 'cache.json');
    writeFileSync(path, '{"cache": [[ this is not json');
    const { logger, lines } = captureLogger();
    const cache = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, logger);
    expect(cache.enabled).toBe(true);
    expect(lines.some((l) => l.level === 40 && String(l.msg).includes('not an SQLite store'))).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith('cache.json.not-sqlite-'))).toBe(true);
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toEqual(entry(1));
    await cache.close();
  });

  it('ignores (and names in the log) an old cache.json next to the new default file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'cache.json'), JSON.stringify({ cache: [], lastExpire: 0 }));
    const { logger, lines } = captureLogger();
    const cache = new ResultCache(
      { backend: 'file', path: join(dir, 'cache.sqlite'), ttlSeconds: 0, maxEntries: 10 },
      logger,
    );
    expect(cache.enabled).toBe(true);
    expect(lines.some((l) => l.level === 30 && String(l.msg).includes('old JSON cache file'))).toBe(true);
    await cache.close();
  });

  it('serves uncached, degraded, when the file cannot be written', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'blocker'), 'x');
    const { logger, lines } = captureLogger();
    const cache = new ResultCache(
      { backend: 'file', path: join(dir, 'blocker', 'cache.sqlite'), ttlSeconds: 0, maxEntries: 10 },
      logger,
    );
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.snapshot().degraded).toMatch(/unusable|failed/);
    expect(lines.some((l) => l.level === 40)).toBe(true);
  });

  it('drops a malformed file entry instead of returning it', async () => {
    const path = join(tmp(), 'cache.sqlite');
    const cache = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    await cache.set('k', { structured: 'oops' } as never);
    await cache.set('j', entry(2));
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('j')).toEqual(entry(2));
    expect(cache.snapshot().errors).toBe(1);
    await cache.close();
  });

  it('drops a malformed entry instead of returning it', async () => {
    const cache = new ResultCache(
      { backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 10 },
      captureLogger().logger,
    );
    await cache.set('k', { structured: 'oops' } as never);
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.snapshot().errors).toBe(1);
  });

  it('does nothing with the none backend', async () => {
    const cache = new ResultCache({ backend: 'none', path: '', ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    expect(cache.enabled).toBe(false);
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toBeUndefined();
  });
});
