// `red-heart-mcp worker --queue redis://…`: reads analyze_corpus chunks from the job queue with its own model, on any
// machine that reaches the Redis (no shared disk: the rows travel in the job). It refuses a chunk made for another
// model (content hash, or other labels/thresholds in the manifest) or by another protocol version, naming both, so
// the coordinator's call fails with that message instead of merging rows of two models. Between two batches of rows
// it reports progress and looks for the call's cancel mark. SIGTERM/SIGINT: the chunk in hand is finished, then the
// process exits (a second signal exits at once; a killed worker's chunk goes to another worker after its lock).
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TextEngine } from '../../core/model.js';
import { CORPUS_BATCH } from '../../tools/corpus/limits.js';
import {
  QUEUE_PROTOCOL,
  chunkJobSchema,
  modelKey,
  modelMismatch,
  readChunk,
  type ChunkJob,
  type ChunkResult,
} from '../../tools/corpus/queue.js';
import { readerOf } from '../../tools/reading/pipeline.js';
import { maskUrl } from '../cache/redis-store.js';
import { QUEUE_PREFIX, cancelKey, probeRedis, redisOptions, type QueueSettings } from './queue.js';

/** Stalls a chunk survives before it fails for good (a worker killed three times on the same chunk). */
const MAX_STALLS = 3;

export interface CorpusWorker {
  readonly name: string;
  /** Finishes the chunk in hand (unless `force`), then disconnects. */
  close(force?: boolean): Promise<void>;
}

/** Checks a job and reads it; a refusal is an UnrecoverableError (the chunk fails at once, with the reason). */
async function processChunk(
  job: Job,
  engine: TextEngine,
  name: string,
  client: Redis,
  queueName: string,
): Promise<ChunkResult> {
  const refuse = (why: string): never => {
    throw new UnrecoverableError(`worker ${name} refused chunk ${job.id}: ${why}`);
  };
  const raw = job.data as { protocol?: unknown };
  if (raw?.protocol !== QUEUE_PROTOCOL)
    refuse(
      `the job speaks protocol ${String(raw?.protocol)}, this worker ${QUEUE_PROTOCOL} (another red-heart-mcp version)`,
    );
  const parsed = chunkJobSchema.safeParse(job.data);
  if (!parsed.success)
    refuse(`not a chunk job (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
  const data = parsed.data as ChunkJob;
  const mismatch = modelMismatch(modelKey(engine.model), data.model);
  if (mismatch) refuse(mismatch);
  const reader = readerOf(engine);
  const records = await readChunk(data, engine.model, reader.read, {
    batch: CORPUS_BATCH,
    signal: new AbortController().signal,
    between: async (done) => {
      if (await client.exists(cancelKey(queueName, data.run)))
        throw new UnrecoverableError(`chunk ${data.chunk} stopped: the call was cancelled`);
      await job.updateProgress(done);
    },
  });
  return { run: data.run, chunk: data.chunk, worker: name, records };
}

/** Starts a worker: Redis is checked first (clear error for a wrong URL or password), the model is already loaded. */
export async function startCorpusWorker(
  settings: QueueSettings,
  engine: TextEngine,
  logger: Logger,
  opts: { name?: string } = {},
): Promise<CorpusWorker> {
  await probeRedis(settings, Math.min(settings.timeoutMs, 5000));
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const client = new Redis(settings.url, redisOptions(settings));
  client.on('error', () => {}); // the worker's own connection reports
  const connection = new Redis(settings.url, redisOptions(settings));
  connection.on('error', () => {}); // reported by the worker's 'error' event below
  const worker = new Worker(settings.name, (job) => processChunk(job, engine, name, client, settings.name), {
    connection,
    prefix: QUEUE_PREFIX,
    name,
    concurrency: 1,
    lockDuration: settings.lockMs,
    stalledInterval: settings.lockMs,
    maxStalledCount: MAX_STALLS,
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 24 * 3600 },
  });
  let warnedAt = 0;
  worker.on('error', (err) => {
    if (Date.now() - warnedAt < 30_000) return; // every failed reconnect emits one
    warnedAt = Date.now();
    logger.warn({ queue: maskUrl(settings.url), err: err.message }, 'corpus worker: Redis error');
  });
  worker.on('failed', (job, err) => logger.warn({ job: job?.id, err: err.message }, 'corpus worker: chunk failed'));
  worker.on('completed', (job) => logger.debug({ job: job.id }, 'corpus worker: chunk done'));
  await worker.waitUntilReady();
  logger.info(
    { queue: settings.name, url: maskUrl(settings.url), worker: name, model: engine.model.id },
    'corpus worker ready',
  );
  return {
    name,
    async close(force = false) {
      await worker.close(force);
      client.disconnect();
    },
  };
}
