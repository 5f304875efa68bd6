// Document readings from sentence readings: the weights, the weighted means (hand-computed), the parts a text is
// read in, and the strongest sentence per class.
import { describe, expect, it } from 'vitest';
import {
  EMOTION_POWER,
  MAX_DOCUMENT_PARTS,
  documentAnalysis,
  documentParts,
  partWeights,
} from '../../../src/analysis/emotion/document.js';
import { ekmanScores, emotionProfile, strongestSentences } from '../../../src/analysis/emotion/profile.js';
import type { TextAnalysis } from '../../../src/core/model.js';
import { FAKE_MODEL, GO_LABELS, fakeAnalysis, type FakeSpec } from '../../helpers/fake-engine.js';

const en = { language: 'en' as const, confidence: 0.9 };
const read = (spec: FakeSpec, tokens: number): TextAnalysis => ({
  ...fakeAnalysis(spec),
  tokens,
  contentTokens: tokens,
});
const go = (a: TextAnalysis, label: string) => a.goemotions[GO_LABELS.indexOf(label)];

// FAKE_MODEL's thresholds are all 0.5, so a probability p is evidence 2p.
// angry: anger 0.9 → evidence 1.8; neutral 0.1 → 0.2; every other group 0 → Ekman neutral = 0.2 / 2.0 = 0.1
const angry = read({ go: { anger: 0.9, neutral: 0.1 }, positive: 0.1, vad: [2, 4, 3] }, 30);
// polite: optimism 0.5 → 1.0; neutral 0.5 → 1.0 → Ekman neutral 0.5
const polite = read({ go: { optimism: 0.5, neutral: 0.5 }, positive: 0.9, vad: [4, 2, 3] }, 10);
// factual: neutral 0.8 only → Ekman neutral 1
const factual = read({ go: { neutral: 0.8 }, positive: 0.5, vad: [3, 3, 3] }, 20);

describe('partWeights', () => {
  it('tokens × (1 − Ekman neutral)^2; a wholly neutral sentence weighs nothing, unless every one is', () => {
    expect(EMOTION_POWER).toBe(2);
    expect(ekmanScores(angry, FAKE_MODEL).neutral).toBeCloseTo(0.1, 6);
    expect(ekmanScores(polite, FAKE_MODEL).neutral).toBeCloseTo(0.5, 6);
    const w = partWeights([angry, polite, factual], FAKE_MODEL);
    expect(w[0]).toBeCloseTo(30 * 0.81, 5);
    expect(w[1]).toBeCloseTo(10 * 0.25, 5);
    expect(w[2]).toBe(0);
    expect(partWeights([factual, factual], FAKE_MODEL)).toEqual([20, 20]);
  });
});

describe('documentAnalysis', () => {
  const parts = [
    { start: 0, end: 16, analysis: factual },
    { start: 17, end: 60, analysis: angry },
    { start: 61, end: 90, analysis: polite },
  ];
  const doc = documentAnalysis(parts, FAKE_MODEL, en);
  // weights 0, 24.3, 2.5 (sum 26.8)
  it('every head is the weighted mean of the sentences (hand-computed)', () => {
    expect(go(doc, 'anger')).toBeCloseTo((24.3 * 0.9) / 26.8, 6);
    expect(go(doc, 'optimism')).toBeCloseTo((2.5 * 0.5) / 26.8, 6);
    expect(go(doc, 'neutral')).toBeCloseTo((24.3 * 0.1 + 2.5 * 0.5) / 26.8, 6);
    expect(doc.positive).toBeCloseTo((24.3 * 0.1 + 2.5 * 0.9) / 26.8, 6);
    expect(doc.vad[0]).toBeCloseTo((24.3 * 2 + 2.5 * 4) / 26.8, 6);
    expect(doc.tokens).toBe(60);
    expect(doc.chunks).toBe(3);
    expect(doc.languageConfidence).toBe(0.9);
    expect(doc.sentences!.map((s) => [s.start, s.end])).toEqual([
      [0, 16],
      [17, 60],
      [61, 90],
    ]);
  });

  it('the angry body headlines the document and the pleasant closing stays its strongest joy sentence', () => {
    const p = emotionProfile(doc, FAKE_MODEL, { topK: 3 });
    expect(p.aggregation).toBe('sentences');
    expect(p.ekman.dominant).toBe('anger');
    expect(p.sentiment.label).toBe('negative');
    expect(p.document!.sentences).toBe(3);
    expect(p.document!.strongest.ekman.anger).toMatchObject({ start: 17, end: 60 });
    expect(p.document!.strongest.ekman.joy).toMatchObject({ start: 61, end: 90, score: 0.5 });
    expect(p.document!.strongest.ekman.neutral).toMatchObject({ start: 0, end: 16, score: 1 });
    expect(p.document!.strongest.sentiment.positive).toMatchObject({ start: 61, end: 90 });
    // the old rule (per-label maximum) would have put optimism 0.5 beside anger 0.9 and neutral at its minimum
  });

  it('a text read whole with its sentences beside it keeps its whole reading, aggregation one_window, and gets the block', () => {
    const beside: TextAnalysis = { ...polite, sentences: doc.sentences };
    const p = emotionProfile(beside, FAKE_MODEL, { topK: 3 });
    expect(p.aggregation).toBe('one_window');
    const { document, ...rest } = p;
    const { document: none, ...alone } = emotionProfile(polite, FAKE_MODEL, { topK: 3 });
    expect(none).toBeUndefined();
    expect(rest).toEqual(alone);
    expect(document).toEqual(strongestSentences(doc, FAKE_MODEL));
  });

  it('a text read whole has no document block; its aggregation says how it was read', () => {
    expect(strongestSentences(angry, FAKE_MODEL)).toBeUndefined();
    expect(emotionProfile(angry, FAKE_MODEL, { topK: 1 }).aggregation).toBe('one_window');
    expect(emotionProfile({ ...angry, chunks: 3 }, FAKE_MODEL, { topK: 1 }).aggregation).toBe('windows');
    expect(() => documentAnalysis([], FAKE_MODEL, en)).toThrow(/at least one part/);
  });
});

describe('documentParts', () => {
  it('the sentences of a text, titles kept whole', () => {
    const text = 'Dear Mr. Harlow, the heating is broken. I am furious. I hope we can sort this out.';
    expect(documentParts(text, 'en').map((s) => s.text)).toEqual([
      'Dear Mr. Harlow, the heating is broken.',
      'I am furious.',
      'I hope we can sort this out.',
    ]);
  });

  it(`more than ${MAX_DOCUMENT_PARTS} sentences are read in runs of ⌈n / ${MAX_DOCUMENT_PARTS}⌉`, () => {
    const text = Array.from({ length: 130 }, (_, i) => `Line ${i}.`).join(' ');
    const parts = documentParts(text, 'en');
    // ⌈130 / 64⌉ = 3 sentences a run: 43 runs of 3 and one of 1
    expect(parts).toHaveLength(44);
    expect(parts[0].text).toBe('Line 0. Line 1. Line 2.');
    expect(parts[43].text).toBe('Line 129.');
    for (const p of parts) expect(text.slice(p.start, p.end)).toBe(p.text);
  });
});
