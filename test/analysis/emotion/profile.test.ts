import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CULTURAL_INDICES,
  arousalOf,
  culturalIndex,
  ekmanFromHead,
  emotionProfile,
  formulaOf,
  valenceOf,
} from '../../../src/analysis/emotion/index.js';
import { EKMAN, GOEMOTIONS_EKMAN, GOEMOTIONS_SENTIMENT, KOTE_EKMAN, KOTE_SENTIMENT } from '../../../src/core/labels.js';
import type { TextAnalysis } from '../../../src/core/model.js';
import { DATA_DIR, requireData } from '../../helpers/data.js';
import { manifestModel } from '../../helpers/model-info.js';

const model = manifestModel('test/fixtures/model/manifest.json');
const { goemotions: GE, kote: KOTE } = model.labels;

function analysis(
  over: Partial<TextAnalysis> & { ge?: Record<string, number>; ko?: Record<string, number> } = {},
): TextAnalysis {
  const goemotions = new Float32Array(GE.length).fill(0.01);
  const kote = new Float32Array(KOTE.length).fill(0.01);
  for (const [l, p] of Object.entries(over.ge ?? {})) goemotions[GE.indexOf(l)] = p;
  for (const [l, p] of Object.entries(over.ko ?? {})) kote[KOTE.indexOf(l)] = p;
  return {
    language: 'en',
    languageConfidence: 1,
    tokens: 5,
    unknownTokens: 0,
    contentTokens: 5,
    chunks: 1,
    truncated: false,
    goemotions,
    kote,
    positive: 0.5,
    utility: 0,
    vad: [3, 3, 3],
    ...over,
  };
}

const SHARED = resolve(DATA_DIR, 'goemotions');

// ../shared beside the repository (CI has it; a packed install does not): the tables are still checked below.
const sharedMissing = requireData(
  'GoEmotions mapping files',
  'goemotions/ekman_mapping.json',
  'goemotions/sentiment_mapping.json',
);

describe('label mappings', () => {
  it.skipIf(sharedMissing !== null)('GoEmotions → Ekman and → sentiment equal the published GoEmotions files', () => {
    const ek: Record<string, string[]> = JSON.parse(readFileSync(resolve(SHARED, 'ekman_mapping.json'), 'utf8'));
    const se: Record<string, string[]> = JSON.parse(readFileSync(resolve(SHARED, 'sentiment_mapping.json'), 'utf8'));
    expect(Object.keys(ek).length).toBeGreaterThan(0);
    expect(Object.keys(se).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(ek)) expect([...GOEMOTIONS_EKMAN[k as 'joy']].sort()).toEqual([...v].sort());
    for (const [k, v] of Object.entries(se))
      expect([...GOEMOTIONS_SENTIMENT[k as 'positive']].sort()).toEqual([...v].sort());
  });

  it('every label is a real label, used at most once; KOTE leaves out only 비장함, 재미없음 (and 없음 = neutral)', () => {
    const geUsed = Object.values(GOEMOTIONS_EKMAN).flat();
    expect(new Set(geUsed).size).toBe(geUsed.length);
    expect(geUsed.every((l) => GE.includes(l))).toBe(true);
    expect(GE.filter((l) => !geUsed.includes(l))).toEqual(['neutral']);
    const koUsed = Object.values(KOTE_EKMAN).flat();
    expect(new Set(koUsed).size).toBe(koUsed.length);
    expect(koUsed.every((l) => KOTE.includes(l))).toBe(true);
    expect(KOTE.filter((l) => !koUsed.includes(l)).sort()).toEqual(['비장함', '없음', '재미없음'].sort());
    const koSent = Object.values(KOTE_SENTIMENT).flat();
    expect(new Set(koSent).size).toBe(koSent.length);
    expect(KOTE.filter((l) => !koSent.includes(l))).toEqual(['없음']);
    for (const tax of ['goemotions', 'kote'] as const) {
      for (const def of Object.values(CULTURAL_INDICES[tax])) {
        for (const f of def.facets) for (const l of f.labels) expect(tax === 'kote' ? KOTE : GE).toContain(l);
      }
    }
  });
});

describe('projections', () => {
  it('Ekman: max per group, then normalised (hand-checked)', () => {
    const a = analysis({ ge: { joy: 0.8, amusement: 0.6, anger: 0.2, neutral: 0.1 } });
    const e = ekmanFromHead({ taxonomy: 'goemotions', labels: GE, probs: a.goemotions });
    // raw: anger 0.2, disgust 0.01, fear 0.01, joy 0.8, sadness 0.01, surprise 0.01, neutral 0.1 → sum 1.14
    const sum = 0.2 + 0.01 * 4 + 0.8 + 0.1;
    expect(e.joy).toBeCloseTo(0.8 / sum, 6);
    expect(e.anger).toBeCloseTo(0.2 / sum, 6);
    expect(e.neutral).toBeCloseTo(0.1 / sum, 6);
  });

  it('Ekman sums to 1 and every output stays in range, for any probabilities (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 28, maxLength: 28 }),
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 44, maxLength: 44 }),
        fc.constantFrom('en' as const, 'ko' as const),
        fc.float({ min: 0, max: 1, noNaN: true }),
        fc.tuple(fc.float({ min: -2, max: 8, noNaN: true }), fc.float({ min: -2, max: 8, noNaN: true })),
        (ge, ko, language, positive, [v, ar]) => {
          const a: TextAnalysis = {
            language,
            languageConfidence: 1,
            tokens: 1,
            unknownTokens: 0,
            contentTokens: 5,
            chunks: 1,
            truncated: false,
            goemotions: Float32Array.from(ge),
            kote: Float32Array.from(ko),
            positive,
            utility: 0,
            vad: [v, ar, 3],
          };
          const p = emotionProfile(a, model, { topK: 44 });
          const s = EKMAN.reduce((acc, k) => acc + p.ekman.scores[k], 0);
          expect(s).toBeCloseTo(1, 6);
          const ss = Object.values(p.sentiment.scores).reduce((x, y) => x + y, 0);
          expect(ss).toBeCloseTo(1, 6);
          expect(p.valence).toBeGreaterThanOrEqual(-1);
          expect(p.valence).toBeLessThanOrEqual(1);
          expect(p.arousal).toBeGreaterThanOrEqual(0);
          expect(p.arousal).toBeLessThanOrEqual(1);
          expect(p.cultural).toBeDefined();
          for (const c of Object.values(p.cultural!)) {
            expect(c.score).toBeGreaterThanOrEqual(0);
            expect(c.score).toBeLessThanOrEqual(1 + 1e-9);
          }
          expect(p.labels).toHaveLength(language === 'en' ? 28 : 44);
          for (let i = 1; i < p.labels.length; i++)
            expect(p.labels[i - 1].score).toBeGreaterThanOrEqual(p.labels[i].score);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('threshold-relative evidence: p / max(t, 0.05) (hand-checked)', () => {
    const thresholds = GE.map((l) => (l === 'fear' ? 0.1 : l === 'joy' ? 0.4 : l === 'grief' ? 0.01 : 0.5));
    const a = analysis({ ge: { fear: 0.2, joy: 0.6, grief: 0.04 } });
    const e = ekmanFromHead({ taxonomy: 'goemotions', labels: GE, probs: a.goemotions, thresholds });
    // fear 0.2/0.1 = 2; joy 0.6/0.4 = 1.5; sadness max(0.04/0.05 (floored), 0.01/0.5) = 0.8;
    // anger, disgust, surprise, neutral 0.01/0.5 = 0.02 → sum 4.38
    const sum = 2 + 1.5 + 0.8 + 4 * 0.02;
    expect(e.fear).toBeCloseTo(2 / sum, 6);
    expect(e.joy).toBeCloseTo(1.5 / sum, 6);
    expect(e.sadness).toBeCloseTo(0.8 / sum, 6);
    expect(e.neutral).toBeCloseTo(0.02 / sum, 6);
  });

  it('Korean mixes the KOTE and GoEmotions projections half and half', () => {
    const a = analysis({ language: 'ko', ko: { 기쁨: 0.9 }, ge: { sadness: 0.9 } });
    const p = emotionProfile(a, model, { topK: 3 });
    expect(p.ekman.sources).toEqual(['kote', 'goemotions']);
    const k = ekmanFromHead({ taxonomy: 'kote', labels: KOTE, probs: a.kote });
    const g = ekmanFromHead({ taxonomy: 'goemotions', labels: GE, probs: a.goemotions });
    expect(p.ekman.scores.joy).toBeCloseTo(0.5 * k.joy + 0.5 * g.joy, 6);
    expect(p.ekman.scores.sadness).toBeCloseTo(0.5 * k.sadness + 0.5 * g.sadness, 6);
    expect(p.taxonomy).toBe('kote');
    expect(p.labels[0]).toEqual({ label: '기쁨', score: expect.closeTo(0.9, 6) });
  });

  it('labels, detections (tuned or explicit threshold), dominant', () => {
    const a = analysis({ ge: { joy: 0.8, gratitude: 0.55, anger: 0.3 } });
    const p = emotionProfile(a, model, { topK: 2 });
    expect(p.labels.map((l) => l.label)).toEqual(['joy', 'gratitude']);
    expect(p.detected.map((d) => d.label)).toEqual(['joy', 'gratitude']); // thresholds 0.5
    expect(p.dominant.label).toBe('joy');
    expect(p.ekman.dominant).toBe('joy');
    expect(p.sentiment.label).toBe('positive');
    const q = emotionProfile(a, model, { topK: 2, threshold: 0.25 });
    expect(q.detected.map((d) => d.label)).toEqual(['joy', 'gratitude', 'anger']);
    expect(q.detected.every((d) => 'threshold' in d && d.threshold === 0.25)).toBe(true);
  });

  it('valence and arousal follow the documented rescaling', () => {
    const en = analysis({ vad: [4, 2, 3], positive: 0.1 });
    expect(valenceOf(en, 'en')).toBeCloseTo(0.5, 9); // (4 − 3) / 2
    expect(arousalOf(en)).toBeCloseTo(0.25, 9); // (2 − 1) / 4
    const ko = analysis({ language: 'ko', vad: [4, 5, 3], positive: 0.9 });
    expect(valenceOf(ko, 'ko')).toBeCloseTo(0.8, 9); // 2·0.9 − 1
    expect(arousalOf(ko)).toBe(1);
    expect(valenceOf(analysis({ vad: [6, 0, 0] }), 'en')).toBe(1); // clamped
  });

  it('cultural indices: formulas hand-checked', () => {
    const ko = analysis({
      language: 'ko',
      ko: {
        슬픔: 0.64,
        '화남/분노': 0.25,
        아껴주는: 0.8,
        고마움: 0.4,
        '불쌍함/연민': 0.2,
        부끄러움: 0.6,
        '불안/걱정': 0.4,
        뿌듯함: 0.2,
      },
    });
    const h = { taxonomy: 'kote' as const, labels: KOTE, probs: ko.kote };
    expect(culturalIndex(h, CULTURAL_INDICES.kote.han)).toBeCloseTo(Math.sqrt(0.64 * 0.25), 6); // 0.4
    expect(culturalIndex(h, CULTURAL_INDICES.kote.jeong)).toBeCloseTo((2 * 0.8 + 0.4 + 0.2) / 4, 6);
    expect(culturalIndex(h, CULTURAL_INDICES.kote.chemyeon)).toBeCloseTo((2 * 0.6 + 0.4 + 0.2) / 4, 6);
    expect(formulaOf(CULTURAL_INDICES.kote.han)).toBe(
      'sqrt(max(슬픔, 서러움, 안타까움/실망, 절망, 패배/자기혐오, 힘듦/지침) × max(불평/불만, 화남/분노, 증오/혐오, 지긋지긋))',
    );
    expect(formulaOf(CULTURAL_INDICES.goemotions.jeong)).toBe(
      '(2·max(caring, love) + 1·max(gratitude, admiration)) / 3',
    );
    const p = emotionProfile(ko, model, { topK: 5 });
    expect(p.cultural?.han.score).toBeCloseTo(0.4, 6);
    expect(p.cultural?.han.formula).toContain('sqrt(');
  });
});

describe('docs/emotion.md', () => {
  it('states every cultural formula exactly as the code computes it', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/emotion.md'), 'utf8');
    for (const tax of ['kote', 'goemotions'] as const) {
      for (const def of Object.values(CULTURAL_INDICES[tax])) expect(doc).toContain(formulaOf(def));
    }
  });
});

describe('texts the tokenizer does not know', () => {
  it('says so when no token carries known content, and counts the unknown tokens', () => {
    const none = emotionProfile(analysis({ tokens: 2, unknownTokens: 1, contentTokens: 0 }), model, { topK: 3 }); // "▁ <unk>"
    expect(none.note).toMatch(/no token of this text is known/);
    expect(none.unknown_tokens).toBe(1);
    const some = emotionProfile(analysis({ tokens: 3, unknownTokens: 2, contentTokens: 1 }), model, { topK: 3 });
    expect(some.note).toBeUndefined();
    expect(some.unknown_tokens).toBe(2);
    const known = emotionProfile(analysis(), model, { topK: 3 });
    expect(known.note).toBeUndefined();
    expect('unknown_tokens' in known).toBe(false);
  });
});
