// full_analysis through the built stdio server. Runs on the tiny fixture model (schema, sections, partial
// results, integration formulas recomputed from the sections); real-model semantics live in emotion.test.ts.
import { resolve } from 'node:path';
import { progressSent, recordWire } from '../server/helpers/wire.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVector, SKIP_REASON, VECTORS_PRESENT } from '../analysis/surd/vectors.js';
import { ROOT, startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
}

const FIXTURE = resolve(ROOT, 'test/fixtures/model');
const TEXT = 'I lied to my best friend about the accident and now I cannot sleep.';

describe('full_analysis over MCP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { RED_HEART_MODELS_DIR: FIXTURE, RED_HEART_THREADS: '1' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const call = async (args: Record<string, unknown>, onprogress?: (p: { progress: number }) => void) =>
    (await server.client.callTool(
      { name: 'full_analysis', arguments: args },
      undefined,
      onprogress ? { onprogress } : undefined,
    )) as CallResult;

  it('text only: emotion, bentham and regret run; SURD is skipped; scores are recomputable from the sections', async () => {
    const progress: number[] = [];
    const wire = recordWire(server.client); // what the server really sent
    const r = await call({ text: TEXT }, (p) => progress.push(p.progress)).finally(wire.stop);
    expect(r.isError ?? false, JSON.stringify(r.content)).toBe(false);
    const { sections, integrated } = r.structuredContent!;
    expect(sections.surd.skipped).toMatch(/no SURD data/);
    const e = sections.emotion.results[0];
    // the emotion section's one sentiment (docs/emotion.md): probability and valence from one rule, so one polarity
    // (both are shown rounded to 4 decimals, from the same unrounded probability: equal to within 1e-4)
    expect(e.sentiment.valence).toBeCloseTo(2 * e.sentiment.probability - 1, 3);
    expect(integrated.overall_sentiment.value).toBeCloseTo(
      Math.max(-1, Math.min(1, 0.5 * (2 * e.sentiment.probability - 1) + 0.5 * e.sentiment.valence)),
      3,
    );
    expect(integrated.ethical_score.value).toBe(sections.bentham.ethical_score);
    expect(sections.regret.mode).toBe('anticipated_regret');
    expect(integrated.regret_potential.value).toBe(sections.regret.anticipated_regret.value);
    expect(integrated.causal_clarity.value).toBeNull();
    expect(integrated.confidence.value).toBeGreaterThanOrEqual(0);
    expect(integrated.confidence.value).toBeLessThanOrEqual(0.75); // 3 of 4 sections ran
    // One notification per section (4), in order, all sent before the result.
    expect(progressSent(wire.messages)).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(wire.messages.findIndex((m) => m.result !== undefined)).toBe(wire.messages.length - 1);
    // The client drops notifications that share a chunk with the result (a CI run saw 2 of 4): only an in-order
    // prefix is certain there.
    expect(progress).toEqual([1, 2, 3, 4].slice(0, progress.length));
    const again = await call({ text: TEXT });
    expect(again.structuredContent!.cached).toBe(true);
    expect(again.structuredContent!.integrated).toEqual(integrated);
  });

  it('text + regret matrix: the matrix section is exact and drives regret_potential', async () => {
    const r = await call({
      text: TEXT,
      regret: {
        options: [{ name: 'confess' }, { name: 'stay silent' }],
        scenarios: [
          { name: 'friend finds out', probability: 0.6 },
          { name: 'never known', probability: 0.4 },
        ],
        outcomes: [
          [5, 2],
          [-10, 6],
        ],
      },
    });
    expect(r.isError ?? false).toBe(false);
    const g = r.structuredContent!.sections.regret;
    expect(g.mode).toBe('matrix');
    // regrets: confess [0, 4], silent [15, 0]; expected: confess 0.4·4 = 1.6, silent 0.6·15 = 9 → minimax and EU pick confess
    expect(g.recommendations.minimax_regret).toEqual(['confess']);
    expect(g.recommendations.max_expected_utility).toEqual(['confess']);
    // regret_potential = 1.6 / (6 − (−10)) = 0.1
    expect(r.structuredContent!.integrated.regret_potential.value).toBeCloseTo(0.1, 12);
  });

  it.skipIf(!VECTORS_PRESENT)(
    `text + SURD samples on the mediator vector match the reference${VECTORS_PRESENT ? '' : ` (${SKIP_REASON})`}`,
    async () => {
      const file = loadVector('mediator.json');
      const d = file.decompositions[0];
      const series = file.series!;
      const r = await call({
        text: TEXT,
        surd: {
          target: series[d.target_row! - 1],
          sources: Object.fromEntries(d.source_rows!.map((row) => [`Q${row}`, series[row - 1]])),
          lag: d.lag,
          bins: d.nbins,
        },
      });
      expect(r.isError ?? false).toBe(false);
      const s = r.structuredContent!.sections.surd;
      expect(Math.abs(s.leak - d.expected.info_leak)).toBeLessThanOrEqual(1e-9);
      expect(
        Math.abs(r.structuredContent!.integrated.causal_clarity.value - (1 - d.expected.info_leak)),
      ).toBeLessThanOrEqual(1e-9);
      expect(r.structuredContent!.integrated.confidence.inputs.sections_ran).toBe(4);
    },
  );

  it('an invalid SURD block fails only its section', async () => {
    const r = await call({ text: TEXT, surd: { target: [1, 2, 3, 4], sources: [[1, 2]] } });
    expect(r.isError ?? false).toBe(false);
    const { sections } = r.structuredContent!;
    expect(sections.surd.error.code).toBe('invalid_input');
    expect(sections.emotion.results).toHaveLength(1);
    expect(sections.bentham.final_score).toEqual(expect.any(Number));
    expect(r.content[0].text).toMatch(/surd: invalid_input/);
  });

  it("sections share the single tools' result-cache entries, both ways", async () => {
    const text = 'The shop refunded my order after a week of waiting.';
    const direct = (await server.client.callTool({ name: 'analyze_emotion', arguments: { text } })) as CallResult;
    expect(direct.structuredContent!.cached).toBe(false);
    const first = await call({ text, sections: ['emotion', 'bentham'] });
    const { emotion, bentham } = first.structuredContent!.sections;
    expect(emotion.cached).toBe(true); // the entry analyze_emotion just wrote
    expect(bentham.cached).toBe(false);
    const { cached: _e, elapsed_ms: _t, ...emotionRest } = emotion;
    const { cached: _d, elapsed_ms: _u, ...directRest } = direct.structuredContent!;
    expect(emotionRest).toEqual(directRest);
    const later = (await server.client.callTool({
      name: 'bentham_score',
      arguments: { scenario: text },
    })) as CallResult;
    expect(later.structuredContent!.cached).toBe(true); // the entry full_analysis's bentham section wrote
    expect(later.structuredContent!.final_score).toBe(bentham.final_score);
  });
});
