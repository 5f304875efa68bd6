// The pipeline's reader: a one-sentence text is read whole, a longer one sentence by sentence in the same engine
// call and aggregated (src/analysis/emotion/document.ts), so every tool sees the same document reading.
import { describe, expect, it } from 'vitest';
import { readDocuments } from '../../../src/tools/reading/documents.js';
import { readerOf } from '../../../src/tools/reading/pipeline.js';
import { GO_LABELS, fakeEngine } from '../../helpers/fake-engine.js';

const respond = (t: string) =>
  /furious/.test(t) ? { go: { anger: 0.9, neutral: 0.1 } } : /hoping/.test(t) ? { go: { optimism: 0.9 } } : {};

describe('readDocuments', () => {
  it('reads a one-sentence text whole, as decided, and a longer text by its sentences in the same call', async () => {
    const engine = fakeEngine(respond);
    const texts = ['I am furious!', 'Dear Mr. Harlow, I am furious. I am still hoping we can sort this out.'];
    const decided = [
      { language: 'en' as const, confidence: 0.8 },
      { language: 'en' as const, confidence: 0.7 },
    ];
    const [one, doc] = await readDocuments(engine, texts, decided, undefined);
    expect(engine.calls).toEqual([
      ['I am furious!', 'Dear Mr. Harlow, I am furious.', 'I am still hoping we can sort this out.'],
    ]);
    // the sentences are read as their text's language, without a confidence of their own
    expect(engine.options[0].decided).toEqual([
      decided[0],
      { language: 'en', confidence: null },
      { language: 'en', confidence: null },
    ]);
    expect(one.sentences).toBeUndefined();
    expect(doc.sentences!.map((s) => texts[1].slice(s.start, s.end))).toEqual([
      'Dear Mr. Harlow, I am furious.',
      'I am still hoping we can sort this out.',
    ]);
    expect(doc.languageConfidence).toBe(0.7);
    // FAKE_MODEL thresholds 0.5: the angry sentence's Ekman neutral is 0.1 (weight 10 × 0.81), the hopeful one 0
    // (weight 10); anger = 8.1 × 0.9 / 18.1
    expect(doc.goemotions[GO_LABELS.indexOf('anger')]).toBeCloseTo((8.1 * 0.9) / 18.1, 6);
    expect(doc.goemotions[GO_LABELS.indexOf('optimism')]).toBeCloseTo((10 * 0.9) / 18.1, 6);
  });

  it('is what the pipeline reader reads with, for every tool', async () => {
    const engine = fakeEngine(respond);
    const [doc] = await readerOf(engine).read(
      ['I am furious. I am still hoping.'],
      [{ language: 'en', confidence: null }],
      new AbortController().signal,
    );
    expect(engine.calls).toEqual([['I am furious.', 'I am still hoping.']]);
    expect(doc.sentences).toHaveLength(2);
  });
});
