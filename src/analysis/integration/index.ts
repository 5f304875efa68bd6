// The five integrated scores of full_analysis. Pure functions of numbers the sections produced; each score
// carries its formula and inputs so a reader can recompute it. Formulas: docs/integration.md.
import { clamp } from '../../core/numbers.js';

export interface Score {
  value: number | null;
  formula: string;
  inputs: Record<string, number | string | null>;
  /** Why value is null, when it is. */
  reason?: string;
}

export type Section = 'emotion' | 'bentham' | 'regret' | 'surd';
export const SECTIONS: readonly Section[] = ['emotion', 'bentham', 'regret', 'surd'];

/** What the integration needs from the emotion section (analyze_emotion's first result). */
export interface EmotionSignals {
  /** The emotion section's one sentiment: its P(positive) and valence (the same rule, so the same polarity). */
  positive_probability: number;
  valence: number;
  /** The heads behind it point opposite ways (absent for readings without the rule). */
  heads_disagree?: boolean;
  ekman: Record<string, number>;
}

export interface BenthamSignals {
  ethical_score: number;
  mode: 'structured' | 'text';
  /** Confidence of the estimated pleasure/pain kind (text mode). */
  kind_confidence?: number;
}

export type RegretSignals =
  | { mode: 'anticipated_regret'; value: number; confidence: number }
  | { mode: 'matrix' | 'estimated_utilities'; choice: string; expected_regret: number; utility_range: number };

export interface SurdSignals {
  causal_clarity: number | null;
  leak_reason: string | null;
}

export interface IntegrationInputs {
  requested: readonly Section[];
  emotion?: EmotionSignals;
  bentham?: BenthamSignals;
  regret?: RegretSignals;
  surd?: SurdSignals;
}

export interface Integrated {
  overall_sentiment: Score;
  ethical_score: Score;
  regret_potential: Score;
  causal_clarity: Score;
  confidence: Score;
}

/** A score whose section did not run: no value, the formula and its inputs as null. */
function notRun(section: Section, formula: string, inputs: Score['inputs']): Score {
  return { value: null, formula, inputs, reason: `the ${section} section did not run` };
}

export function overallSentiment(e: EmotionSignals | undefined): Score {
  const formula = 'clamp(0.5·(2·p_positive − 1) + 0.5·valence, −1, 1)';
  if (!e) return notRun('emotion', formula, { p_positive: null, valence: null });
  const inputs: Score['inputs'] = { p_positive: e.positive_probability, valence: e.valence };
  if (e.heads_disagree !== undefined)
    inputs.heads_disagree = e.heads_disagree ? 'yes: the heads point opposite ways, read as mixed' : 'no';
  return { value: clamp(0.5 * (2 * e.positive_probability - 1) + 0.5 * e.valence, -1, 1), formula, inputs };
}

export function ethicalScore(b: BenthamSignals | undefined): Score {
  const formula = 'bentham.ethical_score';
  if (!b) return notRun('bentham', formula, { 'bentham.ethical_score': null });
  return {
    value: b.ethical_score,
    formula,
    inputs: { 'bentham.ethical_score': b.ethical_score, 'bentham.mode': b.mode },
  };
}

export function regretPotential(r: RegretSignals | undefined): Score {
  if (!r) return notRun('regret', 'regret.anticipated_regret.value, or expected_regret[choice] / utility_range', {});
  if (r.mode === 'anticipated_regret') {
    return { value: r.value, formula: 'regret.anticipated_regret.value', inputs: { anticipated_regret: r.value } };
  }
  const value = r.utility_range > 0 ? clamp(r.expected_regret / r.utility_range, 0, 1) : 0;
  return {
    value,
    formula:
      'expected_regret[regret-averse choice] / (max u − min u over the whole matrix); 0 when every utility is equal',
    inputs: { choice: r.choice, expected_regret: r.expected_regret, utility_range: r.utility_range, mode: r.mode },
  };
}

export function causalClarity(s: SurdSignals | undefined): Score {
  const formula = '1 − surd.leak';
  if (!s) return notRun('surd', formula, { 'surd.causal_clarity': null });
  if (s.causal_clarity === null)
    return { value: null, formula, inputs: { 'surd.causal_clarity': null }, reason: s.leak_reason ?? 'leak undefined' };
  return { value: s.causal_clarity, formula, inputs: { 'surd.causal_clarity': s.causal_clarity } };
}

/** 1 − H(p)/ln(n): 1 for a one-hot distribution, 0 for a uniform one. */
export function normalizedCertainty(probs: readonly number[]): number {
  const total = probs.reduce((a, b) => a + b, 0);
  if (probs.length < 2 || total <= 0) return 0;
  let h = 0;
  for (const p of probs) {
    const q = p / total;
    if (q > 0) h -= q * Math.log(q);
  }
  return clamp(1 - h / Math.log(probs.length), 0, 1);
}

/** Certainty of each section that ran: exact computations count 1, model estimates their own certainty. */
export function sectionCertainties(x: IntegrationInputs): Partial<Record<Section, number>> {
  const out: Partial<Record<Section, number>> = {};
  if (x.emotion) {
    const polarity = Math.abs(2 * x.emotion.positive_probability - 1);
    out.emotion = 0.5 * polarity + 0.5 * normalizedCertainty(Object.values(x.emotion.ekman));
  }
  if (x.bentham) out.bentham = x.bentham.mode === 'structured' ? 1 : (x.bentham.kind_confidence ?? 0);
  if (x.regret) {
    if (x.regret.mode === 'matrix') out.regret = 1;
    else if (x.regret.mode === 'anticipated_regret') out.regret = x.regret.confidence;
    // Model-estimated utilities come with no calibrated confidence: count them as half certain.
    else out.regret = 0.5;
  }
  if (x.surd) out.surd = 1;
  return out;
}

export function confidence(x: IntegrationInputs): Score {
  const certainties = sectionCertainties(x);
  const ran = Object.keys(certainties).length;
  const requested = x.requested.length;
  const inputs: Record<string, number> = { sections_ran: ran, sections_requested: requested };
  for (const [k, v] of Object.entries(certainties)) inputs[`certainty.${k}`] = v;
  const formula = 'mean(certainty of each section that ran) × sections_ran / sections_requested';
  if (ran === 0 || requested === 0) return { value: 0, formula, inputs, reason: 'no section ran' };
  const mean = Object.values(certainties).reduce((a, b) => a + b, 0) / ran;
  return { value: clamp((mean * ran) / requested, 0, 1), formula, inputs };
}

export function integrate(x: IntegrationInputs): Integrated {
  return {
    overall_sentiment: overallSentiment(x.emotion),
    ethical_score: ethicalScore(x.bentham),
    regret_potential: regretPotential(x.regret),
    causal_clarity: causalClarity(x.surd),
    confidence: confidence(x),
  };
}
