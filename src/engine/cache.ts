// Result cache: keyv over a persistent file (default), memory, or nothing. Keys are sha256 of
// (tool, canonical arguments, model id). A cache fault (corrupt or unwritable file, bad entry) is
// logged and the call is served uncached: the cache may lose results but never returns a wrong one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import { KeyvFile } from 'keyv-file';
import type { Logger } from 'pino';

export type CacheBackend = 'file' | 'memory' | 'none';

export interface CacheOptions {
  backend: CacheBackend;
  path: string;
  ttlSeconds: number;
  maxEntries: number;
}

export interface CacheStats {
  backend: CacheBackend;
  path?: string;
  entries: number;
  maxEntries: number;
  ttlSeconds: number;
  hits: number;
  misses: number;
  writes: number;
  errors: number;
  /** Set when the cache had a fault; calls are still served. */
  degraded: string | null;
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

  constructor(private readonly options: CacheOptions, private readonly logger: Logger) {
    this.stats = {
      backend: options.backend,
      path: options.backend === 'file' ? options.path : undefined,
      entries: 0,
      maxEntries: options.maxEntries,
      ttlSeconds: options.ttlSeconds,
      hits: 0,
      misses: 0,
      writes: 0,
      errors: 0,
      degraded: null,
    };
    this.keyv = options.backend === 'none' ? null : this.open();
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
    if (!this.keyv) return undefined;
    try {
      const value: unknown = await this.keyv.get(key);
      if (value === undefined) {
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
    } catch (err) {
      this.fault(`cache read failed: ${(err as Error).message}`);
      this.stats.misses++;
      return undefined;
    }
  }

  async set(key: string, value: CachedResult): Promise<void> {
    if (!this.keyv) return;
    try {
      await this.keyv.set(key, value);
      this.order.delete(key);
      this.order.set(key, true);
      this.stats.writes++;
      while (this.order.size > this.options.maxEntries) {
        const oldest = this.order.keys().next().value as string;
        await this.delete(oldest);
      }
      this.stats.entries = this.order.size;
    } catch (err) {
      this.fault(`cache write failed: ${(err as Error).message}`);
    }
  }

  private async delete(key: string): Promise<void> {
    this.order.delete(key);
    this.stats.entries = this.order.size;
    try {
      await this.keyv?.delete(key);
    } catch (err) {
      this.fault(`cache delete failed: ${(err as Error).message}`);
    }
  }

  snapshot(): CacheStats {
    return { ...this.stats, entries: this.order.size };
  }

  /** Flushes pending writes (the file adapter batches them) and releases the store. */
  async close(): Promise<void> {
    try {
      await this.keyv?.disconnect();
      const store = this.keyv?.store as { saveToDisk?: () => Promise<void> } | undefined;
      if (store?.saveToDisk) await store.saveToDisk();
    } catch (err) {
      this.fault(`cache flush failed: ${(err as Error).message}`);
    }
  }
}

function stripNamespace(key: string): string {
  return key.startsWith('rh:') ? key.slice(3) : key;
}
