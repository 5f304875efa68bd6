// bentham_score and regret_forecast through the built server over stdio (MCP client), as an agent would call them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN_AND_TOWN } from '../helpers/bentham-parties.js';
import { startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
}

const text = (r: CallResult): string => r.content.map((c) => c.text ?? '').join('\n');

describe('decision tools over MCP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const call = async (name: string, args: Record<string, unknown>): Promise<CallResult> =>
    (await server.client.callTool({ name, arguments: args })) as CallResult;

  it('bentham_score on explicit parties returns the exact calculus', async () => {
    const r = await call('bentham_score', { parties: ANN_AND_TOWN, v2: { external_cost: 0.1 } });
    expect(r.isError ?? false).toBe(false);
    const s = r.structuredContent as Record<string, any>;
    // classic 0.14, gross 0.74 (test/helpers/bentham-parties.ts); external cost −0.1·0.74 = −0.074 → final 0.066.
    expect(s.mode).toBe('structured');
    expect(s.classic_total).toBeCloseTo(0.14, 12);
    expect(s.extent).toBe(4);
    expect(s.final_score).toBeCloseTo(0.066, 12);
    expect(s.ethical_score).toBeCloseTo(0.5 * (1 + Math.tanh(0.066 / 0.74)), 12);
    expect(s.verdict).toBe('net_pleasure');
    expect(s.variables.external_cost).toEqual({ value: 0.1, source: 'given' });
    expect(s.parties[1]).toMatchObject({ name: 'Town', count: 3, pleasure: 0 });
    expect(s.cached).toBe(false);
    expect(text(r)).toMatch(/Final score 0\.066/);
  });

  it('regret_forecast on a matrix returns regrets, recommendations and counterfactuals', async () => {
    const r = await call('regret_forecast', {
      options: [{ name: 'A' }, { name: 'B' }],
      scenarios: [
        { name: 'boom', probability: 0.2 },
        { name: 'bust', probability: 0.8 },
      ],
      outcomes: [
        [10, 0],
        [0, 3],
      ],
    });
    expect(r.isError ?? false).toBe(false);
    const s = r.structuredContent as Record<string, any>;
    // EU A 2, B 2.4; regrets A (0, 3), B (10, 0): minimax regret A, max EU B; EVPI 2.
    expect(s.regret).toEqual([
      [0, 3],
      [10, 0],
    ]);
    expect(s.recommendations).toMatchObject({
      minimax_regret: ['A'],
      max_expected_utility: ['B'],
      regret_averse: ['A'],
      maximin: ['A', 'B'],
    });
    expect(s.evpi).toBeCloseTo(2, 12);
    expect(s.counterfactuals).toEqual([
      {
        option: 'A',
        scenario: 'bust',
        probability: 0.8,
        better_options: ['B'],
        best_utility: 3,
        utility: 0,
        regret: 3,
      },
    ]);
    expect(text(r)).toMatch(/Regret-averse choice: A/);
  });

  it('regret_forecast refuses probabilities that do not sum to 1', async () => {
    const r = await call('regret_forecast', {
      options: [{ name: 'A' }, { name: 'B' }],
      scenarios: [
        { name: 'x', probability: 0.5 },
        { name: 'y', probability: 0.6 },
      ],
      outcomes: [
        [1, 2],
        [2, 1],
      ],
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/invalid_input: .*sum to 1/);
  });

  // The model ships in models/ (its manifest is committed), so a text request must succeed: a model that stops
  // loading fails here instead of passing as "model_missing".
  it('text-only requests return estimates from the shipped model', async () => {
    const b = await call('bentham_score', { scenario: 'I will donate a kidney to my brother.' });
    expect(b.isError ?? false, text(b)).toBe(false);
    const bs = b.structuredContent as Record<string, any>;
    expect(bs.mode).toBe('text');
    expect(bs.variables.intensity.source).toBe('estimated');
    expect(bs.ethical_score).toBeGreaterThanOrEqual(0);
    expect(bs.ethical_score).toBeLessThanOrEqual(1);
    const r = await call('regret_forecast', { decision: 'Should I quit my job to start a company?' });
    expect(r.isError ?? false, text(r)).toBe(false);
    const rs = r.structuredContent as Record<string, any>;
    expect(rs.mode).toBe('anticipated_regret');
    expect(rs.anticipated_regret.source).toBe('estimated');
    expect(rs.anticipated_regret.value).toBeGreaterThanOrEqual(0);
    expect(rs.anticipated_regret.value).toBeLessThanOrEqual(1);
  });

  it('bentham_score refuses semantically wrong input with invalid_input', async () => {
    const neither = await call('bentham_score', { profile: 'neutral' });
    expect(neither.isError).toBe(true);
    expect(text(neither)).toMatch(/^invalid_input: give `parties`/);
  });

  it('regret_forecast ranks options by their descriptions (model-estimated utilities)', async () => {
    const r = await call('regret_forecast', {
      decision: 'What should I do this weekend?',
      options: [
        { name: 'beach', description: 'A relaxing, happy day at the beach with my best friends, laughing in the sun.' },
        {
          name: 'dentist',
          description: 'A painful root canal at the dentist, then a long lonely night of terrible toothache.',
        },
      ],
    });
    expect(r.isError ?? false, text(r)).toBe(false);
    const s = r.structuredContent as Record<string, any>;
    expect(s.mode).toBe('estimated_utilities');
    expect(s.options).toEqual(['beach', 'dentist']);
    expect(s.utilities).toHaveLength(2);
    // direction: the pleasant option has the higher estimated utility and is the regret-averse choice
    expect(s.utilities[0][0]).toBeGreaterThan(s.utilities[1][0]);
    expect(s.recommendations.regret_averse).toEqual(['beach']);
    expect(s.estimation.option_texts[1]).toContain('root canal');
  });

  // Direction checks on the shipped model: what any user would call obvious must come out that way round.
  it('a clearly pleasant scenario scores higher than a clearly painful one (bentham_score, text mode)', async () => {
    const pleasant = await call('bentham_score', {
      scenario:
        'We threw a surprise birthday party and everyone laughed, hugged and had a wonderful, joyful evening together.',
    });
    const painful = await call('bentham_score', {
      scenario: 'He was badly beaten, robbed and left bleeding and terrified in the cold street, crying in pain.',
    });
    expect(pleasant.isError ?? false, text(pleasant)).toBe(false);
    expect(painful.isError ?? false, text(painful)).toBe(false);
    const p = pleasant.structuredContent as Record<string, any>;
    const q = painful.structuredContent as Record<string, any>;
    expect(p.final_score).toBeGreaterThan(q.final_score);
    expect(p.ethical_score).toBeGreaterThan(q.ethical_score);
    expect(p.estimation.kind.value).toBe('pleasure');
    expect(q.estimation.kind.value).toBe('pain');
  });

  it('a clearly regretful decision text has higher anticipated regret than a neutral one', async () => {
    const regretful = await call('regret_forecast', {
      decision: 'I deeply regret selling the house; it was a terrible mistake and I feel so sorry and ashamed.',
    });
    const neutral = await call('regret_forecast', {
      decision: 'The meeting is scheduled for Tuesday at ten in room four.',
    });
    expect(regretful.isError ?? false, text(regretful)).toBe(false);
    expect(neutral.isError ?? false, text(neutral)).toBe(false);
    const a = (regretful.structuredContent as Record<string, any>).anticipated_regret.value;
    const b = (neutral.structuredContent as Record<string, any>).anticipated_regret.value;
    expect(a).toBeGreaterThan(b);
  });
});
