// The contract between the result cache (result-cache.ts: keys, MAC, statistics, retry back-off) and a storage
// backend. A store keeps opaque strings under opaque keys within its bounds (entries, bytes, TTL); it never
// interprets a value. One backend = one file in this folder + one row in `BACKENDS` (backends.ts).
import type { Logger } from 'pino';

export type CacheBackend = 'file' | 'memory' | 'none' | 'redis';

/** What a backend is opened with (from the `cache` settings, src/server/config.ts). */
export interface StoreOptions {
  path: string;
  ttlSeconds: number;
  maxEntries: number;
  maxBytes: number;
  /** redis:// or rediss:// URL (redis backend). */
  url?: string;
  /** Redis password, kept out of the URL. */
  password?: string;
  /** Bound on one remote operation in ms. */
  timeoutMs: number;
  logger: Logger;
}

/** A store's own figures, merged into the cache's status. */
export interface StoreStats {
  /** Entries stored (file: in the shared file, all processes; memory: this process; redis: written by this process). */
  entries: number;
  /** Bytes of stored values; null when the store cannot tell (Redis: its memory is Redis's to report). */
  bytes: number | null;
  /** Entries removed by least-recently-used eviction (by this process). */
  evictions: number;
  /** Set while the store itself knows it is unhealthy (a full disk, Redis unreachable); null otherwise. */
  degraded: string | null;
  /** File backend: writes queued but not yet committed, writes dropped because the queue was full, and where commits run. */
  pending?: number;
  dropped?: number;
  writer?: 'worker' | 'inline';
  path?: string;
  url?: string;
}

export interface CacheStore {
  readonly backend: CacheBackend;
  /** Remote stores get each operation bounded by the timeout (result-cache.ts); local ones run as is. */
  readonly remote: boolean;
  /** Resolves once the store can answer (Redis: first connection attempt settled); absent = at once. */
  ready?(): Promise<void>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  stats(): StoreStats;
  /** Flushes what is queued and releases the store. Safe to call twice. */
  close(): Promise<void>;
}
