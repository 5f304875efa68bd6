// SURD in a worker thread (src/tools/surd-runner.ts): the same numbers as the in-thread computation, the event
// loop stays free during a large call, and a cancellation stops it (thread terminated) within 100 ms.
import { describe, expect, it } from 'vitest';
import {
  runSync,
  surdFromSamples,
  surdFromTable,
  SurdInputError,
  surdWithSignificanceSteps,
} from '../../src/analysis/surd/index.js';
import {
  surdPool,
  surdSamplesInWorker,
  surdSignificanceInWorker,
  surdTableInWorker,
} from '../../src/tools/surd-runner.js';
import { ToolError } from '../../src/core/errors.js';
import { slowSurdArguments } from '../server/helpers/slow.js';

const opts = (signal = new AbortController().signal) => ({
  signal,
  onProgress: () => {},
  abortError: (s: AbortSignal) =>
    s.reason instanceof ToolError ? s.reason : new ToolError('cancelled', 'the call was cancelled'),
});

/** A deterministic pseudo-random series (LCG), so every run sees the same data. */
function series(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('SURD in a worker thread', () => {
  it('gives results identical (bit for bit) to the in-thread computation: samples, high-dimensional, significance and table forms', async () => {
    const a = series(3000, 1);
    const b = series(3000, 2);
    const t = a.map((v, i) => v + 0.5 * b[i] * b[i]);
    const input = { target: t, sources: [a, b, t], lag: 2, bins: [6, 5, 4, 6] };
    expect(await surdSamplesInWorker(input, opts())).toEqual(surdFromSamples(input));
    const hd = { target: t, sources: [a, b, t], lag: 1, bins: 5, maxOrder: 2 };
    expect(await surdSamplesInWorker(hd, opts())).toEqual(surdFromSamples(hd));
    const sig = { surrogates: 20, seed: 7 };
    expect(await surdSignificanceInWorker(input, sig, opts())).toEqual(runSync(surdWithSignificanceSteps(input, sig)));
    const table = Float64Array.from(series(4 * 3 * 5, 3));
    const expected = surdFromTable(Float64Array.from(table), [4, 3, 5]);
    expect(await surdTableInWorker(table, [4, 3, 5], opts())).toEqual(expected);
  });

  it('reports input errors as SurdInputError with the field', async () => {
    const err = await surdSamplesInWorker({ target: [1, 2, 3], sources: [[1, 2]], bins: 4 }, opts()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SurdInputError);
    expect((err as SurdInputError).field).toBe('sources');
  });

  it('a large call leaves the event loop free, and cancelling stops it within 100 ms', async () => {
    const args = slowSurdArguments() as {
      target: number[];
      sources: number[][];
      bins: number;
      significance: { surrogates: number };
    };
    const controller = new AbortController();
    let progressed = 0;
    const call = surdSignificanceInWorker(
      { target: args.target, sources: args.sources, bins: args.bins },
      args.significance,
      { ...opts(controller.signal), onProgress: () => progressed++ },
    );
    // Event-loop utilisation while the worker computes: the share of wall time the main thread spent running
    // code rather than waiting for events. ~1 if SURD ran here; near 0 in a worker. (Unlike timer gaps it does not
    // count time the OS gave the cores to other processes while the loop was idle.)
    const elu0 = performance.eventLoopUtilization();
    while (progressed < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
    const elu = performance.eventLoopUtilization(elu0);
    const terminatedBefore = surdPool().stats().terminated;
    const t0 = performance.now();
    controller.abort(
      new ToolError('limit_exceeded', 'the call exceeded the per-call timeout of 250 ms (RED_HEART_TIMEOUT_MS)'),
    );
    const err = await call.catch((e: unknown) => e);
    const stopMs = performance.now() - t0;
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe('limit_exceeded');
    expect(stopMs).toBeLessThan(100);
    expect(surdPool().stats().terminated).toBe(terminatedBefore + 1);
    expect(surdPool().stats().busy).toBe(0);
    // the main thread stayed mostly idle while SURD ran (~1 if it ran here); the window includes posting the ~1 MB
    // arguments to the worker, which took 0.38 of it once with a CPU-bound process and other test files beside it
    expect(elu.utilization).toBeLessThan(0.6);
    // the pool replaces the terminated thread on the next call
    expect((await surdTableInWorker(Float64Array.from([1, 2, 3, 4]), [2, 2], opts())).nSources).toBe(1);
  });
});
