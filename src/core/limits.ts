// Limits of the tool contracts: the zod input schemas use these ceilings, and the configuration (src/server/config.ts)
// may only tighten them (a larger configured value is refused, never silently ignored).

/** Longest text a tool accepts, in characters (RED_HEART_MAX_TEXT_CHARS can lower it). */
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
