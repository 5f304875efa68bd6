// Document reading from sentence readings: length-weighted means and the strongest sentence per class.
import { describe, expect, it } from 'vitest';
import { documentReading, type SentenceReading } from '../../../src/analysis/emotion/document.js';
import { EKMAN, SENTIMENTS, type Ekman, type Sentiment } from '../../../src/core/labels.js';

const ekman = (top: Ekman, p: number) =>
  Object.fromEntries(EKMAN.map((e) => [e, e === top ? p : (1 - p) / 6])) as Record<Ekman, number>;
const sentiment = (top: Sentiment, p: number) =>
  Object.fromEntries(SENTIMENTS.map((s) => [s, s === top ? p : (1 - p) / 3])) as Record<Sentiment, number>;

describe('documentReading', () => {
  it('a long angry body outweighs a short pleasant closing (hand-computed means), and each keeps its strongest sentence', () => {
    const s: SentenceReading[] = [
      { start: 0, end: 90, ekman: ekman('anger', 0.7), sentiment: sentiment('negative', 0.8) },
      { start: 91, end: 151, ekman: ekman('anger', 0.9), sentiment: sentiment('negative', 0.9) }, // the ultimatum
      { start: 152, end: 182, ekman: ekman('joy', 0.94), sentiment: sentiment('positive', 0.94) }, // the closing
    ];
    const r = documentReading(s);
    // weights 90, 60, 30 (sum 180): anger (90·0.7 + 60·0.9 + 30·0.01)/180 = 117.3/180
    expect(r.ekman.scores.anger).toBeCloseTo(117.3 / 180, 12);
    expect(r.ekman.dominant).toBe('anger');
    expect(r.sentiment.label).toBe('negative');
    expect(r.strongest.ekman.anger).toEqual({ start: 91, end: 151, score: 0.9 });
    expect(r.strongest.ekman.joy).toEqual({ start: 152, end: 182, score: 0.94 });
    expect(r.strongest.sentiment.negative.start).toBe(91);
  });

  it('one sentence reads as itself; no sentence is refused', () => {
    const one = { start: 0, end: 5, ekman: ekman('fear', 0.6), sentiment: sentiment('negative', 0.7) };
    expect(documentReading([one]).ekman.scores.fear).toBeCloseTo(0.6, 12);
    expect(() => documentReading([])).toThrow(/at least one sentence/);
  });
});
