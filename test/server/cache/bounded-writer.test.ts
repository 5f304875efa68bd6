// The file store's writer when commits fail (a full disk, an I/O error): the store says why (degraded), keeps at
// most `maxPending` writes queued and counts the ones it drops, retries with a growing back-off instead of every
// flush, and clears the fault on the first commit that succeeds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultCache } from '../../../src/server/cache/result-cache.js';
import { SqliteStore } from '../../../src/server/cache/sqlite-store.js';
import { until } from '../../helpers/poll.js';
import { requirement } from '../../helpers/require.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rh-writer-'));

describe('a commit error (injected)', () => {
  it('marks the store degraded, bounds the queue, backs off, and recovers', async () => {
    const store = SqliteStore.open({
      path: join(tmp(), 'cache.sqlite'),
      maxEntries: 1000,
      maxBytes: 1e9,
      ttlSeconds: 0,
      writer: 'inline',
      flushMs: 5,
      maxPending: 10,
    });
    let failing = true;
    let attempts = 0;
    const inner = store as unknown as { applyInline: (b: unknown) => unknown };
    const apply = inner.applyInline.bind(store);
    inner.applyInline = (batch) => {
      attempts++;
      if (failing) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      return apply(batch);
    };
    try {
      for (let i = 0; i < 50; i++) store.set(`k${i}`, `value ${i}`);
      await until('a failed commit', () => store.counts().degraded !== null);
      expect(store.counts()).toMatchObject({
        pending: 10,
        dropped: 40,
        degraded: expect.stringMatching(/SQLITE_IOERR: disk I\/O error/),
      });
      expect(store.get('k3')).toBe('value 3'); // queued entries are still served
      expect(store.get('k30')).toBeUndefined(); // a dropped one is a miss, never an error
      // Back-off: 100, 200, 400, 800 ms… between tries, not one every 5 ms flush.
      const before = attempts;
      await new Promise((r) => setTimeout(r, 1000));
      expect(attempts - before).toBeLessThanOrEqual(5);
      expect(attempts - before).toBeGreaterThanOrEqual(1);
      for (let i = 50; i < 100; i++) store.set(`k${i}`, 'more');
      expect(store.counts()).toMatchObject({ pending: 10, dropped: 90 });

      failing = false;
      await until('the store to recover', () => store.counts().degraded === null, { timeoutMs: 10_000 });
      expect(store.counts().pending).toBe(0);
      expect(store.totals().entries).toBe(10);
      store.set('after', 'recovered');
      await store.flush();
      expect(store.totals().entries).toBe(11);
    } finally {
      failing = false;
      await store.close();
    }
  });
});

/** Null when this process may mount a tmpfs (root on Linux, with the capability); else why not. */
function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
  const probe = tmp();
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}`;
  spawnSync('umount', [probe]);
  rmdirSync(probe);
  return null;
}

const unavailable = requirement('full-disk cache test', tmpfsUnavailable(), 'root');

describe.skipIf(unavailable !== null)('a full disk (256 KiB tmpfs)', () => {
  const mounted: string[] = [];
  afterAll(() => {
    for (const dir of mounted) {
      spawnSync('umount', [dir]);
      rmdirSync(dir);
    }
  });

  it('status says degraded with the reason, the queue stays bounded, and caching resumes when space returns', async () => {
    const dir = tmp();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]).status).toBe(0);
    mounted.push(dir);
    const cache = new ResultCache(
      { backend: 'file', path: join(dir, 'cache.sqlite'), ttlSeconds: 0, maxEntries: 100_000 },
      pino({ level: 'silent' }),
    );
    const result = (i: number) => ({ structured: { i, padding: 'x'.repeat(2000) }, summary: `result ${i}` });
    try {
      for (let i = 0; i < 6000; i++) await cache.set(`key-${i}`, result(i));
      await until('the full disk to show in status', () => cache.snapshot().degraded !== null, { timeoutMs: 10_000 });
      const full = cache.snapshot();
      expect(full.degraded).toMatch(/SQLITE_FULL|disk is full|ENOSPC/i);
      expect(full.pending).toBeLessThanOrEqual(4096);
      expect(full.dropped).toBeGreaterThan(0);
      expect(full.entries).toBeLessThan(200); // what fitted
      // More writes while full: the queue does not grow, the drops are counted.
      for (let i = 6000; i < 9000; i++) await cache.set(`key-${i}`, result(i));
      expect(cache.snapshot().pending).toBeLessThanOrEqual(4096);
      expect(cache.snapshot().dropped).toBeGreaterThan(full.dropped! + 2900);

      expect(spawnSync('mount', ['-o', 'remount,size=64m', dir]).status).toBe(0);
      await until('caching to resume', () => cache.snapshot().degraded === null, { timeoutMs: 15_000, everyMs: 100 });
      await until('the queue to drain', () => cache.snapshot().pending === 0, { timeoutMs: 15_000, everyMs: 100 });
      expect(cache.snapshot().entries).toBeGreaterThan(full.entries);
      await cache.set('after', result(-1));
      expect(await cache.get('after')).toEqual(result(-1));
    } finally {
      await cache.close();
    }
  }, 60_000);
});
