// How an ensemble combines its members' analyses of one text (docs/engine.md, "Ensembles"). Pure arithmetic.
//
// Every head is fused as a weighted mean over members, with the manifest's weights for that head:
// - probability heads (GoEmotions, KOTE sigmoids; the polarity softmax, whose P(positive) is the second component of
//   the mean of the members' [negative, positive] vectors): the mean of the members' PROBABILITIES, never of logits
//   (members are separately trained; their logit scales are not comparable);
// - regression heads (utility, valence/arousal/dominance): the mean of the values;
// - the zh heads of v2 members (CPED emotion and sentiment softmax, XED sigmoid): the mean of the probabilities
//   (a weighted mean of distributions still sums to 1); fused only when the ensemble has weights for them, which the
//   manifest requires exactly when every member has them.
// Members read a text with their own tokenizers and windows, so each member's window aggregation (chunking.ts) comes
// first and the fusion works on the per-text results.
import type { TextAnalysis } from '../core/model.js';

/** The TextAnalysis field each head fills. A head without a row here cannot be fused (the engine refuses to load). */
export const FUSED_FIELDS = {
  goemotions_logits: 'goemotions',
  kote_logits: 'kote',
  polarity_logits: 'positive',
  utility: 'utility',
  vad: 'vad',
  cped_emotion_logits: 'cpedEmotion',
  cped_sentiment_logits: 'cpedSentiment',
  xed_logits: 'xed',
} as const;

/** The heads every model has, so every ensemble fuses (the zh heads only v2 members have). */
export const REQUIRED_HEADS = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad'] as const;

export type FusedHead = keyof typeof FUSED_FIELDS;
type RequiredHead = (typeof REQUIRED_HEADS)[number];
export type FusionWeights = Record<RequiredHead, readonly number[]> & Partial<Record<Exclude<FusedHead, RequiredHead>, readonly number[]>>;

export const isFusedHead = (head: string): head is FusedHead => Object.hasOwn(FUSED_FIELDS, head);

/** Σ w·x / Σ w over members, per component (float64 accumulation). */
function meanOf(rows: ArrayLike<number>[], w: readonly number[]): number[] {
  const n = rows[0].length;
  const out = new Array<number>(n).fill(0);
  let ws = 0;
  for (let m = 0; m < rows.length; m++) {
    ws += w[m];
    if (w[m] === 0) continue; // a member with weight 0 does not enter (not even a NaN of it)
    for (let i = 0; i < n; i++) out[i] += w[m] * rows[m][i];
  }
  return out.map((v) => v / ws);
}

/**
 * One fused analysis from the members' analyses of the same text (members in manifest order).
 * Counts (`tokens`, `unknownTokens`, `contentTokens`, `chunks`) are the first member's: how the first-listed
 * member's tokenizer read the text. `truncated` is true when any member could not see the whole text.
 * `language` and `languageConfidence` are the ensemble's own decision (the caller's).
 */
export function fuseAnalyses(
  members: readonly TextAnalysis[],
  weights: FusionWeights,
  language: Pick<TextAnalysis, 'language' | 'languageConfidence' | 'languageUncertain'>,
): TextAnalysis {
  if (members.length === 0) throw new Error('fuseAnalyses needs at least one member analysis');
  const first = members[0];
  const scalar = (head: 'polarity_logits' | 'utility', field: 'positive' | 'utility') => meanOf(members.map((a) => [a[field]]), weights[head])[0];
  return {
    language: language.language,
    languageConfidence: language.languageConfidence,
    ...(language.languageUncertain ? { languageUncertain: true } : {}),
    tokens: first.tokens,
    unknownTokens: first.unknownTokens,
    contentTokens: first.contentTokens,
    chunks: first.chunks,
    truncated: members.some((a) => a.truncated),
    goemotions: Float32Array.from(meanOf(members.map((a) => a.goemotions), weights.goemotions_logits)),
    kote: Float32Array.from(meanOf(members.map((a) => a.kote), weights.kote_logits)),
    positive: scalar('polarity_logits', 'positive'),
    utility: scalar('utility', 'utility'),
    vad: meanOf(members.map((a) => a.vad), weights.vad) as [number, number, number],
    ...zhFused(members, weights),
  };
}

/** The zh heads' fused probabilities, when the ensemble has weights for them and every member computed them. */
function zhFused(members: readonly TextAnalysis[], weights: FusionWeights): Pick<TextAnalysis, 'cpedEmotion' | 'cpedSentiment' | 'xed'> {
  const out: Pick<TextAnalysis, 'cpedEmotion' | 'cpedSentiment' | 'xed'> = {};
  for (const head of ['cped_emotion_logits', 'cped_sentiment_logits', 'xed_logits'] as const) {
    const field = FUSED_FIELDS[head];
    const w = weights[head];
    if (w && members.every((a) => a[field])) out[field] = Float32Array.from(meanOf(members.map((a) => a[field]!), w));
  }
  return out;
}
