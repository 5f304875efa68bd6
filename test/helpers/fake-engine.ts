// Fake model outputs for the text mappings and the tools' text paths: unit tests set exact head outputs here instead of running a model.
import type { AnalyzeOptions, ModelInfo, TextAnalysis, TextEngine } from '../../src/core/model.js';

export const GO_LABELS = [
  'admiration',
  'amusement',
  'anger',
  'annoyance',
  'approval',
  'caring',
  'confusion',
  'curiosity',
  'desire',
  'disappointment',
  'disapproval',
  'disgust',
  'embarrassment',
  'excitement',
  'fear',
  'gratitude',
  'grief',
  'joy',
  'love',
  'nervousness',
  'optimism',
  'pride',
  'realization',
  'relief',
  'remorse',
  'sadness',
  'surprise',
  'neutral',
];

export const KOTE_LABELS = [
  '불평/불만',
  '환영/호의',
  '감동/감탄',
  '지긋지긋',
  '고마움',
  '슬픔',
  '화남/분노',
  '존경',
  '기대감',
  '우쭐댐/무시함',
  '안타까움/실망',
  '비장함',
  '의심/불신',
  '뿌듯함',
  '편안/쾌적',
  '신기함/관심',
  '아껴주는',
  '부끄러움',
  '공포/무서움',
  '절망',
  '한심함',
  '역겨움/징그러움',
  '짜증',
  '어이없음',
  '없음',
  '패배/자기혐오',
  '귀찮음',
  '힘듦/지침',
  '즐거움/신남',
  '깨달음',
  '죄책감',
  '증오/혐오',
  '흐뭇함(귀여움/예쁨)',
  '당황/난처',
  '경악',
  '부담/안_내킴',
  '서러움',
  '재미없음',
  '불쌍함/연민',
  '놀람',
  '행복',
  '불안/걱정',
  '기쁨',
  '안심/신뢰',
];

export interface FakeSpec {
  go?: Record<string, number>;
  kote?: Record<string, number>;
  positive?: number;
  utility?: number;
  vad?: [number, number, number];
  /** How many windows the text took (default 1). */
  chunks?: number;
}

function probs(labels: string[], values: Record<string, number> = {}): Float32Array {
  const out = new Float32Array(labels.length);
  for (const [name, p] of Object.entries(values)) {
    const i = labels.indexOf(name);
    if (i < 0) throw new Error(`fake model: unknown label ${name}`);
    out[i] = p;
  }
  return out;
}

export function fakeAnalysis(spec: FakeSpec = {}): TextAnalysis {
  return {
    language: 'en',
    languageConfidence: 1,
    tokens: 10,
    unknownTokens: 0,
    contentTokens: 10,
    chunks: spec.chunks ?? 1,
    truncated: false,
    goemotions: probs(GO_LABELS, spec.go),
    kote: probs(KOTE_LABELS, spec.kote),
    positive: spec.positive ?? 0.5,
    utility: spec.utility ?? 0,
    vad: spec.vad ?? [3, 3, 3],
  };
}

export const FAKE_MODEL: ModelInfo = {
  id: 'fake-model',
  version: '0',
  sha256: '0'.repeat(64),
  parameters: 1,
  maxLength: 512,
  languages: ['en', 'ko'],
  labels: { goemotions: GO_LABELS, kote: KOTE_LABELS },
  thresholds: { goemotions: GO_LABELS.map(() => 0.5), kote: KOTE_LABELS.map(() => 0.5) },
};

/** An engine that answers each text with `respond(text)` and records what it was asked (texts, and the options). */
export function fakeEngine(
  respond: (text: string) => FakeSpec,
): TextEngine & { calls: string[][]; options: AnalyzeOptions[] } {
  const calls: string[][] = [];
  const options: AnalyzeOptions[] = [];
  return {
    model: FAKE_MODEL,
    calls,
    options,
    async analyze(texts, opts = {}) {
      calls.push([...texts]);
      options.push(opts);
      return texts.map((t) => fakeAnalysis(respond(t)));
    },
  };
}

/**
 * An engine with a `sentence_embedding`: each word of a text adds to a dimension chosen by a hash seeded with
 * `seed` (and subtracts half from another), so two seeds put the same text in unrelated directions (two models'
 * vector spaces), one model gives a text the same vector every time, and texts without common words are nearly
 * orthogonal. Its readings are `respond(text)` (neutral by default); its sha256 is the seed in hex.
 */
export function fakeEmbeddingEngine(
  seed: number,
  languages: ModelInfo['languages'] = FAKE_MODEL.languages,
  respond: (text: string) => FakeSpec = () => ({}),
): TextEngine {
  const dim = 384;
  const sha256 = seed.toString(16).padStart(64, '0');
  const embed1 = (text: string) => {
    const v = new Float32Array(dim);
    for (const w of text.toLowerCase().split(/\s+/).filter(Boolean)) {
      let h = seed;
      for (const c of w) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
      v[h % dim] += 1;
      v[(h >>> 9) % dim] -= 0.5;
    }
    return v;
  };
  return {
    model: { ...FAKE_MODEL, id: `fake-${seed}`, sha256, languages },
    embedder: { id: `fake-${seed}`, sha256, dim },
    analyze: async (texts) => texts.map((t) => fakeAnalysis(respond(t))),
    embed: async (texts) => texts.map(embed1),
  };
}
