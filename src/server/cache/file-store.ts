// The `file` backend (default): one SQLite file shared by every process that names it (sqlite-store.ts: point
// reads on the event loop, write-behind commits in a writer thread, a bounded write queue).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CacheStore, StoreOptions, StoreStats } from './store.js';
import { SqliteStore } from './sqlite-store.js';

export class FileStore implements CacheStore {
  readonly backend = 'file' as const;
  readonly remote = false;
  private readonly store: SqliteStore;

  /** Throws when the file cannot be opened or created at all (the result cache then serves uncached). */
  constructor(private readonly options: StoreOptions) {
    const { path, maxEntries, maxBytes, ttlSeconds, logger } = options;
    this.store = SqliteStore.open({ path, maxEntries, maxBytes, ttlSeconds, logger });
    // The JSON file of the previous backend (keyv-file) sits next to the new default path; it is not read.
    const legacy = join(dirname(path), 'cache.json');
    if (legacy !== path && existsSync(legacy)) {
      logger.info({ legacy, path }, 'an old JSON cache file (backend before 0.2) is ignored; it may be deleted');
    }
  }

  async get(key: string): Promise<string | undefined> {
    return this.store.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.store.set(key, value); // queued; committed by the store's write-behind flush
  }

  async delete(key: string): Promise<void> {
    this.store.delete(key);
  }

  stats(): StoreStats {
    const totals = this.store.totals();
    const c = this.store.counts();
    return {
      entries: totals.entries,
      bytes: totals.bytes,
      evictions: c.evictions,
      degraded: c.degraded,
      pending: c.pending,
      dropped: c.dropped,
      writer: c.writer,
      path: this.options.path,
    };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
