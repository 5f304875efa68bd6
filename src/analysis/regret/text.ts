// Text → regret inputs (docs/regret.md, "Estimating from text").
// anticipated_regret: a fixed blend of three independent heads' regret cues; confidence = how much they agree.
// Option utilities: the utility head's raw score of "decision + option". That head was trained with a pairwise
// ranking loss, so only differences between its scores mean anything — which is exactly what a single-scenario
// regret (best − own) and the arg-max criteria use; they are unchanged by any common shift of the scores.
import { groupMax, type ModelLabels, type ModelSignals } from '../../core/labels.js';
import { clamp01 } from '../../core/numbers.js';

export const GO_REGRET_CUES = ['remorse', 'disappointment', 'sadness', 'nervousness', 'fear'] as const;
/** KOTE: guilt, pity/disappointment, anxiety/worry, burden/reluctance, despair. */
export const KOTE_REGRET_CUES = ['죄책감', '안타까움/실망', '불안/걱정', '부담/안_내킴', '절망'] as const;
export const REGRET_BLEND = { goemotions: 0.4, kote: 0.3, negative_polarity: 0.3 } as const;

export interface AnticipatedRegret {
  value: number;
  source: 'estimated';
  confidence: number;
  components: { goemotions: number; kote: number; negative_polarity: number };
}

export function anticipatedRegret(s: ModelSignals, labels: ModelLabels): AnticipatedRegret {
  const go = groupMax(s.goemotions, labels.goemotions, GO_REGRET_CUES, 'GoEmotions');
  const kote = groupMax(s.kote, labels.kote, KOTE_REGRET_CUES, 'KOTE');
  const neg = clamp01(1 - s.positive);
  const parts = [go, kote, neg];
  const value = clamp01(REGRET_BLEND.goemotions * go + REGRET_BLEND.kote * kote + REGRET_BLEND.negative_polarity * neg);
  return {
    value,
    source: 'estimated',
    confidence: 1 - (Math.max(...parts) - Math.min(...parts)),
    components: { goemotions: go, kote, negative_polarity: neg },
  };
}

/** The text the utility head scores for one option. */
export function optionText(decision: string | undefined, option: { name: string; description?: string }): string {
  const body = option.description ?? option.name;
  return decision ? `${decision}\n${body}` : body;
}
