// The experience memory: records in one SQLite file (WAL; each call's records in one transaction, so a crash
// leaves whole records or none), the loaded model's int8 vectors kept in memory as one matrix and searched exactly
// with usearch's SIMD kernel (matrix.ts; docs/memory.md has the measurements: no approximate index is kept, so there
// is nothing to rebuild or to go stale). One process owns a file: a second server on the same path refuses with a
// message naming the owner (a lock file beside it holds the pid).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import type {
  MemoryFilter,
  MemoryMatch,
  MemoryRecord,
  MemoryRecordInput,
  MemorySelection,
  MemoryService,
  MemoryStats,
} from '../../tools/memory-service.js';
import { Database } from '../cache/sqlite-db.js';
import { SearchMatrix, rowFlags } from './matrix.js';

export const MEMORY_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS memories (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('case', 'decision')),
  text TEXT NOT NULL,
  labels TEXT NOT NULL,
  tags TEXT NOT NULL,
  time INTEGER NOT NULL,
  decision TEXT,
  model TEXT NOT NULL,
  vector BLOB NOT NULL CHECK (length(vector) > 0),
  created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS memories_time ON memories(time);
CREATE INDEX IF NOT EXISTS memories_model ON memories(model);
CREATE TABLE IF NOT EXISTS memory_tags (
  tag TEXT NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (tag, id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS memories_del AFTER DELETE ON memories BEGIN
  DELETE FROM memory_tags WHERE id = OLD.id;
END;
`;

/** A second process on the same store, or a file that is not a memory store. */
export class MemoryStoreError extends Error {
  override name = 'MemoryStoreError';
}

interface Row {
  id: number;
  kind: 'case' | 'decision';
  text: string;
  labels: string;
  tags: string;
  time: number;
  decision: string | null;
  model: string;
  created: number;
}

function toRecord(r: Row): MemoryRecord {
  return {
    id: r.id,
    kind: r.kind,
    text: r.text,
    labels: JSON.parse(r.labels),
    tags: JSON.parse(r.tags),
    time: r.time,
    ...(r.decision ? { decision: JSON.parse(r.decision) } : {}),
    model: r.model,
    created: r.created,
  };
}

const COLUMNS = 'id, kind, text, labels, tags, time, decision, model, created';

/** WHERE clause and parameters for a selection of records to forget (time bounds inclusive). */
function where(f: MemorySelection): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.ids) {
    parts.push(`id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(f.ids));
  }
  if (f.tag !== undefined) {
    parts.push(`id IN (SELECT id FROM memory_tags WHERE tag = ?)`);
    params.push(f.tag);
  }
  if (f.since !== undefined) {
    parts.push('time >= ?');
    params.push(f.since);
  }
  if (f.until !== undefined) {
    parts.push('time <= ?');
    params.push(f.until);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

export class MemoryStore implements MemoryService {
  private matrix: SearchMatrix | null = null;
  private closed = false;
  /** The model of the last add or search (what stats() counts other-model records against when given none). */
  private lastModel: string | undefined;

  private constructor(
    readonly path: string,
    private readonly db: Db,
    private readonly lockPath: string,
  ) {}

  /**
   * Opens (or creates) the store at `path`. Refuses when another live process holds it (its lock file names the
   * pid) or when the file is not a memory store of this version. A lock left by a killed process is taken over.
   */
  static open(path: string): MemoryStore {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    const lockPath = `${file}.lock`;
    takeLock(lockPath, file);
    let db: Db | undefined;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Deleted records' bytes are overwritten with zeros in the pages that held them (forget must erase the text).
      db.pragma('secure_delete = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")
        .get() as { n: number };
      if (version === 0 && tables.n === 0) {
        db.transaction(() => {
          db!.exec(SCHEMA);
          db!.pragma(`user_version = ${MEMORY_SCHEMA_VERSION}`);
        }).immediate();
      } else if (version !== MEMORY_SCHEMA_VERSION) {
        throw new MemoryStoreError(
          `${file} is not a red-heart memory store of schema ${MEMORY_SCHEMA_VERSION} (user_version ` +
            `${version}, ${tables.n} tables): give --memory a new file or the store's own`,
        );
      }
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok')
        throw new MemoryStoreError(
          `${file} fails SQLite's quick_check (${String(check)}): restore it from an export, or move it aside to start empty`,
        );
      return new MemoryStore(file, db, lockPath);
    } catch (err) {
      db?.close();
      releaseLock(lockPath);
      if (err instanceof MemoryStoreError) throw err;
      throw new MemoryStoreError(`${file} could not be opened as a memory store: ${(err as Error).message}`);
    }
  }

  add(items: ReadonlyArray<{ record: MemoryRecordInput; vector: Int8Array }>, model: string): MemoryRecord[] {
    const ins = this.db.prepare(
      `INSERT INTO memories (kind, text, labels, tags, time, decision, model, vector, created) VALUES (?, ` +
        `?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    );
    this.lastModel = model;
    const tag = this.db.prepare('INSERT OR IGNORE INTO memory_tags (tag, id) VALUES (?, ?)');
    const now = Date.now();
    const rows = this.db
      .transaction(() =>
        items.map(({ record: r, vector }) => {
          const row = ins.get(
            r.kind,
            r.text,
            JSON.stringify(r.labels),
            JSON.stringify(r.tags),
            r.time,
            r.decision ? JSON.stringify(r.decision) : null,
            model,
            Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
            now,
          ) as Row;
          for (const t of r.tags) tag.run(t, row.id);
          return row;
        }),
      )
      .immediate();
    const m = this.matrix;
    if (m && m.model === model)
      rows.forEach((row, i) =>
        m.append(row.id, items[i].vector, row.time, rowFlags(items[i].record.kind, items[i].record.labels)),
      );
    return rows.map(toRecord);
  }

  search(vector: Int8Array, k: number, model: string, filter: MemoryFilter = {}): MemoryMatch {
    this.lastModel = model;
    const m = this.load(model, vector.length);
    // only the tag filter needs the file (its indexed table); the others are read from the matrix
    const tagged = filter.tags
      ? (this.db
          .prepare('SELECT DISTINCT id FROM memory_tags WHERE tag IN (SELECT value FROM json_each(?))')
          .pluck()
          .all(JSON.stringify(filter.tags)) as number[])
      : undefined;
    const selection = m.select(filter, tagged);
    const found = m.search(vector, k, selection);
    const records = new Map(
      found.length
        ? (
            this.db
              .prepare(`SELECT ${COLUMNS} FROM memories WHERE id IN (SELECT value FROM json_each(?))`)
              .all(JSON.stringify(found.map((f) => f.id))) as Row[]
          ).map((r) => [r.id, toRecord(r)])
        : [],
    );
    return {
      matches: found.map((f) => ({ record: records.get(f.id) as MemoryRecord, similarity: f.similarity })),
      searched: m.count(selection),
    };
  }

  /** Loads the search matrix of `model` now (a server does this when its model has loaded, before the first recall). */
  prepare(model: string, dim: number): void {
    this.lastModel = model;
    this.load(model, dim);
  }

  remove(selection: MemorySelection): { removed: number; ids: number[] } {
    const w = where(selection);
    if (w.params.length === 0)
      throw new MemoryStoreError('forget needs ids, a tag or a time range (nothing was selected)');
    const ids = this.db
      .transaction(() =>
        (
          this.db.prepare(`DELETE FROM memories WHERE ${w.sql} RETURNING id`).all(...w.params) as Array<{ id: number }>
        ).map((r) => r.id),
      )
      .immediate();
    this.compact();
    this.matrix = null; // rebuilt from the records at the next search
    return { removed: ids.length, ids };
  }

  /**
   * Makes deleted bytes unreadable in the files: secure_delete has zeroed them in the database pages; the WAL still
   * holds the frames that wrote them until a checkpoint copies the pages back and truncates it.
   */
  compact(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  otherModel(model: string, limit: number, after = 0): MemoryRecord[] {
    return (
      this.db
        .prepare(`SELECT ${COLUMNS} FROM memories WHERE model != ? AND id > ? ORDER BY id LIMIT ?`)
        .all(model, after, limit) as Row[]
    ).map(toRecord);
  }

  replaceVectors(items: ReadonlyArray<{ id: number; vector: Int8Array }>, model: string): number {
    const up = this.db.prepare('UPDATE memories SET vector = ?, model = ? WHERE id = ?');
    const changed = this.db
      .transaction(() =>
        items.reduce(
          (n, it) =>
            n + up.run(Buffer.from(it.vector.buffer, it.vector.byteOffset, it.vector.byteLength), model, it.id).changes,
          0,
        ),
      )
      .immediate();
    this.matrix = null; // rebuilt from the records at the next search
    return changed;
  }

  /** Every record (oldest first) with its vector, for export. */
  *all(): Generator<MemoryRecord & { vector: Int8Array }> {
    const it = this.db.prepare(`SELECT ${COLUMNS}, vector FROM memories ORDER BY id`).iterate() as IterableIterator<
      Row & { vector: Buffer }
    >;
    for (const r of it)
      yield {
        ...toRecord(r),
        vector: new Int8Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)),
      };
  }

  stats(model: string | undefined = this.lastModel): MemoryStats {
    const c = this.db
      .prepare(
        `SELECT count(*) AS records, coalesce(sum(kind = 'case'), 0) AS cases, coalesce(sum(kind = ` +
          `'decision'), 0) AS decisions, coalesce(sum(model != ?), 0) AS other FROM memories`,
      )
      .get(model ?? '') as { records: number; cases: number; decisions: number; other: number };
    let bytes = 0;
    for (const f of [this.path, `${this.path}-wal`, `${this.path}-shm`]) if (existsSync(f)) bytes += statSync(f).size;
    return {
      path: this.path,
      records: c.records,
      cases: c.cases,
      decisions: c.decisions,
      other_model: model ? c.other : 0,
      model: model ?? null,
      bytes,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* closing anyway */
    }
    this.db.close();
    releaseLock(this.lockPath);
  }

  /** The search matrix of `model`'s records, loaded from the file at first use after a change of model or a forget. */
  private load(model: string, dim: number): SearchMatrix {
    if (this.matrix && this.matrix.model === model && this.matrix.dim === dim) return this.matrix;
    this.matrix = null;
    const rows = this.db
      .prepare('SELECT id, kind, time, labels, vector FROM memories WHERE model = ? ORDER BY id')
      .raw()
      .all(model) as Array<[number, 'case' | 'decision', number, string, Buffer]>;
    // each block is allocated once at its size: count the records per flags value first
    const flags = rows.map(([, kind, , labels]) => rowFlags(kind, JSON.parse(labels)));
    const sizes: number[] = [];
    for (const f of flags) sizes[f] = (sizes[f] ?? 0) + 1;
    const m = new SearchMatrix(model, dim, sizes);
    // a vector of another width cannot come from this model: append leaves it out (never searched)
    rows.forEach(([id, , time, , v], i) =>
      m.append(id, new Int8Array(v.buffer, v.byteOffset, v.byteLength), time, flags[i]),
    );
    this.matrix = m;
    return m;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file holding this pid; a lock whose process is gone is taken over. */
function takeLock(lockPath: string, file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new MemoryStoreError(`cannot create the lock ${lockPath}: ${(err as Error).message}`);
      const pid = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new MemoryStoreError(
          `the memory store ${file} is in use by another process (pid ${pid}, lock ${lockPath}): one server ` +
            `owns a store at a time; give this one another --memory path, or stop the other`,
        );
      }
      if (pid === process.pid) throw new MemoryStoreError(`the memory store ${file} is already open in this process`);
      unlinkSync(lockPath); // left by a process that no longer runs
    }
  }
  throw new MemoryStoreError(`could not take the lock ${lockPath}`);
}

function releaseLock(lockPath: string): void {
  try {
    if (Number(readFileSync(lockPath, 'utf8').trim()) === process.pid) unlinkSync(lockPath);
  } catch {
    /* already gone */
  }
}

const OPEN = new Map<string, MemoryStore>();

/**
 * The process's one store for `path` (HTTP builds a server per session; they share it). Closed when the process
 * exits, which checkpoints the WAL and removes the lock.
 */
export function sharedMemoryStore(path: string): MemoryStore {
  const file = resolve(path);
  let s = OPEN.get(file);
  if (!s) {
    s = MemoryStore.open(file);
    OPEN.set(file, s);
    if (OPEN.size === 1) process.once('exit', closeSharedMemoryStores);
  }
  return s;
}

export function closeSharedMemoryStores(): void {
  for (const s of OPEN.values()) s.close();
  OPEN.clear();
}
