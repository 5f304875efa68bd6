// Text → Bentham variables (docs/bentham.md, "Estimating from text"). The scenario becomes one party ("those
// affected", count 1) with two effects: a pleasure with certainty p = P(positive) and a pain with certainty 1 − p.
// Splitting by the polarity head's probability (rather than picking one kind at p ≥ 0.5) makes the ethical score a
// continuous, increasing function of p — ½(1 + tanh(2p − 1)) with neutral layers and no v2 — instead of one of two
// values. Both effects share intensity (EmoBank arousal) and purity (how mixed the positive and negative emotions
// are). Duration, propinquity, fecundity and extent are not something these heads measure, so they keep stated
// defaults and are marked `default`.
// The utility head is deliberately unused here: it was trained with a pairwise ranking loss, so only differences
// between texts are meaningful and its zero point cannot say whether one scenario is pleasant or painful.
import type { Effect, EffectKind } from './calculus.js';
import {
  GO_NEGATIVE,
  GO_POSITIVE,
  groupMax,
  labelProbability,
  type ModelLabels,
  type ModelSignals,
} from '../../core/labels.js';
import { unitFromEmoBank } from '../../core/numbers.js';

export const TEXT_DIMENSIONS = ['intensity', 'duration', 'certainty', 'propinquity', 'fecundity', 'purity'] as const;
export type TextDimension = (typeof TEXT_DIMENSIONS)[number];

/** Values used for what the model cannot inform: a consequence of middling length, immediate, with no follow-on. */
export const TEXT_DEFAULTS = { duration: 0.5, propinquity: 1, fecundity: 0 } as const;

export interface VariableEstimate {
  value: number;
  source: 'estimated' | 'default';
  confidence?: number;
  basis: string;
}

export interface BenthamTextEstimate {
  /** The pleasure (certainty p) and the pain (certainty 1 − p), in that order. */
  effects: [Effect, Effect];
  /** The likelier kind, for callers that want one word; the score uses both effects. */
  kind: { value: EffectKind; confidence: number; basis: string };
  variables: Record<TextDimension, VariableEstimate>;
  signals: { positive: number; arousal: number; neutral: number; positive_emotion: number; negative_emotion: number };
}

/**
 * `positive`: P(positive) of the text's one sentiment (analysis/emotion/one-sentiment.ts), so that the pleasure
 * read here has the polarity the emotion reading reports; without it, the polarity head's P(positive).
 */
export function estimateBenthamFromText(s: ModelSignals, labels: ModelLabels, positive?: number): BenthamTextEstimate {
  const p = positive ?? s.positive;
  const source =
    positive === undefined
      ? 'P(positive) from the polarity head'
      : "P(positive) of the text's one sentiment (docs/emotion.md)";
  const arousal = unitFromEmoBank(s.vad[1]);
  const neutral = labelProbability(s.goemotions, labels.goemotions, 'neutral', 'GoEmotions');
  const ePos = groupMax(s.goemotions, labels.goemotions, GO_POSITIVE, 'GoEmotions');
  const eNeg = groupMax(s.goemotions, labels.goemotions, GO_NEGATIVE, 'GoEmotions');
  const strongest = Math.max(ePos, eNeg);
  // Impurity = the weaker side relative to the stronger: equal strengths → fully mixed (purity 0).
  const purity = strongest > 0 ? 1 - Math.min(ePos, eNeg) / strongest : 1;
  const kind: EffectKind = p >= 0.5 ? 'pleasure' : 'pain';

  const variables: Record<TextDimension, VariableEstimate> = {
    intensity: {
      value: arousal,
      source: 'estimated',
      confidence: 1 - neutral,
      basis: 'EmoBank arousal (a−1)/4; confidence = 1 − P(neutral)',
    },
    duration: { value: TEXT_DEFAULTS.duration, source: 'default', basis: 'not measured by the model' },
    certainty: {
      value: p,
      source: 'estimated',
      basis: `certainty of the pleasure effect = ${source}; the pain effect has certainty 1 − P(positive)`,
    },
    propinquity: { value: TEXT_DEFAULTS.propinquity, source: 'default', basis: 'not measured by the model' },
    fecundity: { value: TEXT_DEFAULTS.fecundity, source: 'default', basis: 'not measured by the model' },
    purity: {
      value: purity,
      source: 'estimated',
      confidence: strongest,
      basis: '1 − min(E+, E−)/max(E+, E−) over GoEmotions positive/negative groups; confidence = max(E+, E−)',
    },
  };
  const shared = {
    intensity: variables.intensity.value,
    duration: variables.duration.value,
    propinquity: variables.propinquity.value,
    fecundity: variables.fecundity.value,
    purity: variables.purity.value,
  };
  const effects: [Effect, Effect] = [
    { kind: 'pleasure', certainty: p, ...shared, description: 'estimated pleasure (certainty P(positive))' },
    { kind: 'pain', certainty: 1 - p, ...shared, description: 'estimated pain (certainty 1 − P(positive))' },
  ];
  return {
    effects,
    kind: {
      value: kind,
      confidence: Math.max(p, 1 - p),
      basis: 'the likelier kind: pleasure when P(positive) ≥ 0.5; confidence = max(p, 1 − p)',
    },
    variables,
    signals: { positive: p, arousal, neutral, positive_emotion: ePos, negative_emotion: eNeg },
  };
}
