// The persistent result store behind the `file` cache backend: one SQLite file (better-sqlite3, WAL mode).
//
// Why this shape (measurements in docs/engine.md, "Result cache"):
// - Reads are synchronous point look-ups on the primary key, ~0.03 ms at 100,000 entries, independent of the
//   store's size (the JSON file it replaces was rewritten whole after every write).
// - Writes are write-behind and off the event loop: set() queues the entry and returns; every `flushMs` the
//   queue (plus LRU touches) goes to a writer thread (store-writer.ts) that commits it in ONE transaction,
//   expires and evicts, and also checkpoints the WAL (the only step that fsyncs). Until the writer confirms, a
//   queued entry is served from the queue. A crash (even kill -9) loses at most the entries not yet committed;
//   SQLite's journal guarantees the file never holds a partial entry.
// - Several processes may open the same file (WAL: concurrent readers, one writer). A batch that finds the file
//   locked by another process is not waited for: it stays queued and is retried at the next flush.
// - Bounds: entries and bytes, least-recently-used eviction (hits update `used`, batched into the next flush),
//   and a time-to-live.
// - A commit that fails (a full disk, a read-only or failing file system: SQLITE_FULL, SQLITE_READONLY,
//   SQLITE_IOERR) marks the store degraded with the reason and is retried with an exponential back-off (100 ms
//   doubling to 5 s). Meanwhile the queue is bounded (`maxPending`): a write past it is dropped and counted, so
//   memory stays flat however long the disk stays full. The first commit that succeeds clears the fault.
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import { workerScript } from '../../engine/workers/script.js';
import {
  applyBatch,
  connect,
  describeError,
  isBusy,
  SchemaMismatch,
  statements,
  type Batch,
  type BatchResult,
  type Statements,
  type Totals,
} from './sqlite-db.js';

export { SCHEMA_VERSION } from './sqlite-db.js';
const SQLITE_HEADER = 'SQLite format 3\0';

export interface SqliteStoreOptions {
  path: string;
  /** Most entries kept (LRU eviction past it). */
  maxEntries: number;
  /** Most bytes of stored values kept (LRU eviction past it). */
  maxBytes: number;
  /** Entry lifetime in seconds; 0 = forever. */
  ttlSeconds: number;
  /** Longest a queued write waits before it is sent to be committed (ms). A crash loses at most this window. */
  flushMs?: number;
  /** Queue length that triggers a flush at once. */
  flushAt?: number;
  /** Most writes (and LRU touches) queued; past it a write is dropped and counted (default 4096). */
  maxPending?: number;
  /** 'worker' (default): commits and checkpoints in a worker thread. 'inline': on this thread (tests, tools). */
  writer?: 'worker' | 'inline';
  logger?: Logger;
  /** For tests: the clock (ms since epoch). */
  now?: () => number;
}

export interface SqliteStoreCounters {
  /** Entries removed by LRU eviction by this process. */
  evictions: number;
  /** Entries removed because their TTL had passed, by this process. */
  expired: number;
  /** Batches that found the file locked by another process and were retried. */
  busyRetries: number;
  /** Entries queued and not yet committed. */
  pending: number;
  /** Writes dropped because the queue was full (commits failing, or the file locked for long). */
  dropped: number;
  /** Why commits are failing, while they are; null when the last commit succeeded. */
  degraded: string | null;
  /** Where commits and WAL checkpoints run. */
  writer: 'worker' | 'inline';
}

interface Queued {
  value: string;
  expires: number | null;
}

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

type WriterReply =
  | { id: number; ok: true; evictions: number; expired: number }
  | { id: number; ok: false; busy?: boolean; error?: string };

export class SqliteStore {
  private readonly db: Db;
  private readonly st: Statements;
  private readonly queue = new Map<string, Queued>();
  private readonly touches = new Map<string, number>();
  private readonly deletes = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<boolean> | null = null;
  private readonly counters = { evictions: 0, expired: 0, busyRetries: 0, dropped: 0 };
  private degraded: string | null = null;
  /** Consecutive failed commits (not counting another process's lock) and the earliest next try (ms, this.now()). */
  private failures = 0;
  private retryAt = 0;
  private readonly maxPending: number;
  private writer: Worker | null = null;
  private readonly replies = new Map<number, (r: WriterReply) => void>();
  private nextId = 1;
  private closed = false;
  private readonly now: () => number;
  private readonly flushMs: number;
  private readonly flushAt: number;

  private constructor(
    db: Db,
    private readonly options: SqliteStoreOptions,
  ) {
    this.db = db;
    this.st = statements(db);
    this.now = options.now ?? Date.now;
    this.flushMs = options.flushMs ?? 20;
    this.flushAt = options.flushAt ?? 256;
    this.maxPending = options.maxPending ?? 4096;
  }

  /**
   * Opens (or creates) the store. A file that is not SQLite (the old JSON cache), is damaged, or has another
   * layout version is moved aside (`<path>.<reason>-<ms>`) with a warning and the store starts empty.
   * Throws only when the file cannot be created at all.
   */
  static open(options: SqliteStoreOptions): SqliteStore {
    const { path, logger } = options;
    mkdirSync(dirname(path), { recursive: true });
    if (isForeignFile(path)) {
      const aside = moveAside(path, 'not-sqlite');
      logger?.warn(
        { path, movedTo: aside },
        'cache file is not an SQLite store (an old JSON cache?); moved aside, starting empty',
      );
    }
    let db: Db;
    try {
      db = connect(path, true);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!/^SQLITE_(CORRUPT|NOTADB)/.test(code) && !(err instanceof SchemaMismatch)) throw err;
      const aside = moveAside(path, err instanceof SchemaMismatch ? 'old-schema' : 'corrupt');
      logger?.warn(
        { path, movedTo: aside, reason: (err as Error).message },
        'cache store unusable; moved aside, starting empty',
      );
      db = connect(path, true);
    }
    const store = new SqliteStore(db, options);
    if ((options.writer ?? 'worker') === 'worker') store.startWriter();
    else db.pragma('wal_autocheckpoint = 1000');
    return store;
  }

  private startWriter(): void {
    const { path, maxEntries, maxBytes, logger } = this.options;
    const worker = new Worker(workerScript(import.meta.url, 'store-writer.js'), {
      workerData: { path, bounds: { maxEntries, maxBytes }, checkpointMs: 1000 },
    });
    worker.unref();
    worker.on('message', (r: WriterReply) => {
      const done = this.replies.get(r.id);
      this.replies.delete(r.id);
      done?.(r);
    });
    const lost = (why: string) => {
      if (this.writer !== worker) return;
      this.writer = null;
      for (const done of this.replies.values()) done({ id: 0, ok: false, error: why });
      this.replies.clear();
      if (this.closed) return;
      // Without the writer, commits and checkpoints run on this thread (visible as writer: 'inline' in status).
      logger?.warn({ reason: why }, 'cache writer thread stopped; writes now commit on the main thread');
      this.db.pragma('wal_autocheckpoint = 1000');
    };
    worker.on('error', (err) => lost(`writer thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`writer thread exited (code ${code})`));
    this.writer = worker;
  }

  /** The stored value, or undefined (absent or expired). A hit is recorded for LRU order (written with the next flush). */
  get(key: string): string | undefined {
    const now = this.now();
    const queued = this.queue.get(key);
    if (queued) return queued.expires !== null && queued.expires <= now ? undefined : queued.value;
    if (this.deletes.has(key)) return undefined;
    const row = this.st.get.get(key);
    if (!row) return undefined;
    if (row.expires !== null && row.expires <= now) return undefined; // removed by the next flush's expiry sweep
    if (this.touches.size < this.maxPending || this.touches.has(key)) this.touches.set(key, now);
    this.schedule();
    return row.value;
  }

  /** Queues the value; it is committed within about flushMs (at once when the queue is long). */
  set(key: string, value: string): void {
    if (this.closed) return;
    if (this.queue.size >= this.maxPending && !this.queue.has(key)) {
      this.counters.dropped++;
      return;
    }
    const ttl = this.options.ttlSeconds;
    this.queue.set(key, { value, expires: ttl > 0 ? this.now() + ttl * 1000 : null });
    this.touches.delete(key);
    this.deletes.delete(key);
    if (this.queue.size >= this.flushAt && !this.inFlight && this.failures === 0) void this.flush();
    else this.schedule();
  }

  /** Removes an entry (e.g. one that failed validation); committed with the next flush. */
  delete(key: string): void {
    if (this.closed) return;
    this.queue.delete(key);
    this.touches.delete(key);
    this.deletes.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.flush();
      },
      Math.max(this.flushMs, this.retryAt - this.now()),
    );
    this.timer.unref();
  }

  /**
   * Commits what is queued (one batch at a time). Resolves true when committed (or nothing to do), false when
   * another process held the write lock or the commit failed (the batch stays queued and is retried).
   */
  flush(): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight) return this.inFlight.then(() => this.flush());
    if (this.queue.size === 0 && this.touches.size === 0 && this.deletes.size === 0) return Promise.resolve(true);
    const sent = { queue: [...this.queue], touches: [...this.touches], deletes: [...this.deletes] };
    const batch: Batch = {
      upserts: sent.queue.map(([key, q]) => [key, q.value, q.expires]),
      touches: sent.touches,
      deletes: sent.deletes,
      now: this.now(),
    };
    const settle = (r: WriterReply): boolean => {
      this.inFlight = null;
      if (r.ok) {
        if (this.degraded !== null)
          this.options.logger?.info({ after: this.failures }, 'cache commits succeed again; degraded state cleared');
        this.degraded = null;
        this.failures = 0;
        this.retryAt = 0;
        this.counters.evictions += r.evictions;
        this.counters.expired += r.expired;
        // Only what was committed leaves the queue (a newer set() of the same key stays).
        for (const [key, q] of sent.queue) if (this.queue.get(key) === q) this.queue.delete(key);
        for (const [key, at] of sent.touches) if (this.touches.get(key) === at) this.touches.delete(key);
        for (const key of sent.deletes) this.deletes.delete(key);
        if (this.queue.size || this.touches.size || this.deletes.size) this.schedule();
        return true;
      }
      if (r.busy) this.counters.busyRetries++;
      else {
        // Warn once per fault, not per retry; status carries the reason until a commit succeeds.
        if (this.degraded === null)
          this.options.logger?.warn(
            { err: r.error, maxPending: this.maxPending },
            'cache commits failing; retrying with back-off, writes past the queue bound are dropped',
          );
        this.degraded = `cache writes failing: ${r.error}`;
        this.failures++;
        this.retryAt = this.now() + Math.min(100 * 2 ** (this.failures - 1), 5000);
      }
      this.schedule();
      return false;
    };
    if (!this.writer) {
      try {
        return Promise.resolve(settle({ id: 0, ok: true, ...this.applyInline(batch) }));
      } catch (err) {
        return Promise.resolve(
          settle(isBusy(err) ? { id: 0, ok: false, busy: true } : { id: 0, ok: false, error: describeError(err) }),
        );
      }
    }
    const id = this.nextId++;
    const writer = this.writer;
    this.inFlight = new Promise<boolean>((resolve) => {
      this.replies.set(id, (r) => resolve(settle(r)));
      writer.ref(); // keep the process alive until the commit is confirmed
      writer.postMessage({ id, op: 'batch', batch });
    }).finally(() => writer.unref());
    return this.inFlight;
  }

  private applyInline(batch: Batch): BatchResult {
    return applyBatch(this.db, this.st, batch, {
      maxEntries: this.options.maxEntries,
      maxBytes: this.options.maxBytes,
    });
  }

  /** Entries and bytes committed to the file (shared by every process using it). */
  totals(): Totals {
    if (this.closed) return { entries: 0, bytes: 0 };
    const t = this.st.totals.get() as Totals;
    return { entries: t.entries, bytes: t.bytes };
  }

  counts(): SqliteStoreCounters {
    return {
      ...this.counters,
      pending: this.queue.size,
      degraded: this.degraded,
      writer: this.writer ? 'worker' : 'inline',
    };
  }

  /** Commits what is queued (retrying another process's lock for up to 2 s), stops the writer, closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + 2000;
    while (!(await this.flush()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const writer = this.writer;
    if (writer) {
      const id = this.nextId++;
      await new Promise<void>((resolve) => {
        this.replies.set(id, () => resolve());
        writer.ref();
        writer.postMessage({ id, op: 'close' });
      });
      this.writer = null;
      await writer.terminate();
    } else {
      try {
        this.db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // another process is checkpointing or writing; it will checkpoint later
      }
    }
    this.db.close();
  }
}
