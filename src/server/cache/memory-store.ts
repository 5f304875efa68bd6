// The `memory` backend: this process only, gone on restart. Least-recently-used order is the Map's insertion
// order (a hit moves the entry last); bounded by entries and bytes (UTF-8 size of the stored values) and a TTL.
import type { CacheStore, StoreOptions, StoreStats } from './store.js';

interface Entry {
  value: string;
  bytes: number;
  expires: number | null;
}

export class MemoryStore implements CacheStore {
  readonly backend = 'memory' as const;
  readonly remote = false;
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private evictions = 0;

  constructor(
    private readonly options: Pick<StoreOptions, 'ttlSeconds' | 'maxEntries' | 'maxBytes'>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires !== null && e.expires <= this.now()) {
      this.remove(key);
      return undefined;
    }
    this.entries.delete(key); // most recently used goes last
    this.entries.set(key, e);
    return e.value;
  }

  async set(key: string, value: string): Promise<void> {
    this.remove(key);
    const ttl = this.options.ttlSeconds;
    const e = { value, bytes: Buffer.byteLength(value), expires: ttl > 0 ? this.now() + ttl * 1000 : null };
    this.entries.set(key, e);
    this.bytes += e.bytes;
    while (this.entries.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      this.remove(this.entries.keys().next().value as string);
      this.evictions++;
    }
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }

  stats(): StoreStats {
    return { entries: this.entries.size, bytes: this.bytes, evictions: this.evictions, degraded: null };
  }

  async close(): Promise<void> {}
}
