// What the project knows about the model's label sets: the taxonomy groupings (documented in docs/emotion.md),
// the "no emotion" labels, the threshold floor, and how named signals are read out of a model's outputs. Labels
// are looked up by name in the model's own label lists (never by position); a label a mapping needs but the model
// lacks is an error (MappingError), never a zero.

export const EKMAN = ['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral'] as const;
export type Ekman = (typeof EKMAN)[number];
export type Ekman6 = Exclude<Ekman, 'neutral'>;

export const SENTIMENTS = ['positive', 'negative', 'ambiguous', 'neutral'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

/**
 * GoEmotions → Ekman, exactly the grouping published with GoEmotions (google-research goemotions/data/
 * ekman_mapping.json, Apache-2.0; neutral is its own class).
 */
export const GOEMOTIONS_EKMAN: Record<Ekman6, readonly string[]> = {
  anger: ['anger', 'annoyance', 'disapproval'],
  disgust: ['disgust'],
  fear: ['fear', 'nervousness'],
  joy: [
    'joy',
    'amusement',
    'approval',
    'excitement',
    'gratitude',
    'love',
    'optimism',
    'relief',
    'pride',
    'admiration',
    'desire',
    'caring',
  ],
  sadness: ['sadness', 'disappointment', 'embarrassment', 'grief', 'remorse'],
  surprise: ['surprise', 'realization', 'confusion', 'curiosity'],
};

/** GoEmotions → sentiment, the grouping published with GoEmotions (sentiment_mapping.json; neutral implicit). */
export const GOEMOTIONS_SENTIMENT: Record<Exclude<Sentiment, 'neutral'>, readonly string[]> = {
  positive: [
    'amusement',
    'excitement',
    'joy',
    'love',
    'desire',
    'optimism',
    'caring',
    'pride',
    'admiration',
    'gratitude',
    'relief',
    'approval',
  ],
  negative: [
    'fear',
    'nervousness',
    'remorse',
    'embarrassment',
    'disappointment',
    'sadness',
    'grief',
    'disgust',
    'anger',
    'annoyance',
    'disapproval',
  ],
  ambiguous: ['realization', 'surprise', 'curiosity', 'confusion'],
};

/**
 * KOTE (44) → Ekman: our own mapping, built by analogy with the GoEmotions one (e.g. annoyance → anger,
 * embarrassment/remorse → sadness, curiosity/realization → surprise, admiration/caring/gratitude → joy).
 * 비장함 (solemn resolve) and 재미없음 (boredom) have no Ekman counterpart and are left out; 없음 is neutral.
 */
export const KOTE_EKMAN: Record<Ekman6, readonly string[]> = {
  anger: ['불평/불만', '화남/분노', '짜증', '지긋지긋', '귀찮음', '어이없음', '의심/불신'],
  disgust: ['역겨움/징그러움', '증오/혐오', '한심함', '우쭐댐/무시함'],
  fear: ['공포/무서움', '불안/걱정', '부담/안_내킴'],
  joy: [
    '환영/호의',
    '감동/감탄',
    '고마움',
    '존경',
    '기대감',
    '뿌듯함',
    '편안/쾌적',
    '아껴주는',
    '즐거움/신남',
    '흐뭇함(귀여움/예쁨)',
    '행복',
    '기쁨',
    '안심/신뢰',
  ],
  sadness: [
    '슬픔',
    '안타까움/실망',
    '부끄러움',
    '절망',
    '패배/자기혐오',
    '힘듦/지침',
    '죄책감',
    '서러움',
    '불쌍함/연민',
  ],
  surprise: ['신기함/관심', '깨달음', '당황/난처', '경악', '놀람'],
};

/**
 * KOTE → sentiment: our own grouping, consistent with KOTE_EKMAN (joy → positive; anger/disgust/fear/sadness →
 * negative; surprise → ambiguous).
 */
export const KOTE_SENTIMENT: Record<Exclude<Sentiment, 'neutral'>, readonly string[]> = {
  positive: [...KOTE_EKMAN.joy],
  negative: [...KOTE_EKMAN.anger, ...KOTE_EKMAN.disgust, ...KOTE_EKMAN.fear, ...KOTE_EKMAN.sadness, '재미없음'],
  ambiguous: [...KOTE_EKMAN.surprise, '비장함'],
};

/**
 * CPED (13 emotions, one per utterance; the zh head of a v2 model) → Ekman-7: our own mapping. Each CPED label
 * names one of Ekman's basic emotions or a milder form of it:
 * - joy: happy; grateful and relaxed are positive feelings that GoEmotions also puts under joy (gratitude, relief);
 * - anger: anger; disgust: disgust; surprise: astonished (CPED's only surprise label);
 * - sadness: sadness; depress (low, dejected mood: sustained sadness, as GoEmotions puts grief and disappointment);
 * - fear: fear; worried (anxiety: fear of what may come, as GoEmotions puts nervousness);
 * - neutral: neutral.
 * positive-other and negative-other are CPED's catch-alls for emotions outside its 11 named ones: they say only the
 * polarity, which names no Ekman class, so they belong to no group (CPED_UNMAPPED). The zh projection reports their
 * total probability as `ekman.unmapped` and spreads the rest over the seven classes (docs/emotion.md).
 */
export const CPED_EKMAN: Record<Ekman, readonly string[]> = {
  anger: ['anger'],
  disgust: ['disgust'],
  fear: ['fear', 'worried'],
  joy: ['happy', 'grateful', 'relaxed'],
  sadness: ['sadness', 'depress'],
  surprise: ['astonished'],
  neutral: ['neutral'],
};
/** CPED labels in no Ekman group (see CPED_EKMAN). */
export const CPED_UNMAPPED: readonly string[] = ['positive-other', 'negative-other'];
/** Every CPED emotion label: a model's cped_emotion_logits must list exactly these (checked when the manifest is read). */
export const CPED_EMOTIONS: readonly string[] = [...Object.values(CPED_EKMAN).flat(), ...CPED_UNMAPPED];
/** CPED's 3-class sentiment, in the order of the model's cped_sentiment_logits. */
export const CPED_SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type CpedSentiment = (typeof CPED_SENTIMENTS)[number];
/** Plutchik's eight basic emotions, in the order of the model's xed_logits (XED's label ids 1..8). */
export const PLUTCHIK = ['anger', 'anticipation', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'trust'] as const;
export type Plutchik = (typeof PLUTCHIK)[number];

export const NONE_LABEL = { goemotions: 'neutral', kote: '없음' } as const;

/** The taxonomies' "no emotion" labels (GoEmotions neutral, KOTE 없음). */
export const NONE_LABEL_SET: ReadonlySet<string> = new Set(Object.values(NONE_LABEL));

/** GoEmotions sentiment groups (the dataset's sentiment_mapping.json), shared by the emotion and text mappings. */
export const GO_POSITIVE = GOEMOTIONS_SENTIMENT.positive;
export const GO_NEGATIVE = GOEMOTIONS_SENTIMENT.negative;

/**
 * Threshold-relative evidence is p / max(t, THRESHOLD_FLOOR): the floor keeps degenerate tuned thresholds (0.01 for
 * labels with few dev positives) from amplifying noise. Chosen on dev splits with eval/ekman_mix.ts (docs/emotion.md).
 */
export const THRESHOLD_FLOOR = 0.05;

/** A label a mapping needs is missing from the model, or a head's output does not match its label list. */
export class MappingError extends Error {
  override name = 'MappingError';
}

/** The label lists of a model's two classification heads. */
export interface ModelLabels {
  goemotions: readonly string[];
  kote: readonly string[];
}

/** The subset of a TextAnalysis (src/core/model.ts) that the text mappings read; plain numbers keep them unit-testable. */
export interface ModelSignals {
  goemotions: ArrayLike<number>;
  kote: ArrayLike<number>;
  positive: number;
  utility: number;
  vad: readonly [number, number, number] | readonly number[];
}

/** Probability of the named label; MappingError when the model has no such label. */
export function labelProbability(
  probs: ArrayLike<number>,
  labels: readonly string[],
  name: string,
  head: string,
): number {
  const i = labels.indexOf(name);
  if (i < 0) throw new MappingError(`the model's ${head} label list has no '${name}', which the text mapping needs`);
  if (i >= probs.length)
    throw new MappingError(
      `the model returned ${probs.length} ${head} probabilities but its label list has ${labels.length}`,
    );
  return probs[i];
}

/** Largest probability among the named labels (the strongest cue of the group); MappingError for a missing label. */
export function groupMax(
  probs: ArrayLike<number>,
  labels: readonly string[],
  names: readonly string[],
  head: string,
): number {
  let best = 0;
  for (const name of names) best = Math.max(best, labelProbability(probs, labels, name, head));
  return best;
}
