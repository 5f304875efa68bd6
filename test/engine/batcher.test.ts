import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../src/engine/batcher.js';
import { ToolError } from '../../src/core/errors.js';

/** A runner whose batches are recorded and can be held open. */
function recorder(fail?: (x: string) => boolean) {
  const batches: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  return {
    batches,
    hold() {
      gate = new Promise((r) => (open = r));
    },
    release() {
      open();
    },
    run: async (xs: string[]) => {
      batches.push([...xs]);
      await gate;
      if (fail && xs.some(fail)) throw new Error(`bad input in [${xs.join(',')}]`);
      return xs.map((x) => x.toUpperCase());
    },
  };
}

describe('MicroBatcher', () => {
  it('runs an isolated item at once, without waiting for the window', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({ windowMs: 1000, maxBatch: 8, length: (x) => x.length, run: r.run });
    const t0 = performance.now();
    await expect(b.submit('a')).resolves.toBe('A');
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('gathers items submitted close together into one batch, sorted by length, at most maxBatch each', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({ windowMs: 20, maxBatch: 3, length: (x) => x.length, run: r.run });
    const items = ['ccc', 'a', 'eeeee', 'bb', 'dddd'];
    const out = await Promise.all(items.map((x) => b.submit(x)));
    expect(out).toEqual(items.map((x) => x.toUpperCase()));
    expect(r.batches).toEqual([
      ['a', 'bb', 'ccc'],
      ['dddd', 'eeeee'],
    ]);
    // later items arriving within the window after a recent submission wait for it and batch together
    const p1 = b.submit('x');
    await new Promise((res) => setTimeout(res, 2));
    const p2 = b.submit('yy');
    await Promise.all([p1, p2]);
    expect(r.batches.slice(2).flat().sort()).toEqual(['x', 'yy']);
    expect(b.stats().items).toBe(7);
  });

  it('takes items that arrive while a batch runs as soon as it finishes', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({ windowMs: 1000, maxBatch: 8, length: (x) => x.length, run: r.run });
    r.hold();
    const first = b.submit('a');
    await new Promise((res) => setImmediate(res));
    const later = [b.submit('b'), b.submit('c')];
    r.release();
    await Promise.all([first, ...later]);
    expect(r.batches).toEqual([['a'], ['b', 'c']]);
  });

  it('a failing item fails only its own caller', async () => {
    const r = recorder((x) => x === 'bad');
    const b = new MicroBatcher<string, string>({ windowMs: 5, maxBatch: 8, length: (x) => x.length, run: r.run });
    const res = await Promise.allSettled(['ok1', 'bad', 'ok2'].map((x) => b.submit(x)));
    expect(res.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(b.stats()).toMatchObject({ isolationRetries: 1, failedItems: 1 });
  });

  it('an aborted item leaves the queue and rejects with cancelled; the others still run', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({ windowMs: 1000, maxBatch: 8, length: (x) => x.length, run: r.run });
    r.hold();
    const first = b.submit('a'); // runs at once and is held
    await new Promise((res) => setImmediate(res));
    const ac = new AbortController();
    const victim = b.submit('b', ac.signal);
    const other = b.submit('c');
    ac.abort();
    await expect(victim).rejects.toBeInstanceOf(ToolError);
    await expect(victim).rejects.toMatchObject({ code: 'cancelled' });
    r.release();
    await Promise.all([first, other]);
    expect(r.batches).toEqual([['a'], ['c']]);
    expect(b.stats().cancelledItems).toBe(1);
    const pre = new AbortController();
    pre.abort();
    await expect(b.submit('d', pre.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('many items with one signal share one abort listener, and one abort cancels all that are still queued', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({ windowMs: 1000, maxBatch: 1, length: (x) => x.length, run: r.run });
    r.hold();
    const first = b.submit('first'); // runs at once and is held
    await new Promise((res) => setImmediate(res));
    const ac = new AbortController();
    let added = 0;
    const orig = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<typeof orig>) => {
      added++;
      return orig(...a);
    }) as typeof orig;
    const items = Array.from({ length: 50 }, (_, i) => b.submit(`x${i}`, ac.signal));
    expect(added).toBe(1);
    ac.abort();
    const settled = await Promise.allSettled(items);
    expect(settled.every((x) => x.status === 'rejected')).toBe(true);
    r.release();
    await first;
    expect(r.batches).toEqual([['first']]);
    expect(b.stats().cancelledItems).toBe(50);
  });

  it('with concurrency 2, two batches run at once; a third waits for a free slot', async () => {
    // Each item is its own run that stays open until released, so what runs at the same time is visible.
    const open: Array<{ x: string; done: () => void }> = [];
    const started: string[] = [];
    const b = new MicroBatcher<string, string>({
      windowMs: 0,
      maxBatch: 1,
      concurrency: 2,
      length: (x) => x.length,
      run: ([x]) =>
        new Promise<string[]>((res) => {
          started.push(x);
          open.push({ x, done: () => res([x.toUpperCase()]) });
        }),
    });
    const tick = () => new Promise((res) => setImmediate(res));
    const a = b.submit('a');
    await tick();
    const later = [b.submit('bb'), b.submit('ccc')];
    await tick();
    // 'a' ran alone at once; 'bb' took the free slot as soon as it arrived; 'ccc' waits for one
    expect(started).toEqual(['a', 'bb']);
    expect(b.stats().queued).toBe(1);
    open.shift()?.done();
    await a;
    await tick();
    expect(started).toEqual(['a', 'bb', 'ccc']);
    for (const o of open.splice(0)) o.done();
    await expect(Promise.all(later)).resolves.toEqual(['BB', 'CCC']);
    expect(b.stats()).toMatchObject({ batches: 3, items: 3, queued: 0 });
  });

  it('with one slot (the default), items that arrive while a batch runs wait for it and are batched together', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({ windowMs: 1000, maxBatch: 8, length: (x) => x.length, run: r.run });
    r.hold();
    const first = b.submit('a');
    await new Promise((res) => setImmediate(res));
    const later = [b.submit('b'), b.submit('c'), b.submit('d')];
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([['a']]);
    r.release();
    await Promise.all([first, ...later]);
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('an item cancelled while it waits for a free slot never runs', async () => {
    const r = recorder();
    const b = new MicroBatcher<string, string>({
      windowMs: 0,
      maxBatch: 1,
      concurrency: 2,
      length: (x) => x.length,
      run: r.run,
    });
    r.hold();
    const ac = new AbortController();
    const items = ['a', 'b', 'c', 'd'].map((x) => b.submit(x, x === 'c' ? ac.signal : undefined));
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([['a'], ['b']]);
    ac.abort();
    await expect(items[2]).rejects.toMatchObject({ code: 'cancelled' });
    r.release();
    await Promise.all([items[0], items[1], items[3]]);
    expect(r.batches).toEqual([['a'], ['b'], ['d']]);
  });

  it('refuses a concurrency that is not a whole number ≥ 1', () => {
    const run = async (xs: string[]) => xs;
    for (const concurrency of [0, 1.5, -1])
      expect(
        () => new MicroBatcher<string, string>({ windowMs: 0, maxBatch: 1, concurrency, length: () => 1, run }),
      ).toThrow(/concurrency/);
  });
});
