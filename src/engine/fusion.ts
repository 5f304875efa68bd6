// How an ensemble combines its members' analyses of one text (docs/engine.md, "Ensembles"). Pure arithmetic.
//
// Every head is fused as a weighted mean over members, with the manifest's weights for that head:
// - probability heads (GoEmotions, KOTE sigmoids; the polarity softmax, whose P(positive) is the second component of
//   the mean of the members' [negative, positive] vectors): the mean of the members' PROBABILITIES, never of logits
//   (members are separately trained; their logit scales are not comparable);
// - regression heads (utility, valence/arousal/dominance): the mean of the values.
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
} as const;

export type FusedHead = keyof typeof FUSED_FIELDS;
export type FusionWeights = Record<FusedHead, readonly number[]>;

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
  language: Pick<TextAnalysis, 'language' | 'languageConfidence'>,
): TextAnalysis {
  if (members.length === 0) throw new Error('fuseAnalyses needs at least one member analysis');
  const first = members[0];
  const scalar = (head: 'polarity_logits' | 'utility', field: 'positive' | 'utility') => meanOf(members.map((a) => [a[field]]), weights[head])[0];
  return {
    language: language.language,
    languageConfidence: language.languageConfidence,
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
  };
}
