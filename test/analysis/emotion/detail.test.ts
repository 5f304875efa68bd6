import { describe, expect, it } from 'vitest';
import {
  SUMMARY_MAX_BYTES,
  allLabels,
  emotionProfile,
  jsonBytes,
  summaryOf,
} from '../../../src/analysis/emotion/index.js';
import { EKMAN, SENTIMENTS } from '../../../src/core/labels.js';
import type { TextAnalysis } from '../../../src/core/model.js';
import { manifestModel } from '../../helpers/model-info.js';

// The shipped model's label names (the longest KOTE label is 27 bytes of UTF-8).
const model = manifestModel('models/manifest.json', (head, i) => (head === 'goemotions' ? 0.1 : 0.2) + i / 100);
const { goemotions: GE, kote: KOTE } = model.labels;
const analysis = (language: 'en' | 'ko', hot: number): TextAnalysis => {
  const goemotions = new Float32Array(GE.length).fill(0.01);
  const kote = new Float32Array(KOTE.length).fill(0.01);
  (language === 'en' ? goemotions : kote)[hot] = 0.9;
  return {
    language,
    languageConfidence: null,
    tokens: 3,
    unknownTokens: 0,
    contentTokens: 3,
    chunks: 1,
    truncated: false,
    goemotions,
    kote,
    positive: 0.3,
    utility: 0,
    vad: [2.1, 3.3, 3],
  };
};

describe('detail levels', () => {
  it('summary: the six fields, and at most 400 bytes for every dominant label even with unrounded numbers', () => {
    let worst = 0;
    for (const [lang, labels] of [
      ['en', GE],
      ['ko', KOTE],
    ] as const) {
      labels.forEach((_, i) => {
        const s = summaryOf(emotionProfile(analysis(lang, i), model, { topK: 5 }));
        expect(Object.keys(s)).toEqual(['language', 'dominant', 'ekman_dominant', 'sentiment', 'valence', 'arousal']);
        // the longest number JSON can print, in every numeric field and every choice of enum
        for (const e of EKMAN)
          for (const se of SENTIMENTS) {
            worst = Math.max(
              worst,
              jsonBytes({
                ...s,
                dominant: { ...s.dominant, score: -0.12345678901234568 },
                ekman_dominant: e,
                sentiment: se,
                valence: -0.12345678901234568,
                arousal: -1.2345678901234568e-7,
              }),
            );
          }
      });
    }
    expect(worst).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(worst).toBeGreaterThan(150); // the measurement is of real content
  });

  it('full: every label of each projection head, in model order, with the threshold used', () => {
    const en = allLabels(analysis('en', 3), model);
    expect(Object.keys(en)).toEqual(['goemotions']);
    expect(en.goemotions!.map((l) => l.label)).toEqual(GE);
    expect(en.goemotions![3]).toEqual({ label: GE[3], score: expect.closeTo(0.9, 6), threshold: 0.13 });
    const ko = allLabels(analysis('ko', 0), model, 0.4);
    expect(Object.keys(ko)).toEqual(['kote', 'goemotions']);
    expect(ko.kote!.every((l) => 'threshold' in l && l.threshold === 0.4)).toBe(true);
    expect(ko.kote).toHaveLength(44);
  });

  it('jsonBytes counts UTF-8 bytes', () => {
    expect(jsonBytes('화')).toBe(5); // quotes + 3 bytes
    expect(jsonBytes({ a: 1 })).toBe(7);
  });
});
