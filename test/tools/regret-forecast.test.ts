import { describe, expect, it } from 'vitest';
import { regretForecastTool } from '../../src/tools/regret-forecast.js';
import { type ToolContext } from '../../src/tools/types.js';
import type { TextEngine } from '../../src/core/model.js';
import { fakeEngine } from '../helpers/fake-engine.js';
import { callTool, refusalOf } from '../helpers/tool-call.js';
import { toolContext } from '../helpers/tool-context.js';

const context = (engine?: TextEngine, regretMaxCells?: number): ToolContext =>
  toolContext(engine, (config) => {
    if (regretMaxCells !== undefined) config.limits.regretMaxCells = regretMaxCells;
  });

const call = (args: unknown, engine?: TextEngine) => callTool(regretForecastTool, args, context(engine));
const refusal = (args: unknown, opts: { engine?: TextEngine; cells?: number; raw?: boolean } = {}) =>
  refusalOf(() =>
    regretForecastTool.handler(
      opts.raw ? (args as never) : regretForecastTool.input.parse(args),
      context(opts.engine, opts.cells),
    ),
  );

const OMELETTE = {
  options: [{ name: 'bowl' }, { name: 'saucer' }, { name: 'throw away' }],
  scenarios: [{ name: 'good egg' }, { name: 'rotten egg' }],
  outcomes: [
    [6, 0],
    [5, 4],
    [4, 5],
  ],
};

describe('regret_forecast matrix path', () => {
  it("Savage's omelette through the tool, with names", async () => {
    const { structured, summary } = await call(OMELETTE);
    expect(structured.mode).toBe('matrix');
    expect(structured.utility_source).toBe('given');
    expect(structured.scenarios).toEqual([
      { name: 'good egg', probability: 0.5 },
      { name: 'rotten egg', probability: 0.5 },
    ]);
    // Regrets (0, 5), (1, 1), (2, 0) — see the analysis test for the arithmetic.
    expect(structured.regret).toEqual([
      [0, 5],
      [1, 1],
      [2, 0],
    ]);
    expect(structured.recommendations).toEqual({
      minimax_regret: ['saucer'],
      max_expected_utility: ['saucer', 'throw away'],
      regret_averse: ['saucer'],
      maximin: ['saucer', 'throw away'],
      maximax: ['bowl'],
      hurwicz: ['saucer', 'throw away'],
    });
    expect(structured.evpi).toBeCloseTo(1, 12);
    expect(structured.per_option?.[1]).toMatchObject({
      name: 'saucer',
      expected_utility: 4.5,
      max_regret: 1,
      optimistic: 5,
      pessimistic: 4,
    });
    expect(structured.counterfactuals?.[0]).toEqual({
      option: 'saucer',
      scenario: 'good egg',
      probability: 0.5,
      better_options: ['bowl'],
      best_utility: 6,
      utility: 5,
      regret: 1,
    });
    // The largest regret is 5 (bowl, rotten egg): the scaled unit R.
    expect(structured.parameters).toEqual({
      regret_aversion: 1,
      regret_aversion_mode: 'scaled',
      regret_unit: 5,
      hurwicz_alpha: 0.5,
    });
    expect(summary).toMatch(/Regret-averse choice: saucer/);
  });

  it('accepts probabilities summing to 1 within 1e-6 and uses them as given', async () => {
    const { structured } = await call({
      ...OMELETTE,
      scenarios: [
        { name: 'g', probability: 0.3333334 },
        { name: 'r', probability: 0.6666666 },
      ],
    });
    expect(structured.scenarios?.map((s) => s.probability)).toEqual([0.3333334, 0.6666666]);
    // EU(bowl) = 6·0.3333334 = 2.0000004.
    expect(structured.per_option?.[0].expected_utility).toBeCloseTo(2.0000004, 12);
  });

  it('rejects probabilities that do not sum to 1, partial or negative probabilities', async () => {
    const sum = await refusal({
      ...OMELETTE,
      scenarios: [
        { name: 'g', probability: 0.5 },
        { name: 'r', probability: 0.4 },
      ],
    });
    expect(sum.code).toBe('invalid_input');
    expect(sum.message).toMatch(/sum to 1/);
    const partial = await refusal({ ...OMELETTE, scenarios: [{ name: 'g', probability: 1 }, { name: 'r' }] });
    expect(partial.message).toMatch(/every scenario or for none/);
    expect(
      regretForecastTool.input.safeParse({
        ...OMELETTE,
        scenarios: [
          { name: 'g', probability: -0.5 },
          { name: 'r', probability: 1.5 },
        ],
      }).success,
    ).toBe(false);
    const negative = await refusal(
      {
        ...OMELETTE,
        scenarios: [
          { name: 'g', probability: -0.5 },
          { name: 'r', probability: 1.5 },
        ],
      },
      { raw: true },
    );
    expect(negative.message).toMatch(/≥ 0/);
  });

  it('rejects wrong shapes, NaN, duplicate names and missing parts', async () => {
    const rows = await refusal({
      ...OMELETTE,
      outcomes: [
        [6, 0],
        [5, 4],
      ],
    });
    expect(rows.message).toMatch(/one row per option: 3 options but 2 rows/);
    const cols = await refusal({
      ...OMELETTE,
      outcomes: [
        [6, 0],
        [5, 4, 1],
        [4, 5],
      ],
    });
    expect(cols.message).toMatch(/outcomes\[1\].*2 scenarios but 3 values/);
    expect(
      regretForecastTool.input.safeParse({
        ...OMELETTE,
        outcomes: [
          [6, Number.NaN],
          [5, 4],
          [4, 5],
        ],
      }).success,
    ).toBe(false);
    const nan = await refusal(
      {
        ...OMELETTE,
        outcomes: [
          [6, Number.NaN],
          [5, 4],
          [4, 5],
        ],
        regret_aversion: 1,
        hurwicz_alpha: 0.5,
      },
      { raw: true },
    );
    expect(nan.message).toMatch(/outcomes\[0\]\[1\] must be a finite number/);
    const dup = await refusal({ ...OMELETTE, options: [{ name: 'a' }, { name: 'a' }, { name: 'b' }] });
    expect(dup.message).toMatch(/options\[\]\.name must be unique/);
    expect((await refusal({ outcomes: OMELETTE.outcomes, scenarios: OMELETTE.scenarios })).message).toMatch(
      /without `options`/,
    );
    expect((await refusal({ outcomes: OMELETTE.outcomes, options: OMELETTE.options })).message).toMatch(
      /without `scenarios`/,
    );
    expect((await refusal({ options: OMELETTE.options, scenarios: OMELETTE.scenarios })).message).toMatch(
      /without `outcomes`/,
    );
    expect((await refusal({})).code).toBe('invalid_input');
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, options: [{ name: 'only' }] }).success).toBe(false);
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, hurwicz_alpha: 1.5 }).success).toBe(false);
    expect(regretForecastTool.input.safeParse({ ...OMELETTE, regret_aversion: -1 }).success).toBe(false);
  });

  it('enforces limits.regretMaxCells and reports overflow of the regret-averse value', async () => {
    const big = await refusal(OMELETTE, { cells: 4 });
    expect(big.code).toBe('limit_exceeded');
    expect(big.message).toMatch(/3 × 2 = 6 cells; limits\.regretMaxCells .* is 4/);
    // Raw mode: e^{1000} overflows and is refused; the scaled default measures regret in units of the largest one.
    const overflow = await refusal({
      ...OMELETTE,
      outcomes: [
        [0, 0],
        [1000, 1000],
        [1, 1],
      ],
      regret_aversion_mode: 'raw',
    });
    expect(overflow.code).toBe('invalid_input');
    expect(overflow.message).toMatch(/regret_aversion k = 1 times a regret of 1000 overflows/);
    const scaled = await call({
      ...OMELETTE,
      outcomes: [
        [0, 0],
        [1000, 1000],
        [1, 1],
      ],
    });
    expect(scaled.structured.recommendations?.regret_averse).toEqual(['saucer']);
    const huge = await refusal({
      options: [{ name: 'a' }, { name: 'b' }],
      scenarios: [{ name: 's' }, { name: 't' }],
      outcomes: [
        [1e308, 0],
        [0, 1e308],
      ],
      regret_aversion: 0,
    });
    expect(huge.code).toBe('invalid_input');
    expect(huge.message).toMatch(/too large in magnitude for the sensitivity analysis/);
  });

  it('money-scale outcomes: buy / wait, [[120000, −50000], [0, 0]], with the sensitivity block', async () => {
    const { structured, summary } = await call({
      options: [{ name: 'buy' }, { name: 'wait' }],
      scenarios: [
        { name: 'prices rise', probability: 0.5 },
        { name: 'prices fall', probability: 0.5 },
      ],
      outcomes: [
        [120000, -50000],
        [0, 0],
      ],
    });
    // R = 120000; V_buy = 35000 − 60000(e^{5/12} − 1), V_wait = −60000(e − 1) (see test/analysis/regret/scale.test.ts).
    expect(structured.parameters).toMatchObject({ regret_aversion_mode: 'scaled', regret_unit: 120000 });
    expect(structured.per_option?.[0].regret_averse_value).toBeCloseTo(35000 - 60000 * Math.expm1(5 / 12), 6);
    expect(structured.recommendations?.regret_averse).toEqual(['buy']);
    const s = structured.sensitivity!;
    expect(s.dominated).toEqual([]);
    expect(s.laplace).toEqual(['buy']);
    // Max EU: buy while p(rise) ≥ 5/17; moving 7/34 of the mass from "prices rise" to "prices fall" ties it.
    expect(s.probability.norm).toBe('total_variation');
    expect(s.probability.max_expected_utility).toEqual({
      choice: ['buy'],
      threshold: expect.closeTo(7 / 34, 14),
      rivals: ['wait'],
      move: { to: 'prices fall', from: [{ scenario: 'prices rise', amount: expect.closeTo(7 / 34, 14) }] },
      probabilities_at_threshold: [
        { scenario: 'prices rise', probability: expect.closeTo(5 / 17, 14) },
        { scenario: 'prices fall', probability: expect.closeTo(12 / 17, 14) },
      ],
      two_scenario: {
        scenario: 'prices rise',
        intervals: [
          { from: 0, to: expect.closeTo(5 / 17, 14), winners: ['wait'] },
          { from: expect.closeTo(5 / 17, 14), to: 1, winners: ['buy'] },
        ],
        below: expect.closeTo(5 / 17, 14),
        above: null,
      },
    });
    // Hurwicz: −50000 + 170000α ≥ 0 ⇔ α ≥ 5/17.
    expect(s.hurwicz).toEqual([
      { from: 0, to: expect.closeTo(5 / 17, 14), winners: ['wait'] },
      { from: expect.closeTo(5 / 17, 14), to: 1, winners: ['buy'] },
    ]);
    expect(s.regret_aversion).toMatchObject({ range: [0, 10], at_zero: ['buy'], changes: [] });
    expect(s.probability_uncertainty).toBeUndefined();
    expect(s.fragile).toMatchObject({ value: false, reasons: [] });
    expect(summary).toMatch(/holds until 0\.2059 of the probability mass moves to "prices fall"/);
    // The same decision in thousands gives the same choices and sensitivity.
    const k = await call({
      options: [{ name: 'buy' }, { name: 'wait' }],
      scenarios: [
        { name: 'prices rise', probability: 0.5 },
        { name: 'prices fall', probability: 0.5 },
      ],
      outcomes: [
        [120, -50],
        [0, 0],
      ],
    });
    expect(k.structured.recommendations).toEqual(structured.recommendations);
    expect(k.structured.sensitivity?.fragile).toEqual(s.fragile);
    expect(k.structured.sensitivity?.probability.regret_averse.threshold).toBeCloseTo(
      s.probability.regret_averse.threshold!,
      12,
    );
  });

  it('probability_concentration adds seeded Dirichlet shares, the same on every call', async () => {
    const args = {
      options: [{ name: 'buy' }, { name: 'wait' }],
      scenarios: [
        { name: 'rise', probability: 0.5 },
        { name: 'fall', probability: 0.5 },
      ],
      outcomes: [
        [120000, -50000],
        [0, 0],
      ],
      probability_concentration: 4,
    };
    const a = await call(args);
    const b = await call(args);
    expect(b.structured).toEqual(a.structured);
    const u = a.structured.sensitivity!.probability_uncertainty!;
    expect(u).toMatchObject({ concentration: 4, samples: 10000, seed: 16 });
    // P(Beta(2, 2) > 5/17) = 1 − (3x² − 2x³) at x = 5/17 ≈ 0.7914, within 4 standard errors.
    const x = 5 / 17;
    expect(Math.abs(u.max_expected_utility[0].share - (1 - (3 * x * x - 2 * x ** 3)))).toBeLessThan(0.017);
    expect(a.structured.parameters.probability_concentration).toBe(4);
    expect(regretForecastTool.input.safeParse({ ...args, probability_concentration: 0 }).success).toBe(false);
  });

  it('sampling reports progress and stops when the call is cancelled', async () => {
    const args = regretForecastTool.input.parse({ ...OMELETTE, probability_concentration: 10 });
    const seen: number[] = [];
    const ctx = context();
    await regretForecastTool.handler(args, {
      ...ctx,
      progress: async (done) => {
        seen.push(done);
      },
    });
    // The k scan (2000 grid steps, a point every 250) fills 0..20, the 10 000 draws (a point every 1000) 20..100.
    expect(seen).toEqual([3, 5, 8, 10, 13, 15, 18, 28, 36, 44, 52, 60, 68, 76, 84, 92]);
    const abort = new AbortController();
    let calls = 0;
    const cancelling: ToolContext = {
      ...ctx,
      signal: abort.signal,
      progress: async () => {
        if (++calls === 10) abort.abort();
      },
    };
    await expect(regretForecastTool.handler(args, cancelling)).rejects.toMatchObject({ code: 'cancelled' });
    expect(calls).toBe(10); // stopped during the sampling, at the first check after the abort
  });

  it('uses the model only without outcomes', () => {
    expect(regretForecastTool.cacheKeyNeedsModel?.(regretForecastTool.input.parse(OMELETTE))).toBe(false);
    expect(regretForecastTool.cacheKeyNeedsModel?.(regretForecastTool.input.parse({ decision: 'x' }))).toBe(true);
  });
});

describe('regret_forecast text paths', () => {
  it('ranks described options by the utility head on decision + description', async () => {
    const engine = fakeEngine((t) =>
      t.endsWith('Stay home')
        ? { utility: 1.5 }
        : t.endsWith('Move abroad')
          ? { utility: -0.5 }
          : { positive: 0.4, go: { nervousness: 0.5 } },
    );
    const { structured } = await call(
      {
        decision: 'Should I take the job overseas?',
        options: [
          { name: 'stay', description: 'Stay home' },
          { name: 'move', description: 'Move abroad' },
        ],
      },
      engine,
    );
    expect(engine.calls).toEqual([
      [
        'Should I take the job overseas?',
        'Should I take the job overseas?\nStay home',
        'Should I take the job overseas?\nMove abroad',
      ],
    ]);
    expect(structured.mode).toBe('estimated_utilities');
    expect(structured.utility_source).toBe('estimated');
    expect(structured.utilities).toEqual([[1.5], [-0.5]]);
    expect(structured.regret).toEqual([[0], [2]]);
    expect(structured.recommendations?.regret_averse).toEqual(['stay']);
    expect(structured.scenarios).toEqual([{ name: 'estimated', probability: 1 }]);
    // Anticipated regret of the decision: .4·.5 + .3·0 + .3·.6 = 0.38.
    expect(structured.anticipated_regret?.value).toBeCloseTo(0.38, 6);
    expect(structured.estimation).toEqual({
      model: 'fake-model',
      option_texts: ['Should I take the job overseas?\nStay home', 'Should I take the job overseas?\nMove abroad'],
    });
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
    expect(
      (
        await refusal({
          decision: 'x',
          options: [
            { name: 'a', description: 'A' },
            { name: 'b', description: 'B' },
          ],
        })
      ).code,
    ).toBe('model_missing');
  });
});
