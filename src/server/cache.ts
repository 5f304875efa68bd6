// Result cache: keyv over a persistent file (default), memory, Redis (shared by replicas), or nothing.
// Keys are sha256 of (tool, canonical arguments, model id). A cache fault (corrupt or unwritable file,
// bad entry, Redis down or slow) is logged and the call is served uncached: the cache may lose results
// but never returns a wrong one. Redis operations are bounded by `timeoutMs`; after a fault the cache
// is skipped for a short back-off, then probed again, and caching resumes when Redis answers.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import { KeyvFile } from 'keyv-file';
import type { Logger } from 'pino';

export type CacheBackend = 'file' | 'memory' | 'none' | 'redis';

export interface CacheOptions {
  backend: CacheBackend;
  path: string;
  ttlSeconds: number;
  maxEntries: number;
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
  entries: number;
  maxEntries: number;
  ttlSeconds: number;
  hits: number;
  misses: number;
  writes: number;
  errors: number;
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

export class ResultCache {
  private readonly keyv: Keyv | null;
  private readonly order = new Map<string, true>(); // insertion order, for evicting the oldest past maxEntries
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
      maxEntries: options.maxEntries,
      ttlSeconds: options.ttlSeconds,
      hits: 0,
      misses: 0,
      writes: 0,
      errors: 0,
      degraded: null,
      skipped: options.backend === 'redis' ? 0 : undefined,
    };
    this.keyv = options.backend === 'none' ? null : options.backend === 'redis' ? this.openRedis() : this.open();
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

  private open(): Keyv | null {
    let store: KeyvStoreAdapter | Map<unknown, unknown>;
    if (this.options.backend === 'file') {
      try {
        this.checkFile(this.options.path);
        store = new KeyvFile({ filename: this.options.path, writeDelay: 50 }) as unknown as KeyvStoreAdapter;
        for (const key of (store as unknown as { _data: Map<string, unknown> })._data.keys()) this.order.set(stripNamespace(key), true);
      } catch (err) {
        this.fault(`file cache unusable at ${this.options.path}: ${(err as Error).message}; serving uncached`);
        return null;
      }
    } else {
      store = new Map();
    }
    const keyv = new Keyv({ store, namespace: 'rh', ttl: this.options.ttlSeconds > 0 ? this.options.ttlSeconds * 1000 : undefined });
    keyv.on('error', (err: Error) => this.fault(`cache store error: ${err.message}`));
    this.stats.entries = this.order.size;
    return keyv;
  }

  /** A corrupt cache file is moved aside (kept for inspection) so the cache starts empty instead of failing. */
  private checkFile(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    try {
      const parsed = JSON.parse(text) as { cache?: unknown };
      if (!parsed || typeof parsed !== 'object' || !('cache' in parsed)) throw new Error('missing "cache" field');
    } catch (err) {
      const aside = `${path}.corrupt-${Date.now()}`;
      renameSync(path, aside);
      this.logger.warn({ path, movedTo: aside, reason: (err as Error).message }, 'cache file was corrupt; moved aside and rebuilt empty');
    }
  }

  private fault(message: string): void {
    this.stats.errors++;
    this.stats.degraded = message;
    this.logger.warn({ cache: this.options.backend }, message);
  }

  get enabled(): boolean {
    return this.keyv !== null;
  }

  async get(key: string): Promise<CachedResult | undefined> {
    const keyv = this.keyv;
    if (!keyv) return undefined;
    const read = await this.guard('read', () => keyv.get(key) as Promise<unknown>);
    if (!read.ok) {
      this.stats.misses++;
      return undefined;
    }
    const value = read.value;
    if (value === undefined || value === null) {
      this.order.delete(key);
      this.stats.misses++;
      return undefined;
    }
    if (!isCachedResult(value)) {
      this.fault(`cache entry ${key.slice(0, 12)} malformed; dropped`);
      await this.delete(key);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return value;
  }

  async set(key: string, value: CachedResult): Promise<void> {
    const keyv = this.keyv;
    if (!keyv) return;
    const write = await this.guard('write', () => keyv.set(key, value));
    if (!write.ok) return;
    this.order.delete(key);
    this.order.set(key, true);
    this.stats.writes++;
    while (this.order.size > this.options.maxEntries) {
      const oldest = this.order.keys().next().value as string;
      await this.delete(oldest);
    }
    this.stats.entries = this.order.size;
  }

  private async delete(key: string): Promise<void> {
    this.order.delete(key);
    this.stats.entries = this.order.size;
    const keyv = this.keyv;
    if (keyv) await this.guard('delete', () => keyv.delete(key));
  }

  snapshot(): CacheStats {
    return { ...this.stats, entries: this.order.size };
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
      await this.keyv?.disconnect();
      const store = this.keyv?.store as { saveToDisk?: () => Promise<void> } | undefined;
      if (store?.saveToDisk) await store.saveToDisk();
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

function stripNamespace(key: string): string {
  return key.startsWith('rh:') ? key.slice(3) : key;
}
