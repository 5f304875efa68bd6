import { describe, expect, it } from 'vitest';
import { benthamScoreTool } from '../../src/tools/bentham-score.js';
import { type ToolContext } from '../../src/tools/types.js';
import type { TextEngine } from '../../src/core/model.js';
import { ANN_AND_TOWN } from '../helpers/bentham-parties.js';
import { fakeEngine } from '../helpers/fake-engine.js';
import { callTool, refusalOf } from '../helpers/tool-call.js';
import { toolContext } from '../helpers/tool-context.js';

const context = (engine?: TextEngine): ToolContext => toolContext(engine);

const call = (args: unknown, engine?: TextEngine) => callTool(benthamScoreTool, args, context(engine));
const refusal = (args: unknown, engine?: TextEngine) =>
  refusalOf(() => benthamScoreTool.handler(benthamScoreTool.input.parse(args), context(engine)));

const eff = (kind: 'pleasure' | 'pain', intensity: number, extra: Record<string, unknown> = {}) => ({
  kind,
  intensity,
  duration: 1,
  certainty: 1,
  propinquity: 1,
  fecundity: 0,
  purity: 1,
  ...extra,
});

describe('bentham_score structured path', () => {
  it('scores hand-computed parties exactly, with every variable marked given', async () => {
    // Ann ×1: pleasure .8·.5·1·1·(.2 + .9) = 0.44.  Town ×3: pain −.5·.4·.5 = −0.1 → −0.3.
    // classic_total 0.14, extent 4, gross 0.74; intensity mean = (1·.8 + 3·.5)/4 = 0.575.
    const { structured, summary } = await call({ parties: ANN_AND_TOWN });
    expect(structured.mode).toBe('structured');
    expect(structured.classic_total).toBeCloseTo(0.14, 12);
    expect(structured.final_score).toBe(structured.classic_total);
    expect(structured.extent).toBe(4);
    expect(structured.parties[0]).toMatchObject({ name: 'Ann', count: 1, pain: 0, extent: 1 });
    expect(structured.parties[1].pain).toBeCloseTo(0.3, 12);
    expect(structured.parties[1].net).toBeCloseTo(-0.3, 12);
    expect(structured.variables.intensity).toEqual({ value: expect.closeTo(0.575, 12), source: 'given' });
    expect(structured.variables.extent).toEqual({ value: 4, source: 'given' });
    expect(structured.variables.external_cost).toEqual({ value: 0, source: 'default' });
    expect(structured.gross_stakes).toBeCloseTo(0.74, 12);
    expect(structured.ethical_score).toBeCloseTo(0.5 * (1 + Math.tanh(0.14 / 0.74)), 12);
    expect(structured.verdict).toBe('net_pleasure');
    expect(structured.largest_terms[0]).toEqual({ label: 'Ann: pleasure "raise"', value: expect.closeTo(0.44, 12) });
    expect(summary).toMatch(/Final score 0\.14 \(net pleasure/);
    expect(Object.values(structured.layer_weights).every((l) => l.weight === 1 && l.source === 'default')).toBe(true);
    expect(structured.estimation).toBeUndefined();
  });

  it('applies v2, clamps layer weights and reports them, and uses profiles', async () => {
    const { structured } = await call({
      parties: [{ name: 'A', effects: [eff('pleasure', 1)] }],
      v2: { external_cost: 0.2 },
      layer_weights: { contextual: 5, ethical: 0.1 },
      profile: 'korean',
    });
    expect(structured.variables.external_cost).toEqual({ value: 0.2, source: 'given' });
    expect(structured.variables.self_damage).toEqual({ value: 0, source: 'default' });
    expect(structured.layer_weights.contextual).toEqual({ weight: 2.5, source: 'given', requested: 5 });
    expect(structured.layer_weights.ethical).toEqual({ weight: 0.3, source: 'given', requested: 0.1 });
    expect(structured.layer_weights.social).toEqual({ weight: 1.3, source: 'profile' });
    // One pleasure of value 1: final = 2.5·(1 − 0.3·0.2·1) = 2.35.
    expect(structured.final_score).toBeCloseTo(2.35, 12);
    expect(structured.v2_adjustment.external_cost).toBeCloseTo(-0.06, 12);
  });

  it('validates its input', async () => {
    const bad = [
      { parties: [] },
      { parties: [{ name: 'x', effects: [] }] },
      { parties: [{ name: 'x', count: 0, effects: [eff('pain', 1)] }] },
      { parties: [{ name: 'x', count: 1.5, effects: [eff('pain', 1)] }] },
      { parties: [{ name: 'x', effects: [eff('pain', Number.NaN)] }] },
      { parties: [{ name: 'x', effects: [eff('pain', 1.2)] }] },
      { parties: [{ name: 'x', effects: [eff('pain', 1, { purity: -0.1 })] }] },
      { parties: [{ name: 'x', effects: [{ ...eff('pain', 1), kind: 'joy' }] }] },
      { parties: [{ name: 'x', effects: [eff('pain', 1)] }], v2: { redistribution_effect: 2 } },
      { parties: [{ name: 'x', effects: [eff('pain', 1)] }], profile: 'martian' },
      { scenario: '' },
    ];
    for (const args of bad) expect(benthamScoreTool.input.safeParse(args).success, JSON.stringify(args)).toBe(false);
    const neither = await refusal({});
    expect(neither.code).toBe('invalid_input');
    expect(neither.message).toMatch(/parties.*scenario/);
    const long = await refusal({ scenario: 'x'.repeat(20_001) });
    expect(long.code).toBe('limit_exceeded');
    expect(long.message).toMatch(/20000/);
  });

  it('uses the model only for scenario-only requests', () => {
    expect(benthamScoreTool.cacheKeyNeedsModel?.(benthamScoreTool.input.parse({ scenario: 'x' }))).toBe(true);
    expect(
      benthamScoreTool.cacheKeyNeedsModel?.(
        benthamScoreTool.input.parse({ scenario: 'x', parties: [{ name: 'a', effects: [eff('pain', 1)] }] }),
      ),
    ).toBe(false);
  });
});

describe('bentham_score text path', () => {
  it('estimates the variables from the model and marks them', async () => {
    const engine = fakeEngine(() => ({ positive: 0.2, vad: [2, 5, 3], go: { sadness: 0.8, neutral: 0.1 } }));
    const { structured, summary } = await call(
      { scenario: 'I will close the shelter.', v2: { self_damage: 0.5 } },
      engine,
    );
    expect(engine.calls).toEqual([['I will close the shelter.']]);
    expect(structured.mode).toBe('text');
    // p = 0.2, intensity (5 − 1)/4 = 1, purity 1 (no positive emotion), duration default 0.5:
    // pleasure 1·0.5·0.2 = 0.1, pain 1·0.5·0.8 = 0.4 → classic −0.3, gross 0.5.
    expect(structured.variables.intensity).toMatchObject({ value: 1, source: 'estimated' });
    expect(structured.variables.intensity.confidence).toBeCloseTo(0.9, 6);
    expect(structured.variables.duration).toMatchObject({ value: 0.5, source: 'default' });
    expect(structured.variables.extent).toMatchObject({ value: 1, source: 'default' });
    expect(structured.variables.self_damage).toEqual({ value: 0.5, source: 'given' });
    // p is the text's one sentiment (polarity head 0.2, sadness, valence (2 − 3)/2 = −0.5 all read negative): the
    // same P(positive) analyze_emotion reports, below 0.2 here; the formulas below hold for any p.
    const p = structured.variables.certainty.value;
    expect(structured.variables.certainty).toMatchObject({ source: 'estimated' });
    expect(structured.variables.certainty.basis).toMatch(/one sentiment/);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.2);
    // pleasure 1·0.5·p, pain 1·0.5·(1 − p) → classic p − 0.5; self-damage takes back half of the pleasure.
    expect(structured.classic_total).toBeCloseTo(p - 0.5, 12);
    expect(structured.final_score).toBeCloseTo(p - 0.5 - 0.25 * p, 12);
    expect(structured.ethical_score).toBeCloseTo(0.5 * (1 + Math.tanh((p - 0.5 - 0.25 * p) / 0.5)), 12);
    expect(structured.verdict).toBe('net_pain');
    expect(structured.estimation?.model).toBe('fake-model');
    expect(structured.estimation?.kind.value).toBe('pain');
    expect(summary).toMatch(/estimated/);
  });

  it('without a model, a text-only request fails with model_missing while structured requests still work', async () => {
    const err = await refusal({ scenario: 'Something happens.' });
    expect(err.code).toBe('model_missing');
    const ok = await call({ scenario: 'ignored text', parties: [{ name: 'a', effects: [eff('pleasure', 0.5)] }] });
    expect(ok.structured.final_score).toBe(0.5);
  });
});
