// bentham_score and regret_forecast through the built server over stdio (MCP client), as an agent would call them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
}

const text = (r: CallResult): string => r.content.map((c) => c.text ?? '').join('\n');

describe('decision tools over MCP', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server?.close(); });

  const call = async (name: string, args: Record<string, unknown>): Promise<CallResult> =>
    (await server.client.callTool({ name, arguments: args })) as CallResult;

  it('bentham_score on explicit parties returns the exact calculus', async () => {
    const r = await call('bentham_score', {
      parties: [
        { name: 'Ann', effects: [{ kind: 'pleasure', intensity: 0.8, duration: 0.5, certainty: 1, propinquity: 1, fecundity: 0.2, purity: 0.9 }] },
        { name: 'Town', count: 3, effects: [{ kind: 'pain', intensity: 0.5, duration: 0.4, certainty: 0.5, propinquity: 1, fecundity: 0, purity: 1 }] },
      ],
      v2: { external_cost: 0.1 },
    });
    expect(r.isError ?? false).toBe(false);
    const s = r.structuredContent as Record<string, any>;
    // Ann 0.8·0.5·(0.2 + 0.9) = 0.44; Town 3 × −0.5·0.4·0.5 = −0.3 → classic 0.14; gross 0.74;
    // external cost −0.1·0.74 = −0.074 → final 0.066.
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
      scenarios: [{ name: 'boom', probability: 0.2 }, { name: 'bust', probability: 0.8 }],
      outcomes: [[10, 0], [0, 3]],
    });
    expect(r.isError ?? false).toBe(false);
    const s = r.structuredContent as Record<string, any>;
    // EU A 2, B 2.4; regrets A (0, 3), B (10, 0): minimax regret A, max EU B; EVPI 2.
    expect(s.regret).toEqual([[0, 3], [10, 0]]);
    expect(s.recommendations).toMatchObject({ minimax_regret: ['A'], max_expected_utility: ['B'], regret_averse: ['A'], maximin: ['A', 'B'] });
    expect(s.evpi).toBeCloseTo(2, 12);
    expect(s.counterfactuals).toEqual([
      { option: 'A', scenario: 'bust', probability: 0.8, better_options: ['B'], best_utility: 3, utility: 0, regret: 3 },
    ]);
    expect(text(r)).toMatch(/Regret-averse choice: A/);
  });

  it('regret_forecast refuses probabilities that do not sum to 1', async () => {
    const r = await call('regret_forecast', {
      options: [{ name: 'A' }, { name: 'B' }],
      scenarios: [{ name: 'x', probability: 0.5 }, { name: 'y', probability: 0.6 }],
      outcomes: [[1, 2], [2, 1]],
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/invalid_input: .*sum to 1/);
  });

  it('text-only requests either report the missing model clearly or return estimates', async () => {
    const b = await call('bentham_score', { scenario: 'I will donate a kidney to my brother.' });
    if (b.isError) {
      expect(text(b)).toMatch(/^model_missing: /);
    } else {
      const s = b.structuredContent as Record<string, any>;
      expect(s.mode).toBe('text');
      expect(s.variables.intensity.source).toBe('estimated');
      expect(s.ethical_score).toBeGreaterThanOrEqual(0);
      expect(s.ethical_score).toBeLessThanOrEqual(1);
    }
    const r = await call('regret_forecast', { decision: 'Should I quit my job to start a company?' });
    if (r.isError) {
      expect(text(r)).toMatch(/^model_missing: /);
    } else {
      const s = r.structuredContent as Record<string, any>;
      expect(s.mode).toBe('anticipated_regret');
      expect(s.anticipated_regret.source).toBe('estimated');
      expect(s.anticipated_regret.value).toBeGreaterThanOrEqual(0);
      expect(s.anticipated_regret.value).toBeLessThanOrEqual(1);
    }
  });
});
