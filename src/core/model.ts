// Public surface of the text engine, shared by every text-based tool (analyze_emotion, the text paths of
// bentham_score / regret_forecast, full_analysis). Implemented in src/engine/.

import type { HeadInfo, HeadValue } from './heads.js';

/** Codes the `language` parameter may name: the languages the project has or plans models for. */
export const LANGUAGE_CODES = ['en', 'ko', 'zh', 'ja'] as const;
export type LanguageCode = (typeof LANGUAGE_CODES)[number];
/**
 * Languages a model's outputs can be presented in (taxonomies, projections: src/analysis/emotion). Which of them a
 * given model serves is its manifest's `languages`.
 */
export type Language = LanguageCode;
/**
 * Languages the text mappings of bentham_score / regret_forecast and analyze_conversation's state are defined for:
 * they read the GoEmotions, KOTE, polarity, utility and EmoBank heads, whose training data is English and Korean.
 * Texts in the other served languages (zh, ja) are refused by those tools (docs/language.md).
 */
export const EN_KO: readonly Language[] = ['en', 'ko'];
/** What callers may ask for: auto, or one of LANGUAGE_CODES. */
export type LanguageRequest = 'auto' | LanguageCode;

/** What the model computed for one input text: raw head outputs after activation, aggregated over chunks. */
export interface TextAnalysis {
  language: Language;
  /**
   * How sure the language identification is (0..1; src/engine/language.ts says what the number is);
   * null when the caller named the language.
   */
  languageConfidence: number | null;
  /** true when the language was read by the served-language prior, not identified on evidence (docs/language.md). */
  languageUncertain?: boolean;
  /** Tokens in the text (before windowing), excluding special tokens. */
  tokens: number;
  /** How many of those tokens are the tokenizer's unknown token (pieces outside its vocabulary). */
  unknownTokens: number;
  /** Tokens that carry text: neither unknown nor a bare word-boundary marker. 0 = the model read no known content. */
  contentTokens: number;
  chunks: number;
  truncated: boolean;
  /** GoEmotions 28-label probabilities (sigmoid), in manifest label order. */
  goemotions: Float32Array;
  /** KOTE 44-label probabilities (sigmoid), in manifest label order. */
  kote: Float32Array;
  /** P(positive) from the polarity head (softmax over [negative, positive]). */
  positive: number;
  /** Scalar utility from the ETHICS-trained head (unbounded; higher = more pleasant). */
  utility: number;
  /** EmoBank valence, arousal, dominance on EmoBank's 1..5 scale. */
  vad: [number, number, number];
  /**
   * The zh heads of a v2 model (present exactly when the model has them, for every text whatever its language):
   * CPED 13-emotion probabilities (softmax), CPED 3-class sentiment (softmax), XED Plutchik-8 (sigmoid), each in
   * manifest label order.
   */
  cpedEmotion?: Float32Array;
  cpedSentiment?: Float32Array;
  xed?: Float32Array;
  /** Heads without a field above (src/core/heads.ts), by manifest name; absent when the model has none. */
  heads?: Readonly<Record<string, HeadValue>>;
  /**
   * Present when the sentences of a text of more than one sentence were read (src/tools/reading/documents.ts): each
   * sentence (UTF-16 offsets, end exclusive) with its own reading and its weight under the document rule.
   */
  sentences?: ReadonlyArray<{ start: number; end: number; weight: number; analysis: TextAnalysis }>;
  /**
   * true when every field above is the weighted mean of the `sentences`' readings (the text was longer than one
   * window: src/analysis/emotion/document.ts); absent when the text was read whole and `sentences` only sit beside it.
   */
  fromSentences?: true;
}

export interface ModelInfo {
  id: string;
  version: string;
  sha256: string;
  /** The execution provider the model really runs on (cpu, cuda, webgpu, …; an ensemble's members joined by '+'). */
  provider?: string;
  parameters: number;
  maxLength: number;
  /** Languages the model reads (manifest `languages`); other texts are refused with unsupported_language. */
  languages: Language[];
  labels: {
    goemotions: string[];
    kote: string[];
    /** The zh heads' labels (manifest), present when the model has them. */
    cpedEmotion?: string[];
    cpedSentiment?: string[];
    xed?: string[];
  };
  /** Per-label decision thresholds tuned on dev splits (the zh heads have none: CPED is argmax, XED has no dev split). */
  thresholds: { goemotions: number[]; kote: number[] };
  /** Every head the model serves, in manifest order (absent on models written by hand in tests). */
  heads?: readonly HeadInfo[];
}

/** The language one text is read as, decided once before the engine runs (src/tools/reading) and carried into it. */
export interface DecidedLanguage {
  language: Language;
  /** How sure the identification is (0..1); null when the caller named the language. */
  confidence: number | null;
  /** true when the language was read by the served-language prior, not identified on evidence (docs/language.md). */
  uncertain?: boolean;
}

export interface AnalyzeOptions {
  /** What the caller asked for; the engine decides each text's language from it when `decided` is absent. */
  language?: LanguageRequest;
  /** One decision per text, in order: the engine reads each text as decided and decides nothing itself. */
  decided?: readonly DecidedLanguage[];
  signal?: AbortSignal;
}

/** The model whose pooled sentence representation `embed` returns (its content hash identifies the vector space). */
export interface EmbedderInfo {
  id: string;
  sha256: string;
  dim: number;
}

export interface TextEngine {
  readonly model: ModelInfo;
  /** Analyse texts (micro-batched with concurrent callers). Results are in input order. */
  analyze(texts: string[], options?: AnalyzeOptions): Promise<TextAnalysis[]>;
  /**
   * How many windows each text would be read in (the `chunks` its analysis would report), by tokenizing it only.
   * Optional: a reader without it learns the count from the reading (src/tools/reading/documents.ts reads a long
   * text whole first, then its sentences; with it, only its sentences).
   */
  windows?(texts: readonly string[]): number[];
  /** Present when the model has a `sentence_embedding` output (manifest): what `embed` returns vectors of. */
  readonly embedder?: EmbedderInfo;
  /**
   * The pooled sentence representation of each text (fp32, not normalised; token-weighted mean over windows). A
   * separate encoder pass, run only by callers that ask for it (the memory tools), so `analyze` stays as it was.
   */
  embed?(texts: string[], options?: AnalyzeOptions): Promise<Float32Array[]>;
}
