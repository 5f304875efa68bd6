// Bentham's felicific calculus with the v2 corrections and the six weight layers (docs/bentham.md). Pure and
// deterministic; inputs are assumed validated (dimensions in [0, 1], counts ≥ 1, v2 in range).
import { LAYERS, type LayerWeights } from './layers.js';

export type EffectKind = 'pleasure' | 'pain';

export interface Effect {
  kind: EffectKind;
  intensity: number;
  duration: number;
  certainty: number;
  propinquity: number;
  fecundity: number;
  purity: number;
  description?: string;
}

export interface Party {
  name: string;
  count: number;
  effects: readonly Effect[];
}

export interface V2 {
  externalCost: number;
  redistributionEffect: number;
  selfDamage: number;
}

export const V2_DEFAULTS: V2 = { externalCost: 0, redistributionEffect: 0, selfDamage: 0 };

/** Share of the gross stakes that a full redistribution_effect of ±1 adds or removes. */
export const REDISTRIBUTION_WEIGHT = 0.5;
/** |net| ≤ BALANCE_BAND · gross (both after layers) reads as "balanced". */
export const BALANCE_BAND = 0.05;

export const NEUTRAL_LAYERS: LayerWeights = Object.fromEntries(LAYERS.map((l) => [l, 1])) as LayerWeights;

const sign = (kind: EffectKind): 1 | -1 => (kind === 'pleasure' ? 1 : -1);

/**
 * Classic value s·I·D·C·N·(F + P): the base I·D·C·N, plus a same-kind follow-on F·base (fecundity), minus an
 * opposite-kind follow-on (1 − P)·base (impurity).
 */
export function classicEffectValue(e: Effect): number {
  return sign(e.kind) * e.intensity * e.duration * e.certainty * e.propinquity * (e.fecundity + e.purity);
}

/**
 * Layered value s·I·D·C^{w_cog}·N·(P + w_temp·F)·(w_emo if pain): cognitive = how hard uncertainty is discounted,
 * temporal = weight of the future follow-on, emotional = salience of suffering. All weights 1 → classic value.
 */
export function layeredEffectValue(e: Effect, w: LayerWeights): number {
  const painWeight = e.kind === 'pain' ? w.emotional : 1;
  return (
    sign(e.kind) *
    e.intensity *
    e.duration *
    Math.pow(e.certainty, w.cognitive) *
    e.propinquity *
    (e.purity + w.temporal * e.fecundity) *
    painWeight
  );
}

/** Social layer: the first member of a party counts fully, the other count − 1 members with weight w_soc. */
export function effectiveCount(count: number, w: LayerWeights): number {
  return 1 + w.social * (count - 1);
}

export interface PartyScore {
  name: string;
  count: number;
  /** count × Σ classic pleasure values (≥ 0). */
  pleasure: number;
  /** count × Σ |classic pain values| (≥ 0). */
  pain: number;
  /** count × Σ classic values (= pleasure − pain). */
  net: number;
  /** Bentham's extent for this party: its head count. */
  extent: number;
  /** This party's contribution to final_score: w_ctx · effective count · Σ layered values. */
  weightedNet: number;
}

export interface Term {
  label: string;
  value: number;
}

export interface BenthamScore {
  parties: PartyScore[];
  extent: number;
  classicTotal: number;
  /** Σ effective count × Σ |layered values|: the stakes after layers, before v2 and the contextual scale. */
  grossStakes: number;
  /** Σ effective count × Σ layered pleasure values. */
  layeredPleasure: number;
  /** Σ effective count × Σ layered values (before v2 and the contextual scale). */
  layeredNet: number;
  v2Adjustment: { externalCost: number; redistribution: number; selfDamage: number; total: number };
  finalScore: number;
  ethicalScore: number;
  verdict: 'net_pleasure' | 'net_pain' | 'balanced';
  /** Every additive term of final_score (they sum to it exactly up to rounding), largest |value| first. */
  terms: Term[];
}

/** ethical_score = ½(1 + tanh(final / (w_ctx·gross))): 0.5 when balanced, → 1 (0) as the net approaches all-pleasure (all-pain). */
export function squashEthical(finalScore: number, scale: number): number {
  if (scale <= 0) return 0.5; // no stakes at all: nothing on either side
  return 0.5 * (1 + Math.tanh(finalScore / scale));
}

export function scoreBentham(
  parties: readonly Party[],
  v2: V2 = V2_DEFAULTS,
  w: LayerWeights = NEUTRAL_LAYERS,
): BenthamScore {
  const partyScores: PartyScore[] = [];
  const terms: Term[] = [];
  let classicTotal = 0;
  let extent = 0;
  let grossStakes = 0;
  let layeredPleasure = 0;
  let layeredNet = 0;

  for (const party of parties) {
    let pleasure = 0;
    let pain = 0;
    let classicSum = 0;
    let layeredSum = 0;
    const eff = effectiveCount(party.count, w);
    party.effects.forEach((e, k) => {
      const classic = classicEffectValue(e);
      classicSum += classic;
      if (classic >= 0) pleasure += classic;
      else pain -= classic;
      const layered = layeredEffectValue(e, w);
      layeredSum += layered;
      grossStakes += eff * Math.abs(layered);
      if (layered > 0) layeredPleasure += eff * layered;
      const what = e.description ? `${e.kind} "${e.description}"` : `${e.kind} #${k + 1}`;
      terms.push({ label: `${party.name}: ${what}`, value: w.contextual * eff * layered + 0 }); // + 0 turns −0 into 0
    });
    // Summed in the same order as the layered value so that all-default layers reproduce classic_total exactly.
    const net = party.count * classicSum;
    partyScores.push({
      name: party.name,
      count: party.count,
      pleasure: party.count * pleasure,
      pain: party.count * pain,
      net,
      extent: party.count,
      weightedNet: w.contextual * eff * layeredSum,
    });
    classicTotal += net;
    extent += party.count;
    layeredNet += eff * layeredSum;
  }

  // v2 corrections, scaled by the ethical layer; signs make external cost and self-damage never help and
  // redistribution never hurt (gross stakes and layered pleasure are ≥ 0). `0 − x` avoids reporting −0.
  const externalCost = 0 - w.ethical * v2.externalCost * grossStakes;
  const selfDamage = 0 - w.ethical * v2.selfDamage * layeredPleasure;
  const redistribution = w.ethical * REDISTRIBUTION_WEIGHT * v2.redistributionEffect * grossStakes;
  const v2Total = externalCost + selfDamage + redistribution;
  if (externalCost !== 0) terms.push({ label: 'v2: external cost', value: w.contextual * externalCost });
  if (selfDamage !== 0) terms.push({ label: 'v2: self-damage', value: w.contextual * selfDamage });
  if (redistribution !== 0) terms.push({ label: 'v2: redistribution', value: w.contextual * redistribution });

  const finalScore = w.contextual * (layeredNet + v2Total);
  const scale = w.contextual * grossStakes;
  const verdict =
    Math.abs(finalScore) <= BALANCE_BAND * scale ? 'balanced' : finalScore > 0 ? 'net_pleasure' : 'net_pain';
  terms.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));

  return {
    parties: partyScores,
    extent,
    classicTotal,
    grossStakes,
    layeredPleasure,
    layeredNet,
    v2Adjustment: { externalCost, redistribution, selfDamage, total: v2Total },
    finalScore,
    ethicalScore: squashEthical(finalScore, scale),
    verdict,
    terms,
  };
}
