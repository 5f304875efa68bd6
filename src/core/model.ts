// Public surface of the text engine, shared by every text-based tool (analyze_emotion, the text paths of
// bentham_score / regret_forecast, full_analysis). Implemented in src/engine/ (see issue 6).

export type Language = 'en' | 'ko';
export type LanguageRequest = 'auto' | Language;

/** What the model computed for one input text: raw head outputs after activation, aggregated over chunks. */
export interface TextAnalysis {
  language: Language;
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
}

export interface ModelInfo {
  id: string;
  version: string;
  sha256: string;
  parameters: number;
  maxLength: number;
  labels: { goemotions: string[]; kote: string[] };
  /** Per-label decision thresholds tuned on dev splits. */
  thresholds: { goemotions: number[]; kote: number[] };
}

export interface AnalyzeOptions {
  language?: LanguageRequest;
  signal?: AbortSignal;
}

export interface TextEngine {
  readonly model: ModelInfo;
  /** Analyse texts (micro-batched with concurrent callers). Results are in input order. */
  analyze(texts: string[], options?: AnalyzeOptions): Promise<TextAnalysis[]>;
}
