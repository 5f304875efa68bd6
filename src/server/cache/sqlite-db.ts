// The result store's SQLite layout and the one write path (a batch in one transaction), shared by the store
// (sqlite-store.ts, reads) and its writer thread (store-writer.ts). Totals are kept by triggers in a one-row
// table, so they are exact across processes and cheap to read. A rowid table (not WITHOUT ROWID): results are
// ~2 KB, and rowid leaves hold rows that size inline, where an index b-tree spills them to overflow pages
// (measured: 480 MB vs the rowid layout's size for 100,000 entries of 1.76 KB, docs/engine.md).
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';

/**
 * The better-sqlite3 build this runtime loads (same API). 12.x derives its objects from `node::ObjectWrap`; built
 * with Node 24.19's headers, that class's destructor calls `RemoveEnvironmentCleanupHook`, which aborts the process
 * (`Assertion failed: (env) != nullptr`) when V8 collects a Database or Statement in a garbage collection that runs
 * with no JavaScript context entered — any process or worker that lets one become garbage (every `pragma()` does). 13.x
 * (Node-API, prebuilt binaries in the package) has no such destructor but is built for Node-API 10 (Node 24 has it;
 * Node 20 has 9 and segfaults in it). So 13.x wherever the runtime offers Node-API 10, 12.x (the `better-sqlite3`
 * dependency) on older runtimes.
 */
export const SQLITE_PACKAGE = Number(process.versions.napi) >= 10 ? 'better-sqlite3-napi' : 'better-sqlite3';
export const Database = createRequire(import.meta.url)(SQLITE_PACKAGE) as typeof BetterSqlite3;

/** Bumped when the layout changes; a file with another version is moved aside and a fresh one made. */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  value TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  used INTEGER NOT NULL,
  expires INTEGER
);
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

export class SchemaMismatch extends Error {}

export interface Totals {
  entries: number;
  bytes: number;
}

/** Queued work, committed in one transaction. Times are ms since epoch, taken by the caller. */
export interface Batch {
  upserts: Array<[key: string, value: string, expires: number | null]>;
  touches: Array<[key: string, at: number]>;
  deletes: string[];
  now: number;
}

export interface Bounds {
  maxEntries: number;
  maxBytes: number;
}

export interface BatchResult {
  evictions: number;
  expired: number;
}

/**
 * Opens the file in WAL mode and creates the layout if it is new. Automatic checkpoints are off: the writer
 * runs them (off the event loop). Start-up may wait up to 5 s for another process creating the layout; after
 * that the connection never waits for a lock (busy_timeout 0), a busy write is retried later by the caller.
 */
export function connect(path: string, create: boolean): Db {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('journal_size_limit = 67108864');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== 0 && version !== SCHEMA_VERSION)
      throw new SchemaMismatch(`schema version ${version}, expected ${SCHEMA_VERSION}`);
    if (version === 0 && create) {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    }
    db.prepare('SELECT entries FROM totals WHERE id = 1').get(); // a damaged file fails here, not on the first call
    db.pragma('busy_timeout = 0');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export interface Statements {
  get: Statement<[string], { value: string; expires: number | null }>;
  totals: Statement<[], Totals>;
  upsert: Statement<[string, string, number, number, number | null]>;
  touch: Statement<[number, string]>;
  expire: Statement<[number]>;
  oldest: Statement<[number], { key: string; bytes: number }>;
  del: Statement<[string]>;
}

export function statements(db: Db): Statements {
  return {
    get: db.prepare('SELECT value, expires FROM entries WHERE key = ?'),
    totals: db.prepare('SELECT entries, bytes FROM totals WHERE id = 1'),
    upsert: db.prepare(
      'INSERT INTO entries (key, value, bytes, used, expires) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, used = excluded.used, expires = excluded.expires',
    ),
    touch: db.prepare('UPDATE entries SET used = ? WHERE key = ?'),
    expire: db.prepare('DELETE FROM entries WHERE expires IS NOT NULL AND expires <= ?'),
    oldest: db.prepare('SELECT key, bytes FROM entries ORDER BY used ASC LIMIT ?'),
    del: db.prepare('DELETE FROM entries WHERE key = ?'),
  };
}

/**
 * Commits a batch: writes, LRU touches and deletions, then drops expired entries and evicts the least recently
 * used ones until both bounds hold — one IMMEDIATE transaction, so a crash leaves all of it or none.
 * Throws SQLITE_BUSY when another process holds the write lock.
 */
export function applyBatch(db: Db, st: Statements, batch: Batch, bounds: Bounds): BatchResult {
  const result = { evictions: 0, expired: 0 };
  db.transaction(() => {
    for (const [key, value, expires] of batch.upserts)
      st.upsert.run(key, value, Buffer.byteLength(value), batch.now, expires);
    for (const [key, at] of batch.touches) st.touch.run(at, key);
    for (const key of batch.deletes) st.del.run(key);
    result.expired = st.expire.run(batch.now).changes;
    let { entries, bytes } = st.totals.get() as Totals;
    while (entries > bounds.maxEntries || bytes > bounds.maxBytes) {
      const rows = st.oldest.all(Math.max(1, Math.min(1000, entries - bounds.maxEntries)));
      if (rows.length === 0) break;
      for (const row of rows) {
        st.del.run(row.key);
        result.evictions++;
        entries--;
        bytes -= row.bytes;
        if (entries <= bounds.maxEntries && bytes <= bounds.maxBytes) break;
      }
    }
  }).immediate();
  return result;
}

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/** An SQLite or file-system error with its code (SQLITE_FULL: database or disk is full), for status and logs. */
export function describeError(err: unknown): string {
  const code = (err as { code?: string }).code;
  const message = (err as Error).message ?? String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
