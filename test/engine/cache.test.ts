import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, ResultCache } from '../../src/server/cache.js';

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'rh-cache-'));
const entry = (n: number) => ({ structured: { n }, summary: `n=${n}` });

describe('cache keys', () => {
  it('ignore object key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
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
    const cache = new ResultCache({ backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toEqual(entry(1));
    const s = cache.snapshot();
    expect([s.hits, s.misses, s.writes, s.entries]).toEqual([1, 1, 1, 1]);
  });

  it('expires entries after the TTL', async () => {
    const cache = new ResultCache({ backend: 'memory', path: '', ttlSeconds: 1, maxEntries: 10 }, captureLogger().logger);
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toEqual(entry(1));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.get('k')).toBeUndefined();
  });

  it('evicts the oldest entries past maxEntries', async () => {
    const cache = new ResultCache({ backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 2 }, captureLogger().logger);
    await cache.set('a', entry(1));
    await cache.set('b', entry(2));
    await cache.set('c', entry(3));
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toEqual(entry(3));
    expect(cache.snapshot().entries).toBe(2);
  });

  it('persists to the file backend across instances', async () => {
    const path = join(tmp(), 'cache.json');
    const first = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    await first.set('k', entry(7));
    await first.close();
    const second = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
    expect(second.snapshot().entries).toBe(1);
    expect(await second.get('k')).toEqual(entry(7));
  });

  it('moves a corrupt file aside with a warning and starts empty', async () => {
    const dir = tmp();
    const path = join(dir, 'cache.json');
    writeFileSync(path, '{"cache": [[ this is not json');
    const { logger, lines } = captureLogger();
    const cache = new ResultCache({ backend: 'file', path, ttlSeconds: 0, maxEntries: 10 }, logger);
    expect(cache.enabled).toBe(true);
    expect(lines.some((l) => l.level === 40 && String(l.msg).includes('corrupt'))).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith('cache.json.corrupt-'))).toBe(true);
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toEqual(entry(1));
  });

  it('serves uncached, degraded, when the file cannot be written', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'blocker'), 'x');
    const { logger, lines } = captureLogger();
    const cache = new ResultCache({ backend: 'file', path: join(dir, 'blocker', 'cache.json'), ttlSeconds: 0, maxEntries: 10 }, logger);
    await cache.set('k', entry(1));
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.snapshot().degraded).toMatch(/unusable|failed/);
    expect(lines.some((l) => l.level === 40)).toBe(true);
  });

  it('drops a malformed entry instead of returning it', async () => {
    const cache = new ResultCache({ backend: 'memory', path: '', ttlSeconds: 0, maxEntries: 10 }, captureLogger().logger);
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
