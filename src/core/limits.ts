// Limits of the tool contracts: the zod input schemas use these ceilings, and the configuration (src/server/config.ts)
// may only tighten them (a larger configured value is refused, never silently ignored).

/** Longest text a tool accepts, in characters = Unicode code points (RED_HEART_MAX_TEXT_CHARS can lower it). */
export const MAX_TEXT_CHARS = 20_000;
/** Most texts in one analyze_emotion call (RED_HEART_MAX_BATCH_TEXTS can lower it). */
export const MAX_BATCH_TEXTS = 64;
/** Most options and most scenarios of a regret matrix. */
export const REGRET_MAX_OPTIONS = 50;
export const REGRET_MAX_SCENARIOS = 50;
/** Largest regret matrix, options × scenarios (RED_HEART_REGRET_MAX_CELLS can lower it). */
export const REGRET_MAX_CELLS = REGRET_MAX_OPTIONS * REGRET_MAX_SCENARIOS;
/** Most SURD sources (RED_HEART_SURD_MAX_SOURCES can lower it). */
export const SURD_MAX_SOURCES = 12;
/** Most data rows analyze_corpus reads from one file (the rest is not read; the result says so). */
export const MAX_CORPUS_ROWS = 1_000_000;
/** Largest file analyze_corpus reads: 512 MiB. */
export const MAX_CORPUS_BYTES = 512 * 1024 * 1024;

/** Largest structured result a text tool returns (UTF-8 bytes of its JSON); a larger one is refused, never cut. */
export const MAX_RESPONSE_BYTES = 1_048_576;
/** Most sentences per call with granularity "sentence" (each sentence is one more forward pass). */
export const MAX_SENTENCES = 512;
/** explain: most texts per call and longest text (one explanation costs up to 49 forward passes of its text). */
export const MAX_EXPLAIN_TEXTS = 64;
export const MAX_EXPLAIN_CHARS = 2_000;
/** Most turns in one analyze_conversation call (longer conversations continue with `state`). */
export const MAX_CONVERSATION_TURNS = 500;

/**
 * Length of a text in the unit of the text limit: Unicode code points (an emoji outside the BMP is one character,
 * not two UTF-16 units; a combining mark or a ZWJ is a character of its own). JSON Schema's maxLength counts the same.
 */
export function textLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a high surrogate followed by a low surrogate is one code point
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The limits in force for this process (defaults in src/server/config.ts). */
export interface Limits {
  maxTextChars: number;
  maxBatchTexts: number;
  surdMaxSamples: number;
  surdMaxCells: number;
  surdMaxSources: number;
  regretMaxCells: number;
  /** Per-call timeout in ms; 0 = none. */
  callTimeoutMs: number;
}
