// A document's reading from its sentences' readings. A text of more than one sentence and longer than one model
// window (src/tools/reading/documents.ts) is read sentence by sentence (each sentence in windows when it is longer
// than one window), and every head is averaged over the sentences, each
// weighted by its tokens × (1 − its Ekman neutral score)^EMOTION_POWER (multi-label heads: DOCUMENT_RULE); the
// profile (labels, Ekman, sentiment, valence) then reads the averaged heads as it reads any text, and the strongest
// sentence of every Ekman class and sentiment group is reported beside it (profile.ts, strongestSentences). The
// rule was chosen on dev document sets (eval/document.ts; docs/emotion.md, "Documents"). The maximum over windows,
// which long texts used to get, lets one polite closing sentence headline an angry letter. A text that fits one
// window is read whole: read by its sentences, short comments lost the context of each other (sentiment accuracy
// on GoEmotions and NSMC fell).
import { NONE_LABEL_SET } from '../../core/labels.js';
import type { HeadKind, HeadValue } from '../../core/heads.js';
import type { DecidedLanguage, ModelInfo, TextAnalysis } from '../../core/model.js';
import { sentences, type Span } from '../segment/index.js';
import { ekmanScores } from './profile.js';

/** One sentence (or, for a text of very many sentences, a run of them) of a document with its own reading. */
export interface DocumentPart {
  /** UTF-16 offsets of the part in the document, end exclusive. */
  start: number;
  end: number;
  analysis: TextAnalysis;
}

/**
 * How the sentence readings of a multi-label head (GoEmotions, KOTE, XED) combine into the document's:
 * - `weighted_mean`: per label, the mean over sentences weighted by each sentence's token count;
 * - `mean`: the plain mean over sentences;
 * - `max`: per label the maximum over sentences ("no emotion" labels: the minimum), as windows are combined;
 * - `top2_mean`, `top3_mean`: per label the mean of its k highest sentences ("no emotion": the k lowest).
 * The other heads (softmax, polarity, utility, valence/arousal/dominance) are always the token-weighted mean.
 */
export const LABEL_RULES = ['weighted_mean', 'mean', 'max', 'top2_mean', 'top3_mean'] as const;
export type LabelRule = (typeof LABEL_RULES)[number];

/** The multi-label rule the server uses (chosen on the dev document sets of eval/document.ts; docs/emotion.md). */
export const DOCUMENT_RULE: LabelRule = 'weighted_mean';

/** A text longer than this many sentences is read in this many runs of consecutive sentences (bounds the passes). */
export const MAX_DOCUMENT_PARTS = 64;

/**
 * The parts a text is read in: its sentences (src/analysis/segment), or, for a text of more than
 * MAX_DOCUMENT_PARTS sentences, MAX_DOCUMENT_PARTS or fewer runs of ⌈n / MAX_DOCUMENT_PARTS⌉ consecutive sentences
 * (so a text costs at most that many reads besides the windows of over-long parts). One part: read the text whole.
 */
export function documentParts(text: string, language: string): Span[] {
  const s = sentences(text, language);
  if (s.length <= MAX_DOCUMENT_PARTS) return s;
  const size = Math.ceil(s.length / MAX_DOCUMENT_PARTS);
  const out: Span[] = [];
  for (let i = 0; i < s.length; i += size) {
    const last = s[Math.min(s.length, i + size) - 1];
    out.push({ text: text.slice(s[i].start, last.end), start: s[i].start, end: last.end });
  }
  return out;
}

/** The power of a part's emotional share in its weight (chosen with eval/document.ts; docs/emotion.md). */
export const EMOTION_POWER = 2;

/**
 * The parts' weights in the document: each part's tokens times (1 − its Ekman neutral score)^EMOTION_POWER, how
 * emotional its own reading is, so that factual sentences do not outvote the emotional ones; when every part reads
 * as wholly neutral, the tokens alone.
 */
export function partWeights(parts: readonly TextAnalysis[], model: ModelInfo, power = EMOTION_POWER): number[] {
  const tokens = parts.map((a) => (a.tokens > 0 ? a.tokens : 1));
  const w = parts.map((a, i) => tokens[i] * Math.max(0, 1 - ekmanScores(a, model).neutral) ** power);
  return w.some((x) => x > 0) ? w : tokens;
}

function labelVector(
  rows: ReadonlyArray<ArrayLike<number>>,
  weights: readonly number[],
  rule: LabelRule,
  none: ReadonlySet<number>,
): Float32Array {
  const n = rows[0].length;
  const out = new Float32Array(n);
  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) {
    const col = rows.map((r) => r[i]);
    if (rule === 'weighted_mean') out[i] = col.reduce((s, v, k) => s + weights[k] * v, 0) / total;
    else if (rule === 'mean') out[i] = col.reduce((s, v) => s + v, 0) / col.length;
    else {
      const k = rule === 'max' ? 1 : rule === 'top2_mean' ? 2 : 3;
      const sorted = col.slice().sort((a, b) => (none.has(i) ? a - b : b - a));
      const top = sorted.slice(0, Math.min(k, sorted.length));
      out[i] = top.reduce((s, v) => s + v, 0) / top.length;
    }
  }
  return out;
}

function weightedMeanVector(rows: ReadonlyArray<ArrayLike<number>>, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from(rows[0], (_, i) => rows.reduce((s, r, k) => s + weights[k] * r[i], 0) / total);
}

const noneIndices = (labels: readonly string[] | undefined): Set<number> =>
  new Set((labels ?? []).flatMap((l, i) => (NONE_LABEL_SET.has(l) ? [i] : [])));

/**
 * The document's TextAnalysis from ≥ 2 parts: multi-label heads by `rule`, every other head the token-weighted
 * mean; token counts summed, `truncated` when any part was; language as decided for the whole text. The parts are
 * kept in `sentences`.
 */
export function documentAnalysis(
  parts: readonly DocumentPart[],
  model: ModelInfo,
  decided: DecidedLanguage,
  rule: LabelRule = DOCUMENT_RULE,
  weights?: readonly number[],
): TextAnalysis {
  if (parts.length === 0) throw new RangeError('a document reading needs at least one part');
  const a = parts.map((p) => p.analysis);
  const w = weights ?? partWeights(a, model);
  const labels = (pick: (x: TextAnalysis) => ArrayLike<number>, names: readonly string[] | undefined) =>
    labelVector(a.map(pick), w, rule, noneIndices(names));
  const mean = (pick: (x: TextAnalysis) => number) =>
    a.reduce((s, x, k) => s + w[k] * pick(x), 0) / w.reduce((s, v) => s + v, 0);
  const kinds = new Map<string, HeadKind>((model.heads ?? []).map((h) => [h.name, h.kind]));
  const out: TextAnalysis = {
    language: decided.language,
    languageConfidence: decided.confidence,
    ...(decided.uncertain ? { languageUncertain: true } : {}),
    tokens: a.reduce((s, x) => s + x.tokens, 0),
    unknownTokens: a.reduce((s, x) => s + x.unknownTokens, 0),
    contentTokens: a.reduce((s, x) => s + x.contentTokens, 0),
    chunks: a.reduce((s, x) => s + x.chunks, 0),
    truncated: a.some((x) => x.truncated),
    goemotions: labels((x) => x.goemotions, model.labels.goemotions),
    kote: labels((x) => x.kote, model.labels.kote),
    positive: mean((x) => x.positive),
    utility: mean((x) => x.utility),
    vad: [mean((x) => x.vad[0]), mean((x) => x.vad[1]), mean((x) => x.vad[2])],
    sentences: parts.map((p, k) => ({ start: p.start, end: p.end, weight: w[k], analysis: p.analysis })),
    fromSentences: true,
  };
  if (a[0].cpedEmotion)
    out.cpedEmotion = Float32Array.from(
      weightedMeanVector(
        a.map((x) => x.cpedEmotion!),
        w,
      ),
    );
  if (a[0].cpedSentiment)
    out.cpedSentiment = Float32Array.from(
      weightedMeanVector(
        a.map((x) => x.cpedSentiment!),
        w,
      ),
    );
  if (a[0].xed) out.xed = labels((x) => x.xed!, model.labels.xed);
  if (a[0].heads) {
    const heads: Record<string, HeadValue> = {};
    for (const name of Object.keys(a[0].heads)) {
      const rows = a.map((x) => x.heads![name]);
      const info = model.heads?.find((h) => h.name === name);
      heads[name] =
        kinds.get(name) === 'multi-label'
          ? labelVector(rows, w, rule, noneIndices(info?.labels))
          : rows[0] instanceof Float32Array
            ? Float32Array.from(weightedMeanVector(rows, w))
            : weightedMeanVector(rows, w);
    }
    out.heads = heads;
  }
  return out;
}
