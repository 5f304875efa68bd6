// The result cache: keys, integrity, statistics and retry back-off over one store (store.ts; the backends are in
// backends.ts: an SQLite file by default, memory, Redis shared by replicas, or none). Keys are sha256 of (tool,
// canonical arguments, model identity). Every value is stored as `<hmac>.<json>`, where the HMAC-SHA256 under the
// installation secret (secret.ts) covers the key and the JSON: an entry edited in the file or in Redis, or moved
// to another key, does not verify and is a miss (counted as `tampered`), never served. A cache fault (corrupt or
// unwritable file, Redis down or slow) is logged and the call is served uncached: the cache may lose results but
// never returns a wrong one. Remote operations are bounded by `timeoutMs`; after a failed operation the store is
// skipped for `retryMs`, then probed again, and caching resumes when it answers.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { BACKENDS } from './backends.js';
import { installationSecret, mac, verifyMac, type InstallationSecret } from './secret.js';
import type { CacheBackend, CacheStore } from './store.js';

export type { CacheBackend } from './store.js';
import { maskUrl } from './redis-store.js';

export { maskUrl };

export interface CacheOptions {
  backend: CacheBackend;
  path: string;
  ttlSeconds: number;
  maxEntries: number;
  /** Most bytes of cached results kept (file and memory backends; default 256 MiB). */
  maxBytes?: number;
  /** redis:// or rediss:// URL (redis backend). */
  url?: string;
  /** Redis password, kept out of the URL (from the environment or a file, never a flag). */
  password?: string;
  /** Bound on one Redis operation in ms (default 250). */
  timeoutMs?: number;
  /** After a failed store operation, how long the store is skipped before it is tried again (default 1000 ms). */
  retryMs?: number;
  /** The installation secret (RED_HEART_CACHE_SECRET), or a file holding it (--cache-secret-file); see secret.ts. */
  secret?: string;
  secretFile?: string;
}

export interface CacheStats {
  backend: CacheBackend;
  path?: string;
  /** Redis URL with any password masked. */
  url?: string;
  /** Entries stored (file: in the shared file, all processes; memory: this process; redis: written by this process). */
  entries: number;
  /** Bytes of stored values (UTF-8, MAC included); null for Redis (its memory is Redis's to report). */
  bytes: number | null;
  maxEntries: number;
  maxBytes: number;
  ttlSeconds: number;
  hits: number;
  misses: number;
  writes: number;
  /** Entries removed by least-recently-used eviction (by this process). */
  evictions: number;
  errors: number;
  /** Entries whose MAC did not verify (edited, or written under another secret): dropped and counted as misses. */
  tampered: number;
  /** Operations skipped (served uncached) while backing off after a store fault. */
  skipped: number;
  /** File backend: writes queued but not yet committed, writes dropped by the bounded queue, where commits run. */
  pending?: number;
  dropped?: number;
  writer?: 'worker' | 'inline';
  /** Where the MAC key came from (setting, file, generated, process); never the key. */
  secret: InstallationSecret['source'] | null;
  /** Set while the cache has a fault (calls are still served); cleared when the store answers again. */
  degraded: string | null;
}

/** What a tool result looks like in the cache. */
export interface CachedResult {
  structured: Record<string, unknown>;
  summary: string;
}

/**
 * Bumped when keys or stored values change shape or meaning (2: values carry a MAC; model identity with the full
 * sha256; 3: a text longer than one window is read by its sentences, and results say how they were aggregated).
 */
const ENTRY_VERSION = 3;

/** JSON with object keys sorted and undefined dropped, so equal arguments give equal keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out = new Map<string, unknown>();
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out.set(key, sortKeys(v));
    }
    return Object.fromEntries(out); // defines own properties: a key named __proto__ stays a key
  }
  return value;
}

export function cacheKey(tool: string, args: unknown, modelId: string | null): string {
  return createHash('sha256')
    .update(canonicalJson({ v: ENTRY_VERSION, tool, args, model: modelId }))
    .digest('hex');
}

function isCachedResult(value: unknown): value is CachedResult {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.summary === 'string' && !!v.structured && typeof v.structured === 'object' && !Array.isArray(v.structured)
  );
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const MAC_CHARS = 64;

type Opened = { ok: true; value: CachedResult } | { ok: false; why: 'tampered' | 'malformed' };

export class ResultCache {
  private readonly store: CacheStore | null = null;
  /** The MAC key; null when the configured secret is unusable (then nothing is cached). */
  readonly secret: InstallationSecret | null = null;
  private readonly stats = { hits: 0, misses: 0, writes: 0, errors: 0, tampered: 0, skipped: 0 };
  private degraded: string | null = null;
  /** No store operation is tried before this time (ms since epoch) after a fault. */
  private retryAt = 0;
  private readonly maxBytes: number;
  private closed = false;

  constructor(
    private readonly options: CacheOptions,
    private readonly logger: Logger,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    // Resolved for every backend: the conversation state tokens are signed with it too (server.ts).
    try {
      this.secret = installationSecret(options, logger);
    } catch (err) {
      this.fault(`cache secret unusable: ${(err as Error).message}; serving uncached`);
      return;
    }
    try {
      this.store = BACKENDS[options.backend]({
        path: options.path,
        ttlSeconds: options.ttlSeconds,
        maxEntries: options.maxEntries,
        maxBytes: this.maxBytes,
        url: options.url,
        ...(options.password ? { password: options.password } : {}),
        timeoutMs: options.timeoutMs ?? 250,
        logger,
      });
    } catch (err) {
      const where =
        options.backend === 'file' ? `file cache unusable at ${options.path}` : `${options.backend} cache unusable`;
      this.fault(`${where}: ${(err as Error).message}; serving uncached`);
    }
  }

  private fault(message: string): void {
    this.stats.errors++;
    this.degraded = message;
    this.logger.warn({ cache: this.options.backend }, message);
  }

  /** Records a failed store operation and backs off, without a log line per call: warn on the first, debug after. */
  private markDown(message: string): void {
    this.stats.errors++;
    this.retryAt = Date.now() + (this.options.retryMs ?? 1000);
    if (this.degraded === null) this.logger.warn({ cache: this.options.backend }, `${message}; serving uncached`);
    else this.logger.debug({ cache: this.options.backend }, message);
    this.degraded = message;
  }

  /** Runs one store operation: skipped while backing off, bounded by timeoutMs on a remote store; a success clears the fault. */
  private async guard<T>(
    what: string,
    op: (store: CacheStore) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    const store = this.store;
    if (!store) return { ok: false };
    const timeout = this.options.timeoutMs ?? 250;
    let timer: NodeJS.Timeout | undefined;
    if (store.ready) {
      await Promise.race([
        store.ready(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeout);
        }),
      ]);
      clearTimeout(timer);
    }
    if (Date.now() < this.retryAt) {
      this.stats.skipped++;
      return { ok: false };
    }
    try {
      const value = !store.remote
        ? await op(store)
        : await Promise.race([
            op(store),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer within ${timeout} ms (RED_HEART_CACHE_TIMEOUT_MS)`)),
                timeout,
              );
            }),
          ]);
      if (this.degraded !== null && this.retryAt !== 0) {
        this.logger.info(
          { cache: this.options.backend, url: store.stats().url },
          `${this.options.backend} cache is back; caching resumed`,
        );
        this.degraded = null;
        this.retryAt = 0;
      }
      return { ok: true, value };
    } catch (err) {
      this.markDown(`${this.options.backend} cache ${what} failed: ${(err as Error).message}`);
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  get enabled(): boolean {
    return this.store !== null && this.options.backend !== 'none';
  }

  /** The stored form: HMAC over the key and the JSON, then the JSON. */
  private seal(key: string, json: string): string {
    return `${mac(this.secret!.key, `cache\n${key}\n${json}`)}.${json}`;
  }

  private open(key: string, stored: string): Opened {
    const json = stored.slice(MAC_CHARS + 1);
    if (stored[MAC_CHARS] !== '.' || !verifyMac(this.secret!.key, `cache\n${key}\n${json}`, stored.slice(0, MAC_CHARS)))
      return { ok: false, why: 'tampered' };
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return { ok: false, why: 'malformed' };
    }
    return isCachedResult(value) ? { ok: true, value } : { ok: false, why: 'malformed' };
  }

  async get(key: string): Promise<CachedResult | undefined> {
    const read = await this.guard('read', (s) => s.get(key));
    if (!read.ok || read.value === undefined) {
      this.stats.misses++;
      return undefined;
    }
    const opened = this.open(key, read.value);
    if (!opened.ok) {
      if (opened.why === 'tampered') {
        this.stats.tampered++;
        this.logger.warn(
          { cache: this.options.backend, key: key.slice(0, 12) },
          'cache entry fails its integrity check (edited, or written under another secret); dropped',
        );
      } else {
        this.stats.errors++;
        this.logger.warn({ cache: this.options.backend, key: key.slice(0, 12) }, 'cache entry malformed; dropped');
      }
      await this.guard('delete', (s) => s.delete(key));
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return opened.value;
  }

  /** The string the store keeps for this result (benchmarks pre-fill a store with it). */
  stored(key: string, value: CachedResult): string {
    return this.seal(key, JSON.stringify(value));
  }

  async set(key: string, value: CachedResult): Promise<void> {
    if (!this.enabled) return;
    const stored = this.seal(key, JSON.stringify(value));
    const write = await this.guard('write', (s) => s.set(key, stored));
    if (write.ok) this.stats.writes++;
  }

  snapshot(): CacheStats {
    const s = this.store?.stats();
    const { backend, path, url, ttlSeconds, maxEntries } = this.options;
    return {
      backend,
      ...(backend === 'file' ? { path } : {}),
      ...(backend === 'redis' && url ? { url: maskUrl(url) } : {}),
      entries: s?.entries ?? 0,
      bytes: s ? s.bytes : backend === 'redis' ? null : 0,
      maxEntries,
      maxBytes: this.maxBytes,
      ttlSeconds,
      ...this.stats,
      evictions: s?.evictions ?? 0,
      ...(s?.pending !== undefined ? { pending: s.pending, dropped: s.dropped, writer: s.writer } : {}),
      secret: this.secret?.source ?? null,
      degraded: this.degraded ?? s?.degraded ?? null,
    };
  }

  /** Flushes pending writes (the file store batches them) and releases the store. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.store?.close();
    } catch (err) {
      this.fault(`cache flush failed: ${(err as Error).message}`);
    }
  }
}
