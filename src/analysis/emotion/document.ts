// A document's reading from its sentences' readings: the length-weighted mean of their Ekman and sentiment
// distributions, with the strongest sentence of every Ekman class and every sentiment group beside it (offsets
// into the document). A long text is then not headlined by its politest window: the maximum over windows lets one
// pleasant closing sentence outweigh an angry body, a mean over sentences weighs each part by its length.
import { EKMAN, SENTIMENTS, type Ekman, type Sentiment } from '../../core/labels.js';

export interface SentenceReading {
  /** UTF-16 offsets of the sentence in the document. */
  start: number;
  end: number;
  ekman: Record<Ekman, number>;
  sentiment: Record<Sentiment, number>;
}

export interface Strongest {
  start: number;
  end: number;
  score: number;
}

export interface DocumentReading {
  ekman: { scores: Record<Ekman, number>; dominant: Ekman };
  sentiment: { scores: Record<Sentiment, number>; label: Sentiment };
  /** Per class: the sentence with the highest score for it. */
  strongest: { ekman: Record<Ekman, Strongest>; sentiment: Record<Sentiment, Strongest> };
}

function weightedMean<K extends string>(
  keys: readonly K[],
  rows: ReadonlyArray<Record<K, number>>,
  weights: readonly number[],
): Record<K, number> {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = rows.reduce((s, r, i) => s + weights[i] * r[k], 0) / total;
  return out;
}

function strongestOf<K extends string>(
  keys: readonly K[],
  sentences: readonly SentenceReading[],
  pick: (s: SentenceReading) => Record<K, number>,
): Record<K, Strongest> {
  const out = {} as Record<K, Strongest>;
  for (const k of keys) {
    const best = sentences.reduce((a, b) => (pick(b)[k] > pick(a)[k] ? b : a));
    out[k] = { start: best.start, end: best.end, score: pick(best)[k] };
  }
  return out;
}

const argmax = <K extends string>(d: Record<K, number>): K =>
  (Object.keys(d) as K[]).reduce((a, b) => (d[b] > d[a] ? b : a));

/** The document reading of ≥ 1 sentence readings (weights: sentence length in UTF-16 code units). */
export function documentReading(sentences: readonly SentenceReading[]): DocumentReading {
  if (sentences.length === 0) throw new RangeError('a document reading needs at least one sentence');
  const weights = sentences.map((s) => Math.max(1, s.end - s.start));
  const ekman = weightedMean(
    EKMAN,
    sentences.map((s) => s.ekman),
    weights,
  );
  const sentiment = weightedMean(
    SENTIMENTS,
    sentences.map((s) => s.sentiment),
    weights,
  );
  return {
    ekman: { scores: ekman, dominant: argmax(ekman) },
    sentiment: { scores: sentiment, label: argmax(sentiment) },
    strongest: {
      ekman: strongestOf(EKMAN, sentences, (s) => s.ekman),
      sentiment: strongestOf(SENTIMENTS, sentences, (s) => s.sentiment),
    },
  };
}
