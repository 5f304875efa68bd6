// The `none` backend: nothing is kept; every call is computed.
import type { CacheStore, StoreStats } from './store.js';

export class NoneStore implements CacheStore {
  readonly backend = 'none' as const;
  readonly remote = false;
  async get(): Promise<string | undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async delete(): Promise<void> {}
  stats(): StoreStats {
    return { entries: 0, bytes: 0, evictions: 0, degraded: null };
  }
  async close(): Promise<void> {}
}
