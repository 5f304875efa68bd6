import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classicEffectValue,
  scoreBentham,
  type Effect,
  type Party,
  type V2,
} from '../../../src/analysis/bentham/calculus.js';
import {
  LAYERS,
  LAYER_MAX,
  LAYER_MIN,
  PROFILE_WEIGHTS,
  resolveLayers,
  weightsOf,
  type LayerWeights,
} from '../../../src/analysis/bentham/layers.js';

const ONES: LayerWeights = { contextual: 1, temporal: 1, social: 1, ethical: 1, emotional: 1, cognitive: 1 };
const NO_V2: V2 = { externalCost: 0, redistributionEffect: 0, selfDamage: 0 };

const effect = (
  kind: Effect['kind'],
  I: number,
  D: number,
  C: number,
  N: number,
  F: number,
  P: number,
  description?: string,
): Effect => ({ kind, intensity: I, duration: D, certainty: C, propinquity: N, fecundity: F, purity: P, description });

// Hand-computed parties:
//   Alice ×1: pleasure I .8 D .5 C 1 N 1 F .2 P .9 → .8·.5·1·1·(.2 + .9) = 0.44
//   Villagers ×3: pain I .5 D .4 C .5 N 1 F 0 P 1 → −.5·.4·.5·1·1 = −0.1
//                 pleasure I 1 D 1 C 1 N .5 F .5 P .5 → 1·1·1·.5·1 = 0.5
// Villagers: pleasure 3·0.5 = 1.5, pain 3·0.1 = 0.3, net 1.2. classic_total = 0.44 + 1.2 = 1.64, extent 4.
// Gross stakes (neutral layers) = 0.44 + 1.5 + 0.3 = 2.24; layered pleasure = 0.44 + 1.5 = 1.94.
const PARTIES: Party[] = [
  { name: 'Alice', count: 1, effects: [effect('pleasure', 0.8, 0.5, 1, 1, 0.2, 0.9, 'promotion')] },
  {
    name: 'Villagers',
    count: 3,
    effects: [effect('pain', 0.5, 0.4, 0.5, 1, 0, 1, 'noise'), effect('pleasure', 1, 1, 1, 0.5, 0.5, 0.5, 'new park')],
  },
];

describe('classic calculus on hand-computed parties', () => {
  it('effect values follow s·I·D·C·N·(F + P)', () => {
    expect(classicEffectValue(PARTIES[0].effects[0])).toBeCloseTo(0.44, 12);
    expect(classicEffectValue(PARTIES[1].effects[0])).toBeCloseTo(-0.1, 12);
    expect(classicEffectValue(PARTIES[1].effects[1])).toBeCloseTo(0.5, 12);
    // Fecundity adds F·base, impurity subtracts (1 − P)·base: base 0.2, F .3, P .6 → 0.2(1 + .3 − .4) = 0.18.
    expect(classicEffectValue(effect('pleasure', 0.5, 0.4, 1, 1, 0.3, 0.6))).toBeCloseTo(0.18, 12);
  });

  it('party balances, extent, classic_total; defaults leave final = classic_total exactly', () => {
    const s = scoreBentham(PARTIES);
    expect(s.parties[0]).toMatchObject({ name: 'Alice', count: 1, extent: 1 });
    expect(s.parties[0].pleasure).toBeCloseTo(0.44, 12);
    expect(s.parties[0].pain).toBe(0);
    expect(s.parties[1].pleasure).toBeCloseTo(1.5, 12);
    expect(s.parties[1].pain).toBeCloseTo(0.3, 12);
    expect(s.parties[1].net).toBeCloseTo(1.2, 12);
    expect(s.extent).toBe(4);
    expect(s.classicTotal).toBeCloseTo(1.64, 12);
    expect(s.finalScore).toBe(s.classicTotal);
    expect(s.grossStakes).toBeCloseTo(2.24, 12);
    expect(s.ethicalScore).toBeCloseTo(0.5 * (1 + Math.tanh(1.64 / 2.24)), 12);
    expect(s.verdict).toBe('net_pleasure');
    // Largest term: Villagers' park, 3 × 0.5 = 1.5.
    expect(s.terms[0].label).toBe('Villagers: pleasure "new park"');
    expect(s.terms[0].value).toBeCloseTo(1.5, 12);
    // The terms add up to the final score.
    expect(s.terms.reduce((a, t) => a + t.value, 0)).toBeCloseTo(s.finalScore, 12);
  });

  it('v2 corrections: −c·gross, −s·pleasure, +½ρ·gross (times the ethical layer)', () => {
    const s = scoreBentham(PARTIES, { externalCost: 0.1, redistributionEffect: 0.4, selfDamage: 0.5 });
    // −0.1·2.24 = −0.224; −0.5·1.94 = −0.97; +0.5·0.4·2.24 = +0.448 → total −0.746; final 1.64 − 0.746 = 0.894.
    expect(s.v2Adjustment.externalCost).toBeCloseTo(-0.224, 12);
    expect(s.v2Adjustment.selfDamage).toBeCloseTo(-0.97, 12);
    expect(s.v2Adjustment.redistribution).toBeCloseTo(0.448, 12);
    expect(s.finalScore).toBeCloseTo(0.894, 12);
    expect(s.classicTotal).toBeCloseTo(1.64, 12); // classic part is untouched
    const e2 = scoreBentham(
      PARTIES,
      { externalCost: 0.1, redistributionEffect: 0.4, selfDamage: 0.5 },
      { ...ONES, ethical: 2 },
    );
    expect(e2.finalScore).toBeCloseTo(1.64 - 2 * 0.746, 12);
    expect(s.terms.reduce((a, t) => a + t.value, 0)).toBeCloseTo(s.finalScore, 12);
  });

  it('each layer acts on its own term', () => {
    // social 0.5: Villagers count 1 + 0.5·2 = 2 → net 2·0.4 = 0.8 → final 0.44 + 0.8 = 1.24.
    expect(scoreBentham(PARTIES, NO_V2, { ...ONES, social: 0.5 }).finalScore).toBeCloseTo(1.24, 12);
    // contextual 2 doubles the final score but not the ethical score (a ratio to the stakes).
    const c2 = scoreBentham(PARTIES, NO_V2, { ...ONES, contextual: 2 });
    expect(c2.finalScore).toBeCloseTo(3.28, 12);
    expect(c2.ethicalScore).toBeCloseTo(scoreBentham(PARTIES).ethicalScore, 12);
    // cognitive 2: C² — the noise (C .5) becomes −.5·.4·.25 = −0.05, ×3 = −0.15 → final 0.44 + 1.5 − 0.15 = 1.79.
    expect(scoreBentham(PARTIES, NO_V2, { ...ONES, cognitive: 2 }).finalScore).toBeCloseTo(1.79, 12);
    // emotional 2 doubles pains: −0.6 → final 0.44 + 1.5 − 0.6 = 1.34.
    expect(scoreBentham(PARTIES, NO_V2, { ...ONES, emotional: 2 }).finalScore).toBeCloseTo(1.34, 12);
    // temporal 2 doubles fecundity follow-ons: Alice .8·.5·(.9 + .4) = 0.52; park .5·(.5 + 1) = 0.75 ×3 = 2.25
    // → final 0.52 + 2.25 − 0.3 = 2.47.
    expect(scoreBentham(PARTIES, NO_V2, { ...ONES, temporal: 2 }).finalScore).toBeCloseTo(2.47, 12);
  });

  it('verdicts: net pain, and balanced within 5 % of the stakes', () => {
    const pain = scoreBentham([{ name: 'p', count: 2, effects: [effect('pain', 1, 1, 1, 1, 0, 1)] }]);
    expect(pain.finalScore).toBe(-2);
    expect(pain.verdict).toBe('net_pain');
    expect(pain.ethicalScore).toBeCloseTo(0.5 * (1 + Math.tanh(-1)), 12);
    // +1 and −0.95: |0.05| ≤ 0.05·1.95 → balanced.
    const bal = scoreBentham([
      { name: 'q', count: 1, effects: [effect('pleasure', 1, 1, 1, 1, 0, 1), effect('pain', 0.95, 1, 1, 1, 0, 1)] },
    ]);
    expect(bal.verdict).toBe('balanced');
    // No stakes at all: 0, balanced, ethical 0.5.
    const zero = scoreBentham([{ name: 'z', count: 1, effects: [effect('pleasure', 0, 1, 1, 1, 0, 1)] }]);
    expect(zero).toMatchObject({ finalScore: 0, verdict: 'balanced', ethicalScore: 0.5 });
  });
});

describe('layers and profiles', () => {
  it('clamps overrides to [0.3, 2.5] and reports the request', () => {
    const r = resolveLayers('neutral', { social: 10, ethical: 0, temporal: 1.7 });
    expect(r.social).toEqual({ weight: LAYER_MAX, source: 'given', requested: 10 });
    expect(r.ethical).toEqual({ weight: LAYER_MIN, source: 'given', requested: 0 });
    expect(r.temporal).toEqual({ weight: 1.7, source: 'given' });
    expect(r.contextual).toEqual({ weight: 1, source: 'default' });
  });

  it('profiles preset weights within the bounds; overrides win', () => {
    for (const preset of Object.values(PROFILE_WEIGHTS)) {
      for (const l of LAYERS) {
        expect(preset[l]).toBeGreaterThanOrEqual(LAYER_MIN);
        expect(preset[l]).toBeLessThanOrEqual(LAYER_MAX);
      }
    }
    expect(Object.values(PROFILE_WEIGHTS.neutral)).toEqual([1, 1, 1, 1, 1, 1]);
    const k = resolveLayers('korean', { social: 0.5 });
    expect(k.social).toEqual({ weight: 0.5, source: 'given' });
    expect(k.contextual).toEqual({ weight: PROFILE_WEIGHTS.korean.contextual, source: 'profile' });
    expect(weightsOf(resolveLayers('neutral'))).toEqual(ONES);
  });
});

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const effectArb = fc.record({
  kind: fc.constantFrom<Effect['kind']>('pleasure', 'pain'),
  intensity: unit,
  duration: unit,
  certainty: unit,
  propinquity: unit,
  fecundity: unit,
  purity: unit,
});
const partiesArb = fc.array(
  fc.record({
    name: fc.constant('p'),
    count: fc.integer({ min: 1, max: 1000 }),
    effects: fc.array(effectArb, { minLength: 1, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 4 },
);
const weight = fc.double({ min: LAYER_MIN, max: LAYER_MAX, noNaN: true });
const weightsArb = fc.record({
  contextual: weight,
  temporal: weight,
  social: weight,
  ethical: weight,
  emotional: weight,
  cognitive: weight,
});
const v2Arb = fc.record({
  externalCost: unit,
  redistributionEffect: fc.double({ min: -1, max: 1, noNaN: true }),
  selfDamage: unit,
});

describe('monotonicity and default properties', () => {
  it('with all defaults the final score equals classic_total', () => {
    fc.assert(
      fc.property(partiesArb, (parties) => {
        const s = scoreBentham(parties);
        expect(s.finalScore).toBe(s.classicTotal);
      }),
    );
  });

  it('raising external_cost or self_damage never raises final or ethical score; raising redistribution never lowers them', () => {
    fc.assert(
      fc.property(
        partiesArb,
        v2Arb,
        weightsArb,
        unit,
        unit,
        fc.double({ min: -1, max: 1, noNaN: true }),
        (parties, v2, w, c, sd, rho) => {
          const base = scoreBentham(parties, v2, w);
          const moreCost = scoreBentham(parties, { ...v2, externalCost: Math.max(v2.externalCost, c) }, w);
          const moreSelf = scoreBentham(parties, { ...v2, selfDamage: Math.max(v2.selfDamage, sd) }, w);
          const moreRedis = scoreBentham(
            parties,
            { ...v2, redistributionEffect: Math.max(v2.redistributionEffect, rho) },
            w,
          );
          expect(moreCost.finalScore).toBeLessThanOrEqual(base.finalScore);
          expect(moreSelf.finalScore).toBeLessThanOrEqual(base.finalScore);
          expect(moreRedis.finalScore).toBeGreaterThanOrEqual(base.finalScore);
          expect(moreCost.ethicalScore).toBeLessThanOrEqual(base.ethicalScore);
          expect(moreSelf.ethicalScore).toBeLessThanOrEqual(base.ethicalScore);
          expect(moreRedis.ethicalScore).toBeGreaterThanOrEqual(base.ethicalScore);
        },
      ),
    );
  });

  it('ethical_score stays in [0, 1] and is monotone in the final score for fixed effects', () => {
    fc.assert(
      fc.property(partiesArb, v2Arb, weightsArb, (parties, v2, w) => {
        const s = scoreBentham(parties, v2, w);
        expect(s.ethicalScore).toBeGreaterThanOrEqual(0);
        expect(s.ethicalScore).toBeLessThanOrEqual(1);
        const t = scoreBentham(parties, { ...v2, externalCost: 1, selfDamage: 1, redistributionEffect: -1 }, w);
        expect(t.finalScore).toBeLessThanOrEqual(s.finalScore);
        expect(t.ethicalScore).toBeLessThanOrEqual(s.ethicalScore);
      }),
    );
  });

  it('more of a pleasure never lowers the score, more of a pain never raises it', () => {
    fc.assert(
      fc.property(effectArb, unit, partiesArb, weightsArb, (e, boost, others, w) => {
        const bigger = { ...e, intensity: Math.max(e.intensity, boost) };
        const s1 = scoreBentham([...others, { name: 'x', count: 1, effects: [e] }], NO_V2, w).finalScore;
        const s2 = scoreBentham([...others, { name: 'x', count: 1, effects: [bigger] }], NO_V2, w).finalScore;
        if (e.kind === 'pleasure') expect(s2).toBeGreaterThanOrEqual(s1 - 1e-12 * Math.max(1, Math.abs(s1)));
        else expect(s2).toBeLessThanOrEqual(s1 + 1e-12 * Math.max(1, Math.abs(s1)));
      }),
    );
  });
});
