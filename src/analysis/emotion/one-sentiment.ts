// One sentiment from three heads that can disagree: the sentiment groups projected from the emotion head(s), the
// polarity head's P(positive) (trained on Korean movie reviews) and the valence (English: the EmoBank head; Korean:
// the polarity head). One stated rule gives the polarity, its probability and its valence; the heads' own readings
// are reported beside it (`agreement`) and `heads_disagree` says when they point opposite ways.
import { clamp } from '../../core/numbers.js';
import type { Sentiment } from '../../core/labels.js';

/**
 * The rule, chosen on dev (docs/emotion.md, "One sentiment"): binary accuracy of P(positive) > 0.5 on texts whose
 * gold is positive or negative. English (and Japanese, read by the same heads): a logistic combination fitted on
 * GoEmotions dev (single-group positive/negative texts) — 0.919 against 0.772 for the polarity head alone and 0.836
 * for the valence sign. Korean: the polarity head alone (NSMC dev 0.850; the fitted combination 0.847).
 */
export const SENTIMENT_RULE = {
  /** P(positive) = σ(bias + logitPositive·logit(p) + groups·(S+ − S−) + valence·v). */
  combined: { bias: 0.455, logitPositive: 0.251, groups: 4.193, valence: 2.392 },
  /**
   * A head reads positive / negative beyond these margins (P(positive) ± 0.15 around 0.5; valence ± 0.025). The
   * valence margin was chosen on GoEmotions dev (eval/sentiment/rule.mjs): the largest of 0.1, 0.075, 0.05, 0.025, 0
   * that leaves at most 1.5 % of texts with label and raw valence of opposite sign and no flag.
   */
  margins: { polarity: 0.15, valence: 0.025 },
} as const;

export interface OneSentiment {
  /** The groups' label when it is neutral or ambiguous; else positive when `probability` > 0.5, negative otherwise. */
  label: Sentiment;
  /** P(positive) by the rule. */
  probability: number;
  /** 2·probability − 1: the same polarity as `label` whenever the label is positive or negative. */
  valence: number;
  rule: 'combined' | 'polarity_head';
  /** Each head's own reading. */
  agreement: { groups: Sentiment; polarity_head: number; valence_head: number };
  /** true when one head reads positive and another negative (beyond the margins). */
  heads_disagree: boolean;
}

const logit = (p: number) => {
  const q = clamp(p, 1e-6, 1 - 1e-6);
  return Math.log(q / (1 - q));
};

function argmaxSentiment(scores: Record<Sentiment, number>): Sentiment {
  return (Object.keys(scores) as Sentiment[]).reduce((a, b) => (scores[b] > scores[a] ? b : a));
}

/** The one sentiment of a text from its sentiment groups, the polarity head's P(positive) and its valence (−1..1). */
export function oneSentiment(
  groups: Record<Sentiment, number>,
  positive: number,
  valenceHead: number,
  language: 'en' | 'ko' | 'ja',
): OneSentiment {
  const w = SENTIMENT_RULE.combined;
  const rule = language === 'ko' ? 'polarity_head' : 'combined';
  const probability =
    rule === 'polarity_head'
      ? positive
      : 1 /
        (1 +
          Math.exp(
            -(
              w.bias +
              w.logitPositive * logit(positive) +
              w.groups * (groups.positive - groups.negative) +
              w.valence * valenceHead
            ),
          ));
  const grouped = argmaxSentiment(groups);
  const label: Sentiment =
    grouped === 'neutral' || grouped === 'ambiguous' ? grouped : probability > 0.5 ? 'positive' : 'negative';
  const { polarity, valence } = SENTIMENT_RULE.margins;
  const reads = [
    grouped === 'positive' ? 1 : grouped === 'negative' ? -1 : 0,
    positive >= 0.5 + polarity ? 1 : positive <= 0.5 - polarity ? -1 : 0,
    valenceHead >= valence ? 1 : valenceHead <= -valence ? -1 : 0,
  ];
  return {
    label,
    probability,
    valence: clamp(2 * probability - 1, -1, 1),
    rule,
    agreement: { groups: grouped, polarity_head: positive, valence_head: valenceHead },
    heads_disagree: reads.includes(1) && reads.includes(-1),
  };
}
