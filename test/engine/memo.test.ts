import { describe, expect, it } from 'vitest';
import { AnalysisMemo, memoizedHandle } from '../../src/engine/memo.js';
import type { TextAnalysis, TextEngine } from '../../src/core/model.js';

function fakeEngine(id = 'm1') {
  const calls: string[][] = [];
  const engine: TextEngine = {
    model: {
      id,
      version: '1',
      sha256: 'x',
      parameters: 1,
      maxLength: 8,
      languages: ['en', 'ko'],
      labels: { goemotions: [], kote: [] },
      thresholds: { goemotions: [], kote: [] },
    },
    async analyze(texts) {
      calls.push([...texts]);
      return texts.map(
        (t) =>
          ({
            language: 'en',
            tokens: t.length,
            unknownTokens: 0,
            contentTokens: 5,
            chunks: 1,
            truncated: false,
            goemotions: new Float32Array(),
            kote: new Float32Array(),
            positive: t.length / 100,
            utility: 0,
            vad: [3, 3, 3],
          }) as TextAnalysis,
      );
    },
  };
  return { engine, calls };
}

describe('AnalysisMemo', () => {
  it('computes each distinct text once and keeps input order', async () => {
    const memo = new AnalysisMemo();
    const { engine, calls } = fakeEngine();
    const first = await memo.analyze(engine, ['aa', 'b', 'aa']);
    expect(first.map((r) => r.tokens)).toEqual([2, 1, 2]);
    expect(calls).toEqual([['aa', 'b']]);
    const second = await memo.analyze(engine, ['b', 'ccc']);
    expect(second.map((r) => r.tokens)).toEqual([1, 3]);
    expect(calls).toEqual([['aa', 'b'], ['ccc']]);
    expect(memo.stats()).toEqual({ entries: 3, hits: 2, misses: 3 });
  });

  it('shares one in-flight pass between concurrent callers', async () => {
    const memo = new AnalysisMemo();
    const { engine, calls } = fakeEngine();
    await Promise.all([memo.analyze(engine, ['x']), memo.analyze(engine, ['x']), memo.analyze(engine, ['x'])]);
    expect(calls).toEqual([['x']]);
  });

  it('separates models and requested languages', async () => {
    const memo = new AnalysisMemo();
    const a = fakeEngine('m1');
    const b = fakeEngine('m2');
    await memo.analyze(a.engine, ['x']);
    await memo.analyze(b.engine, ['x']);
    await memo.analyze(a.engine, ['x'], { language: 'ko' });
    expect(a.calls.length + b.calls.length).toBe(3);
  });

  it('forgets failures so a later call retries', async () => {
    const memo = new AnalysisMemo();
    let fail = true;
    const engine: TextEngine = {
      ...fakeEngine().engine,
      analyze: async (t) => {
        if (fail) throw new Error('boom');
        return fakeEngine().engine.analyze(t);
      },
    };
    await expect(memo.analyze(engine, ['x'])).rejects.toThrow('boom');
    fail = false;
    await expect(memo.analyze(engine, ['x'])).resolves.toHaveLength(1);
  });

  it('evicts the least recently used entries', async () => {
    const memo = new AnalysisMemo(2);
    const { engine, calls } = fakeEngine();
    await memo.analyze(engine, ['a']);
    await memo.analyze(engine, ['b']);
    await memo.analyze(engine, ['a']);
    await memo.analyze(engine, ['c']);
    await memo.analyze(engine, ['a']);
    expect(calls.flat()).toEqual(['a', 'b', 'c']);
    await memo.analyze(engine, ['b']);
    expect(calls.flat()).toEqual(['a', 'b', 'c', 'b']);
  });

  it('lets one caller cancel without failing the shared pass', async () => {
    const memo = new AnalysisMemo();
    const { engine } = fakeEngine();
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(memo.analyze(engine, ['x'], { signal: controller.signal })).rejects.toThrow('cancelled');
    await expect(memo.analyze(engine, ['x'])).resolves.toHaveLength(1);
  });

  it('wraps an engine handle', async () => {
    const memo = new AnalysisMemo();
    const { engine, calls } = fakeEngine();
    const handle = memoizedHandle({ require: async () => engine, modelId: () => 'm1', status: () => 'ok' }, memo);
    expect(handle.modelId()).toBe('m1');
    expect(handle.status()).toBe('ok');
    await (await handle.require()).analyze(['q']);
    await (await handle.require()).analyze(['q']);
    expect(calls).toEqual([['q']]);
    // an engine that counts windows keeps counting through the memo; one that does not gains nothing
    expect((await handle.require()).windows).toBeUndefined();
    const counting = { ...engine, windows: (ts: readonly string[]) => ts.map((t) => t.length) };
    expect(memo.wrap(counting).windows!(['ab', 'c'])).toEqual([2, 1]);
  });
});
