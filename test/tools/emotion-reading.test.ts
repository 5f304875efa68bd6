import { describe, expect, it } from 'vitest';
import {
  MAX_EXPLAIN_CHARS,
  MAX_RESPONSE_BYTES,
  MAX_SENTENCES,
  checkExplainLimits,
  checkResponseSize,
  explainText,
  sentenceResults,
  sentenceSpans,
  shape,
  summaryResult,
  standardResult,
  fullResult,
} from '../../src/tools/emotion-reading.js';
import { ToolError } from '../../src/core/errors.js';
import { readerOf } from '../../src/tools/reading/pipeline.js';
import { fakeAnalysis, fakeEngine, FAKE_MODEL } from '../helpers/fake-engine.js';

const signal = new AbortController().signal;
const opts = (detail: 'summary' | 'standard' | 'full') => ({ topK: 5, detail });

describe('shape', () => {
  const a = fakeAnalysis({ go: { joy: 0.81234567, neutral: 0.1 }, vad: [3.5, 3, 3] });
  it('standard is the profile, summary six fields, full adds all labels; each matches its schema', () => {
    const std = shape(a, FAKE_MODEL, opts('standard'));
    expect(standardResult.strict().safeParse(std).success).toBe(true);
    const sum = shape(a, FAKE_MODEL, opts('summary'));
    expect(sum).toEqual({
      language: 'en',
      dominant: { label: 'joy', score: 0.8123 },
      ekman_dominant: 'joy',
      sentiment: 'positive',
      valence: 0.25,
      arousal: 0.5,
    });
    expect(summaryResult.strict().safeParse(sum).success).toBe(true);
    const full = shape(a, FAKE_MODEL, opts('full'));
    expect(fullResult.strict().safeParse(full).success).toBe(true);
    if (!('all_labels' in full)) throw new Error('the full detail level has no all_labels');
    expect(full.all_labels.goemotions).toHaveLength(28);
  });
});

describe('sentenceResults', () => {
  it('sentences of each text, grouped by language into one engine call each, offsets slice exactly', async () => {
    const e = fakeEngine(() => ({ go: { joy: 0.9 } }));
    const texts = ['Great day! 🎉🎉 Then it rained.', '정말 좋아요 😊. 그런데 비가 와요.'];
    const analyses = [fakeAnalysis(), { ...fakeAnalysis(), language: 'ko' as const }];
    const spans = sentenceSpans(texts, ['en', 'ko']);
    const out = await sentenceResults(readerOf(e), spans, analyses, opts('summary'), signal);
    expect(e.calls).toEqual([
      ['Great day!', '🎉🎉 Then it rained.'],
      ['정말 좋아요 😊.', '그런데 비가 와요.'],
    ]);
    // each sentence is read as its text's language, decided for the text (not again for the sentence)
    expect(e.options.map((o) => o.decided)).toEqual([
      [
        { language: 'en', confidence: null },
        { language: 'en', confidence: null },
      ],
      [
        { language: 'ko', confidence: null },
        { language: 'ko', confidence: null },
      ],
    ]);
    expect(out[0].map((s) => [s.start, s.end])).toEqual([
      [0, 10],
      [11, 31],
    ]); // '🎉🎉' is 4 UTF-16 units: 11 + 4 + ' Then it rained.'.length (16)
    out.forEach((ss, i) => ss.forEach((s) => expect(texts[i].slice(s.start as number, s.end as number)).toBe(s.text)));
    expect(out[1][0]).toMatchObject({ text: '정말 좋아요 😊.', start: 0, end: 10, dominant: { label: 'joy' } });
  });
  it('takes the sentences the reading already holds from there and reads only the others', async () => {
    const e = fakeEngine(() => ({ go: { joy: 0.9 } }));
    const texts = ['I am furious. Great day!', 'Then it rained.'];
    const held = fakeAnalysis({ go: { anger: 0.9 } });
    // the first text was read with its sentences beside it (reading/documents.ts); the second alone
    const analyses = [
      {
        ...fakeAnalysis(),
        sentences: [
          { start: 0, end: 13, weight: 1, analysis: held },
          { start: 14, end: 24, weight: 1, analysis: fakeAnalysis({ go: { joy: 0.8 } }) },
        ],
      },
      fakeAnalysis(),
    ];
    const out = await sentenceResults(
      readerOf(e),
      sentenceSpans(texts, ['en', 'en']),
      analyses,
      opts('summary'),
      signal,
    );
    expect(e.calls).toEqual([['Then it rained.']]);
    expect(out[0].map((s) => s.dominant)).toEqual([
      { label: 'anger', score: 0.9 },
      { label: 'joy', score: 0.8 },
    ]);
    expect(out[1][0]).toMatchObject({ text: 'Then it rained.', dominant: { label: 'joy', score: 0.9 } });
  });
  it(`refuses more than ${MAX_SENTENCES} sentences before any model work`, () => {
    const text = 'Yes. '.repeat(MAX_SENTENCES + 1);
    expect(() => sentenceSpans([text], ['en'])).toThrow(expect.objectContaining({ code: 'limit_exceeded' }));
  });
});

describe('explanations', () => {
  it('long texts are explained phrase by phrase', async () => {
    const text = Array.from({ length: 100 }, (_, i) => (i === 50 ? 'furious' : `w${i}`)).join(' ');
    const e = fakeEngine((t) => (t.includes('furious') ? { go: { anger: 0.9 } } : {}));
    const ex = await explainText(readerOf(e), text, fakeAnalysis({ go: { anger: 0.9 } }), signal);
    expect(ex.unit).toBe('phrase');
    expect(ex.units).toBe(34);
    expect(e.calls).toHaveLength(1);
    expect(ex.labels[0]).toMatchObject({ label: 'anger', probability: 0.9 });
    expect(ex.labels[0].spans[0]).toMatchObject({ text: 'w48 w49 furious', contribution: 0.9 });
  });
  it('limits: text length and count', () => {
    expect(() => checkExplainLimits(['x'.repeat(MAX_EXPLAIN_CHARS + 1)])).toThrow(
      /at most 2000 characters; text 0 has 2001/,
    );
    expect(() => checkExplainLimits(new Array(65).fill('x'))).toThrow(ToolError);
    expect(() => checkExplainLimits(new Array(64).fill('x'))).not.toThrow();
  });
});

describe('response size', () => {
  it('refuses over the limit with the remedy, accepts at the limit', () => {
    const at = { s: 'x'.repeat(MAX_RESPONSE_BYTES - 8) }; // {"s":"…"} adds 8 bytes
    expect(() => checkResponseSize(at, 'send fewer texts', 'standard')).not.toThrow();
    const over = { s: 'x'.repeat(MAX_RESPONSE_BYTES - 7) };
    expect(() => checkResponseSize(over, 'send fewer texts', 'standard')).toThrow(
      /1048577 bytes of JSON, over the response limit of 1048576 bytes; use detail "summary" or send fewer texts/,
    );
    expect(() => checkResponseSize(over, 'send fewer texts', 'summary')).toThrow(/; send fewer texts$/);
  });
});
