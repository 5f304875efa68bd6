// Result cache: an SQLite file (default `file` backend, see cache/sqlite-store.ts), keyv over memory, Redis
// (shared by replicas), or nothing. Keys are sha256 of (tool, canonical arguments, model id). Every backend is
// bounded by entries and bytes with least-recently-used eviction and a TTL (Redis: TTL and its own
// maxmemory policy). A cache fault (corrupt or unwritable file,
// bad entry, Redis down or slow) is logged and the call is served uncached: the cache may lose results
// but never returns a wrong one. Redis operations are bounded by `timeoutMs`; after a fault the cache
// is skipped for a short back-off, then probed again, and caching resumes when Redis answers.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type * as KeyvRedisModule from '@keyv/redis';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { SqliteStore } from './cache/sqlite-store.js';

export type CacheBackend = 'file' | 'memory' | 'none' | 'redis';

export interface CacheOptions {
  backend: CacheBackend;
  path: string;
  ttlSeconds: number;
  maxEntries: number;
  /** Most bytes of cached results kept (file and memory backends; default 256 MiB). */
  maxBytes?: number;
  /** redis:// or rediss:// URL (redis backend). */
  url?: string;
  /** Bound on one Redis operation in ms (default 250). */
  timeoutMs?: number;
  /** After a Redis fault, how long the cache is skipped before it is tried again (default 1000 ms). */
  retryMs?: number;
}

export interface CacheStats {
  backend: CacheBackend;
  path?: string;
  /** Redis URL with any password masked. */
  url?: string;
  /** Entries stored (file: in the shared file, all processes; memory: this process; redis: written by this process). */
  entries: number;
  /** Bytes of stored results (UTF-8 JSON); null for Redis (its memory is Redis's to report). */
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
  /** File backend: writes queued but not yet committed, and where commits and WAL checkpoints run. */
  pending?: number;
  writer?: 'worker' | 'inline';
  /** Set when the cache had a fault; calls are still served. For Redis: cleared when Redis answers again. */
  degraded: string | null;
  /** Redis only: operations skipped (served uncached) while the cache was degraded. */
  skipped?: number;
}

/** What a tool result looks like in the cache. */
export interface CachedResult {
  structured: Record<string, unknown>;
  summary: string;
}

const ENTRY_VERSION = 1;

/** JSON with object keys sorted and undefined dropped, so equal arguments give equal keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
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
  return typeof v.summary === 'string' && !!v.structured && typeof v.structured === 'object' && !Array.isArray(v.structured);
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export class ResultCache {
  private readonly keyv: Keyv | null;
  /** The file backend's store (null for the other backends). */
  private sqlite: SqliteStore | null = null;
  /** Memory and Redis: keys in least-recently-used order with their sizes, for the bounds. */
  private readonly order = new Map<string, number>();
  private bytes = 0;
  private readonly stats: CacheStats;
  /** Redis client (redis backend only). */
  private redis: RedisLike | null = null;
  /** Redis: no operation is tried before this time (ms since epoch) after a fault. */
  private retryAt = 0;
  /** Redis: pending until the first connection attempt has succeeded or failed. */
  private firstConnect: Promise<void> | null = null;

  constructor(private readonly options: CacheOptions, private readonly logger: Logger) {
    this.stats = {
      backend: options.backend,
      path: options.backend === 'file' ? options.path : undefined,
      url: options.backend === 'redis' && options.url ? maskUrl(options.url) : undefined,
      entries: 0,
      bytes: options.backend === 'redis' ? null : 0,
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      ttlSeconds: options.ttlSeconds,
      hits: 0,
      misses: 0,
      writes: 0,
      evictions: 0,
      errors: 0,
      degraded: null,
      skipped: options.backend === 'redis' ? 0 : undefined,
    };
    if (options.backend === 'file') this.openFile();
    this.keyv = options.backend === 'memory' ? this.openMemory() : options.backend === 'redis' ? this.openRedis() : null;
  }

  private get remote(): boolean {
    return this.options.backend === 'redis';
  }

  /**
   * Redis through @keyv/redis. The client fails commands at once while disconnected (no offline queue)
   * and reconnects in the background with a capped back-off, so a dead Redis costs a call nothing and a
   * returning one is picked up by the next probe.
   */
  private openRedis(): Keyv | null {
    const url = this.options.url;
    if (!url) {
      this.fault('redis cache needs a URL (--cache redis://host:port); serving uncached');
      return null;
    }
    const timeout = this.options.timeoutMs ?? 250;
    // Loaded only for a Redis cache: the client library takes ~0.3 s to load, which every other start-up would pay.
    const { default: KeyvRedis, createClient } = createRequire(import.meta.url)('@keyv/redis') as typeof KeyvRedisModule;
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: Math.max(timeout, 1000), reconnectStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000) },
    });
    this.redis = client as unknown as RedisLike;
    // Until the first connection attempt has succeeded or failed, operations wait for it (bounded by the
    // timeout): a call that arrives right after start-up should neither miss the cache nor log a warning.
    let settleFirst: () => void = () => {};
    this.firstConnect = new Promise<void>((resolve) => {
      settleFirst = () => {
        this.firstConnect = null;
        resolve();
      };
    });
    let warnedAt = 0;
    client.on('error', (err: Error) => {
      // Emitted on every failed reconnect; warn at most every 30 s, the degraded flag says the rest.
      if (Date.now() - warnedAt > 30_000) {
        warnedAt = Date.now();
        this.logger.warn({ cache: 'redis', url: this.stats.url, err: err.message }, 'redis cache connection error; calls are served uncached until it returns');
      }
      if (!this.stats.degraded) this.markDown(`redis unavailable at ${this.stats.url}: ${err.message}`);
    });
    client.on('ready', () => {
      this.logger.info({ cache: 'redis', url: this.stats.url }, 'redis cache connected');
      this.retryAt = 0;
      settleFirst();
    });
    client.on('error', settleFirst);
    client.connect().catch((err: Error) => this.markDown(`redis connect failed at ${this.stats.url}: ${err.message}`));
    const store = new KeyvRedis(client as never, { throwOnConnectError: true, throwOnErrors: true, namespace: 'rh' });
    const keyv = new Keyv({
      store: store as unknown as KeyvStoreAdapter,
      namespace: 'rh',
      useKeyPrefix: false, // the adapter prefixes: keys are rh::<sha256>
      throwOnErrors: true,
      ttl: this.options.ttlSeconds > 0 ? this.options.ttlSeconds * 1000 : undefined,
    });
    keyv.on('error', () => {}); // thrown errors are handled (and logged) by guard()
    return keyv;
  }

  /** Records a Redis fault without a log line per call: warn on the first, debug after. */
  private markDown(message: string): void {
    this.stats.errors++;
    this.retryAt = Date.now() + (this.options.retryMs ?? 1000);
    if (this.stats.degraded === null) this.logger.warn({ cache: 'redis' }, `${message}; serving uncached`);
    else this.logger.debug({ cache: 'redis' }, message);
    this.stats.degraded = message;
  }

  /**
   * Runs one store operation. Redis: bounded by timeoutMs, skipped while backing off after a fault,
   * and a success after a fault clears the degraded state. Other backends: run as is.
   */
  private async guard<T>(what: string, op: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (!this.remote) {
      try {
        return { ok: true, value: await op() };
      } catch (err) {
        this.fault(`cache ${what} failed: ${(err as Error).message}`);
        return { ok: false };
      }
    }
    const timeout = this.options.timeoutMs ?? 250;
    let timer: NodeJS.Timeout | undefined;
    if (this.firstConnect) {
      await Promise.race([this.firstConnect, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeout); })]);
      clearTimeout(timer);
    }
    if (Date.now() < this.retryAt) {
      this.stats.skipped = (this.stats.skipped ?? 0) + 1;
      return { ok: false };
    }
    try {
      const value = await Promise.race([
        op(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms (RED_HEART_CACHE_TIMEOUT_MS)`)), timeout);
        }),
      ]);
      if (this.stats.degraded !== null) {
        this.logger.info({ cache: 'redis', url: this.stats.url }, 'redis cache is back; caching resumed');
        this.stats.degraded = null;
      }
      return { ok: true, value };
    } catch (err) {
      this.markDown(`redis cache ${what} failed: ${(err as Error).message}`);
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  private openFile(): void {
    try {
      this.sqlite = SqliteStore.open({
        path: this.options.path,
        maxEntries: this.options.maxEntries,
        maxBytes: this.stats.maxBytes,
        ttlSeconds: this.options.ttlSeconds,
        logger: this.logger,
      });
    } catch (err) {
      this.fault(`file cache unusable at ${this.options.path}: ${(err as Error).message}; serving uncached`);
      return;
    }
    // The JSON file of the previous backend (keyv-file) sits next to the new default path; it is not read.
    const legacy = join(dirname(this.options.path), 'cache.json');
    if (legacy !== this.options.path && existsSync(legacy)) {
      this.logger.info({ legacy, path: this.options.path }, 'an old JSON cache file (backend before 0.2) is ignored; it may be deleted');
    }
  }

  private openMemory(): Keyv {
    const keyv = new Keyv({ store: new Map(), namespace: 'rh', ttl: this.options.ttlSeconds > 0 ? this.options.ttlSeconds * 1000 : undefined });
    keyv.on('error', (err: Error) => this.fault(`cache store error: ${err.message}`));
    return keyv;
  }

  private fault(message: string): void {
    this.stats.errors++;
    this.stats.degraded = message;
    this.logger.warn({ cache: this.options.backend }, message);
  }

  get enabled(): boolean {
    return this.keyv !== null || this.sqlite !== null;
  }

  async get(key: string): Promise<CachedResult | undefined> {
    if (this.sqlite) return this.getFile(this.sqlite, key);
    const keyv = this.keyv;
    if (!keyv) return undefined;
    const read = await this.guard('read', () => keyv.get(key) as Promise<unknown>);
    if (!read.ok) {
      this.stats.misses++;
      return undefined;
    }
    const value = read.value;
    if (value === undefined || value === null) {
      this.forget(key);
      this.stats.misses++;
      return undefined;
    }
    if (!isCachedResult(value)) {
      this.fault(`cache entry ${key.slice(0, 12)} malformed; dropped`);
      await this.delete(key);
      this.stats.misses++;
      return undefined;
    }
    const size = this.order.get(key);
    if (size !== undefined) {
      this.order.delete(key); // most recently used goes last
      this.order.set(key, size);
    }
    this.stats.hits++;
    return value;
  }

  /** File backend: a synchronous point read; a value that does not parse as a result is dropped, never returned. */
  private getFile(store: SqliteStore, key: string): CachedResult | undefined {
    let value: unknown;
    try {
      const text = store.get(key);
      value = text === undefined ? undefined : JSON.parse(text);
    } catch (err) {
      value = err; // unreadable: handled as malformed below
    }
    if (value === undefined) {
      this.stats.misses++;
      return undefined;
    }
    if (!isCachedResult(value)) {
      this.fault(`cache entry ${key.slice(0, 12)} malformed; dropped`);
      store.delete(key);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return value;
  }

  async set(key: string, value: CachedResult): Promise<void> {
    if (this.sqlite) {
      try {
        this.sqlite.set(key, JSON.stringify(value)); // queued; committed by the store's write-behind flush
        this.stats.writes++;
      } catch (err) {
        this.fault(`cache write failed: ${(err as Error).message}`);
      }
      return;
    }
    const keyv = this.keyv;
    if (!keyv) return;
    const write = await this.guard('write', () => keyv.set(key, value));
    if (!write.ok) return;
    this.forget(key);
    const size = this.remote ? 0 : Buffer.byteLength(JSON.stringify(value));
    this.order.set(key, size);
    this.bytes += size;
    this.stats.writes++;
    while (this.order.size > this.options.maxEntries || this.bytes > this.stats.maxBytes) {
      const oldest = this.order.keys().next().value as string;
      this.stats.evictions++;
      await this.delete(oldest);
    }
  }

  private forget(key: string): void {
    const size = this.order.get(key);
    if (size === undefined) return;
    this.order.delete(key);
    this.bytes -= size;
  }

  private async delete(key: string): Promise<void> {
    this.forget(key);
    const keyv = this.keyv;
    if (keyv) await this.guard('delete', () => keyv.delete(key));
  }

  snapshot(): CacheStats {
    if (this.sqlite) {
      const totals = this.sqlite.totals();
      const c = this.sqlite.counts();
      return { ...this.stats, entries: totals.entries, bytes: totals.bytes, evictions: c.evictions, pending: c.pending, writer: c.writer };
    }
    return { ...this.stats, entries: this.order.size, bytes: this.remote ? null : this.bytes };
  }

  /** Flushes pending writes (the file adapter batches them) and releases the store. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.redis) {
      const client = this.redis;
      this.redis = null;
      // QUIT waits for pending replies; a dead or stopped Redis must not hold up shutdown.
      const quit = client.isReady ? client.quit().then(() => undefined) : Promise.resolve();
      const timeout = new Promise<void>((r) => setTimeout(r, Math.max(this.options.timeoutMs ?? 250, 500)).unref());
      await Promise.race([quit.catch(() => undefined), timeout]);
      try {
        client.destroy();
      } catch {
        // already closed
      }
      return;
    }
    try {
      await this.sqlite?.close();
      await this.keyv?.disconnect();
    } catch (err) {
      this.fault(`cache flush failed: ${(err as Error).message}`);
    }
  }

  private closed = false;
}

/** The few client members the cache uses (the full client type is generic over modules). */
interface RedisLike {
  readonly isReady: boolean;
  quit(): Promise<unknown>;
  destroy(): void;
}

/** redis://user:secret@host → redis://user:***@host */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
