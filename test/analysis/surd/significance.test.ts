// Circular-shift significance: XOR synergy must be significant, the terms of an independent noise
// source must not be (a valid 5 % test leaves them non-significant in about 95 % of independent systems).
import { describe, expect, it } from 'vitest';
import {
  runSync,
  surdFromSamples,
  surdWithSignificanceSteps,
  type SurdProgress,
} from '../../../src/analysis/surd/index.js';
import { Rng } from '../../../src/core/random.js';
import { drawShifts, surrogatePlan } from '../../../src/analysis/surd/significance.js';

/** T[m+1] = X1[m] xor X2[m], flipped with probability `flip`; X1, X2, X3 independent fair bits (X3 is noise). */
function xorSystem(n: number, seed: number, flip: number): { target: Float64Array; sources: Float64Array[] } {
  const r = new Rng(seed + 1000);
  const x = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const t = new Float64Array(n);
  for (let m = 0; m < n; m++) for (const s of x) s[m] = r.next() & 1;
  for (let m = 1; m < n; m++) t[m] = x[0][m - 1] ^ x[1][m - 1] ^ (r.next() / 2 ** 32 < flip ? 1 : 0);
  return { target: t, sources: x };
}

describe('surrogate test', () => {
  it('finds the XOR synergy with p < 0.01 from 200 surrogates, and nothing else', () => {
    const { target, sources } = xorSystem(2000, 1, 0.1);
    const out = runSync(
      surdWithSignificanceSteps({ target, sources: sources.slice(0, 2), bins: 2 }, { surrogates: 200, seed: 7 }),
    );
    const sig = out.significance;
    // The smallest p-value 200 surrogates can give is 1/201: no surrogate reached the observed synergy.
    expect(sig.synergistic['1,2'].pValue).toBeLessThan(0.01);
    expect(sig.synergistic['1,2'].pValue).toBeCloseTo(1 / 201, 12);
    expect(sig.synergistic['1,2'].observed).toBeGreaterThan(0.4); // 1 − H(0.1) = 0.531 bits in the limit
    expect(sig.total.pValue).toBeLessThan(0.01);
    expect(sig.leak.pValue).toBeLessThan(0.01);
    // XOR gives neither source any information alone.
    expect(sig.unique['1'].pValue).toBeGreaterThan(0.05);
    expect(sig.unique['2'].pValue).toBeGreaterThan(0.05);
    // The bias estimate: with the target rotated the synergy is finite-sample noise, far below the observed value.
    expect(sig.synergistic['1,2'].surrogateMean).toBeLessThan(0.01);
    expect(sig.synergistic['1,2'].surrogateMean).toBeGreaterThan(0);
    expect(sig.leak.surrogateMean).toBeGreaterThan(0.99);
  });

  it('leaves the unique and synergistic terms of an independent noise source non-significant in ≥ 90 % of 50 seeds', () => {
    const terms = { unique: ['3'], synergistic: ['1,3', '2,3', '1,2,3'] } as const;
    const notSignificant: Record<string, number> = {};
    let xorFound = 0;
    for (let seed = 0; seed < 50; seed++) {
      const { target, sources } = xorSystem(2000, seed, 0.1);
      const sig = runSync(
        surdWithSignificanceSteps({ target, sources, bins: 2 }, { surrogates: 200, seed }),
      ).significance;
      for (const [part, keys] of Object.entries(terms)) {
        for (const key of keys) {
          const p = sig[part as keyof typeof terms][key].pValue;
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThanOrEqual(1);
          if (p > 0.05) notSignificant[`${part} ${key}`] = (notSignificant[`${part} ${key}`] ?? 0) + 1;
        }
      }
      if (sig.synergistic['1,2'].pValue < 0.01) xorFound++;
    }
    for (const [part, keys] of Object.entries(terms))
      for (const key of keys)
        expect(notSignificant[`${part} ${key}`] ?? 0, `${part} ${key}`).toBeGreaterThanOrEqual(45);
    // Power on the same systems: the real synergy is found every time.
    expect(xorFound).toBe(50);
  });

  it('reports the same decomposition as the plain call, and one progress point per surrogate', () => {
    const { target, sources } = xorSystem(600, 3, 0.2);
    const plain = surdFromSamples({ target, sources, bins: [2, 2, 2, 2] });
    const steps = surdWithSignificanceSteps({ target, sources, bins: [2, 2, 2, 2] }, { surrogates: 20, seed: 1 });
    const points: SurdProgress[] = [];
    let r = steps.next();
    while (!r.done) {
      points.push(r.value);
      r = steps.next();
    }
    const out = r.value;
    expect(out.result.synergistic).toEqual(plain.result.synergistic);
    expect(out.result.infoLeak).toBe(plain.result.infoLeak);
    const finished = points.filter((p) => p.stage === 'surrogates');
    // 4 sets (target + 3 sources) × 20 surrogates; `done` counts up to the total.
    expect(finished.at(-1)).toEqual({ stage: 'surrogates', done: 80, total: 80 });
    expect(out.significance.sets).toBe(4);
    for (const [key, test] of Object.entries(out.significance.synergistic))
      expect(test.observed).toBe(plain.result.synergistic[key]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const { target, sources } = xorSystem(400, 5, 0.3);
    const run = (seed: number) =>
      runSync(surdWithSignificanceSteps({ target, sources, bins: 2 }, { surrogates: 30, seed })).significance;
    expect(run(11)).toEqual(run(11));
    expect(run(11).synergistic['1,2,3'].surrogateMean).not.toBe(run(12).synergistic['1,2,3'].surrogateMean);
  });

  it('works with the high-dimensional variant', () => {
    const { target, sources } = xorSystem(1500, 9, 0.1);
    const out = runSync(
      surdWithSignificanceSteps({ target, sources, bins: 2, maxOrder: 2 }, { surrogates: 100, seed: 2 }),
    );
    expect(out.result.variant).toBe('high_dimensional');
    expect(out.significance.synergistic['1,2'].pValue).toBeCloseTo(1 / 101, 12);
    expect(Object.keys(out.significance.synergistic)).toEqual(['1,2', '1,3', '2,3']);
  });

  it('draws distinct shifts inside the allowed range and rejects requests the series cannot serve', () => {
    expect(surrogatePlan(1000, 200)).toEqual({ minShift: 50, distinctShifts: 901 });
    for (const [range, count] of [
      [901, 200],
      [10, 10],
      [100000, 1000],
    ]) {
      const shifts = drawShifts(new Rng(4), 50, range, count);
      expect(new Set(shifts).size).toBe(count);
      for (const s of shifts) expect(s >= 50 && s < 50 + range).toBe(true);
    }
    expect(() => surrogatePlan(100, 200)).toThrow(/allow only 91 distinct circular shifts of at least 5 samples/);
    expect(() => surrogatePlan(1000, 1001)).toThrow(/1\.\.1000/);
    expect(() => surrogatePlan(1000, 0)).toThrow(/1\.\.1000/);
  });

  it('Rng.below is uniform enough and in range', () => {
    const r = new Rng(123);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[r.below(7)]++;
    // Each bin expects 10,000 (sd ≈ 93): ±600 is over 6 sd.
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(600);
    expect(() => r.below(0)).toThrow();
  });
});
