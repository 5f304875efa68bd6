import { describe, expect, it } from 'vitest';
import { analyzeEmotionTool } from '../../src/tools/analyze-emotion.js';
import { fakeEngine } from '../helpers/fake-engine.js';
import { toolContext } from '../helpers/tool-context.js';

const engine = () =>
  fakeEngine((t) =>
    /furious/.test(t) ? { go: { anger: 0.9 }, vad: [2, 3.5, 3] } : { go: { joy: 0.7 }, vad: [3.8, 3, 3] },
  );
const run = (args: Record<string, unknown>, ctx = toolContext(engine())) =>
  analyzeEmotionTool.handler(analyzeEmotionTool.input.parse(args), ctx);

describe('analyze_emotion options', () => {
  it('a plain call has neither sentences nor explanation, and reports no progress', async () => {
    const ctx = toolContext(engine());
    const progress: unknown[] = [];
    ctx.progress = async (...a) => {
      progress.push(a);
    };
    const { structured } = await run({ text: 'So glad. Really.' }, ctx);
    expect(Object.keys(structured.results[0])).not.toContain('sentences');
    expect(Object.keys(structured.results[0])).not.toContain('explanation');
    expect(progress).toEqual([]);
  });

  it('cancellation stops the explanations between texts', async () => {
    const ac = new AbortController();
    const ctx = { ...toolContext(engine()), signal: ac.signal };
    ctx.progress = async (done: number) => {
      if (done === 1) ac.abort();
    };
    await expect(
      run({ texts: ['I am furious now', 'fine thanks', 'ok then'], explain: true }, ctx),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a result over 1 MiB is refused with the remedy; the same call at summary passes', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const texts = new Array(50).fill(text);
    await expect(run({ texts, granularity: 'sentence', detail: 'full' })).rejects.toMatchObject({
      code: 'limit_exceeded',
      message: expect.stringMatching(
        /over the response limit of 1048576 bytes; use detail "summary" or send fewer texts/,
      ),
    });
    const { structured } = await run({ texts, granularity: 'sentence', detail: 'summary' });
    expect(structured.results).toHaveLength(50);
    expect((structured.results[0] as { sentences: unknown[] }).sentences).toHaveLength(10);
  });

  it('explain refuses long texts before any model work', async () => {
    const e = engine();
    await expect(run({ text: 'a '.repeat(1001), explain: true }, toolContext(e))).rejects.toMatchObject({
      code: 'limit_exceeded',
    });
    expect(e.calls).toEqual([]);
  });
});
