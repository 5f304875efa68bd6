// The ONNX session in a worker thread (src/engine/workers/ort-session.ts) gives bit-identical outputs to the
// in-thread session on the shipped model, alone and in a batch, and keeps the event loop free during a run.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSingleModel } from '../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../src/engine/onnx-engine.js';
import { TEST_ENGINE, TEST_ENGINE_ON_MAIN } from './helpers.js';

const MODELS = resolve(import.meta.dirname, '../../models');
const TEXTS = [
  'I am so happy for you!',
  '정말 화가 난다. 왜 이렇게 늦었어?',
  'The meeting moved to Tuesday.',
  'I miss her every single day and it hurts.',
];

describe('ONNX inference in a worker thread (shipped model)', () => {
  let inWorker: OnnxTextEngine;
  let inMain: OnnxTextEngine;
  beforeAll(async () => {
    const r = resolveSingleModel(MODELS, undefined, undefined);
    inWorker = await OnnxTextEngine.load(r, { ...TEST_ENGINE, inferenceThread: 'worker' });
    inMain = await OnnxTextEngine.load(r, TEST_ENGINE_ON_MAIN);
  });
  afterAll(async () => {
    await inWorker?.close();
    await inMain?.close();
  });

  it('reports where it runs', () => {
    expect(inWorker.info.inferenceThread).toBe('worker');
    expect(inMain.info.inferenceThread).toBe('main');
  });

  it('gives bit-identical outputs to the in-thread session, one window and a batch of four', async () => {
    const ids = TEXTS.map((t) => inMain.windowIds(t)[0]);
    for (const batch of [[ids[0]], ids]) {
      const a = await inWorker.runWindows(batch);
      const b = await inMain.runWindows(batch);
      expect(a).toEqual(b);
    }
    expect(await inWorker.analyze(TEXTS)).toEqual(await inMain.analyze(TEXTS));
  });

  it('leaves the event loop free while a long batch runs in the worker', async () => {
    const long = Array.from({ length: 32 }, (_, i) => `${TEXTS[i % 4]} `.repeat(12));
    const ids = long.map((t) => inMain.windowIds(t)[0]);
    // Event-loop utilisation over the run: the share of wall time the main thread ran code instead of waiting for
    // events (robust to other processes taking the cores, unlike timer gaps).
    const utilisation = async (engine: OnnxTextEngine) => {
      const before = performance.eventLoopUtilization();
      await engine.runWindows(ids);
      return performance.eventLoopUtilization(before).utilization;
    };
    const main = await utilisation(inMain);
    const worker = await utilisation(inWorker);
    // In the main thread the whole run is one synchronous ORT call; in the worker the loop only waits.
    expect(main).toBeGreaterThan(0.8);
    expect(worker).toBeLessThan(0.3);
  });

  it('one single-threaded session per core (threads 0) gives bit-identical outputs to one two-thread session', async () => {
    // The pool is used where windows run alone (exact batching, the shipped int8 model) and there are two or more
    // cores; with fewer it is one session, and this test still holds.
    const r = resolveSingleModel(MODELS, undefined, undefined);
    const opts = { provider: 'cpu' as const, batchWindowMs: 0, maxBatch: 8, logger: TEST_ENGINE.logger };
    const pooled = await OnnxTextEngine.load(r, { ...opts, threads: 0, inferenceThread: 'worker', sessions: 2 });
    const single = await OnnxTextEngine.load(r, { ...opts, threads: 2, inferenceThread: 'main' });
    try {
      expect(pooled.info).toMatchObject({ batching: { mode: 'exact' }, threads: 1, sessions: 2 });
      expect(pooled.concurrency).toBe(4);
      expect(single.info).toMatchObject({ threads: 2, sessions: 1 });
      await pooled.whenSessionsReady();
      expect(pooled.sessionPool()).toMatchObject({ planned: 2, ready: 2, error: null });
      // 40 texts at once: the windows are spread over both sessions; every output equals the in-thread session's
      const texts = Array.from(
        { length: 40 },
        (_, i) => `${TEXTS[i % 4]} (${i}) ${'and then some more words '.repeat(i % 5)}`,
      );
      const a = await Promise.all(texts.map((t) => pooled.analyze([t])));
      const b = await single.analyze(texts);
      expect(a.flat()).toEqual(b);
      const runs = pooled.sessionPool()?.runs ?? [];
      expect(runs).toHaveLength(2);
      expect(Math.min(...runs)).toBeGreaterThan(0);
    } finally {
      await pooled.close();
      await single.close();
    }
  });
});
