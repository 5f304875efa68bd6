// The cache backends, one row each: the `--cache` value and how its store is opened. A new backend is one file in
// this folder (implementing CacheStore, store.ts) and one row here (plus its name in CACHE_BACKENDS, config.ts).
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import { NoneStore } from './none-store.js';
import { RedisStore } from './redis-store.js';
import type { CacheBackend, CacheStore, StoreOptions } from './store.js';

export const BACKENDS: Readonly<Record<CacheBackend, (options: StoreOptions) => CacheStore>> = {
  file: (o) => new FileStore(o),
  memory: (o) => new MemoryStore(o),
  none: () => new NoneStore(),
  redis: (o) => new RedisStore(o),
};
