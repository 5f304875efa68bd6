// analyze_corpus through the job queue end to end, all from dist/: a server process with --queue (the coordinator),
// `red-heart-mcp worker` processes with the fixture model, a private redis-server. The same 2,000-row file is
// analysed by a server without --queue and through the queue with one and with three workers: identical results and
// identical JSONL. A worker killed by SIGKILL while it holds a chunk: the chunk goes to another worker after its
// lock, and the result is still identical. `npm test` builds first; run `npm run build` before vitest by hand.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PREFIX } from '../../src/server/corpus/queue.js';
import { writeCorpus } from '../helpers/corpus-queue.js';
import { serverEnv } from '../helpers/env.js';
import { until } from '../helpers/poll.js';
import { requirement } from '../helpers/require.js';
import { FIXTURE_MODELS } from '../server/helpers/http.js';
import { redisUnavailable, startRedis, type TestRedis } from '../server/helpers/redis.js';
import { CLI, ROOT, startServer, type RunningServer } from './harness.js';

const unavailable = requirement('corpus queue integration tests', redisUnavailable(), 'redis');
const LOCK_MS = '1500';

interface WorkerProcess {
  child: ChildProcess;
  log(): string;
}

describe.skipIf(unavailable !== null)('analyze_corpus with worker processes on a Redis queue', () => {
  let redis: TestRedis;
  let base: string;
  let file: string;
  const workers: WorkerProcess[] = [];
  const servers: RunningServer[] = [];
  let single: { structured: Record<string, unknown>; rows: string };
  let n = 0;

  async function startWorker(queue: string): Promise<WorkerProcess> {
    const child = spawn(
      process.execPath,
      [CLI, 'worker', '--queue', redis.url, '--queue-name', queue, '--queue-lock-ms', LOCK_MS, '--threads', '1'],
      { cwd: ROOT, env: serverEnv({ RED_HEART_MODELS_DIR: FIXTURE_MODELS }), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log += d.toString('utf8')));
    const w = { child, log: () => log };
    workers.push(w);
    await until('the worker to be ready', () => /corpus worker ready/.test(log) || child.exitCode !== null, {
      timeoutMs: 30_000,
    });
    if (child.exitCode !== null) throw new Error(`the worker exited: ${log}`);
    return w;
  }

  async function analyse(queue: string | null, out: string, extra: Record<string, string> = {}) {
    const server = await startServer({
      env: {
        RED_HEART_MODELS_DIR: FIXTURE_MODELS,
        RED_HEART_DATA_DIRS: base,
        RED_HEART_CACHE: 'none',
        ...(queue ? { RED_HEART_QUEUE: redis.url, RED_HEART_QUEUE_NAME: queue } : {}),
        ...extra,
      },
    });
    servers.push(server);
    mkdirSync(join(base, out), { recursive: true });
    const res = await server.client.callTool(
      {
        name: 'analyze_corpus',
        arguments: {
          path: file,
          text_field: 'text',
          group_field: 'team',
          time_field: 'when',
          detail: 'full',
          output_dir: join(base, out),
        },
      },
      undefined,
      { timeout: 120_000 },
    );
    await server.close();
    if (res.isError) throw new Error(JSON.stringify(res.content));
    const structured = res.structuredContent as Record<string, unknown>;
    const files = structured.files as { rows_jsonl: string };
    return {
      structured: { ...structured, elapsed_ms: 0, rows_per_second: 0, files: null },
      rows: readFileSync(files.rows_jsonl, 'utf8'),
    };
  }

  async function jobsLeft(queue: string): Promise<number> {
    const q = new Queue(queue, {
      connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
      prefix: QUEUE_PREFIX,
    });
    try {
      return Object.values(await q.getJobCounts()).reduce((t, c) => t + c, 0);
    } finally {
      await q.close();
    }
  }

  async function stopWorkers(): Promise<void> {
    await Promise.all(
      workers.splice(0).map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        const exited = new Promise((r) => w.child.once('exit', r));
        w.child.kill('SIGTERM');
        await exited;
      }),
    );
  }

  beforeAll(async () => {
    redis = await startRedis();
    base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-queue-int-')));
    file = join(base, 'in.csv');
    writeCorpus(file, 2000);
    single = await analyse(null, 'single');
  }, 60_000);
  afterAll(async () => {
    await stopWorkers();
    await Promise.all(servers.map((s) => s.close().catch(() => {})));
    await redis?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it.each([1, 3])(
    '%i worker(s): the same result and the same JSONL as the server alone',
    async (count) => {
      const queue = `int${++n}`;
      for (let i = 0; i < count; i++) await startWorker(queue);
      const queued = await analyse(queue, `q${count}`, { RED_HEART_QUEUE_CHUNK_ROWS: '128' });
      expect(queued.structured).toEqual(single.structured);
      expect(queued.rows).toBe(single.rows);
      expect((single.structured.rows as { analysed: number }).analysed).toBeGreaterThan(1900);
      expect(await jobsLeft(queue)).toBe(0);
      await stopWorkers();
    },
    120_000,
  );

  it('a worker killed (SIGKILL) while it holds a chunk: another worker reads it, the result is the same', async () => {
    const queue = `int${++n}`;
    const victim = await startWorker(queue);
    await startWorker(queue);
    await startWorker(queue);
    const watcher = new Queue(queue, {
      connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
      prefix: QUEUE_PREFIX,
    });
    let killedHolding: string | null = null;
    const pid = String(victim.child.pid);
    const watch = (async () => {
      for (let k = 0; k < 4000 && killedHolding === null; k++) {
        const active = await watcher.getActive();
        const held = active.find((j) => j.processedBy?.endsWith(`:${pid}`));
        if (held) {
          victim.child.kill('SIGKILL');
          killedHolding = held.id ?? '?';
        } else await new Promise((r) => setTimeout(r, 2));
      }
    })();
    // small chunks: the victim holds one for a while, and many are left for the others
    const queued = await analyse(queue, 'killed', { RED_HEART_QUEUE_CHUNK_ROWS: '40' });
    await watch;
    await watcher.close();
    expect(killedHolding).not.toBeNull();
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(queued.structured).toEqual(single.structured);
    expect(queued.rows).toBe(single.rows);
    await stopWorkers();
  }, 120_000);
});
