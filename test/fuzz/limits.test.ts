// Every configured limit, driven just past its value on the real stdio server: the call must be refused
// with `limit_exceeded` and a message that names the limit and its value. Limits are set low here so
// that the checks are cheap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../integration/harness.js';
import { FIXTURE_MODELS } from '../server/helpers/http.js';
import { slowSurdArguments } from '../server/helpers/slow.js';
import { resultText } from '../helpers/calls.js';

const LOW = {
  RED_HEART_MAX_TEXT_CHARS: '50',
  RED_HEART_MAX_BATCH_TEXTS: '3',
  RED_HEART_SURD_MAX_SAMPLES: '100',
  RED_HEART_SURD_MAX_CELLS: '64',
  RED_HEART_SURD_MAX_SOURCES: '2',
  RED_HEART_REGRET_MAX_CELLS: '6',
  // (no tight RED_HEART_TIMEOUT_MS here: the first text call loads the model; the timeout has its own server)
};
const seq = (n: number, k = 1) => Array.from({ length: n }, (_, i) => ((i * (k + 3) * 31) % 7) - 3);
const opts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `o${i}` }));
const scen = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i}` }));
const matrix = (r: number, c: number) =>
  Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => (i * 7 + j * 3) % 5));

describe('configured limits are enforced with a clear message', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { ...LOW, RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_CACHE: 'memory' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const refused = async (name: string, args: Record<string, unknown>, value: string | RegExp) => {
    const r = await server.client.callTool({ name, arguments: args });
    expect(r.isError, `${name} was not refused: ${resultText(r).slice(0, 300)}`).toBe(true);
    const t = resultText(r);
    expect(t).toMatch(/^limit_exceeded: /);
    expect(t).toMatch(typeof value === 'string' ? new RegExp(`\\b${value}\\b`) : value);
    return t;
  };
  const accepted = async (name: string, args: Record<string, unknown>) => {
    const r = await server.client.callTool({ name, arguments: args });
    expect(r.isError, `${name} refused at the limit: ${resultText(r).slice(0, 300)}`).toBeFalsy();
  };

  it('text length (RED_HEART_MAX_TEXT_CHARS=50): analyze_emotion, bentham_score scenario, regret_forecast decision', async () => {
    await accepted('analyze_emotion', { text: 'a'.repeat(50) });
    // counted in code points: 50 emoji (100 UTF-16 units) are at the limit, 51 one past it
    await accepted('analyze_emotion', { text: '😀'.repeat(50) });
    expect(await refused('analyze_emotion', { text: '😀'.repeat(51) }, '50')).toMatch(/has 51 characters/);
    await accepted('bentham_score', { scenario: 'c'.repeat(50) });
    await accepted('regret_forecast', { decision: 'd'.repeat(50) });
    expect(await refused('analyze_emotion', { text: 'a'.repeat(51) }, '50')).toMatch(
      /max-text-chars|MAX_TEXT_CHARS|maxTextChars/,
    );
    await refused('analyze_emotion', { texts: ['ok', 'b'.repeat(51)] }, '50');
    await refused('bentham_score', { scenario: 'c'.repeat(51) }, '50');
    await refused('regret_forecast', { decision: 'd'.repeat(51) }, '50');
    await refused(
      'regret_forecast',
      {
        options: [
          { name: 'a', description: 'e'.repeat(51) },
          { name: 'b', description: 'f' },
        ],
        decision: 'which?',
      },
      '50',
    );
  });

  it('text length (RED_HEART_MAX_TEXT_CHARS=50): full_analysis refuses every text section with the limit', async () => {
    // full_analysis reports per-section errors instead of failing the whole call.
    const r = await server.client.callTool({ name: 'full_analysis', arguments: { text: 'g'.repeat(51) } });
    const sections = (
      r.structuredContent as { sections: Record<string, { error?: { code: string; message: string } }> }
    ).sections;
    for (const name of ['emotion', 'bentham', 'regret']) {
      expect(sections[name].error?.code, name).toBe('limit_exceeded');
      expect(sections[name].error?.message).toMatch(/\b50\b/);
    }
  });

  it('batch size (RED_HEART_MAX_BATCH_TEXTS=3): 3 accepted, 4 refused', async () => {
    await accepted('analyze_emotion', { texts: ['a', 'b', 'c'] });
    expect(await refused('analyze_emotion', { texts: ['a', 'b', 'c', 'd'] }, '3')).toMatch(
      /max-batch-texts|MAX_BATCH_TEXTS|maxBatchTexts/,
    );
  });

  it('regret matrix size (RED_HEART_REGRET_MAX_CELLS=6): 6 cells accepted, 7 refused', async () => {
    await accepted('regret_forecast', { options: opts(2), scenarios: scen(3), outcomes: matrix(2, 3) });
    await accepted('regret_forecast', { options: opts(6), scenarios: scen(1), outcomes: matrix(6, 1) });
    await refused('regret_forecast', { options: opts(7), scenarios: scen(1), outcomes: matrix(7, 1) }, '6');
    expect(
      await refused('regret_forecast', { options: opts(3), scenarios: scen(3), outcomes: matrix(3, 3) }, '6'),
    ).toMatch(/REGRET_MAX_CELLS|regretMaxCells/);
  });

  it('SURD samples (RED_HEART_SURD_MAX_SAMPLES=100): 100 accepted, 101 refused', async () => {
    await accepted('surd_decompose', { target: seq(100), sources: [seq(100, 2)], bins: 2 });
    expect(await refused('surd_decompose', { target: seq(101), sources: [seq(101, 2)], bins: 2 }, '100')).toMatch(
      /SURD_MAX_SAMPLES|surdMaxSamples/,
    );
  });

  it('SURD sources (RED_HEART_SURD_MAX_SOURCES=2): 2 accepted, 3 refused', async () => {
    await accepted('surd_decompose', { target: seq(30), sources: [seq(30, 1), seq(30, 2)], bins: 2 });
    await accepted('surd_decompose', {
      histogram: [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
    }); // target + 2 source axes
    expect(
      await refused('surd_decompose', { target: seq(30), sources: [seq(30, 1), seq(30, 2), seq(30, 3)], bins: 2 }, '2'),
    ).toMatch(/SURD_MAX_SOURCES|surdMaxSources/);
    const h = [
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
      [
        [
          [1, 1],
          [1, 1],
        ],
        [
          [2, 2],
          [2, 2],
        ],
      ],
    ]; // target + 3 source axes
    await refused('surd_decompose', { histogram: h }, '2');
  });

  it('SURD table cells (RED_HEART_SURD_MAX_CELLS=64): 64 accepted, 65 refused', async () => {
    await accepted('surd_decompose', { target: seq(60), sources: [seq(60, 1), seq(60, 2)], bins: 4 }); // 4^3 = 64
    await refused('surd_decompose', { target: seq(60), sources: [seq(60, 1)], bins: [5, 13] }, '64'); // 5 × 13 = 65
    await accepted('surd_decompose', {
      histogram: Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => [1, 2, 3, 4])),
    }); // 4×4×4 = 64
    await refused(
      'surd_decompose',
      {
        histogram: [
          Array.from({ length: 13 }, (_, i) => i + 1),
          Array.from({ length: 13 }, (_, i) => 13 - i),
          Array.from({ length: 13 }, () => 1),
          Array.from({ length: 13 }, () => 2),
          Array.from({ length: 13 }, () => 3),
        ],
      },
      '64',
    ); // 5×13 = 65
    expect(
      await refused('surd_decompose', { target: seq(60), sources: [seq(60, 1), seq(60, 2)], bins: 5 }, '64'),
    ).toMatch(/SURD_MAX_CELLS|surdMaxCells/); // 125
    const h = Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => [1, 2, 3, 4])); // 5×4×4 = 80 cells
    await refused('surd_decompose', { histogram: h }, '64');
  });

  it('per-call timeout (RED_HEART_TIMEOUT_MS=250) cancels a long call and names the limit', async () => {
    // Within every other limit but slow: the timeout, not a size limit, must stop it. SURD with the
    // low limits above is fast, so use a second server with only the timeout set.
    const slow = await startServer({
      env: { RED_HEART_TIMEOUT_MS: '250', RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_CACHE: 'memory' },
    });
    try {
      const t0 = performance.now();
      const r = await slow.client.callTool({ name: 'surd_decompose', arguments: slowSurdArguments() });
      const ms = performance.now() - t0;
      expect(r.isError).toBe(true);
      expect(resultText(r)).toMatch(/^limit_exceeded: .*250 ms.*RED_HEART_TIMEOUT_MS/);
      console.log(`[limits] a multi-second SURD call under a 250 ms timeout answered after ${Math.round(ms)} ms`);
      // and the server is free again right after
      const quick = await slow.client.callTool({
        name: 'surd_decompose',
        arguments: { target: seq(40), sources: [seq(40, 2)], bins: 2 },
      });
      expect(quick.isError, resultText(quick)).toBeFalsy();
    } finally {
      await slow.close();
    }
  });
});

// The tool contracts fix the largest inputs (text ≤ 20000 characters, ≤ 64 texts, ≤ 50 options × 50 scenarios);
// the limits can only tighten them, and a larger value is refused at start-up instead of being silently ignored.
describe('limits above the tool contracts', () => {
  it('are refused at start-up with the setting named', () => {
    expect(() => loadConfig([], { RED_HEART_MAX_TEXT_CHARS: '30000' })).toThrow(/RED_HEART_MAX_TEXT_CHARS/);
    expect(() => loadConfig([], { RED_HEART_MAX_BATCH_TEXTS: '100' })).toThrow(/RED_HEART_MAX_BATCH_TEXTS/);
    expect(() => loadConfig([], { RED_HEART_REGRET_MAX_CELLS: '10000' })).toThrow(/RED_HEART_REGRET_MAX_CELLS/);
  });
});
