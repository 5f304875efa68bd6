// Pure mappings from the model's head outputs (TextAnalysis) to what analyze_emotion reports:
// native labels, detections, Ekman-7 projection, sentiment, valence/arousal, the 정/한/체면 indices (en, ko) and
// Plutchik-8 (zh).
// Every formula is documented in docs/emotion.md; nothing here invents a number the model did not give.
import {
  CPED_EKMAN,
  CPED_SENTIMENTS,
  CPED_UNMAPPED,
  EKMAN,
  MappingError,
  PLUTCHIK,
  GOEMOTIONS_EKMAN,
  GOEMOTIONS_SENTIMENT,
  KOTE_EKMAN,
  KOTE_SENTIMENT,
  NONE_LABEL,
  SENTIMENTS,
  THRESHOLD_FLOOR,
  groupMax,
  labelProbability,
  type CpedSentiment,
  type Ekman,
  type Plutchik,
  type Sentiment,
} from '../../core/labels.js';
import type { Language, ModelInfo, TextAnalysis } from '../../core/model.js';
import { oneSentiment, type OneSentiment } from './one-sentiment.js';
import { signedFromEmoBank, clamp, unitFromEmoBank } from '../../core/numbers.js';

export type Taxonomy = 'goemotions' | 'kote' | 'cped';

export interface LabelScore {
  label: string;
  score: number;
}

/** Probabilities of one head with its label names (and the model's tuned per-label decision thresholds). */
export interface HeadScores {
  taxonomy: Taxonomy;
  labels: readonly string[];
  probs: ArrayLike<number>;
  thresholds?: ArrayLike<number>;
}

// Projections use threshold-relative evidence p / max(t, THRESHOLD_FLOOR): a label at its tuned decision threshold
// counts 1. Raw probabilities are not comparable across labels (rare emotions such as fear or anger rarely get high
// probabilities; their tuned thresholds are low). The floor itself is in src/core/labels.ts.

/** Japanese is read through the GoEmotions head: no Japanese training data (cross-lingual transfer, see TRANSFER). */
export const NATIVE_TAXONOMY: Record<Language, Taxonomy> = {
  en: 'goemotions',
  ko: 'kote',
  zh: 'cped',
  ja: 'goemotions',
};

/**
 * Which heads feed the Ekman and sentiment projections for each language, with their weights. zh: the CPED heads
 * alone (CPED → Ekman by summed probabilities, CPED sentiment as is; see emotionProfile).
 */
export const PROJECTION_SOURCES: Record<Language, ReadonlyArray<{ taxonomy: Taxonomy; weight: number }>> = {
  en: [{ taxonomy: 'goemotions', weight: 1 }],
  ja: [{ taxonomy: 'goemotions', weight: 1 }],
  zh: [{ taxonomy: 'cped', weight: 1 }],
  // The GoEmotions head was also trained on the Korean GoEmotions translation, so for Korean both heads see
  // in-language training data. Weight of KOTE chosen on dev (mean Ekman macro-F1 over GoEmotions-ko dev and KOTE dev)
  // with `node dist/eval/ekman_mix.js`; re-run per model release — the numbers are in docs/emotion.md.
  ko: [
    { taxonomy: 'kote', weight: 0.5 },
    { taxonomy: 'goemotions', weight: 0.5 },
  ],
};

/**
 * Result fields (of the standard and of the summary result) computed by heads that saw no training data in the
 * text's language: cross-lingual transfer, to be read as such (docs/emotion.md). zh: valence/arousal come from the
 * EmoBank head (English) and positive_probability from the polarity head (Korean reviews); ja: every emotion field.
 */
export const TRANSFER: Record<Language, { standard: readonly string[]; summary: readonly string[] }> = {
  en: { standard: [], summary: [] },
  ko: { standard: [], summary: [] },
  zh: { standard: ['sentiment.positive_probability', 'valence', 'arousal'], summary: ['valence', 'arousal'] },
  ja: {
    standard: ['labels', 'detected', 'dominant', 'ekman', 'sentiment', 'valence', 'arousal'],
    summary: ['dominant', 'ekman_dominant', 'sentiment', 'valence', 'arousal'],
  },
};

/** A head's probabilities and labels; MappingError when the model lacks the head (a zh text needs a v2 model). */
export function head(analysis: TextAnalysis, model: ModelInfo, taxonomy: Taxonomy): HeadScores {
  if (taxonomy === 'goemotions')
    return {
      taxonomy,
      labels: model.labels.goemotions,
      probs: analysis.goemotions,
      thresholds: model.thresholds.goemotions,
    };
  if (taxonomy === 'kote')
    return { taxonomy, labels: model.labels.kote, probs: analysis.kote, thresholds: model.thresholds.kote };
  if (!analysis.cpedEmotion || !model.labels.cpedEmotion)
    throw new MappingError('the model has no CPED emotion head (cped_emotion_logits), which a Chinese text needs');
  return { taxonomy, labels: model.labels.cpedEmotion, probs: analysis.cpedEmotion };
}

/** p / max(t, floor) for label i (p itself when the head carries no thresholds). */
function evidence(h: HeadScores, i: number): number {
  return h.thresholds ? h.probs[i] / Math.max(THRESHOLD_FLOOR, h.thresholds[i]) : h.probs[i];
}

/** max of the threshold-relative evidence over the listed labels; MappingError for a label the model lacks. */
export function groupEvidence(h: HeadScores, labels: readonly string[]): number {
  let m = 0;
  for (const l of labels) {
    labelProbability(h.probs, h.labels, l, h.taxonomy);
    m = Math.max(m, evidence(h, h.labels.indexOf(l)));
  }
  return m;
}

function normalise<K extends string>(raw: Record<K, number>): Record<K, number> {
  const keys = Object.keys(raw) as K[];
  const sum = keys.reduce((s, k) => s + raw[k], 0);
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = sum > 0 ? raw[k] / sum : 1 / keys.length;
  return out;
}

/**
 * Ekman-7 projection of one head: each Ekman class gets the MAX threshold-relative evidence p / max(t, 0.05) of its
 * member labels, neutral that of the "no emotion" label, then the seven numbers are divided by their sum.
 */
export function ekmanFromHead(h: HeadScores): Record<Ekman, number> {
  if (h.taxonomy === 'cped') return ekmanFromCped(h).scores;
  const groups = h.taxonomy === 'goemotions' ? GOEMOTIONS_EKMAN : KOTE_EKMAN;
  const raw = {} as Record<Ekman, number>;
  for (const e of EKMAN) raw[e] = groupEvidence(h, e === 'neutral' ? [NONE_LABEL[h.taxonomy]] : groups[e]);
  return normalise(raw);
}

/**
 * Ekman-7 from the CPED softmax head: each class gets the SUM of its member labels' probabilities (the labels are
 * mutually exclusive, so the sum is the probability of the class), positive-other and negative-other belong to no
 * class and their total is `unmapped`; the seven sums are divided by 1 − unmapped, so the scores sum to 1 and read
 * "given one of the mapped emotions". MappingError for a label the model lacks.
 */
export function ekmanFromCped(h: HeadScores): { scores: Record<Ekman, number>; unmapped: number } {
  const sum = (names: readonly string[]) =>
    names.reduce((s, l) => s + labelProbability(h.probs, h.labels, l, 'CPED'), 0);
  const raw = {} as Record<Ekman, number>;
  for (const e of EKMAN) raw[e] = sum(CPED_EKMAN[e]);
  return { scores: normalise(raw), unmapped: sum(CPED_UNMAPPED) };
}

/** Sentiment-4 projection of one head, built the same way as the Ekman projection. */
export function sentimentFromHead(h: HeadScores): Record<Sentiment, number> {
  if (h.taxonomy === 'cped')
    throw new MappingError('the CPED head has no sentiment-4 projection: Chinese sentiment is the CPED sentiment head');
  const groups = h.taxonomy === 'goemotions' ? GOEMOTIONS_SENTIMENT : KOTE_SENTIMENT;
  const raw = {} as Record<Sentiment, number>;
  for (const s of SENTIMENTS) raw[s] = groupEvidence(h, s === 'neutral' ? [NONE_LABEL[h.taxonomy]] : groups[s]);
  return normalise(raw);
}

function mix<K extends string>(parts: Array<{ dist: Record<K, number>; weight: number }>): Record<K, number> {
  const keys = Object.keys(parts[0].dist) as K[];
  const wsum = parts.reduce((s, p) => s + p.weight, 0);
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = parts.reduce((s, p) => s + p.weight * p.dist[k], 0) / wsum;
  return out;
}

function argmax<K extends string>(d: Record<K, number>): K {
  return (Object.keys(d) as K[]).reduce((a, b) => (d[b] > d[a] ? b : a));
}

/**
 * Valence in −1..1. English: the EmoBank valence head, V on 1..5 → (V − 3) / 2. Korean: the NSMC polarity head,
 * 2·P(positive) − 1. (Each language uses the head trained on data in that language.) Chinese and Japanese: the
 * EmoBank head as for English (no valence data in either language: cross-lingual transfer).
 */
export function valenceOf(a: TextAnalysis, language: Language): number {
  return language === 'ko' ? clamp(2 * a.positive - 1, -1, 1) : signedFromEmoBank(a.vad[0]);
}

/** Arousal in 0..1: the EmoBank arousal head, A on 1..5 → (A − 1) / 4 (every language; the only arousal source). */
export function arousalOf(a: TextAnalysis): number {
  return unitFromEmoBank(a.vad[1]);
}

// ---- cultural composite indices ----
interface Facet {
  labels: readonly string[];
  weight: number;
}
interface IndexDef {
  /** 'weighted': Σ wᵢ·max(facetᵢ) / Σ wᵢ.  'geometric': (Π max(facetᵢ))^(1/n). */
  kind: 'weighted' | 'geometric';
  facets: readonly Facet[];
}
export type CulturalIndex = 'jeong' | 'han' | 'chemyeon';

/** Defined for the GoEmotions and KOTE heads and shown for en and ko only (CULTURAL_LANGUAGES). */
export const CULTURAL_INDICES: Record<'goemotions' | 'kote', Record<CulturalIndex, IndexDef>> = {
  kote: {
    // 정: warmth and attachment — affection weighted double, plus gratitude/trust and compassion
    jeong: {
      kind: 'weighted',
      facets: [
        { labels: ['아껴주는', '흐뭇함(귀여움/예쁨)', '환영/호의'], weight: 2 },
        { labels: ['고마움', '안심/신뢰', '존경'], weight: 1 },
        { labels: ['불쌍함/연민'], weight: 1 },
      ],
    },
    // 한: sorrow and grievance held together — geometric mean, high only when both are present
    han: {
      kind: 'geometric',
      facets: [
        { labels: ['슬픔', '서러움', '안타까움/실망', '절망', '패배/자기혐오', '힘듦/지침'], weight: 1 },
        { labels: ['불평/불만', '화남/분노', '증오/혐오', '지긋지긋'], weight: 1 },
      ],
    },
    // 체면: concern for face — self-conscious emotions weighted double, plus social pressure and status display
    chemyeon: {
      kind: 'weighted',
      facets: [
        { labels: ['부끄러움', '당황/난처', '죄책감'], weight: 2 },
        { labels: ['부담/안_내킴', '불안/걱정'], weight: 1 },
        { labels: ['뿌듯함', '우쭐댐/무시함'], weight: 1 },
      ],
    },
  },
  goemotions: {
    jeong: {
      kind: 'weighted',
      facets: [
        { labels: ['caring', 'love'], weight: 2 },
        { labels: ['gratitude', 'admiration'], weight: 1 },
      ],
    },
    han: {
      kind: 'geometric',
      facets: [
        { labels: ['sadness', 'grief', 'disappointment', 'remorse'], weight: 1 },
        { labels: ['anger', 'annoyance', 'disapproval', 'disgust'], weight: 1 },
      ],
    },
    chemyeon: {
      kind: 'weighted',
      facets: [
        { labels: ['embarrassment', 'remorse'], weight: 2 },
        { labels: ['nervousness', 'fear'], weight: 1 },
        { labels: ['pride'], weight: 1 },
      ],
    },
  },
};

export function culturalIndex(h: HeadScores, def: IndexDef): number {
  const values = def.facets.map((f) => groupMax(h.probs, h.labels, f.labels, h.taxonomy));
  if (def.kind === 'geometric')
    return Math.pow(
      values.reduce((p, v) => p * v, 1),
      1 / values.length,
    );
  const wsum = def.facets.reduce((s, f) => s + f.weight, 0);
  return def.facets.reduce((s, f, i) => s + f.weight * values[i], 0) / wsum;
}

export function formulaOf(def: IndexDef): string {
  const term = (f: Facet) => `max(${f.labels.join(', ')})`;
  if (def.kind === 'geometric') {
    const inner = def.facets.map(term).join(' × ');
    return def.facets.length === 2 ? `sqrt(${inner})` : `(${inner})^(1/${def.facets.length})`;
  }
  const wsum = def.facets.reduce((s, f) => s + f.weight, 0);
  return `(${def.facets.map((f) => `${f.weight}·${term(f)}`).join(' + ')}) / ${wsum}`;
}

// ---- the full profile ----
export interface EmotionProfileOptions {
  topK: number;
  /** One threshold for every label; default: the model's tuned per-label thresholds. */
  threshold?: number;
}

/** A native label judged present: at or over its threshold, or (CPED without a given threshold) the argmax of the single-label head. */
export type Detection = LabelScore & ({ threshold: number } | { rule: 'argmax' });

/** The four sentiment groups of an en, ko or ja text, mixed over the language's projection sources. */
export function sentimentGroups(a: TextAnalysis, model: ModelInfo): Record<Sentiment, number> {
  return mix(
    PROJECTION_SOURCES[a.language].map((s) => ({
      dist: sentimentFromHead(head(a, model, s.taxonomy)),
      weight: s.weight,
    })),
  );
}

/** The Ekman-7 scores of a text (zh, from the CPED head: with `unmapped`). */
export function ekmanScores(a: TextAnalysis, model: ModelInfo): Record<Ekman, number> & { unmapped?: number } {
  if (NATIVE_TAXONOMY[a.language] === 'cped') {
    const e = ekmanFromCped(head(a, model, 'cped'));
    return { ...e.scores, unmapped: e.unmapped };
  }
  return mix(
    PROJECTION_SOURCES[a.language].map((s) => ({ dist: ekmanFromHead(head(a, model, s.taxonomy)), weight: s.weight })),
  );
}

/** The text's one sentiment (one-sentiment.ts); null for zh, whose sentiment is the CPED sentiment head. */
export function oneSentimentOf(a: TextAnalysis, model: ModelInfo): OneSentiment | null {
  if (a.language === 'zh') return null;
  return oneSentiment(sentimentGroups(a, model), a.positive, valenceOf(a, a.language), a.language);
}

/** Sentiment: the four groups projected from GoEmotions/KOTE (en, ko, ja), or the CPED sentiment head's three classes (zh). */
export type SentimentReading =
  | ({ label: Sentiment; score: number; scores: Record<Sentiment, number>; positive_probability: number } & Omit<
      OneSentiment,
      'label'
    >)
  | { label: CpedSentiment; score: number; scores: Record<CpedSentiment, number>; positive_probability: number };

/** How a text's reading was made from what the model read (docs/emotion.md, "Documents"). */
export type Aggregation = 'one_window' | 'windows' | 'sentences';

/** The sentence that reads most as one class: its offsets in the document and its score for that class. */
export interface Strongest {
  start: number;
  end: number;
  score: number;
}

/** A document's sentences beside its reading: how many, and the strongest per Ekman class and per sentiment group. */
export interface DocumentBlock {
  sentences: number;
  strongest: { ekman: Record<Ekman, Strongest>; sentiment: Record<string, Strongest> };
}

export interface EmotionProfile {
  language: Language;
  /** The language identification's confidence (docs/language.md); null when the caller named the language. */
  language_confidence: number | null;
  /** Present (true) when the language was read by the served-language prior, not identified (docs/language.md). */
  language_uncertain?: true;
  /** Fields computed by heads without training data in this language (TRANSFER); absent when there are none. */
  transfer?: string[];
  taxonomy: Taxonomy;
  labels: LabelScore[];
  detected: Detection[];
  dominant: LabelScore;
  /** `unmapped` (zh only): total probability of the CPED labels in no Ekman class. */
  ekman: { scores: Record<Ekman, number>; dominant: Ekman; sources: Taxonomy[]; unmapped?: number };
  sentiment: SentimentReading;
  valence: number;
  arousal: number;
  /** en and ko only. */
  cultural?: Record<CulturalIndex, { score: number; formula: string }>;
  /** zh only: XED Plutchik-8 probabilities (sigmoid, multi-label; no tuned thresholds). */
  plutchik?: { scores: Record<Plutchik, number>; dominant: Plutchik; source: 'xed' };
  tokens: number;
  /** Present when some tokens are the tokenizer's unknown token. */
  unknown_tokens?: number;
  chunks: number;
  truncated: boolean;
  /**
   * one_window: one pass over the whole text; windows: a text longer than a window and of one sentence (per-label
   * maximum over windows); sentences: a text longer than a window and of several sentences (the document rule,
   * document.ts).
   */
  aggregation: Aggregation;
  /**
   * Present when the text's sentences were read: always with aggregation `sentences`; for a text of several
   * sentences that fits one window, when the caller read its sentences (analyze_emotion's granularity "sentence").
   */
  document?: DocumentBlock;
  /** Present when no token of the text is known to the tokenizer: the scores then read no content. */
  note?: string;
}

/** The indices named after Korean concepts are shown where they are defined (en through GoEmotions, ko through KOTE). */
export const CULTURAL_LANGUAGES: readonly Language[] = ['en', 'ko'];

/** Probabilities of a head the model may lack, by label name in `names` order; MappingError when absent. */
function named<K extends string>(
  probs: ArrayLike<number> | undefined,
  labels: readonly string[] | undefined,
  names: readonly K[],
  head: string,
): Record<K, number> {
  if (!probs || !labels) throw new MappingError(`the model has no ${head} head, which a Chinese text needs`);
  const out = {} as Record<K, number>;
  for (const n of names) out[n] = labelProbability(probs, labels, n, head);
  return out;
}

export const ALL_UNKNOWN =
  'no token of this text is known to the tokenizer (only <unk> and word boundaries): the model saw no ' +
  'known word, so these scores read no content';

/** The Ekman-7 scores and the sentiment scores of one reading, as its profile reports them. */
export function projections(
  a: TextAnalysis,
  model: ModelInfo,
): { ekman: Record<Ekman, number>; sentiment: Record<string, number> } {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { unmapped, ...ekman } = ekmanScores(a, model);
  return {
    ekman: ekman as Record<Ekman, number>,
    sentiment:
      NATIVE_TAXONOMY[a.language] === 'cped'
        ? named(a.cpedSentiment, model.labels.cpedSentiment, CPED_SENTIMENTS, 'CPED sentiment')
        : sentimentGroups(a, model),
  };
}

/**
 * Per Ekman class and per sentiment group, the sentence whose own reading gives it the highest score (its Ekman
 * or sentiment share, as that sentence's result reports it); the first such sentence on ties.
 */
export function strongestSentences(a: TextAnalysis, model: ModelInfo): DocumentBlock | undefined {
  if (!a.sentences || a.sentences.length < 2) return undefined;
  const read = a.sentences.map((s) => ({ start: s.start, end: s.end, ...projections(s.analysis, model) }));
  const best = <K extends string>(keys: readonly K[], pick: (r: (typeof read)[number]) => Record<string, number>) => {
    const out = {} as Record<K, Strongest>;
    for (const k of keys) {
      const top = read.reduce((x, y) => (pick(y)[k] > pick(x)[k] ? y : x));
      out[k] = { start: top.start, end: top.end, score: pick(top)[k] };
    }
    return out;
  };
  return {
    sentences: read.length,
    strongest: {
      ekman: best(EKMAN, (r) => r.ekman),
      sentiment: best(Object.keys(read[0].sentiment), (r) => r.sentiment),
    },
  };
}

export function emotionProfile(a: TextAnalysis, model: ModelInfo, opts: EmotionProfileOptions): EmotionProfile {
  const taxonomy = NATIVE_TAXONOMY[a.language];
  const native = head(a, model, taxonomy);
  const ranked = native.labels
    .map((label, i) => ({ label, score: native.probs[i], i }))
    .sort((x, y) => y.score - x.score);
  const thresholds = native.thresholds;
  const detected: Detection[] =
    opts.threshold === undefined && !thresholds
      ? [{ label: ranked[0].label, score: ranked[0].score, rule: 'argmax' }]
      : ranked
          .map((r) => ({
            label: r.label,
            score: r.score,
            threshold: opts.threshold ?? (thresholds as ArrayLike<number>)[r.i],
          }))
          .filter((r) => r.score >= r.threshold);

  const sources = PROJECTION_SOURCES[a.language];
  let ekman: EmotionProfile['ekman'];
  let sentiment: SentimentReading;
  const { unmapped, ...ekmanDist } = ekmanScores(a, model);
  const e7 = ekmanDist as Record<Ekman, number>;
  if (taxonomy === 'cped') {
    ekman = { scores: e7, dominant: argmax(e7), sources: ['cped'], unmapped: unmapped as number };
    const scores = named(a.cpedSentiment, model.labels.cpedSentiment, CPED_SENTIMENTS, 'CPED sentiment');
    const label = argmax(scores);
    sentiment = { label, score: scores[label], scores, positive_probability: a.positive };
  } else {
    ekman = { scores: e7, dominant: argmax(e7), sources: sources.map((s) => s.taxonomy) };
    const scores = sentimentGroups(a, model);
    const { label, ...rest } = oneSentiment(
      scores,
      a.positive,
      valenceOf(a, a.language),
      a.language as 'en' | 'ko' | 'ja',
    );
    sentiment = { label, score: scores[label], scores, positive_probability: a.positive, ...rest };
  }
  let cultural: EmotionProfile['cultural'];
  if (CULTURAL_LANGUAGES.includes(a.language) && taxonomy !== 'cped') {
    const defs = CULTURAL_INDICES[taxonomy];
    cultural = {} as NonNullable<EmotionProfile['cultural']>;
    for (const k of ['jeong', 'han', 'chemyeon'] as const)
      cultural[k] = { score: culturalIndex(native, defs[k]), formula: formulaOf(defs[k]) };
  }
  let plutchik: EmotionProfile['plutchik'];
  if (a.language === 'zh') {
    const scores = named(a.xed, model.labels.xed, PLUTCHIK, 'XED');
    plutchik = { scores, dominant: argmax(scores), source: 'xed' };
  }
  const transfer = TRANSFER[a.language].standard;
  const document = strongestSentences(a, model);

  return {
    language: a.language,
    language_confidence: a.languageConfidence,
    ...(a.languageUncertain ? { language_uncertain: true as const } : {}),
    ...(transfer.length ? { transfer: [...transfer] } : {}),
    taxonomy,
    labels: ranked.slice(0, opts.topK).map(({ label, score }) => ({ label, score })),
    detected,
    dominant: { label: ranked[0].label, score: ranked[0].score },
    ekman,
    sentiment,
    valence: valenceOf(a, a.language),
    arousal: arousalOf(a),
    ...(cultural ? { cultural } : {}),
    ...(plutchik ? { plutchik } : {}),
    tokens: a.tokens,
    ...(a.unknownTokens > 0 ? { unknown_tokens: a.unknownTokens } : {}),
    chunks: a.chunks,
    truncated: a.truncated,
    aggregation: a.fromSentences ? 'sentences' : a.chunks > 1 ? 'windows' : 'one_window',
    ...(document ? { document } : {}),
    ...(a.tokens > 0 && a.contentTokens === 0 ? { note: ALL_UNKNOWN } : {}),
  };
}
