// surd_decompose's automatic bins, reliability flag and lag scan, and the pure rules behind them.
import { describe, expect, it } from 'vitest';
import { recordingContext } from '../../helpers/tool-context.js';
import { mulberry32 } from '../../../src/core/random.js';
import { autoBins, bestSupportedLag, holmAdjust, largestTableCells } from '../../../src/analysis/surd/index.js';
import { surdDecomposeTool, surdInput, surdOutput } from '../../../src/tools/surd-decompose.js';

type Args = Parameters<typeof surdDecomposeTool.handler>[0];
const call = (args: unknown) => surdDecomposeTool.handler(args as Args, recordingContext().ctx);

/** Standard normal by Box–Muller from a seeded uniform. */
function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/**
 * 199 days: ad spend is independent day to day; sign-ups on day t follow the ad spend of day t − 2 plus noise;
 * temperature is a seasonal wave plus noise that drives nothing.
 */
function adSpend(seed: number) {
  const rnd = mulberry32(seed);
  const n = 199;
  const ad = Array.from({ length: n }, () => 100 + 30 * normal(rnd));
  const temperature = Array.from({ length: n }, (_, t) => 15 + 8 * Math.sin((2 * Math.PI * t) / 365) + 3 * normal(rnd));
  const signups = Array.from({ length: n }, (_, t) => (t >= 2 ? 40 + 0.5 * ad[t - 2] : 90) + 6 * normal(rnd));
  return { target: signups, sources: { ad_spend: ad, temperature, signups } };
}

describe('automatic bins', () => {
  it('the largest equal count with at least 10 samples per cell (hand-computed)', () => {
    // 197 pairs, 4 axes: 3^4 = 81 cells give 2.4 per cell, 2^4 = 16 give 12.3
    expect(autoBins(197, 4)).toEqual({ bins: 2, samplesPerCell: 197 / 16, reliable: true });
    // 10,000 pairs, 2 axes: 31^2 = 961 → 10.4, 32^2 = 1024 → 9.8, capped at 16
    expect(autoBins(10_000, 2).bins).toBe(16);
    // 1,000 pairs, 2 axes: 10^2 = 100 → 10, 11^2 = 121 → 8.3
    expect(autoBins(1000, 2).bins).toBe(10);
    // 100 pairs, 4 axes: even 2^4 = 16 cells leave 6.25 per cell
    expect(autoBins(100, 4)).toEqual({ bins: 2, samplesPerCell: 6.25, reliable: false });
    expect(largestTableCells([4, 3, 5, 2], 2)).toBe(4 * 5 * 3);
    expect(largestTableCells([4, 3, 5, 2])).toBe(120);
  });

  it('the default is auto, says which bins it chose, and a request with too many bins says UNRELIABLE in its text', async () => {
    const data = adSpend(7);
    const auto = await call({ ...data, lag: 2 });
    expect(surdOutput.safeParse(auto.structured).success).toBe(true);
    expect(auto.structured.bins_used).toEqual([2, 2, 2, 2]);
    expect(auto.structured.reliable).toBe(true);
    expect(auto.structured.bins_rule).toMatch(/^auto: 2 per axis.*197 pairs \/ 2\^4 cells = 12\.3/);
    expect(auto.summary).toMatch(/Bins auto: 2 per axis/);
    expect(auto.summary).not.toMatch(/UNRELIABLE/);

    const eight = await call({ ...data, bins: 8 });
    expect(eight.structured.reliable).toBe(false);
    expect(eight.summary).toMatch(/^UNRELIABLE: only 198 samples for 4096 joint cells/);
    expect(eight.summary).toMatch(/Largest \(bias can explain these; do not read them as causes\)/);
  });
});

describe('Holm correction and the best-supported lag', () => {
  it('adjusts p-values step-down (hand-computed)', () => {
    // sorted 0.01, 0.02, 0.03, 0.5: 4·0.01 = 0.04, 3·0.02 = 0.06, max(0.06, 2·0.03) = 0.06, max(0.06, 0.5) = 0.5
    const adj = holmAdjust([0.03, 0.01, 0.5, 0.02]);
    [0.06, 0.04, 0.5, 0.06].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
    // sorted 0.8, 0.9: min(1, 2·0.8) = 1, then max(1, 0.9) = 1
    expect(holmAdjust([0.9, 0.8])).toEqual([1, 1]);
  });

  it('picks the significant lag with the most information above its bias; none when nothing is significant', () => {
    const lags = [
      { lag: 1, mutualInformation: 0.3, surrogateMean: 0.1, pAdjusted: 0.01 },
      { lag: 2, mutualInformation: 0.5, surrogateMean: 0.1, pAdjusted: 0.02 },
      { lag: 3, mutualInformation: 0.9, surrogateMean: 0.1, pAdjusted: 0.2 },
    ];
    expect(bestSupportedLag(lags)).toBe(2);
    expect(bestSupportedLag(lags.map((l) => ({ ...l, pAdjusted: 0.06 })))).toBeNull();
  });
});

describe('lag scan', () => {
  it('finds lag 2 in the ad-spend series, p < 0.05 after the correction, with ad spend as the largest part', async () => {
    const { structured, summary } = await call({ ...adSpend(7), max_lag: 4, target_name: 'signups' });
    expect(surdOutput.safeParse(structured).success).toBe(true);
    const scan = structured.lag_scan!;
    expect(scan).toMatchObject({ max_lag: 4, n_samples: 195, surrogates: 176, correction: 'holm', best_lag: 2 });
    expect(scan.lags.map((l) => l.lag)).toEqual([1, 2, 3, 4]);
    expect(scan.lags[1].p_adjusted).toBeLessThan(0.05);
    expect(scan.lags[1].largest).toMatchObject({ kind: 'unique', sources: ['ad_spend'] });
    for (const l of [scan.lags[0], scan.lags[2], scan.lags[3]]) expect(l.p_adjusted).toBeGreaterThanOrEqual(0.05);
    expect(structured.lag).toBe(2);
    expect(structured.unique[0].sources).toEqual(['ad_spend']);
    expect(summary).toMatch(/best-supported lag 2/);
  });

  it('pure noise: no lag is significant after the correction, and the text says so', async () => {
    const rnd = mulberry32(11);
    const noise = () => Array.from({ length: 199 }, () => normal(rnd));
    const { structured, summary } = await call({ target: noise(), sources: { a: noise(), b: noise() }, max_lag: 5 });
    const scan = structured.lag_scan!;
    expect(scan.best_lag).toBeNull();
    for (const l of scan.lags) expect(l.p_adjusted).toBeGreaterThanOrEqual(0.05);
    expect(summary).toMatch(/no lag is significant/);
  });

  it('refuses lag together with max_lag', async () => {
    await expect(call({ ...adSpend(7), lag: 2, max_lag: 3 })).rejects.toThrow(/lag or max_lag, not both/);
  });
});

describe('source names', () => {
  it('"__proto__" is an ordinary source name', async () => {
    const rnd = mulberry32(3);
    const x = Array.from({ length: 200 }, () => rnd());
    const y = [0, ...x.slice(0, -1)];
    const args = surdInput.parse(
      JSON.parse(JSON.stringify({ target: y, sources: { plain: x } }).replace('"plain"', '"__proto__"')),
    );
    const { structured } = await surdDecomposeTool.handler(args, recordingContext().ctx);
    expect(structured.sources).toEqual(['__proto__']);
    expect(structured.unique[0].sources).toEqual(['__proto__']);
  });
});
