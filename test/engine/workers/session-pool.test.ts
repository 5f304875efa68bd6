// SessionPool (src/engine/workers/session-pool.ts) with stand-in sessions: where runs go, how the pool grows in
// the background, what a failed growth or a failed session reports, and release.
import { describe, expect, it } from 'vitest';
import type ort from 'onnxruntime-node';
import type { WorkerHealth } from '../../../src/engine/workers/crash-window.js';
import type { RawTensor, SessionLike } from '../../../src/engine/workers/ort-session.js';
import { SessionPool } from '../../../src/engine/workers/session-pool.js';

/** A session whose runs stay open until released; records the runs it got. */
function standIn(name: string, failed: string | null = null) {
  const open: Array<() => void> = [];
  const s = {
    name,
    runs: 0,
    released: false,
    inputNames: ['input_ids'],
    outputNames: ['out'],
    run(): Promise<Record<string, RawTensor>> {
      s.runs++;
      return new Promise((res) =>
        open.push(() => res({ out: { type: 'float32', data: new Float32Array([s.runs]), dims: [1, 1] } })),
      );
    },
    async release() {
      s.released = true;
    },
    health(): WorkerHealth {
      return { crashes: failed ? 3 : 0, restarts: 0, last_crash: failed, failed };
    },
    finishAll() {
      for (const f of open.splice(0)) f();
    },
  };
  return s as typeof s & SessionLike;
}

const feeds = {} as Record<string, ort.Tensor>;

describe('SessionPool', () => {
  it('sends each run to the session with the fewest runs pending', async () => {
    const a = standIn('a');
    const b = standIn('b');
    const pool = new SessionPool(a, 2);
    await pool.grow(async () => b);
    expect(pool.info()).toMatchObject({ planned: 2, ready: 2, error: null });
    const runs = Array.from({ length: 4 }, () => pool.run(feeds, ['out']));
    expect([a.runs, b.runs]).toEqual([2, 2]);
    a.finishAll();
    // the runs alternated (a, b, a, b); a is free again, b still has two pending: the next two go to a
    await Promise.all([runs[0], runs[2]]);
    const more = [pool.run(feeds, ['out']), pool.run(feeds, ['out'])];
    expect([a.runs, b.runs]).toEqual([4, 2]);
    a.finishAll();
    b.finishAll();
    await Promise.all([...runs, ...more]);
  });

  it('serves with the first session while the others are made, and adds them in order', async () => {
    const a = standIn('a');
    const made: string[] = [];
    let finishB: (s: SessionLike) => void = () => {};
    const pool = new SessionPool(a, 3);
    const growing = pool.grow(() => {
      made.push(`session ${made.length + 2}`);
      return made.length === 1 ? new Promise<SessionLike>((res) => (finishB = res)) : Promise.resolve(standIn('c'));
    });
    const r = pool.run(feeds, ['out']);
    expect(a.runs).toBe(1);
    expect(pool.info().ready).toBe(1);
    finishB(standIn('b'));
    await growing;
    expect(made).toEqual(['session 2', 'session 3']);
    expect(pool.info()).toEqual({ planned: 3, ready: 3, error: null, runs: [1, 0, 0] });
    a.finishAll();
    await expect(r).resolves.toMatchObject({ out: { dims: [1, 1] } });
  });

  it('reports a session that could not be made, and keeps serving with the ones it has', async () => {
    const a = standIn('a');
    const pool = new SessionPool(a, 2);
    await pool.grow(async () => {
      throw new Error('out of memory');
    });
    expect(pool.info()).toEqual({
      planned: 2,
      ready: 1,
      error: 'inference session 2 of 2 could not be created: out of memory',
      runs: [0],
    });
    const r = pool.run(feeds, ['out']);
    a.finishAll();
    await expect(r).resolves.toBeDefined();
  });

  it('routes around a session that failed for good, and reports the pool failed', async () => {
    const a = standIn('a', 'the inference worker crashed 3 times within 60 s');
    const b = standIn('b');
    const pool = new SessionPool(a, 2);
    await pool.grow(async () => b);
    const runs = [pool.run(feeds, ['out']), pool.run(feeds, ['out'])];
    expect([a.runs, b.runs]).toEqual([0, 2]);
    expect(pool.health()).toMatchObject({ crashes: 3, failed: 'the inference worker crashed 3 times within 60 s' });
    b.finishAll();
    await Promise.all(runs);
  });

  it('release releases every session, and one made after the release at once', async () => {
    const a = standIn('a');
    const late = standIn('late');
    let finish: (s: SessionLike) => void = () => {};
    const pool = new SessionPool(a, 2);
    const growing = pool.grow(() => new Promise<SessionLike>((res) => (finish = res)));
    const released = pool.release();
    finish(late);
    await Promise.all([growing, released]);
    expect(a.released).toBe(true);
    expect(late.released).toBe(true);
    expect(pool.info().ready).toBe(1);
  });
});
