// The queue form of analyze_corpus's run against an in-memory queue whose chunks finish in a shuffled order: the
// summary (unrounded) and the JSONL must be identical to the single-process run's, progress only rises, a failed
// chunk keeps the rows merged so far for the next run, and a cancelled call tells the queue.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/core/errors.js';
import { createCorpusFiles } from '../../../src/server/corpus/files.js';
import type { CorpusQueue } from '../../../src/tools/corpus/queue.js';
import { runCorpus, type CorpusRequest } from '../../../src/tools/corpus/run.js';
import { comparable, jsonl, memoryQueue, variedMood, writeCorpus } from '../../helpers/corpus-queue.js';
import { fakeEngine } from '../../helpers/fake-engine.js';

let base: string;
let file: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-queue-run-')));
  file = join(base, 'in.csv');
  writeCorpus(file, 2000);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const request = (out: string, extra: Partial<CorpusRequest> = {}): CorpusRequest => {
  mkdirSync(join(base, out), { recursive: true });
  return {
    path: file,
    text_field: 'text',
    group_field: 'team',
    time_field: 'when',
    time_bucket: 'month',
    language: 'auto',
    detail: 'full',
    output_dir: join(base, out),
    ...extra,
  };
};

async function run(
  req: CorpusRequest,
  opts: { queue?: CorpusQueue; signal?: AbortSignal; progress?: Array<[number, number | undefined]> } = {},
) {
  const files = createCorpusFiles([base]);
  return runCorpus(req, {
    engine: async () => fakeEngine(variedMood),
    files,
    allowed: (await files.allowedDirectories([])).allowed,
    signal: opts.signal ?? new AbortController().signal,
    progress: async (done, total) => void opts.progress?.push([done, total]),
    maxTextChars: 200,
    ...(opts.queue ? { queue: opts.queue } : {}),
  });
}

describe('analyze_corpus through a queue (chunks finishing out of order)', () => {
  it('gives the summary and the JSONL of the single-process run, for several chunk sizes and orders', async () => {
    const single = await run(request('single'));
    expect(single.rows.analysed).toBeGreaterThan(1900);
    expect(single.summary.groups.length).toBe(4);
    expect(single.summary.time.length).toBe(12);
    for (const [chunkRows, seed] of [
      [100, 1],
      [37, 2],
      [1000, 3],
      [1, 4],
    ]) {
      const queue = memoryQueue(fakeEngine(variedMood), { chunkRows, seed });
      const progress: Array<[number, number | undefined]> = [];
      const queued = await run(request(`q${chunkRows}`), { queue, progress });
      expect(comparable(queued)).toEqual(comparable(single));
      expect(jsonl(queued)).toBe(jsonl(single));
      // every fresh row went out in exactly one chunk, chunks numbered in file order
      const sent = queue.submitted.flatMap((j) => j.rows.map((r) => r.row));
      expect(sent).toEqual([...new Set(sent)].sort((a, b) => a - b));
      expect(sent.length).toBe(single.rows.analysed);
      expect(queue.submitted.map((j) => j.chunk)).toEqual(queue.submitted.map((_, i) => i).sort((a, b) => a - b));
      // progress only rises and ends at the rows read
      const values = progress.map((p) => p[0]);
      expect(values.every((v, i) => i === 0 || v > values[i - 1])).toBe(true);
      expect(values.at(-1)).toBe(single.rows.read);
    }
  }, 60_000);

  it('the merged floating sums are the single-process ones bit for bit (the means are not merely close)', async () => {
    const single = await run(request('bits-single', { detail: 'summary' }));
    const queued = await run(request('bits-q', { detail: 'summary' }), {
      queue: memoryQueue(fakeEngine(variedMood), { chunkRows: 64, seed: 9 }),
    });
    const o1 = single.summary.overall;
    const o2 = queued.summary.overall;
    expect(Object.is(o2.valence?.mean, o1.valence?.mean)).toBe(true);
    expect(Object.is(o2.valence?.sd, o1.valence?.sd)).toBe(true);
    expect(Object.is(o2.arousal?.ci?.[0], o1.arousal?.ci?.[0])).toBe(true);
    expect(queued.summary.group_differences).toEqual(single.summary.group_differences);
  });

  it('rows reused from the previous JSONL stay on the coordinator; only the others go out', async () => {
    const first = await run(request('reuse', { limit: 600 }));
    const queue = memoryQueue(fakeEngine(variedMood), { chunkRows: 50 });
    const again = await run(request('reuse'), { queue });
    const single = await run(request('reuse-single'));
    expect(again.rows.from_cache).toBe(first.rows.analysed);
    expect(queue.submitted.flatMap((j) => j.rows).length).toBe(single.rows.analysed - first.rows.analysed);
    expect(comparable({ ...again, rows: { ...again.rows, from_cache: 0 } })).toEqual(comparable(single));
  });

  it('a chunk that fails for good fails the call; the rows merged before it are kept and the next run reuses them', async () => {
    const failing = memoryQueue(fakeEngine(variedMood), {
      chunkRows: 100,
      fail: (c) => (c === 7 ? new ToolError('queue_error', 'worker w1 refused chunk 7: another model') : null),
    });
    const err = await run(request('fail'), { queue: failing }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err.message).toBe('worker w1 refused chunk 7: another model');
    const lines = readFileSync(join(base, 'fail', 'in.csv.emotions.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const footer = JSON.parse(lines.at(-1) as string);
    expect(footer).toMatchObject({ type: 'footer', complete: false, stop_reason: `failed: ${err.message}` });
    const kept = lines.slice(1, -1).map((l) => JSON.parse(l).row as number);
    expect(kept.length).toBe(footer.rows_written);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    const resumed = await run(request('fail'), { queue: memoryQueue(fakeEngine(variedMood), { chunkRows: 100 }) });
    expect(resumed.rows.from_cache).toBe(kept.length);
    expect(jsonl(resumed)).toBe(jsonl(await run(request('fail-single'))));
  });

  it('a cancelled call tells the queue and ends partial, with the chunks merged so far', async () => {
    const ac = new AbortController();
    const queue = memoryQueue(fakeEngine(variedMood), { chunkRows: 20 });
    const progress: Array<[number, number | undefined]> = [];
    const pending = run(request('cancel'), { queue, signal: ac.signal, progress });
    while (progress.length < 3) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const res = await pending;
    expect(res.complete).toBe(false);
    expect(res.stop_reason).toBe('cancelled by the client');
    expect(queue.cancelled).toBe(1);
    expect(res.rows.analysed).toBeLessThan(1900);
    const lines = jsonl(res).trim().split('\n');
    expect(lines.length).toBe(res.rows.analysed + 2);
  });
});
