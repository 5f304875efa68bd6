// The corpus job queue on Redis (BullMQ), coordinator side: analyze_corpus's chunks go out as jobs, workers
// (`red-heart-mcp worker`, queue-worker.ts) read them anywhere, results come back through the queue's events.
// docs/corpus.md, "Workers on a queue", says what is guaranteed:
//   - a chunk counts once: results are taken per chunk id, the first one wins (a chunk read twice after a worker died
//     and its lock expired is merged once);
//   - a worker killed mid-chunk: BullMQ's stalled-job check (every --queue-lock-ms, run by the other workers) puts
//     the chunk back and another worker reads it;
//   - Redis restarted (jobs gone with it): when the connection is back, chunks whose jobs are gone are enqueued
//     again; Redis unreachable for longer than --queue-timeout-ms fails the call with a clear error (the rows done
//     so far stay in the JSONL, so the next call resumes from them);
//   - no worker connected for that long: the call fails saying so;
//   - a cancelled call removes its chunks: waiting ones at once, running ones after their worker sees the cancel
//     mark (between two batches of rows) and stops.
import { randomUUID } from 'node:crypto';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { ToolError } from '../../core/errors.js';
import type { ChunkJob, ChunkResult, CorpusQueue, QueueListener, QueueRun } from '../../tools/corpus/queue.js';
import { maskUrl } from '../cache/redis-store.js';

/** The queue settings (config.queue, with the password read from its file). */
export interface QueueSettings {
  url: string;
  password?: string;
  /** Queue name: servers and workers that share it share the work. */
  name: string;
  /** Rows per chunk. */
  chunkRows: number;
  /** Workers' lock on a chunk, and the interval of the stalled-chunk check (ms). */
  lockMs: number;
  /** How long a call waits for an unreachable Redis, or for a worker when none is connected (ms). */
  timeoutMs: number;
}

/** Key prefix of the queue's Redis keys (BullMQ's own layout under it). */
export const QUEUE_PREFIX = 'rh';
/** Events kept in the queue's event stream (each completed chunk's event carries its records). */
const EVENTS_KEPT = 200;
/** How long a cancel mark lives (workers check it between batches). */
const CANCEL_MARK_SECONDS = 3600;
/** How long finished jobs that nobody collected (a coordinator that died) stay in Redis. */
const ORPHAN_AGE_SECONDS = 24 * 3600;

export const jobIdOf = (run: string, chunk: number) => `${run}-${chunk}`;
export const cancelKey = (name: string, run: string) => `${QUEUE_PREFIX}:${name}:cancel:${run}`;

/** ioredis options for a connection of the queue (BullMQ needs maxRetriesPerRequest null on blocking ones). */
export function redisOptions(s: Pick<QueueSettings, 'password'>): RedisOptions {
  return {
    ...(s.password ? { password: s.password } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  };
}

/** What a failed connection means, in words (the cause's code kept). */
function connectionProblem(where: string, err: Error): string {
  const m = err.message;
  if (/WRONGPASS|invalid username-password/i.test(m))
    return (
      `Redis at ${where} refused the password (${m}): set RED_HEART_QUEUE_PASSWORD or ` +
      `--queue-password-file to the password of that Redis`
    );
  if (/NOAUTH/i.test(m))
    return `Redis at ${where} needs a password (${m}): set RED_HEART_QUEUE_PASSWORD or --queue-password-file`;
  const code = (err as NodeJS.ErrnoException).code;
  return `cannot reach Redis at ${where}: ${code ? `${m} (${code})` : m}; check --queue / RED_HEART_QUEUE`;
}

// BullMQ and the Redis client (~30 ms of module loading) load with the first queue call, not with every server.
let modules:
  ({ Redis: typeof import('ioredis').Redis } & Pick<typeof import('bullmq'), 'Queue' | 'QueueEvents'>) | null = null;

async function redisModules(): Promise<NonNullable<typeof modules>> {
  if (!modules) {
    const [{ Redis }, { Queue, QueueEvents }] = await Promise.all([import('ioredis'), import('bullmq')]);
    modules = { Redis, Queue, QueueEvents };
  }
  return modules;
}

/** The modules, which every path to connect() has loaded (open() probes Redis first; enqueue() follows open()). */
function loadedRedisModules(): NonNullable<typeof modules> {
  if (!modules) throw new Error('the Redis modules are not loaded yet (probeRedis first)');
  return modules;
}

/**
 * Connects once, without retrying, and answers PING: a clear error for a wrong URL, host or password, or a Redis
 * that does not answer within `timeoutMs`. Used before a call starts and when a worker starts.
 */
export async function probeRedis(settings: Pick<QueueSettings, 'url' | 'password'>, timeoutMs: number): Promise<void> {
  const { Redis } = await redisModules();
  const where = maskUrl(settings.url);
  const client = new Redis(settings.url, {
    ...(settings.password ? { password: settings.password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  // ioredis rejects connect() with "Connection is closed" and emits the cause (ECONNREFUSED, WRONGPASS, …) here
  let cause: Error | null = null;
  client.on('error', (err: Error) => (cause ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (err) {
    throw new ToolError('queue_error', connectionProblem(where, cause ?? (err as Error)));
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

interface Pending {
  job: ChunkJob;
  resolve(r: ChunkResult): void;
  reject(e: unknown): void;
}

class BullRun implements QueueRun {
  readonly id = randomUUID().replace(/-/g, '').slice(0, 20);
  readonly pending = new Map<number, Pending>();
  /** Every chunk this run put on the queue (removed again on close). */
  private readonly sent = new Set<number>();
  cancelled = false;

  constructor(
    private readonly owner: BullCorpusQueue,
    readonly listener: QueueListener,
  ) {}

  submit(job: ChunkJob): Promise<ChunkResult> {
    return new Promise<ChunkResult>((resolve, reject) => {
      this.pending.set(job.chunk, { job, resolve, reject });
      this.sent.add(job.chunk);
      this.owner.enqueue(job).catch((err) => this.fail(job.chunk, err));
    });
  }

  /** The first result of a chunk settles it; later ones (a chunk read twice) are ignored. */
  complete(chunk: number, result: ChunkResult): void {
    const p = this.pending.get(chunk);
    if (!p) return;
    this.pending.delete(chunk);
    p.resolve(result);
  }

  fail(chunk: number, err: unknown): void {
    const p = this.pending.get(chunk);
    if (!p) return;
    this.pending.delete(chunk);
    p.reject(err);
  }

  failAll(err: unknown): void {
    for (const chunk of [...this.pending.keys()]) this.fail(chunk, err);
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.failAll(new ToolError('cancelled', 'the call was cancelled'));
    await this.owner.removeRun(this.id, [...this.sent], true);
  }

  async close(): Promise<void> {
    this.owner.forget(this.id);
    this.failAll(new ToolError('cancelled', 'the run was closed'));
    await this.owner.removeRun(this.id, [...this.sent], false);
  }
}

/** The queue as analyze_corpus uses it (one per server process, shared by its calls). */
export class BullCorpusQueue implements CorpusQueue {
  readonly where: string;
  readonly chunkRows: number;
  private queue: Queue | null = null;
  /** The queue's own connection (shared with BullMQ): the cancel marks, and whether Redis is there. */
  private client: Redis | null = null;
  private events: QueueEvents | null = null;
  private readonly runs = new Map<string, BullRun>();
  private timer: NodeJS.Timeout | null = null;
  private downSince: number | null = null;
  private lastError = '';
  private noWorkerSince: number | null = null;
  private ticking = false;

  constructor(
    private readonly settings: QueueSettings,
    private readonly logger: Logger,
  ) {
    this.where = `${maskUrl(settings.url)} (queue ${settings.name})`;
    this.chunkRows = settings.chunkRows;
  }

  async open(listener: QueueListener): Promise<QueueRun> {
    await probeRedis(this.settings, Math.min(this.settings.timeoutMs, 5000));
    const queue = this.connect();
    const workers = await queue.getWorkersCount();
    if (workers === 0)
      throw new ToolError(
        'queue_error',
        `no worker is connected to the corpus queue at ${this.where}: start one with \`red-heart-mcp worker ` +
          `--queue ${maskUrl(this.settings.url)}\` (docs/deployment.md)`,
      );
    const run = new BullRun(this, listener);
    this.runs.set(run.id, run);
    this.noWorkerSince = null;
    return run;
  }

  /** For red-heart://status. */
  status(): Record<string, unknown> {
    return {
      url: maskUrl(this.settings.url),
      name: this.settings.name,
      chunk_rows: this.settings.chunkRows,
      lock_ms: this.settings.lockMs,
      timeout_ms: this.settings.timeoutMs,
      connected: this.queue ? this.downSince === null : null,
      runs: this.runs.size,
    };
  }

  async enqueue(job: ChunkJob): Promise<void> {
    await this.connect().add('chunk', job, {
      jobId: jobIdOf(job.run, job.chunk),
      attempts: 1,
      removeOnComplete: { age: ORPHAN_AGE_SECONDS },
      removeOnFail: { age: ORPHAN_AGE_SECONDS },
    });
  }

  forget(run: string): void {
    this.runs.delete(run);
  }

  /**
   * Removes a run's jobs. `waitActive`: chunks a worker holds are removed once it has stopped (it sees the cancel
   * mark between batches), waiting at most two lock periods.
   */
  async removeRun(run: string, chunks: number[], waitActive: boolean): Promise<void> {
    const queue = this.queue;
    if (!queue || this.downSince !== null) return;
    try {
      if (waitActive)
        await (this.client as Redis).set(cancelKey(this.settings.name, run), '1', 'EX', CANCEL_MARK_SECONDS);
      let left = chunks.map((c) => jobIdOf(run, c));
      const deadline = Date.now() + (waitActive ? Math.max(2 * this.settings.lockMs, 5000) : 0);
      for (;;) {
        // remove() answers 0 for a chunk a worker holds (locked) and for one that is not there
        const removed = await Promise.all(left.map((id) => queue.remove(id)));
        const states = await Promise.all(left.map((id) => queue.getJobState(id)));
        left = left.filter((_, i) => removed[i] === 0 && states[i] !== 'unknown');
        if (left.length === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (left.length) this.logger.warn({ run, left: left.length }, 'corpus queue: chunks still held by workers');
    } catch (err) {
      this.logger.warn({ run, err: (err as Error).message }, 'corpus queue: could not remove the chunks of a run');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const run of this.runs.values()) run.failAll(new ToolError('cancelled', 'the server is shutting down'));
    this.runs.clear();
    const events = this.events;
    const queue = this.queue;
    const client = this.client;
    this.events = null;
    this.queue = null;
    this.client = null;
    await Promise.allSettled([events?.close(), queue?.close()]);
    client?.disconnect();
  }

  /** The queue and its event listener, made on first use; the connections reconnect by themselves. */
  private connect(): Queue {
    if (this.queue) return this.queue;
    const { Redis, Queue, QueueEvents } = loadedRedisModules();
    const { url, name } = this.settings;
    const client = new Redis(url, redisOptions(this.settings));
    const queue = new Queue(name, {
      connection: client,
      prefix: QUEUE_PREFIX,
      streams: { events: { maxLen: EVENTS_KEPT } },
    });
    const eventsClient = new Redis(url, redisOptions(this.settings));
    eventsClient.on('error', (err: Error) => this.down(err));
    const events = new QueueEvents(name, { connection: eventsClient, prefix: QUEUE_PREFIX });
    queue.on('error', (err) => this.down(err));
    events.on('error', (err) => this.down(err));
    client.on('error', (err: Error) => this.down(err));
    client.on('ready', () => this.up());
    client.on('close', () => this.down(new Error('connection closed')));
    events.on('completed', ({ jobId, returnvalue }) => this.completed(jobId, returnvalue as unknown));
    events.on('failed', ({ jobId, failedReason }) => this.failed(jobId, failedReason));
    events.on('progress', ({ jobId, data }) => this.progressed(jobId, data));
    this.queue = queue;
    this.client = client;
    this.events = events;
    this.timer = setInterval(() => void this.tick(), Math.min(1000, this.settings.lockMs));
    this.timer.unref();
    return queue;
  }

  private runOf(jobId: string): { run: BullRun; chunk: number } | null {
    const at = jobId.lastIndexOf('-');
    const run = this.runs.get(jobId.slice(0, at));
    const chunk = Number(jobId.slice(at + 1));
    return run && Number.isInteger(chunk) ? { run, chunk } : null;
  }

  private completed(jobId: string, value: unknown): void {
    const hit = this.runOf(jobId);
    if (!hit) return;
    const result = (typeof value === 'string' ? JSON.parse(value) : value) as ChunkResult;
    hit.run.complete(hit.chunk, result);
    this.queue?.remove(jobId).catch(() => {});
  }

  private failed(jobId: string, reason: string): void {
    const hit = this.runOf(jobId);
    if (!hit || hit.run.cancelled) return;
    hit.run.fail(hit.chunk, new ToolError('queue_error', `chunk ${hit.chunk} failed on the corpus queue: ${reason}`));
  }

  private progressed(jobId: string, data: unknown): void {
    const hit = this.runOf(jobId);
    if (hit && typeof data === 'number') hit.run.listener.progress(hit.chunk, data);
  }

  private down(err: Error): void {
    this.lastError = err.message;
    if (this.downSince === null) {
      this.downSince = Date.now();
      this.logger.warn({ queue: this.where, err: err.message }, 'corpus queue: Redis connection lost; waiting for it');
    }
  }

  private up(): void {
    if (this.downSince === null) return;
    this.downSince = null;
    this.logger.info({ queue: this.where }, 'corpus queue: Redis is back');
  }

  /** Every second: fails runs when Redis or every worker has been gone too long; otherwise reconciles the chunks. */
  private async tick(): Promise<void> {
    if (this.runs.size === 0) return;
    const { timeoutMs } = this.settings;
    if (this.downSince !== null) {
      // checked on every tick, even while an earlier tick still waits for the lost connection
      if (Date.now() - this.downSince > timeoutMs)
        this.failRuns(
          `Redis at ${this.where} has been unreachable for more than ${timeoutMs} ms (${this.lastError}); the ` +
            `rows done so far are kept in the JSONL file: run the call again to resume from them`,
        );
      return;
    }
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.watchWorkers();
      for (const run of [...this.runs.values()]) await this.reconcile(run);
    } catch (err) {
      this.down(err as Error);
    } finally {
      this.ticking = false;
    }
  }

  private async watchWorkers(): Promise<void> {
    const workers = await (this.queue as Queue).getWorkersCount();
    if (workers > 0) this.noWorkerSince = null;
    else if (this.noWorkerSince === null) this.noWorkerSince = Date.now();
    else if (Date.now() - this.noWorkerSince > this.settings.timeoutMs)
      this.failRuns(
        `no worker has been connected to the corpus queue at ${this.where} for more than ` +
          `${this.settings.timeoutMs} ms; the rows done so far are kept in the JSONL file: start workers and ` +
          `run the call again`,
      );
  }

  private failRuns(message: string): void {
    for (const run of this.runs.values()) run.failAll(new ToolError('queue_error', message));
  }

  /**
   * Chunks whose events were missed are settled from the job; chunks whose job is gone (Redis restarted without
   * persistence) are enqueued again: their rows were never merged, and a chunk counts once whatever happens.
   */
  private async reconcile(run: BullRun): Promise<void> {
    const queue = this.queue as Queue;
    for (const [chunk, p] of [...run.pending]) {
      const id = jobIdOf(run.id, chunk);
      const state = await queue.getJobState(id);
      if (state === 'completed') {
        const job = (await queue.getJob(id)) as Job | undefined;
        if (job) this.completed(id, job.returnvalue);
      } else if (state === 'failed') {
        const job = (await queue.getJob(id)) as Job | undefined;
        this.failed(id, job?.failedReason ?? 'failed');
      } else if (state === 'unknown' && run.pending.has(chunk)) {
        this.logger.warn(
          { run: run.id, chunk },
          'corpus queue: a chunk vanished from Redis (restarted?); enqueued again',
        );
        await this.enqueue(p.job);
      }
    }
  }
}

let shared: { key: string; queue: BullCorpusQueue } | null = null;

/** The process's queue for these settings (HTTP makes a server per request; they share one queue and its connections). */
export function sharedCorpusQueue(settings: QueueSettings, logger: Logger): BullCorpusQueue {
  const key = JSON.stringify(settings);
  if (!shared || shared.key !== key) shared = { key, queue: new BullCorpusQueue(settings, logger) };
  return shared.queue;
}
