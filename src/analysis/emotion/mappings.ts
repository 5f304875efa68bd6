// Label groupings used by the emotion projections. Every table here is documented in docs/emotion.md.

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
  joy: ['joy', 'amusement', 'approval', 'excitement', 'gratitude', 'love', 'optimism', 'relief', 'pride', 'admiration', 'desire', 'caring'],
  sadness: ['sadness', 'disappointment', 'embarrassment', 'grief', 'remorse'],
  surprise: ['surprise', 'realization', 'confusion', 'curiosity'],
};

/** GoEmotions → sentiment, the grouping published with GoEmotions (sentiment_mapping.json; neutral implicit). */
export const GOEMOTIONS_SENTIMENT: Record<Exclude<Sentiment, 'neutral'>, readonly string[]> = {
  positive: ['amusement', 'excitement', 'joy', 'love', 'desire', 'optimism', 'caring', 'pride', 'admiration', 'gratitude', 'relief', 'approval'],
  negative: ['fear', 'nervousness', 'remorse', 'embarrassment', 'disappointment', 'sadness', 'grief', 'disgust', 'anger', 'annoyance', 'disapproval'],
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
  joy: ['환영/호의', '감동/감탄', '고마움', '존경', '기대감', '뿌듯함', '편안/쾌적', '아껴주는', '즐거움/신남', '흐뭇함(귀여움/예쁨)', '행복', '기쁨', '안심/신뢰'],
  sadness: ['슬픔', '안타까움/실망', '부끄러움', '절망', '패배/자기혐오', '힘듦/지침', '죄책감', '서러움', '불쌍함/연민'],
  surprise: ['신기함/관심', '깨달음', '당황/난처', '경악', '놀람'],
};

/** KOTE → sentiment: our own grouping, consistent with KOTE_EKMAN (joy → positive; anger/disgust/fear/sadness → negative; surprise → ambiguous). */
export const KOTE_SENTIMENT: Record<Exclude<Sentiment, 'neutral'>, readonly string[]> = {
  positive: [...KOTE_EKMAN.joy],
  negative: [...KOTE_EKMAN.anger, ...KOTE_EKMAN.disgust, ...KOTE_EKMAN.fear, ...KOTE_EKMAN.sadness, '재미없음'],
  ambiguous: [...KOTE_EKMAN.surprise, '비장함'],
};

export const NONE_LABEL = { goemotions: 'neutral', kote: '없음' } as const;
