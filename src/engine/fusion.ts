// How an ensemble combines its members' analyses of one text (docs/engine.md, "Ensembles"). Pure arithmetic.
//
// Every head the ensemble has weights for is fused as a weighted mean over members, with the manifest's weights for
// that head, whatever its kind (src/core/heads.ts):
// - probability heads (multi-label sigmoids such as GoEmotions, KOTE, XED; softmax heads such as CPED; the pairwise
//   polarity head's P(positive), the mean of the members' [negative, positive] vectors' second component): the mean
//   of the members' PROBABILITIES, never of logits (members are separately trained; their logit scales are not
//   comparable; a weighted mean of distributions still sums to 1);
// - regression heads (utility, valence/arousal/dominance): the mean of the values.
// A head is fused when every member computed it (the manifest gives weights exactly for the heads every member has).
// Members read a text with their own tokenizers and windows, so each member's window aggregation (chunking.ts) comes
// first and the fusion works on the per-text results.
import { headFields, headValue, type HeadValue } from '../core/heads.js';
import type { TextAnalysis } from '../core/model.js';

/** The heads every model has, so every ensemble fuses them (the schema requires them of every manifest entry). */
export const REQUIRED_HEADS = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad'] as const;

/** Fusion weights per head name, one per member in manifest order. */
export type FusionWeights = Readonly<Record<string, readonly number[]>>;

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
  const fused = new Map<string, HeadValue>();
  for (const [head, w] of Object.entries(weights)) {
    const rows = members.map((a) => headValue(a, head));
    if (!rows.every((r): r is HeadValue => r !== undefined)) continue;
    const mean = meanOf(rows, w);
    fused.set(head, rows[0] instanceof Float32Array ? Float32Array.from(mean) : mean);
  }
  return {
    language: language.language,
    languageConfidence: language.languageConfidence,
    ...(language.languageUncertain ? { languageUncertain: true } : {}),
    tokens: first.tokens,
    unknownTokens: first.unknownTokens,
    contentTokens: first.contentTokens,
    chunks: first.chunks,
    truncated: members.some((a) => a.truncated),
    ...headFields(fused),
  };
}
