// What a zh or ja emotion result contains (docs/emotion.md), from hand-set head outputs: the CPED → Ekman
// projection (sums of member probabilities, positive-other/negative-other unmapped and renormalised away), CPED
// sentiment, Plutchik from XED, the transfer marking, and no cultural indices outside en/ko.
import { describe, expect, it } from 'vitest';
import {
  allLabels,
  ekmanFromCped,
  emotionProfile,
  jsonBytes,
  summaryOf,
  SUMMARY_MAX_BYTES,
} from '../../../src/analysis/emotion/index.js';
import { CPED_EKMAN, CPED_EMOTIONS, CPED_UNMAPPED, EKMAN, MappingError } from '../../../src/core/labels.js';
import type { ModelInfo, TextAnalysis } from '../../../src/core/model.js';
import { manifestModel } from '../../helpers/model-info.js';

const model = manifestModel('test/fixtures/model-v2/manifest.json');
const { goemotions: GE, kote: KOTE } = model.labels;
const CPED = model.labels.cpedEmotion!; // training order: happy, grateful, relaxed, positive-other, …
const XED = model.labels.xed!;
const v1: ModelInfo = { ...model, languages: ['en', 'ko'], labels: { goemotions: GE, kote: KOTE } };

// A CPED distribution that sums to 1: mapped mass 0.85, unmapped 0.15 (positive-other 0.10 + negative-other 0.05).
const CPED_P: Record<string, number> = {
  happy: 0.2,
  grateful: 0.1,
  relaxed: 0.05,
  'positive-other': 0.1,
  neutral: 0.15,
  anger: 0.1,
  sadness: 0.05,
  fear: 0.02,
  depress: 0.03,
  disgust: 0.05,
  astonished: 0.05,
  worried: 0.05,
  'negative-other': 0.05,
};

function analysis(language: TextAnalysis['language'], ge: Record<string, number> = {}): TextAnalysis {
  const goemotions = new Float32Array(GE.length).fill(0.01);
  for (const [l, p] of Object.entries(ge)) goemotions[GE.indexOf(l)] = p;
  return {
    language,
    languageConfidence: 1,
    tokens: 8,
    unknownTokens: 0,
    contentTokens: 8,
    chunks: 1,
    truncated: false,
    goemotions,
    kote: new Float32Array(KOTE.length).fill(0.01),
    positive: 0.7,
    utility: 0,
    vad: [4, 2, 3],
    cpedEmotion: Float64Array.from(CPED.map((l) => CPED_P[l])) as unknown as Float32Array,
    cpedSentiment: Float32Array.from([0.2, 0.3, 0.5]),
    xed: Float32Array.from(XED.map((l) => ({ joy: 0.8, trust: 0.6, anticipation: 0.3 })[l] ?? 0.1)),
  };
}

describe('CPED → Ekman', () => {
  it('each of the 13 CPED labels is in exactly one Ekman class or unmapped (positive-other, negative-other)', () => {
    expect([...CPED_EMOTIONS].sort()).toEqual([...CPED].sort());
    const grouped = Object.values(CPED_EKMAN).flat();
    expect(new Set([...grouped, ...CPED_UNMAPPED]).size).toBe(13);
    expect(CPED_UNMAPPED).toEqual(['positive-other', 'negative-other']);
  });

  it('hand-computed: class = sum of its members, divided by the mapped mass 0.85; unmapped = 0.15', () => {
    const { scores, unmapped } = ekmanFromCped({ taxonomy: 'cped', labels: CPED, probs: CPED.map((l) => CPED_P[l]) });
    expect(unmapped).toBeCloseTo(0.15, 12);
    const want = { joy: 0.35, anger: 0.1, sadness: 0.08, fear: 0.07, disgust: 0.05, surprise: 0.05, neutral: 0.15 };
    for (const e of EKMAN) expect(scores[e]).toBeCloseTo(want[e] / 0.85, 12);
    expect(Object.values(scores).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
});

describe('a zh result', () => {
  const p = emotionProfile(analysis('zh'), model, { topK: 3 });

  it('CPED labels, argmax detection, Ekman from CPED with unmapped, CPED sentiment, Plutchik from XED, EmoBank V/A', () => {
    expect(p.taxonomy).toBe('cped');
    expect(p.labels.map((l) => l.label)).toEqual(['happy', 'neutral', 'grateful']); // 0.2, 0.15, then the first 0.1 in label order
    expect(p.dominant).toEqual({ label: 'happy', score: 0.2 });
    expect(p.detected).toEqual([{ label: 'happy', score: 0.2, rule: 'argmax' }]);
    expect(p.ekman.dominant).toBe('joy');
    expect(p.ekman.sources).toEqual(['cped']);
    expect(p.ekman.unmapped).toBeCloseTo(0.15, 6);
    expect(p.sentiment.label).toBe('positive');
    expect(p.sentiment.score).toBeCloseTo(0.5, 6);
    expect(p.sentiment.scores).toEqual({
      negative: expect.closeTo(0.2, 6),
      neutral: expect.closeTo(0.3, 6),
      positive: expect.closeTo(0.5, 6),
    });
    expect(p.sentiment.positive_probability).toBe(0.7);
    expect(p.valence).toBeCloseTo(0.5, 12); // EmoBank V 4 → (4 − 3) / 2
    expect(p.arousal).toBeCloseTo(0.25, 12); // A 2 → (2 − 1) / 4
    expect(p.plutchik!.dominant).toBe('joy');
    expect(p.plutchik!.scores.trust).toBeCloseTo(0.6, 6);
    expect(p.plutchik!.source).toBe('xed');
    expect(p.transfer).toEqual(['sentiment.positive_probability', 'valence', 'arousal']);
    expect(p.cultural).toBeUndefined();
  });

  it('with a given threshold: every CPED label at or over it, with the threshold', () => {
    const t = emotionProfile(analysis('zh'), model, { topK: 3, threshold: 0.1 });
    expect(t.detected.map((d) => d.label).sort()).toEqual(['anger', 'grateful', 'happy', 'neutral', 'positive-other']);
    expect(t.detected.every((d) => 'threshold' in d && d.threshold === 0.1)).toBe(true);
  });

  it('full detail lists the 13 CPED labels without thresholds; summary marks V/A as transfer', () => {
    const all = allLabels(analysis('zh'), model);
    expect(Object.keys(all)).toEqual(['cped']);
    expect(all.cped!.map((l) => l.label)).toEqual(CPED);
    expect(all.cped![0]).toEqual({ label: 'happy', score: expect.closeTo(0.2, 6) });
    expect(summaryOf(p)).toMatchObject({
      language: 'zh',
      transfer: ['valence', 'arousal'],
      ekman_dominant: 'joy',
      sentiment: 'positive',
    });
  });

  it('a model without the zh heads cannot make one (MappingError, never zeros)', () => {
    const a = analysis('zh');
    delete a.cpedEmotion;
    expect(() => emotionProfile(a, v1, { topK: 3 })).toThrow(MappingError);
  });
});

describe('a ja result', () => {
  it('is the English reading of the shared heads, marked as transfer, without cultural indices', () => {
    const ge = { joy: 0.8, surprise: 0.3, neutral: 0.2 };
    const ja = emotionProfile(analysis('ja', ge), model, { topK: 3 });
    const en = emotionProfile(analysis('en', ge), model, { topK: 3 });
    const { language: _l, transfer, cultural: _c, ...jaRest } = ja;
    const { language: _l2, cultural, ...enRest } = en;
    expect(jaRest).toEqual(enRest);
    expect(cultural).toBeDefined();
    expect(ja.cultural).toBeUndefined();
    expect(ja.plutchik).toBeUndefined();
    expect(transfer).toEqual(['labels', 'detected', 'dominant', 'ekman', 'sentiment', 'valence', 'arousal']);
    expect(ja.valence).toBeCloseTo(0.5, 12); // EmoBank, as English (not the polarity head, as Korean)
    const s = summaryOf(ja);
    expect(s.transfer).toEqual(['dominant', 'ekman_dominant', 'sentiment', 'valence', 'arousal']);
    expect(jsonBytes(s)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
  });
});
