import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  aversionBreakpoints,
  computeRegret,
  dominance,
  hurwiczIntervals,
  laplaceChoice,
  probabilitySensitivity,
  regretAverseValues,
  sensitivity,
  twoScenarioThreshold,
  upperEnvelope,
  argmaxAll,
  type RegretAversionMode,
} from '../../../src/analysis/regret/index.js';
import { regretProblems } from '../../helpers/regret.js';

const BUY_WAIT = [
  [120000, -50000],
  [0, 0],
];

function analyse(u: number[][], p: number[], k = 1, mode: RegretAversionMode = 'scaled', concentration?: number) {
  const r = computeRegret({
    utilities: u,
    probabilities: p,
    regretAversion: k,
    hurwiczAlpha: 0.5,
    regretAversionMode: mode,
  });
  return {
    r,
    s: sensitivity({
      utilities: u,
      probabilities: p,
      regret: r.regret,
      regretUnit: r.regretUnit,
      regretAversion: k,
      concentration,
    }),
  };
}

describe('dominance and Laplace, hand-computed', () => {
  it('names strict and weak dominators; identical options do not dominate each other', () => {
    // 0 = (3, 3), 1 = (2, 3), 2 = (1, 1), 3 = (3, 3).
    // 1 is weakly dominated by 0 and 3 (equal in scenario 2); 2 is strictly dominated by 0, 1 and 3.
    expect(
      dominance([
        [3, 3],
        [2, 3],
        [1, 1],
        [3, 3],
      ]),
    ).toEqual([
      {
        option: 1,
        by: [
          { option: 0, strict: false },
          { option: 3, strict: false },
        ],
      },
      {
        option: 2,
        by: [
          { option: 0, strict: true },
          { option: 1, strict: true },
          { option: 3, strict: true },
        ],
      },
    ]);
    expect(
      dominance([
        [1, 0],
        [0, 1],
      ]),
    ).toEqual([]);
  });

  it('Laplace = the best mean over scenarios (Savage omelette: means 3, 4.5, 4.5)', () => {
    expect(
      laplaceChoice([
        [6, 0],
        [5, 4],
        [4, 5],
      ]),
    ).toEqual([1, 2]);
    expect(laplaceChoice(BUY_WAIT)).toEqual([0]); // means 35000 and 0
  });
});

describe('probability sensitivity, hand-computed', () => {
  it('buy / wait at p = (½, ½): max EU changes after moving 7/34 of the mass to the second scenario (p₁ = 5/17)', () => {
    // EU_buy(q) = 120000q − 50000(1 − q) = 170000q − 50000 ≥ 0 = EU_wait  ⇔  q ≥ 5/17.
    const ps = probabilitySensitivity(BUY_WAIT, [0.5, 0.5]);
    expect(ps.choice).toEqual([0]);
    expect(ps.threshold).toBeCloseTo(0.5 - 5 / 17, 14);
    expect(ps.rivals).toEqual([1]);
    expect(ps.move).toEqual({ to: 1, from: [{ scenario: 0, amount: expect.closeTo(7 / 34, 14) }] });
    expect(ps.probabilitiesAtThreshold).toEqual([expect.closeTo(5 / 17, 14), expect.closeTo(12 / 17, 14)]);
    const two = twoScenarioThreshold(BUY_WAIT, [0.5, 0.5]);
    expect(two.intervals).toEqual([
      { from: 0, to: expect.closeTo(5 / 17, 14), winners: [1] },
      { from: expect.closeTo(5 / 17, 14), to: 1, winners: [0] },
    ]);
    expect(two.below).toBeCloseTo(5 / 17, 14);
    expect(two.above).toBeNull();
  });

  it('three options on two scenarios: thresholds on both sides', () => {
    // A = 10q, B = 10 − 10q, C = 6: B on [0, 0.4], C on [0.4, 0.6], A on [0.6, 1]. At q = ½ C is chosen and a move of
    // 0.1 either way ties it with A or with B.
    const u = [
      [10, 0],
      [0, 10],
      [6, 6],
    ];
    const two = twoScenarioThreshold(u, [0.5, 0.5]);
    expect(two.intervals.map((iv) => iv.winners)).toEqual([[1], [2], [0]]);
    expect(two.below).toBeCloseTo(0.4, 14);
    expect(two.above).toBeCloseTo(0.6, 14);
    const ps = probabilitySensitivity(u, [0.5, 0.5]);
    expect(ps.choice).toEqual([2]);
    expect(ps.threshold).toBeCloseTo(0.1, 14);
    expect(ps.rivals).toEqual([0, 1]);
  });

  it('three scenarios: the mass comes first from the scenario where the rival trails most', () => {
    // i = (10, 10, 0), j = (0, 6, 4), p = (0.2, 0.3, 0.5): EU_i = 5, EU_j = 3.8; d = j − i = (−10, −4, 4), gap 1.2.
    // Into scenario 3 (d = 4): from scenario 1 each unit gains 14, up to 0.2·14 = 2.8 ≥ 1.2 → 1.2/14 = 3/35.
    const ps = probabilitySensitivity(
      [
        [10, 10, 0],
        [0, 6, 4],
      ],
      [0.2, 0.3, 0.5],
    );
    expect(ps.threshold).toBeCloseTo(3 / 35, 14);
    expect(ps.move).toEqual({ to: 2, from: [{ scenario: 0, amount: expect.closeTo(3 / 35, 14) }] });
    // The other way round, p = (0.01, 0.19, 0.8): EU_i = 2, EU_j = 1.14 + 3.2 = 4.34, so j is chosen and i is the rival:
    // d = i − j = (10, 4, −4), gap 2.34; into scenario 1, from scenario 3 (gain 14, cap 0.8·14 = 11.2) → 2.34/14.
    const ps2 = probabilitySensitivity(
      [
        [10, 10, 0],
        [0, 6, 4],
      ],
      [0.01, 0.19, 0.8],
    );
    expect(ps2.choice).toEqual([1]);
    expect(ps2.threshold).toBeCloseTo(2.34 / 14, 14);
    // Two sources: i = (0, 0, 10), j = (1, 2, 0), p = (0.1, 0.1, 0.8): EU_i = 8, EU_j = 0.3; d = (1, 2, −10), gap 7.7.
    // Into scenario 2 (d = 2): scenario 3 gains 12 per unit (cap 0.8·12 = 9.6 ≥ 7.7) → 7.7/12.
    expect(
      probabilitySensitivity(
        [
          [0, 0, 10],
          [1, 2, 0],
        ],
        [0.1, 0.1, 0.8],
      ).threshold,
    ).toBeCloseTo(7.7 / 12, 14);
    // Exhausting a source: i = (0, 5, 10), j = (3, 0, 0), p = (0.1, 0.5, 0.4): EU_i = 6.5, EU_j = 0.3, d = (3, −5, −10),
    // gap 6.2. Into scenario 1: scenario 3 first (gain 13, cap 0.4·13 = 5.2 < 6.2: take all 0.4), then scenario 2
    // (gain 8): (6.2 − 5.2)/8 = 0.125 → threshold 0.525.
    const ps3 = probabilitySensitivity(
      [
        [0, 5, 10],
        [3, 0, 0],
      ],
      [0.1, 0.5, 0.4],
    );
    expect(ps3.threshold).toBeCloseTo(0.525, 14);
    expect(ps3.move).toEqual({
      to: 0,
      from: [
        { scenario: 2, amount: 0.4 },
        { scenario: 1, amount: expect.closeTo(0.125, 14) },
      ],
    });
  });

  it('a tie has threshold 0; a choice that is nowhere beaten has none', () => {
    expect(
      probabilitySensitivity(
        [
          [1, 2],
          [2, 1],
        ],
        [0.5, 0.5],
      ).threshold,
    ).toBe(0);
    expect(
      probabilitySensitivity(
        [
          [3, 3],
          [1, 3],
        ],
        [0.5, 0.5],
      ).threshold,
    ).toBeNull();
    expect(probabilitySensitivity([[3], [1]], [1]).threshold).toBeNull();
  });

  it('the regret-averse choice of buy / wait moves at the exact crossing of two lines in p₁', () => {
    // W_i(s) = u_is − R(e^{k r_is/R} − 1)/k with R = 120000, k = 1: buy = (120000, −50000 − 120000(e^{5/12} − 1)),
    // wait = (−120000(e − 1), 0). Buy ≥ wait ⇔ q ≥ −W_b2/(W_b1 − W_b2 − W_w1).
    const wb1 = 120000,
      wb2 = -50000 - 120000 * Math.expm1(5 / 12),
      ww1 = -120000 * Math.expm1(1);
    const q = -wb2 / (wb1 - wb2 - ww1);
    const { s } = analyse(BUY_WAIT, [0.5, 0.5]);
    expect(s.probability.regretAverse.twoScenario?.below).toBeCloseTo(q, 12);
    expect(s.probability.regretAverse.threshold).toBeCloseTo(0.5 - q, 12);
    expect(s.probability.maxExpectedUtility.threshold).toBeCloseTo(7 / 34, 14);
  });
});

describe('Hurwicz intervals, hand-computed', () => {
  it('bonds / stocks / deposit: deposit on [0, 4/9], bonds on [4/9, 5/8], stocks on [5/8, 1]', () => {
    // H = pess + α(opt − pess): bonds 3 + 9α, stocks −2 + 17α, deposit 7.
    // 3 + 9α = 7 at 4/9; 3 + 9α = −2 + 17α at 5/8 (deposit meets stocks at 9/17, inside the bonds interval).
    expect(
      hurwiczIntervals([
        [12, 6, 3],
        [15, 3, -2],
        [7, 7, 7],
      ]),
    ).toEqual([
      { from: 0, to: expect.closeTo(4 / 9, 14), winners: [2] },
      { from: expect.closeTo(4 / 9, 14), to: expect.closeTo(5 / 8, 14), winners: [0] },
      { from: expect.closeTo(5 / 8, 14), to: 1, winners: [1] },
    ]);
  });

  it('buy / wait: wait up to α = 5/17, buy after; identical lines are listed together', () => {
    expect(hurwiczIntervals(BUY_WAIT)).toEqual([
      { from: 0, to: expect.closeTo(5 / 17, 14), winners: [1] },
      { from: expect.closeTo(5 / 17, 14), to: 1, winners: [0] },
    ]);
    expect(
      upperEnvelope([
        { intercept: 1, slope: 0 },
        { intercept: 0, slope: 2 },
        { intercept: 0, slope: 2 },
      ]),
    ).toEqual([
      { from: 0, to: 0.5, winners: [0] },
      { from: 0.5, to: 1, winners: [1, 2] },
    ]);
    // Three lines through one point: the steepest takes over, with no zero-length interval.
    expect(
      upperEnvelope([
        { intercept: 1, slope: -1 },
        { intercept: 0.5, slope: 0 },
        { intercept: 0, slope: 1 },
      ]),
    ).toEqual([
      { from: 0, to: 0.5, winners: [0] },
      { from: 0.5, to: 1, winners: [2] },
    ]);
  });
});

describe('regret-aversion breakpoints', () => {
  it('A = (10, 0), B = (0, 3), p = (0.2, 0.8), raw: B at k = 0, A from the crossing of V_A and V_B on', () => {
    // k = 0: V = EU − ER = −0.4 (A), 0.4 (B). Raw k = 1: V_A = 2 − 0.8(e³ − 1) > V_B = 2.4 − 0.2(e¹⁰ − 1).
    const u = [
      [10, 0],
      [0, 3],
    ];
    const p = [0.2, 0.8];
    const r = computeRegret({
      utilities: u,
      probabilities: p,
      regretAversion: 1,
      hurwiczAlpha: 0.5,
      regretAversionMode: 'raw',
    });
    const b = aversionBreakpoints({ utilities: u, probabilities: p, regret: r.regret, unit: 1, k: 1 });
    expect(b.atZero).toEqual([1]);
    // Raw: κ = k·10, range κ ∈ [0, max(10, 2·10)] = [0, 20] → k ∈ [0, 2].
    expect(b.range).toEqual([0, 2]);
    expect(b.changes).toHaveLength(1);
    const { k, from, to } = b.changes[0];
    expect([from, to]).toEqual([[1], [0]]);
    const vA = (x: number) => 2 - (0.8 * Math.expm1(3 * x)) / x;
    const vB = (x: number) => 2.4 - (0.2 * Math.expm1(10 * x)) / x;
    expect(Math.abs(vA(k) - vB(k))).toBeLessThan(1e-9);
    expect(vA(k * 0.999)).toBeLessThan(vB(k * 0.999));
    expect(vA(k * 1.001)).toBeGreaterThan(vB(k * 1.001));
  });

  it('the scan ends where the penalty would overflow a double instead of reading -Infinity as a tie', () => {
    // R = 1e300, requested k = 300 → κ range [0, 600]; R·e^{κ}/κ passes 1.8e308 near κ = 22 (e^{κ}/κ = 1.8e8).
    const u = [
      [1e300, 0],
      [0, 5e299],
    ];
    const r = computeRegret({
      utilities: u,
      probabilities: [0.5, 0.5],
      regretAversion: 1,
      hurwiczAlpha: 0.5,
      regretAversionMode: 'scaled',
    });
    const b = aversionBreakpoints({
      utilities: u,
      probabilities: [0.5, 0.5],
      regret: r.regret,
      unit: r.regretUnit,
      k: 300,
    });
    expect(b.range[1]).toBeGreaterThan(15);
    expect(b.range[1]).toBeLessThan(25);
    expect(Number.isFinite((1e300 * Math.expm1(b.range[1])) / b.range[1])).toBe(true);
    for (const c of b.changes) expect(c.k).toBeLessThanOrEqual(b.range[1]);
  });

  it('buy / wait never changes: buy leads at every k in [0, 10]', () => {
    const { s } = analyse(BUY_WAIT, [0.5, 0.5]);
    expect(s.regretAversion.range).toEqual([0, 10]);
    expect(s.regretAversion.atZero).toEqual([0]);
    expect(s.regretAversion.changes).toEqual([]);
  });
});

describe('magnitudes', () => {
  it('refuses values whose differences overflow instead of reporting Infinity or NaN', () => {
    // Regrets 1e308 are finite, but the threshold arithmetic takes differences of differences (2e308).
    const u = [
      [1e308, 0],
      [0, 1e308],
    ];
    const r = computeRegret({
      utilities: u,
      probabilities: [0.5, 0.5],
      regretAversion: 0,
      hurwiczAlpha: 0.5,
      regretAversionMode: 'scaled',
    });
    expect(() =>
      sensitivity({
        utilities: u,
        probabilities: [0.5, 0.5],
        regret: r.regret,
        regretUnit: r.regretUnit,
        regretAversion: 0,
      }),
    ).toThrow(/too large in magnitude/);
  });
});

describe('fragile flag', () => {
  it('buy / wait at p = (½, ½) is robust: 0.24 of the mass must move, no k change near 1', () => {
    const { s } = analyse(BUY_WAIT, [0.5, 0.5]);
    expect(s.fragile).toEqual({ value: false, reasons: [] });
  });

  it('a close call is fragile, with the reason', () => {
    // EU: A = 0.5·10 = 5, B = 0.5·9 + 0.5·0.5... A = (10, 0), B = (0, 9.5): regrets A (0, 9.5), B (10, 0);
    // R = 10, k = 1: V_A = 5 − 5(e^{0.95} − 1), V_B = 4.75 − 5(e − 1): A; moving ~0.03 of mass flips it.
    const { s } = analyse(
      [
        [10, 0],
        [0, 9.5],
      ],
      [0.5, 0.5],
    );
    expect(s.fragile.value).toBe(true);
    expect(s.fragile.reasons[0]).toMatchObject({ code: 'probability_shift' });
    // Exactly 0.1 of the mass (here computed as 0.09999999999999998) is not "less than 0.1".
    // (1000, 0) vs (0, 1000) at p = (0.6, 0.4): both criteria are symmetric and switch at q = ½.
    const { s: edge } = analyse(
      [
        [1000, 0],
        [0, 1000],
      ],
      [0.6, 0.4],
      50,
    );
    expect(edge.probability.regretAverse.threshold).toBeCloseTo(0.1, 12);
    expect(edge.fragile.reasons.filter((r) => r.code === 'probability_shift')).toEqual([]);
    const { s: tied } = analyse(
      [
        [1, 2],
        [2, 1],
      ],
      [0.5, 0.5],
    );
    expect(tied.fragile.reasons).toEqual([{ code: 'tie', options: [0, 1] }]);
  });
});

// q: a second distribution over the same scenarios (p itself when every target weight is 0).
const problem = regretProblems(5, { min: 2, max: 5 }, (m) =>
  fc.record({
    target: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: m, maxLength: m }),
    fraction: fc.double({ min: 0, max: 0.999, noNaN: true }),
  }),
).map(({ target, ...p }) => {
  const tTotal = target.reduce((a, b) => a + b, 0) || 1;
  const q = target.every((t) => t === 0) ? p.probabilities : target.map((t) => t / tTotal);
  return { ...p, q };
});

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, k) => s + x * b[k], 0);
const tv = (a: readonly number[], b: readonly number[]) => 0.5 * a.reduce((s, x, k) => s + Math.abs(x - b[k]), 0);

describe('sensitivity properties', () => {
  it('moving the probabilities by less than the threshold never changes the choice', () => {
    fc.assert(
      fc.property(problem, ({ utilities, probabilities: p, q, fraction }) => {
        const ps = probabilitySensitivity(utilities, p);
        if (ps.choice.length !== 1 || tv(p, q) === 0) return;
        const i = ps.choice[0];
        // p' = p + λ(q − p) with TV(p, p') = fraction · threshold (or q itself when that is nearer).
        const lambda = ps.threshold === null ? 1 : Math.min(1, (fraction * ps.threshold) / tv(p, q));
        const pp = p.map((x, s) => x + lambda * (q[s] - x));
        const eus = utilities.map((row) => dot(row, pp));
        for (const v of eus) expect(eus[i]).toBeGreaterThanOrEqual(v - 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('moving slightly more than the threshold in the reported direction does change it', () => {
    fc.assert(
      fc.property(problem, ({ utilities, probabilities: p }) => {
        const ps = probabilitySensitivity(utilities, p);
        if (ps.choice.length !== 1 || ps.threshold === null || ps.move === null) return;
        const i = ps.choice[0];
        const at = ps.probabilitiesAtThreshold as number[];
        expect(tv(p, at)).toBeCloseTo(ps.threshold, 12);
        // At the threshold the choice ties with the rivals…
        for (const j of ps.rivals) expect(dot(utilities[j], at)).toBeCloseTo(dot(utilities[i], at), 9);
        // …and 0.1 % further towards the receiving scenario a rival is strictly better.
        const eps = 1e-3;
        const beyond = at.map((x, s) => (1 - eps) * x + (s === ps.move!.to ? eps : 0));
        expect(tv(p, beyond)).toBeLessThanOrEqual(ps.threshold + eps + 1e-12);
        const best = Math.max(...utilities.map((row) => dot(row, beyond)));
        expect(best - dot(utilities[i], beyond)).toBeGreaterThan(eps / 2);
      }),
      { numRuns: 300 },
    );
  });

  it('two scenarios: the threshold is the distance to the nearest breakpoint of the envelope', () => {
    fc.assert(
      fc.property(
        problem.filter((x) => x.probabilities.length === 2),
        ({ utilities, probabilities: p }) => {
          const ps = probabilitySensitivity(utilities, p);
          const two = twoScenarioThreshold(utilities, p);
          if (ps.choice.length !== 1) return;
          const gaps = [
            two.below === null ? Infinity : p[0] - two.below,
            two.above === null ? Infinity : two.above - p[0],
          ];
          const nearest = Math.min(...gaps);
          if (ps.threshold === null) expect(nearest).toBe(Infinity);
          else expect(nearest).toBeCloseTo(ps.threshold, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Hurwicz intervals agree with the Hurwicz recommendation at every α away from a breakpoint', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: 0, max: 1, noNaN: true }), ({ utilities, probabilities }, alpha) => {
        const intervals = hurwiczIntervals(utilities);
        expect(intervals[0].from).toBe(0);
        expect(intervals[intervals.length - 1].to).toBe(1);
        for (let t = 1; t < intervals.length; t++) expect(intervals[t].from).toBe(intervals[t - 1].to);
        const iv = intervals.find((x) => alpha >= x.from && alpha <= x.to)!;
        if (alpha - iv.from < 1e-6 || iv.to - alpha < 1e-6) return;
        const r = computeRegret({ utilities, probabilities, regretAversion: 0, hurwiczAlpha: alpha });
        expect(r.recommendations.hurwicz).toEqual(iv.winners);
      }),
      { numRuns: 300 },
    );
  });

  it('regret-aversion breakpoints: the choice is constant between them and the values tie at them', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(0.5, 1, 4), ({ utilities, probabilities }, k) => {
        const r = computeRegret({
          utilities,
          probabilities,
          regretAversion: k,
          hurwiczAlpha: 0.5,
          regretAversionMode: 'scaled',
        });
        const b = aversionBreakpoints({ utilities, probabilities, regret: r.regret, unit: r.regretUnit, k });
        const choiceAt = (x: number) =>
          argmaxAll(
            regretAverseValues({ utilities, regret: r.regret, regretUnit: r.regretUnit, regretAversion: x }).map(
              (row) => dot(row, probabilities),
            ),
          );
        const cuts = [0, ...b.changes.map((c) => c.k), b.range[1]];
        const expected = [b.atZero, ...b.changes.map((c) => c.to)];
        for (let t = 0; t + 1 < cuts.length; t++) {
          const mid = 0.5 * (cuts[t] + cuts[t + 1]);
          if (cuts[t + 1] - cuts[t] < 1e-6) continue;
          expect(choiceAt(mid)).toEqual(expected[t]);
        }
        for (const c of b.changes) {
          const v = regretAverseValues({
            utilities,
            regret: r.regret,
            regretUnit: r.regretUnit,
            regretAversion: c.k,
          }).map((row) => dot(row, probabilities));
          const scale = Math.max(1, ...v.map(Math.abs));
          expect(Math.abs(v[c.from[0]] - v[c.to[0]])).toBeLessThan(1e-9 * scale);
        }
        // The choice at the requested k is the regret-averse recommendation.
        expect(choiceAt(k)).toEqual(r.recommendations.regret_averse);
      }),
      { numRuns: 100 },
    );
  });

  it('every block is unchanged by multiplying the outcomes by c > 0 (scaled mode)', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(2 ** -6, 4, 2 ** 16), ({ utilities, probabilities }, c) => {
        const a = analyse(utilities, probabilities).s;
        const b = analyse(
          utilities.map((row) => row.map((v) => c * v)),
          probabilities,
        ).s;
        expect(b.dominated).toEqual(a.dominated);
        expect(b.laplace).toEqual(a.laplace);
        expect(b.hurwicz).toEqual(a.hurwicz);
        expect(b.probability).toEqual(a.probability);
        expect(b.regretAversion.changes.map((x) => x.k)).toEqual(a.regretAversion.changes.map((x) => x.k));
        expect(b.fragile).toEqual(a.fragile);
      }),
      { numRuns: 100 },
    );
  });

  it('Laplace is max expected utility at uniform probabilities; a strictly dominated option is never chosen', () => {
    fc.assert(
      fc.property(problem, ({ utilities, probabilities }) => {
        const m = utilities[0].length;
        const uniform = computeRegret({
          utilities,
          probabilities: utilities[0].map(() => 1 / m),
          regretAversion: 0,
          hurwiczAlpha: 0.5,
        });
        expect(laplaceChoice(utilities)).toEqual(uniform.recommendations.max_expected_utility);
        const r = computeRegret({
          utilities,
          probabilities,
          regretAversion: 1,
          hurwiczAlpha: 0.5,
          regretAversionMode: 'scaled',
        });
        for (const d of dominance(utilities)) {
          if (!d.by.some((x) => x.strict)) continue;
          for (const key of [
            'max_expected_utility',
            'regret_averse',
            'minimax_regret',
            'maximin',
            'maximax',
          ] as const) {
            expect(r.recommendations[key]).not.toContain(d.option);
          }
        }
      }),
    );
  });
});
