import { describe, expect, it } from 'vitest';
import { analyzeEmotionTool } from '../../src/tools/analyze-emotion.js';
import { fakeEngine, type FakeSpec } from '../helpers/fake-engine.js';
import { toolContext } from '../helpers/tool-context.js';

const engine = () =>
  fakeEngine((t): FakeSpec =>
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

  it('a short text of two sentences is read whole; granularity "sentence" adds the document block from one engine call', async () => {
    const e = engine();
    const plain = (await run({ text: 'I am furious. So glad.' }, toolContext(e))).structured.results[0];
    expect(plain).toMatchObject({ aggregation: 'one_window' });
    expect(Object.keys(plain)).not.toContain('document');
    expect(e.calls).toEqual([['I am furious. So glad.']]);

    const e2 = engine();
    const byS = (await run({ text: 'I am furious. So glad.', granularity: 'sentence' }, toolContext(e2))).structured
      .results[0] as Record<string, unknown> & { sentences: Array<{ text: string; ekman: unknown }> };
    // the sentences are read once, with the text, and the sentence results are taken from that reading
    expect(e2.calls).toEqual([['I am furious. So glad.', 'I am furious.', 'So glad.']]);
    expect(byS.aggregation).toBe('one_window');
    // the whole text's reading is unchanged by reading its sentences
    const { sentences, document, ...rest } = byS;
    const { elapsed_ms: _a, ...restNoTime } = rest as Record<string, unknown>;
    const { elapsed_ms: _b, ...plainNoTime } = plain as Record<string, unknown>;
    void _a;
    void _b;
    expect(restNoTime).toEqual(plainNoTime);
    expect(sentences.map((s) => s.text)).toEqual(['I am furious.', 'So glad.']);
    expect(document).toMatchObject({
      sentences: 2,
      strongest: { ekman: { anger: { start: 0, end: 13 }, joy: { start: 14, end: 22 } } },
    });
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

  it('granularity "sentence" refuses more than 512 sentences before any model work', async () => {
    const e = engine();
    await expect(run({ text: 'Yes. '.repeat(513), granularity: 'sentence' }, toolContext(e))).rejects.toMatchObject({
      code: 'limit_exceeded',
    });
    expect(e.calls).toEqual([]);
  });

  it('explain refuses long texts before any model work', async () => {
    const e = engine();
    await expect(run({ text: 'a '.repeat(1001), explain: true }, toolContext(e))).rejects.toMatchObject({
      code: 'limit_exceeded',
    });
    expect(e.calls).toEqual([]);
  });
});
