// The persistent result store behind the `file` cache backend: one SQLite file (better-sqlite3, WAL mode).
//
// Why this shape (measurements in docs/engine.md, "Result cache"):
// - Reads are synchronous point look-ups on the primary key: ~0.02 ms (miss) / ~0.04 ms (hit) at 100,000 entries,
//   independent of the store's size, unlike the JSON file it replaces (whole-file rewrite on every write).
// - Writes are write-behind: set() queues the entry and returns; a timer flushes the queue (plus LRU touches,
//   TTL expiry and eviction) in ONE transaction. A commit in WAL mode with synchronous=NORMAL does not fsync, so a
//   flush costs tens of µs per entry. A crash (even kill -9) loses at most the entries queued since the last flush;
//   SQLite's journal guarantees the file never holds a partial entry.
// - The only fsync happens when the WAL is checkpointed into the main file. Automatic checkpoints are switched off
//   on this connection; a worker thread (checkpoint-worker.ts) runs them, so a response never waits for the disk.
// - Several processes may open the same file (WAL allows concurrent readers and one writer). A flush that finds the
//   file locked by another process is not waited for (busy_timeout 0): the queue is kept and retried next tick.
// - Bounds: entries and bytes, with least-recently-used eviction (each hit updates `used`, batched into the next
//   flush), and a time-to-live. Totals are kept by triggers in a one-row `totals` table, so they are exact across
//   processes and cheap to read.
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import type { Logger } from 'pino';

/** Bumped when the table layout changes; a file with another version is moved aside and a fresh one made. */
export const SCHEMA_VERSION = 1;
const SQLITE_HEADER = 'SQLite format 3\0';

export interface SqliteStoreOptions {
  path: string;
  /** Most entries kept (LRU eviction past it). */
  maxEntries: number;
  /** Most bytes of stored values kept (LRU eviction past it). */
  maxBytes: number;
  /** Entry lifetime in seconds; 0 = forever. */
  ttlSeconds: number;
  /** Longest a queued write waits before it is committed (ms). A crash loses at most this window. */
  flushMs?: number;
  /** Queue length that triggers a flush at once. */
  flushAt?: number;
  /** Run WAL checkpoints in a worker thread (default true). False = SQLite's automatic checkpoints on this connection. */
  checkpointWorker?: boolean;
  logger?: Logger;
  /** For tests: the clock (ms since epoch). */
  now?: () => number;
}

export interface SqliteStoreTotals {
  entries: number;
  bytes: number;
}

export interface SqliteStoreCounters {
  /** Entries removed by LRU eviction by this process. */
  evictions: number;
  /** Entries removed because their TTL had passed, by this process. */
  expired: number;
  /** Flushes that found the file locked by another process and were retried. */
  busyRetries: number;
  /** Entries waiting to be written. */
  pending: number;
  /** Where WAL checkpoints run. */
  checkpoints: 'worker' | 'inline';
}

interface Pending {
  value: string;
  expires: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  used INTEGER NOT NULL,
  expires INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_used ON entries(used);
CREATE INDEX IF NOT EXISTS entries_expires ON entries(expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS totals (id INTEGER PRIMARY KEY CHECK (id = 1), entries INTEGER NOT NULL, bytes INTEGER NOT NULL);
INSERT OR IGNORE INTO totals (id, entries, bytes) VALUES (1, 0, 0);
CREATE TRIGGER IF NOT EXISTS entries_ins AFTER INSERT ON entries BEGIN
  UPDATE totals SET entries = entries + 1, bytes = bytes + NEW.bytes WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS entries_del AFTER DELETE ON entries BEGIN
  UPDATE totals SET entries = entries - 1, bytes = bytes - OLD.bytes WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS entries_upd AFTER UPDATE OF bytes ON entries BEGIN
  UPDATE totals SET bytes = bytes - OLD.bytes + NEW.bytes WHERE id = 1;
END;
`;

/** True when the file exists, is not empty, and does not start with SQLite's header (e.g. the old JSON cache). */
function isForeignFile(path: string): boolean {
  if (!existsSync(path) || statSync(path).size === 0) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    return n < 16 || head.toString('latin1') !== SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/** Moves the store file (and its WAL/shm companions) aside, keeping it for inspection. */
function moveAside(path: string, why: string): string {
  const aside = `${path}.${why}-${Date.now()}`;
  renameSync(path, aside);
  for (const ext of ['-wal', '-shm']) if (existsSync(path + ext)) renameSync(path + ext, aside + ext);
  return aside;
}

export class SqliteStore {
  private readonly db: Db;
  private readonly queue = new Map<string, Pending>();
  private readonly touches = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly counters: Omit<SqliteStoreCounters, 'pending' | 'checkpoints'> = { evictions: 0, expired: 0, busyRetries: 0 };
  private checkpointer: { stop(): Promise<void> } | null = null;
  private closed = false;
  private readonly now: () => number;
  private readonly flushMs: number;
  private readonly flushAt: number;
  private readonly st: {
    get: Statement<[string], { value: string; expires: number | null }>;
    upsert: Statement<[string, string, number, number, number | null]>;
    touch: Statement<[number, string]>;
    totals: Statement<[], SqliteStoreTotals>;
    expire: Statement<[number]>;
    oldest: Statement<[number], { key: string; bytes: number }>;
    del: Statement<[string]>;
  };

  private constructor(db: Db, private readonly options: SqliteStoreOptions) {
    this.db = db;
    this.now = options.now ?? Date.now;
    this.flushMs = options.flushMs ?? 20;
    this.flushAt = options.flushAt ?? 256;
    this.st = {
      get: db.prepare('SELECT value, expires FROM entries WHERE key = ?'),
      upsert: db.prepare(
        'INSERT INTO entries (key, value, bytes, used, expires) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, used = excluded.used, expires = excluded.expires',
      ),
      touch: db.prepare('UPDATE entries SET used = ? WHERE key = ?'),
      totals: db.prepare('SELECT entries, bytes FROM totals WHERE id = 1'),
      expire: db.prepare('DELETE FROM entries WHERE expires IS NOT NULL AND expires <= ?'),
      oldest: db.prepare('SELECT key, bytes FROM entries ORDER BY used ASC LIMIT ?'),
      del: db.prepare('DELETE FROM entries WHERE key = ?'),
    };
  }

  /**
   * Opens (or creates) the store. A file that is not SQLite (the old JSON cache), is damaged, or has another
   * schema version is moved aside (`<path>.<reason>-<ms>`) with a warning and the store starts empty.
   * Throws only when the directory cannot be written at all.
   */
  static open(options: SqliteStoreOptions): SqliteStore {
    const { path, logger } = options;
    mkdirSync(dirname(path), { recursive: true });
    if (isForeignFile(path)) {
      const aside = moveAside(path, 'not-sqlite');
      logger?.warn({ path, movedTo: aside }, 'cache file is not an SQLite store (an old JSON cache?); moved aside, starting empty');
    }
    let db: Db;
    try {
      db = SqliteStore.connect(path);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!/^SQLITE_(CORRUPT|NOTADB|SCHEMA_VERSION)/.test(code) && !(err instanceof SchemaMismatch)) throw err;
      const aside = moveAside(path, err instanceof SchemaMismatch ? 'old-schema' : 'corrupt');
      logger?.warn({ path, movedTo: aside, reason: (err as Error).message }, 'cache store unusable; moved aside, starting empty');
      db = SqliteStore.connect(path);
    }
    const store = new SqliteStore(db, options);
    if (options.checkpointWorker !== false) store.startCheckpointer();
    else db.pragma('wal_autocheckpoint = 1000');
    return store;
  }

  private static connect(path: string): Db {
    const db = new Database(path);
    try {
      // Start-up may wait for another process that is creating the schema; flushes later never wait (see flush()).
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('wal_autocheckpoint = 0');
      db.pragma('journal_size_limit = 67108864');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== 0 && version !== SCHEMA_VERSION) throw new SchemaMismatch(`schema version ${version}, expected ${SCHEMA_VERSION}`);
      if (version === 0) {
        db.transaction(() => {
          db.exec(SCHEMA);
          db.pragma(`user_version = ${SCHEMA_VERSION}`);
        }).immediate();
      }
      // Touch the data so a damaged file fails here, not on the first call.
      db.prepare('SELECT entries FROM totals WHERE id = 1').get();
      db.pragma('busy_timeout = 0');
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private startCheckpointer(): void {
    // Imported lazily: the worker module is only needed by the file backend.
    import('./checkpoint.js')
      .then(({ startCheckpointer }) => {
        if (this.closed) return;
        this.checkpointer = startCheckpointer(this.options.path, this.options.logger, () => {
          // The worker died: fall back to SQLite's own checkpoints on this connection (and say so in status).
          if (!this.closed) this.db.pragma('wal_autocheckpoint = 1000');
          this.checkpointer = null;
        });
      })
      .catch((err: Error) => {
        this.options.logger?.warn({ err: err.message }, 'cache checkpoint worker could not start; checkpoints run inline');
        if (!this.closed) this.db.pragma('wal_autocheckpoint = 1000');
      });
  }

  /** The stored value, or undefined (absent or expired). A hit is recorded for LRU order (written with the next flush). */
  get(key: string): string | undefined {
    const now = this.now();
    const queued = this.queue.get(key);
    if (queued) {
      if (queued.expires !== null && queued.expires <= now) return undefined;
      return queued.value;
    }
    const row = this.st.get.get(key);
    if (!row) return undefined;
    if (row.expires !== null && row.expires <= now) return undefined; // removed by the next flush's expiry sweep
    this.touches.set(key, now);
    this.schedule();
    return row.value;
  }

  /** Queues the value; it is committed within flushMs (or at once when the queue is long). */
  set(key: string, value: string): void {
    if (this.closed) return;
    const ttl = this.options.ttlSeconds;
    this.queue.set(key, { value, expires: ttl > 0 ? this.now() + ttl * 1000 : null });
    this.touches.delete(key);
    if (this.queue.size >= this.flushAt) this.flush();
    else this.schedule();
  }

  /** Removes an entry (e.g. one that failed validation). */
  delete(key: string): void {
    this.queue.delete(key);
    this.touches.delete(key);
    if (this.closed) return;
    try {
      this.st.del.run(key);
    } catch (err) {
      if (!isBusy(err)) throw err; // another process is writing: the entry stays and will be judged again on read
    }
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.flush();
      } catch (err) {
        this.options.logger?.warn({ err: (err as Error).message }, 'cache flush failed; queued entries dropped');
        this.queue.clear();
        this.touches.clear();
      }
    }, this.flushMs);
    this.timer.unref();
  }

  /**
   * Commits queued writes and touches, drops expired entries and evicts least-recently-used ones past the bounds,
   * in one transaction. Returns false when another process held the write lock (the queue is kept and retried).
   */
  flush(): boolean {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.closed) return true;
    const now = this.now();
    const queue = [...this.queue];
    const touches = [...this.touches];
    try {
      this.db
        .transaction(() => {
          for (const [key, p] of queue) this.st.upsert.run(key, p.value, Buffer.byteLength(p.value), now, p.expires);
          for (const [key, at] of touches) this.st.touch.run(at, key);
          this.counters.expired += this.st.expire.run(now).changes;
          this.evict();
        })
        .immediate();
    } catch (err) {
      if (!isBusy(err)) throw err;
      this.counters.busyRetries++;
      this.schedule();
      return false;
    }
    // Only what was committed leaves the queue (set() may not run during the synchronous transaction, but be exact).
    for (const [key, p] of queue) if (this.queue.get(key) === p) this.queue.delete(key);
    for (const [key, at] of touches) if (this.touches.get(key) === at) this.touches.delete(key);
    return true;
  }

  /** Deletes least-recently-used entries until both bounds hold (inside flush's transaction). */
  private evict(): void {
    const { maxEntries, maxBytes } = this.options;
    let { entries, bytes } = this.st.totals.get() as SqliteStoreTotals;
    while (entries > maxEntries || bytes > maxBytes) {
      const batch = this.st.oldest.all(Math.max(1, Math.min(1000, entries - maxEntries)));
      if (batch.length === 0) break;
      for (const row of batch) {
        this.st.del.run(row.key);
        this.counters.evictions++;
        entries--;
        bytes -= row.bytes;
        if (entries <= maxEntries && bytes <= maxBytes) break;
      }
    }
  }

  /** Entries and bytes in the file (shared by every process using it), plus queued entries not yet written. */
  totals(): SqliteStoreTotals {
    if (this.closed) return { entries: 0, bytes: 0 };
    const t = this.st.totals.get() as SqliteStoreTotals;
    return { entries: t.entries, bytes: t.bytes };
  }

  counts(): SqliteStoreCounters {
    return { ...this.counters, pending: this.queue.size, checkpoints: this.checkpointer ? 'worker' : 'inline' };
  }

  /** Flushes what is queued (waiting up to 2 s for another process's lock), stops the checkpointer, closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + 2000;
    while (!this.flush() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.checkpointer?.stop();
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // another process is checkpointing or writing; it will checkpoint later
    }
    this.db.close();
  }
}

class SchemaMismatch extends Error {}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}
