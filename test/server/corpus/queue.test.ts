// The corpus job queue on a real redis-server (a private one on a free loopback port), with workers as in-process
// BullMQ Worker objects over fake engines (a separate process is not the point here; test/integration/corpus-queue
// runs real worker processes): identity with the single-process run, a worker with another model refusing,
// cancellation emptying the queue, Redis restarted mid-call, Redis gone for good, and clear errors at the start.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/core/errors.js';
import type { TextEngine } from '../../../src/core/model.js';
import { createCorpusFiles } from '../../../src/server/corpus/files.js';
import { BullCorpusQueue, QUEUE_PREFIX, type QueueSettings } from '../../../src/server/corpus/queue.js';
import { startCorpusWorker, type CorpusWorker } from '../../../src/server/corpus/queue-worker.js';
import { runCorpus, type CorpusRequest } from '../../../src/tools/corpus/run.js';
import { comparable, jsonl, variedMood, writeCorpus } from '../../helpers/corpus-queue.js';
import { FAKE_MODEL, fakeEngine } from '../../helpers/fake-engine.js';
import { until } from '../../helpers/poll.js';
import { requirement } from '../../helpers/require.js';
import { freePort, redisUnavailable, startRedis, type TestRedis } from '../helpers/redis.js';

const unavailable = requirement('corpus queue tests', redisUnavailable(), 'redis');
const silent = pino({ level: 'silent' });

/** The fake model, slowed down per engine call (so a call is still running when the test acts). */
function slowEngine(ms: number, model = FAKE_MODEL): TextEngine {
  const inner = fakeEngine(variedMood);
  return {
    model,
    async analyze(texts, opts) {
      await new Promise((r) => setTimeout(r, ms));
      return inner.analyze(texts, opts);
    },
  };
}

describe.skipIf(unavailable !== null)('analyze_corpus on the Redis job queue (in-process workers)', () => {
  let redis: TestRedis;
  let base: string;
  let file: string;
  let single: Awaited<ReturnType<typeof runCorpus>>;
  const workers: CorpusWorker[] = [];
  const queues: BullCorpusQueue[] = [];
  let n = 0;

  const settings = (over: Partial<QueueSettings> = {}): QueueSettings => ({
    url: redis.url,
    name: `t${++n}`,
    chunkRows: 100,
    lockMs: 1000,
    timeoutMs: 4000,
    ...over,
  });
  const worker = async (s: QueueSettings, engine: TextEngine = fakeEngine(variedMood), name?: string) => {
    const w = await startCorpusWorker(s, engine, silent, name ? { name } : {});
    workers.push(w);
    return w;
  };
  const coordinator = (s: QueueSettings, logger = silent) => {
    const q = new BullCorpusQueue(s, logger);
    queues.push(q);
    return q;
  };
  const request = (out: string): CorpusRequest => {
    mkdirSync(join(base, out), { recursive: true });
    return {
      path: file,
      text_field: 'text',
      group_field: 'team',
      time_field: 'when',
      time_bucket: 'month',
      language: 'auto',
      detail: 'standard',
      output_dir: join(base, out),
    };
  };
  async function run(req: CorpusRequest, queue?: BullCorpusQueue, signal?: AbortSignal, progress?: number[]) {
    const files = createCorpusFiles([base]);
    return runCorpus(req, {
      engine: async () => fakeEngine(variedMood),
      files,
      allowed: (await files.allowedDirectories([])).allowed,
      signal: signal ?? new AbortController().signal,
      progress: async (done) => void progress?.push(done),
      maxTextChars: 200,
      ...(queue ? { queue } : {}),
    });
  }
  /** Every job of the queue, in any state. */
  async function jobsLeft(s: QueueSettings): Promise<number> {
    const q = new Queue(s.name, { connection: new Redis(s.url, { maxRetriesPerRequest: null }), prefix: QUEUE_PREFIX });
    try {
      const counts = await q.getJobCounts();
      return Object.values(counts).reduce((t, c) => t + c, 0);
    } finally {
      await q.close();
    }
  }

  beforeAll(async () => {
    redis = await startRedis();
    base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-queue-')));
    file = join(base, 'in.csv');
    writeCorpus(file, 2000);
    single = await run(request('single'));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close(true).catch(() => {})));
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('three workers give the summary and the JSONL of the single-process run; the queue is empty after', async () => {
    const s = settings();
    for (const name of ['a', 'b', 'c']) await worker(s, slowEngine(2), `w-${name}`);
    const progress: number[] = [];
    const res = await run(request('three'), coordinator(s), undefined, progress);
    expect(comparable(res)).toEqual(comparable(single));
    expect(jsonl(res)).toBe(jsonl(single));
    expect(progress.every((v, i) => i === 0 || v > progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe(single.rows.read);
    await until('the finished chunks to be removed', async () => (await jobsLeft(s)) === 0);
  }, 60_000);

  it('a worker with another model refuses the chunk, and the call fails saying so', async () => {
    const s = settings();
    const other = { ...FAKE_MODEL, id: 'other-model', sha256: 'f'.repeat(64) };
    await worker(s, slowEngine(1, other), 'w-other');
    const err = await run(request('refused'), coordinator(s)).catch((e) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err.code).toBe('queue_error');
    expect(err.message).toMatch(
      /worker w-other refused chunk .*: this worker serves other-model 0 \(sha256 ffffffffffff\), the job was made for fake-model 0 \(sha256 000000000000\): the model's content hash differs/,
    );
    // nothing of another model was merged: the file kept holds no row
    const lines = readFileSync(join(base, 'refused', 'in.csv.emotions.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.length).toBe(2);
    await until('the run to leave the queue', async () => (await jobsLeft(s)) === 0);
  }, 30_000);

  it('a worker whose manifest has other thresholds for the same model file refuses too', async () => {
    const s = settings();
    const other = {
      ...FAKE_MODEL,
      thresholds: { ...FAKE_MODEL.thresholds, goemotions: FAKE_MODEL.thresholds.goemotions.map(() => 0.3) },
    };
    await worker(s, slowEngine(1, other), 'w-thresholds');
    const err = await run(request('refused-thresholds'), coordinator(s)).catch((e) => e);
    expect(err.message).toMatch(/refused chunk .*with other labels or thresholds in its manifest/);
  }, 30_000);

  it('a cancelled call removes its chunks from the queue (waiting ones, and the one a worker holds)', async () => {
    const s = settings({ chunkRows: 50 });
    await worker(s, slowEngine(60), 'w-slow');
    const ac = new AbortController();
    const progress: number[] = [];
    const pending = run(request('cancel'), coordinator(s), ac.signal, progress);
    await until('some rows to be read by the worker', () => progress.length >= 3, { timeoutMs: 20_000 });
    expect(await jobsLeft(s)).toBeGreaterThan(5); // chunks waiting
    ac.abort();
    const res = await pending;
    expect(res.complete).toBe(false);
    expect(res.stop_reason).toBe('cancelled by the client');
    expect(await jobsLeft(s)).toBe(0);
  }, 60_000);

  it('Redis restarted mid-call (its jobs gone): the lost chunks are enqueued again and the result is the same', async () => {
    const s = settings({ chunkRows: 100, timeoutMs: 20_000 });
    await worker(s, slowEngine(20), 'w-1');
    await worker(s, slowEngine(20), 'w-2');
    const progress: number[] = [];
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => logs.push(JSON.parse(l).msg) });
    const pending = run(request('restart'), coordinator(s, logger), undefined, progress);
    await until('the call to be under way', () => progress.some((p) => p > 300), { timeoutMs: 20_000 });
    await redis.restart(); // same port, empty
    const res = await pending;
    expect(logs).toContain('corpus queue: Redis connection lost; waiting for it');
    expect(logs).toContain('corpus queue: a chunk vanished from Redis (restarted?); enqueued again');
    expect(comparable(res)).toEqual(comparable(single));
    expect(jsonl(res)).toBe(jsonl(single));
  }, 90_000);

  it('Redis gone for longer than --queue-timeout-ms: a clear error, and the rows done so far are kept for the next call', async () => {
    const own = await startRedis();
    try {
      const s = { ...settings({ timeoutMs: 1500 }), url: own.url };
      await worker(s, slowEngine(20), 'w-1');
      const progress: number[] = [];
      const pending = run(request('gone'), coordinator(s), undefined, progress).catch((e) => e);
      await until('the call to be under way', () => progress.some((p) => p > 300), { timeoutMs: 20_000 });
      await own.kill();
      const err = await pending;
      expect(err).toBeInstanceOf(ToolError);
      expect(err.message).toMatch(
        /^Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(queue t\d+\) has been unreachable for more than 1500 ms .*the rows done so far are kept in the JSONL file: run the call again to resume/,
      );
      const lines = readFileSync(join(base, 'gone', 'in.csv.emotions.jsonl'), 'utf8')
        .trim()
        .split('\n');
      const footer = JSON.parse(lines.at(-1) as string);
      expect(footer).toMatchObject({ complete: false });
      expect(footer.rows_written).toBeGreaterThan(0);
      const again = await run(request('gone'));
      expect(again.rows.from_cache).toBe(footer.rows_written);
      expect(jsonl(again)).toBe(jsonl(single));
    } finally {
      await own.stop();
    }
  }, 60_000);

  describe('clear errors at the start of a call and of a worker', () => {
    it('nothing listens at the URL', async () => {
      const s = { ...settings(), url: `redis://127.0.0.1:${await freePort()}` };
      const err = await run(request('no-redis'), coordinator(s)).catch((e) => e);
      expect(err.code).toBe('queue_error');
      expect(err.message).toMatch(
        /^cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/?: connect ECONNREFUSED .* \(ECONNREFUSED\); check --queue/,
      );
      await expect(worker(s)).rejects.toThrow(/ECONNREFUSED/);
    });

    it('a wrong password, and none for a Redis that needs one', async () => {
      const locked = await startRedis(undefined, { password: 'right-password-1234' });
      try {
        const wrong = { ...settings(), url: locked.url, password: 'wrong-password' };
        const err = await run(request('wrong-pass'), coordinator(wrong)).catch((e) => e);
        expect(err.message).toMatch(
          /Redis at .* refused the password \(WRONGPASS.*\): set RED_HEART_QUEUE_PASSWORD or --queue-password-file/,
        );
        await expect(worker(wrong)).rejects.toThrow(/refused the password/);
        const none = { ...settings(), url: locked.url };
        expect((await run(request('no-pass'), coordinator(none)).catch((e) => e)).message).toMatch(
          /Redis at .* needs a password \(NOAUTH/,
        );
        const right = { ...settings(), url: locked.url, password: 'right-password-1234' };
        await worker(right);
        const res = await run(request('right-pass'), coordinator(right));
        expect(jsonl(res)).toBe(jsonl(single));
      } finally {
        await locked.stop();
      }
    }, 30_000);

    it('no worker on the queue', async () => {
      const s = settings();
      const err = await run(request('no-worker'), coordinator(s)).catch((e) => e);
      expect(err.message).toMatch(
        /^no worker is connected to the corpus queue at .*: start one with `red-heart-mcp worker --queue redis:/,
      );
    });
  });
});
