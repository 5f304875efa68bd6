import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AnalysisMemo, memoizedHandle } from '../../src/engine/memo.js';
import { defaults } from '../../src/server/config.js';
import { fullAnalysisTool } from '../../src/tools/full-analysis.js';
import { ToolError } from '../../src/core/errors.js';
import { uncachedContext, type ToolContext } from '../../src/tools/types.js';
import { fakeEngine } from '../helpers/fake-engine.js';

const TEXT = 'I finally finished the marathon and I am so proud and happy.';

function ctx(engine: ReturnType<typeof fakeEngine> | null, progress: unknown[] = []): ToolContext {
  const base = {
    require: async () => {
      if (!engine) throw new ToolError('model_missing', 'model not installed: models/red-heart-v1.int8.onnx');
      return engine;
    },
    modelId: () => (engine ? 'fake-model' : null),
  };
  return uncachedContext({
    requestId: 'test',
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    progress: async (...a) => {
      progress.push(a);
    },
    services: { limits: defaults({}).limits, engine: memoizedHandle(base, new AnalysisMemo()) },
  });
}

const happy = () =>
  fakeEngine(() => ({ go: { joy: 0.9, pride: 0.8 }, kote: { 기쁨: 0.9 }, positive: 0.95, vad: [4.5, 3.8, 3.5] }));
const run = (args: Record<string, unknown>, c: ToolContext) =>
  fullAnalysisTool.handler(fullAnalysisTool.input.parse(args), c);

describe('full_analysis handler', () => {
  it('runs emotion, bentham and regret on one encoder pass and skips SURD without data', async () => {
    const engine = happy();
    const progress: unknown[] = [];
    const { structured } = await run({ text: TEXT }, ctx(engine, progress));
    expect(engine.calls).toEqual([[TEXT]]);
    const s = structured.sections as Record<string, any>;
    expect(s.emotion.results[0].ekman.dominant).toBe('joy');
    expect(s.bentham.mode).toBe('text');
    expect(s.regret.mode).toBe('anticipated_regret');
    expect(s.surd).toEqual({ skipped: expect.stringContaining('no SURD data') });
    const i = structured.integrated;
    expect(i.overall_sentiment.value).toBeGreaterThan(0.5);
    expect(i.ethical_score.value).toBe(s.bentham.ethical_score);
    expect(i.regret_potential.value).toBe(s.regret.anticipated_regret.value);
    expect(i.causal_clarity.value).toBeNull();
    expect(i.confidence.inputs).toMatchObject({ sections_ran: 3, sections_requested: 4 });
    expect(progress).toHaveLength(4);
    expect(progress.map((p) => (p as unknown[])[0]).sort()).toEqual([1, 2, 3, 4]);
  });

  it('uses a regret matrix and parties when given, and SURD samples', async () => {
    const xs = Array.from({ length: 400 }, (_, k) => (k * 7919) % 13);
    // y(t+1) = x(t) exactly (a rotation keeps the value ranges, hence the bins, identical): no leak.
    const ys = [xs[xs.length - 1], ...xs.slice(0, -1)];
    const { structured } = await run(
      {
        text: TEXT,
        bentham: {
          parties: [
            {
              name: 'me',
              effects: [
                { kind: 'pleasure', intensity: 1, duration: 1, certainty: 1, propinquity: 1, fecundity: 0, purity: 1 },
              ],
            },
          ],
        },
        regret: {
          options: [{ name: 'run' }, { name: 'rest' }],
          scenarios: [{ name: 'sun' }, { name: 'rain' }],
          outcomes: [
            [10, 0],
            [4, 4],
          ],
        },
        surd: { target: ys, sources: { driver: xs }, bins: 4, lag: 1 },
      },
      ctx(happy()),
    );
    const s = structured.sections as Record<string, any>;
    expect(s.bentham.mode).toBe('structured');
    expect(s.bentham.classic_total).toBe(1); // 1·1·1·1·(0 + 1)
    expect(s.regret.mode).toBe('matrix');
    // regrets: run [0, 4], rest [6, 0]; with k = 1, V(run) = 5 − ½(e⁴−1) ≈ −21.80 > V(rest) = 4 − ½(e⁶−1) ≈ −197.2 → run.
    expect(s.regret.recommendations.regret_averse).toEqual(['run']);
    // expected regret of run = ½·0 + ½·4 = 2; utility range 10 − 0 → 0.2
    expect(structured.integrated.regret_potential.value).toBeCloseTo(0.2, 12);
    expect(s.surd.causal_clarity).toBeCloseTo(1, 9);
    expect(structured.integrated.causal_clarity.value).toBe(s.surd.causal_clarity);
    expect(structured.integrated.confidence.inputs).toMatchObject({ sections_ran: 4, sections_requested: 4 });
  });

  it('reports an invalid SURD block inside its section and still returns the others', async () => {
    const { structured, summary } = await run(
      { text: TEXT, surd: { target: [1, 2, 3], sources: [[1, 2]] } },
      ctx(happy()),
    );
    const s = structured.sections as Record<string, any>;
    expect(s.surd.error.code).toBe('invalid_input');
    expect(s.emotion.results).toHaveLength(1);
    expect(structured.integrated.overall_sentiment.value).not.toBeNull();
    expect(summary).toMatch(/surd: invalid_input/);
  });

  it('names the field of a mistyped block', async () => {
    const { structured } = await run({ text: TEXT, regret: { options: 'two', outcomes: [[1]] } }, ctx(happy()));
    expect((structured.sections as any).regret.error.message).toMatch(/regret\.options/);
  });

  it('keeps structured sections working when no model is installed', async () => {
    const { structured } = await run(
      {
        text: TEXT,
        regret: { options: [{ name: 'a' }, { name: 'b' }], scenarios: [{ name: 's' }], outcomes: [[1], [2]] },
      },
      ctx(null),
    );
    const s = structured.sections as Record<string, any>;
    expect(s.emotion.error.code).toBe('model_missing');
    expect(s.bentham.error.code).toBe('model_missing');
    expect(s.regret.mode).toBe('matrix');
    expect(structured.integrated.overall_sentiment.value).toBeNull();
    expect(structured.integrated.confidence.inputs).toMatchObject({ sections_ran: 1 });
  });

  it('runs only the requested sections', async () => {
    const engine = happy();
    const { structured } = await run({ text: TEXT, sections: ['emotion'] }, ctx(engine));
    expect(Object.keys(structured.sections)).toEqual(['emotion']);
    expect(structured.integrated.confidence.inputs).toMatchObject({ sections_ran: 1, sections_requested: 1 });
  });

  it('gives a confidence that follows model certainty', async () => {
    const unsure = fakeEngine(() => ({ go: { neutral: 0.3, joy: 0.3, sadness: 0.3 }, positive: 0.5 }));
    const a = (await run({ text: TEXT, sections: ['emotion'] }, ctx(unsure))).structured.integrated.confidence.value!;
    const b = (await run({ text: TEXT, sections: ['emotion'] }, ctx(happy()))).structured.integrated.confidence.value!;
    expect(a).toBeLessThan(b);
  });
});
