// The pipeline's reader: a text that fits one window is read whole (its sentences beside it only when asked for); a
// text longer than one window and of several sentences is read by its sentences and aggregated
// (src/analysis/emotion/document.ts); one sentence over a window is read whole in windows.
import { describe, expect, it } from 'vitest';
import { readDocuments } from '../../../src/tools/reading/documents.js';
import { readerOf } from '../../../src/tools/reading/pipeline.js';
import { GO_LABELS, fakeAnalysis, fakeEngine, type FakeSpec } from '../../helpers/fake-engine.js';

const LETTER = 'Dear Mr. Harlow, I am furious. I am still hoping we can sort this out.';
const SHORT = 'I am furious. I am still hoping.';
const LONG_SENTENCE = 'I am furious about the boiler and the mould and the calls nobody answered';
// the fake model's windows: the letter and the long sentence take three windows, everything else one
const respond = (t: string): FakeSpec => {
  const chunks = t === LETTER || t === LONG_SENTENCE ? 3 : 1;
  if (t === LETTER || t === SHORT) return { go: { optimism: 0.95, anger: 0.9 }, chunks }; // the maximum over windows
  return /furious/.test(t)
    ? { go: { anger: 0.9, neutral: 0.1 }, chunks }
    : /hoping/.test(t)
      ? { go: { optimism: 0.9 }, chunks }
      : { chunks };
};
const en = (confidence: number | null) => ({ language: 'en' as const, confidence });
const go = (a: { goemotions: Float32Array }, label: string) => a.goemotions[GO_LABELS.indexOf(label)];

describe('readDocuments', () => {
  it('reads a text that fits one window whole, as before, in one call: several sentences change nothing', async () => {
    const engine = fakeEngine(respond);
    const [one, short] = await readDocuments(engine, ['I am furious!', SHORT], [en(0.8), en(0.7)], undefined);
    expect(engine.calls).toEqual([['I am furious!', SHORT]]);
    expect(one).toEqual(fakeAnalysis(respond('I am furious!')));
    // the whole text's own reading, bit for bit (the language is the engine's: the fake answers 'en', confidence 1)
    expect(short).toEqual(fakeAnalysis(respond(SHORT)));
    expect(short.sentences).toBeUndefined();
  });

  it('asked for sentences, reads those of a one-window text in the same call, beside its whole reading', async () => {
    const engine = fakeEngine(respond);
    const [short] = await readDocuments(engine, [SHORT], [en(0.7)], undefined, { sentences: true });
    expect(engine.calls).toEqual([[SHORT, 'I am furious.', 'I am still hoping.']]);
    expect(engine.options[0].decided).toEqual([en(0.7), en(null), en(null)]);
    const { sentences, ...whole } = short;
    expect(whole).toEqual(fakeAnalysis(respond(SHORT))); // the heads are the whole text's
    expect(short.fromSentences).toBeUndefined();
    expect(sentences!.map((s) => SHORT.slice(s.start, s.end))).toEqual(['I am furious.', 'I am still hoping.']);
    expect(sentences!.map((s) => go(s.analysis, 'anger'))).toEqual([
      go(fakeAnalysis(respond('I am furious.')), 'anger'),
      0,
    ]);
    // weights as the document rule gives them: tokens 10 × (1 − Ekman neutral)² (anger: neutral 0.1; hope: 0)
    expect(sentences![0].weight).toBeCloseTo(8.1, 6);
    expect(sentences![1].weight).toBeCloseTo(10, 6);
  });

  it('reads a text longer than one window by its sentences in a second call, and aggregates them', async () => {
    const engine = fakeEngine(respond);
    const [doc] = await readDocuments(engine, [LETTER], [en(0.7)], undefined);
    expect(engine.calls).toEqual([
      [LETTER],
      ['Dear Mr. Harlow, I am furious.', 'I am still hoping we can sort this out.'],
    ]);
    expect(engine.options[1].decided).toEqual([en(null), en(null)]);
    expect(doc.fromSentences).toBe(true);
    expect(doc.languageConfidence).toBe(0.7);
    // FAKE_MODEL thresholds 0.5: the angry sentence's Ekman neutral is 0.1 (weight 10 × 0.81), the hopeful one 0
    // (weight 10); anger = 8.1 × 0.9 / 18.1 instead of the whole reading's maximum over windows (0.9, optimism 0.95)
    expect(go(doc, 'anger')).toBeCloseTo((8.1 * 0.9) / 18.1, 6);
    expect(go(doc, 'optimism')).toBeCloseTo((10 * 0.9) / 18.1, 6);
    expect(doc.chunks).toBe(2);
  });

  it('asked for sentences, reads a long text and its sentences in one call and still aggregates', async () => {
    const engine = fakeEngine(respond);
    const [doc] = await readDocuments(engine, [LETTER], [en(0.7)], undefined, { sentences: true });
    expect(engine.calls).toHaveLength(1);
    expect(doc.fromSentences).toBe(true);
    expect(go(doc, 'anger')).toBeCloseTo((8.1 * 0.9) / 18.1, 6);
  });

  it('an engine that counts windows by tokenizing reads a long text by its sentences only, in the same call', async () => {
    const counting = Object.assign(fakeEngine(respond), {
      windows: (ts: readonly string[]) => ts.map((t) => respond(t).chunks ?? 1),
    });
    const texts = [LETTER, SHORT, LONG_SENTENCE];
    const decided = [en(0.7), en(0.7), en(0.7)];
    const read = await readDocuments(counting, texts, decided, undefined);
    expect(counting.calls).toEqual([
      ['Dear Mr. Harlow, I am furious.', 'I am still hoping we can sort this out.', SHORT, LONG_SENTENCE],
    ]);
    // the same readings as an engine that learns the windows from reading the whole text
    const plain = fakeEngine(respond);
    expect(read).toEqual(await readDocuments(plain, texts, decided, undefined));
    expect(plain.calls).toHaveLength(2);
  });

  it('reads one sentence longer than a window whole, in windows', async () => {
    const engine = fakeEngine(respond);
    const [a] = await readDocuments(engine, [LONG_SENTENCE], [en(null)], undefined, { sentences: true });
    expect(engine.calls).toEqual([[LONG_SENTENCE]]);
    expect(a).toEqual(fakeAnalysis(respond(LONG_SENTENCE)));
  });

  it("mode 'sentences' (the rule first tried, for eval/) reads every text of several sentences by its sentences", async () => {
    const engine = fakeEngine(respond);
    const [short] = await readDocuments(engine, [SHORT], [en(0.7)], undefined, { mode: 'sentences' });
    expect(engine.calls).toEqual([['I am furious.', 'I am still hoping.']]);
    expect(short.fromSentences).toBe(true);
  });
});

describe('readerOf', () => {
  it('is what the pipeline reads with, for every tool; sentences only when asked for', async () => {
    const engine = fakeEngine(respond);
    const reader = readerOf(engine);
    const signal = new AbortController().signal;
    const [plain] = await reader.read([SHORT], [en(null)], signal);
    expect(plain.sentences).toBeUndefined();
    const [asked] = await reader.read([SHORT], [en(null)], signal, { sentences: true });
    expect(asked.sentences).toHaveLength(2);
    const [long] = await reader.read([LETTER], [en(null)], signal);
    expect(long.fromSentences).toBe(true);
    expect(engine.calls).toEqual([
      [SHORT],
      [SHORT, 'I am furious.', 'I am still hoping.'],
      [LETTER],
      ['Dear Mr. Harlow, I am furious.', 'I am still hoping we can sort this out.'],
    ]);
  });
});
