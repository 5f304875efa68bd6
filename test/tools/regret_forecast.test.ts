import { describe, expect, it } from 'vitest';
import { regretForecastTool } from '../../src/tools/regret_forecast.js';
import { ToolError } from '../../src/core/errors.js';
import { toToolError } from '../../src/tools/errors.js';
import { type ToolContext } from '../../src/tools/types.js';
import type { TextEngine } from '../../src/core/model.js';
import { fakeEngine } from '../analysis/bentham/fake-model.js';
import { toolContext } from './context.js';

const context = (engine?: TextEngine, regretMaxCells?: number): ToolContext =>
  toolContext(engine, (config) => { if (regretMaxCells !== undefined) config.limits.regretMaxCells = regretMaxCells; });

async function call(args: unknown, engine?: TextEngine) {
  const out = await regretForecastTool.handler(regretForecastTool.input.parse(args), context(engine));
  expect(regretForecastTool.output.safeParse(out.structured).success).toBe(true);
  expect(JSON.parse(JSON.stringify(out.structured))).toEqual(out.structured);
  return out;
}

async function refusal(args: unknown, opts: { engine?: TextEngine; cells?: number; raw?: boolean } = {}): Promise<ToolError> {
  try {
    const parsed = opts.raw ? (args as never) : regretForecastTool.input.parse(args);
    await regretForecastTool.handler(parsed, context(opts.engine, opts.cells));
  } catch (err) {
    const known = toToolError(err); // what the registry would answer
    if (known) return known;
    throw err;
  }
  throw new Error('expected a ToolError');
}

const OMELETTE = {
  options: [{ name: 'bowl' }, { name: 'saucer' }, { name: 'throw away' }],
  scenarios: [{ name: 'good egg' }, { name: 'rotten egg' }],
  outcomes: [[6, 0], [5, 4], [4, 5]],
};

describe('regret_forecast matrix path', () => {
  it("Savage's omelette through the tool, with names", async () => {
    const { structured, summary } = await call(OMELETTE);
    expect(structured.mode).toBe('matrix');
    expect(structured.utility_source).toBe('given');
    expect(structured.scenarios).toEqual([{ name: 'good egg', probability: 0.5 }, { name: 'rotten egg', probability: 0.5 }]);
    // Regrets (0, 5), (1, 1), (2, 0) — see the analysis test for the arithmetic.
    expect(structured.regret).toEqual([[0, 5], [1, 1], [2, 0]]);
    expect(structured.recommendations).toEqual({
      minimax_regret: ['saucer'],
      max_expected_utility: ['saucer', 'throw away'],
      regret_averse: ['saucer'],
      maximin: ['saucer', 'throw away'],
      maximax: ['bowl'],
      hurwicz: ['saucer', 'throw away'],
    });
    expect(structured.evpi).toBeCloseTo(1, 12);
    expect(structured.per_option?.[1]).toMatchObject({ name: 'saucer', expected_utility: 4.5, max_regret: 1, optimistic: 5, pessimistic: 4 });
    expect(structured.counterfactuals?.[0]).toEqual({
      option: 'saucer', scenario: 'good egg', probability: 0.5, better_options: ['bowl'], best_utility: 6, utility: 5, regret: 1,
    });
    expect(structured.parameters).toEqual({ regret_aversion: 1, hurwicz_alpha: 0.5 });
    expect(summary).toMatch(/Regret-averse choice: saucer/);
  });

  it('accepts probabilities summing to 1 within 1e-6 and uses them as given', async () => {
    const { structured } = await call({ ...OMELETTE, scenarios: [{ name: 'g', probability: 0.3333334 }, { name: 'r', probability: 0.6666666 }] });
    expect(structured.scenarios?.map((s) => s.probability)).toEqual([0.3333334, 0.6666666]);
    // EU(bowl) = 6·0.3333334 = 2.0000004.
    expect(structured.per_option?.[0].expected_utility).toBeCloseTo(2.0000004, 12);
  });

  it('rejects probabilities that do not sum to 1, partial or negative probabilities', async () => {
    const sum = await refusal({ ...OMELETTE, scenarios: [{ name: 'g', probability: 0.5 }, { name: 'r', probability: 0.4 }] });
    expect(sum.code).toBe('invalid_input');
    expect(sum.message).toMatch(/sum to 1/);
    const partial = await refusal({ ...OMELETTE, scenarios: [{ name: 'g', probability: 1 }, { name: 'r' }] });
    expect(partial.message).toMatch(/every scenario or for none/);
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, scenarios: [{ name: 'g', probability: -0.5 }, { name: 'r', probability: 1.5 }] }).success).toBe(false);
    const negative = await refusal({ ...OMELETTE, scenarios: [{ name: 'g', probability: -0.5 }, { name: 'r', probability: 1.5 }] }, { raw: true });
    expect(negative.message).toMatch(/≥ 0/);
  });

  it('rejects wrong shapes, NaN, duplicate names and missing parts', async () => {
    const rows = await refusal({ ...OMELETTE, outcomes: [[6, 0], [5, 4]] });
    expect(rows.message).toMatch(/one row per option: 3 options but 2 rows/);
    const cols = await refusal({ ...OMELETTE, outcomes: [[6, 0], [5, 4, 1], [4, 5]] });
    expect(cols.message).toMatch(/outcomes\[1\].*2 scenarios but 3 values/);
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, outcomes: [[6, Number.NaN], [5, 4], [4, 5]] }).success).toBe(false);
    const nan = await refusal({ ...OMELETTE, outcomes: [[6, Number.NaN], [5, 4], [4, 5]], regret_aversion: 1, hurwicz_alpha: 0.5 }, { raw: true });
    expect(nan.message).toMatch(/outcomes\[0\]\[1\] must be a finite number/);
    const dup = await refusal({ ...OMELETTE, options: [{ name: 'a' }, { name: 'a' }, { name: 'b' }] });
    expect(dup.message).toMatch(/options\[\]\.name must be unique/);
    expect((await refusal({ outcomes: OMELETTE.outcomes, scenarios: OMELETTE.scenarios })).message).toMatch(/without `options`/);
    expect((await refusal({ outcomes: OMELETTE.outcomes, options: OMELETTE.options })).message).toMatch(/without `scenarios`/);
    expect((await refusal({ options: OMELETTE.options, scenarios: OMELETTE.scenarios })).message).toMatch(/without `outcomes`/);
    expect((await refusal({})).code).toBe('invalid_input');
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, options: [{ name: 'only' }] }).success).toBe(false);
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, hurwicz_alpha: 1.5 }).success).toBe(false);
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, regret_aversion: -1 }).success).toBe(false);
  });

  it('enforces limits.regretMaxCells and reports overflow of the regret-averse value', async () => {
    const big = await refusal(OMELETTE, { cells: 4 });
    expect(big.code).toBe('limit_exceeded');
    expect(big.message).toMatch(/3 × 2 = 6 cells; limits\.regretMaxCells .* is 4/);
    const overflow = await refusal({ ...OMELETTE, outcomes: [[0, 0], [1000, 1000], [1, 1]] });
    expect(overflow.code).toBe('invalid_input');
    expect(overflow.message).toMatch(/regret_aversion/);
  });

  it('uses the model only without outcomes', () => {
    expect(regretForecastTool.cacheKeyNeedsModel?.(regretForecastTool.input.parse(OMELETTE))).toBe(false);
    expect(regretForecastTool.cacheKeyNeedsModel?.(regretForecastTool.input.parse({ decision: 'x' }))).toBe(true);
  });
});

describe('regret_forecast text paths', () => {
  it('ranks described options by the utility head on decision + description', async () => {
    const engine = fakeEngine((t) => (t.endsWith('Stay home') ? { utility: 1.5 } : t.endsWith('Move abroad') ? { utility: -0.5 } : { positive: 0.4, go: { nervousness: 0.5 } }));
    const { structured } = await call({
      decision: 'Should I take the job overseas?',
      options: [{ name: 'stay', description: 'Stay home' }, { name: 'move', description: 'Move abroad' }],
    }, engine);
    expect(engine.calls).toEqual([['Should I take the job overseas?', 'Should I take the job overseas?\nStay home', 'Should I take the job overseas?\nMove abroad']]);
    expect(structured.mode).toBe('estimated_utilities');
    expect(structured.utility_source).toBe('estimated');
    expect(structured.utilities).toEqual([[1.5], [-0.5]]);
    expect(structured.regret).toEqual([[0], [2]]);
    expect(structured.recommendations?.regret_averse).toEqual(['stay']);
    expect(structured.scenarios).toEqual([{ name: 'estimated', probability: 1 }]);
    // Anticipated regret of the decision: .4·.5 + .3·0 + .3·.6 = 0.38.
    expect(structured.anticipated_regret?.value).toBeCloseTo(0.38, 6);
    expect(structured.estimation).toEqual({ model: 'fake-model', option_texts: ['Should I take the job overseas?\nStay home', 'Should I take the job overseas?\nMove abroad'] });
  });

  it('returns an anticipated-regret index for a decision alone', async () => {
    const engine = fakeEngine(() => ({ positive: 0.1, go: { remorse: 0.9 }, kote: { 죄책감: 0.7 } }));
    const { structured } = await call({ decision: 'I sold the house my grandfather built.' }, engine);
    expect(structured.mode).toBe('anticipated_regret');
    // .4·.9 + .3·.7 + .3·.9 = .36 + .21 + .27 = 0.84.
    expect(structured.anticipated_regret?.value).toBeCloseTo(0.84, 6);
    expect(structured.anticipated_regret?.source).toBe('estimated');
    expect(structured.recommendations).toBeUndefined();
  });

  it('text paths fail with model_missing when no model is installed', async () => {
    expect((await refusal({ decision: 'x' })).code).toBe('model_missing');
    expect((await refusal({ decision: 'x', options: [{ name: 'a', description: 'A' }, { name: 'b', description: 'B' }] })).code).toBe('model_missing');
  });
});
