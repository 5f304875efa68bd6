// The ONNX session in a worker thread (src/engine/workers/ort-session.ts) gives bit-identical outputs to the
// in-thread session on the shipped model, alone and in a batch, and keeps the event loop free during a run.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../src/engine/onnx-engine.js';
import { silent } from './helpers.js';

const MODELS = resolve(import.meta.dirname, '../../models');
const TEXTS = ['I am so happy for you!', '정말 화가 난다. 왜 이렇게 늦었어?', 'The meeting moved to Tuesday.', 'I miss her every single day and it hurts.'];

describe('ONNX inference in a worker thread (shipped model)', () => {
  let inWorker: OnnxTextEngine;
  let inMain: OnnxTextEngine;
  beforeAll(async () => {
    const r = resolveModel(MODELS, undefined, undefined);
    const base = { provider: 'cpu' as const, threads: 1, batchWindowMs: 0, maxBatch: 8, logger: silent };
    inWorker = await OnnxTextEngine.load(r, { ...base, inferenceThread: 'worker' });
    inMain = await OnnxTextEngine.load(r, { ...base, inferenceThread: 'main' });
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
    const gap = async (engine: OnnxTextEngine) => {
      let last = performance.now();
      let max = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        max = Math.max(max, now - last);
        last = now;
      }, 1);
      const t0 = performance.now();
      await engine.runWindows(ids);
      const ms = performance.now() - t0;
      clearInterval(timer);
      max = Math.max(max, performance.now() - last); // the span since the last tick (all of a blocking run)
      return { max, ms };
    };
    const main = await gap(inMain);
    const worker = await gap(inWorker);
    // In the main thread the timer cannot fire during the run (one synchronous ORT call); in the worker it can.
    expect(main.max).toBeGreaterThan(main.ms * 0.8);
    expect(worker.max).toBeLessThan(Math.max(20, worker.ms * 0.25));
  });
});
