// Every constant of the conversation analysis, in one place (docs/conversation.md explains each).
// Noise scales and valence bins were measured with `node dist/eval/valence_spread.js` on model 1.3.0:
// pooled within-Ekman-class SD of single-label GoEmotions dev texts (en) and of their Korean translation (ko),
// and the tertiles of the model's valence on the same texts.
import type { Language as ModelLanguage } from '../../core/model.js';

/** The languages the conversation parameters are measured for (analyze_conversation refuses the others). */
export type ConversationLanguage = Extract<ModelLanguage, 'en' | 'ko'>;
type Language = ConversationLanguage;

export const CONVERSATION_PARAMS = {
  /**
   * Local-level (random walk + noise) Kalman filter, one per speaker: x_t = x_{t−1} + w, y_t = x_t + v, with
   * Var(w) / Var(v) = snr on every dimension (so one gain serves valence, arousal and the 7 Ekman scores, and
   * the smoothed Ekman scores still sum to 1). snr 0.5 gives a steady-state gain of exactly 0.5.
   * With turn times, Var(w) between two turns of a speaker is snr · (1 + Δt / gapSeconds).
   */
  filter: { snr: 0.5, gapSeconds: 600 },
  /** Observation noise σ per dimension and language (model 1.3.0, see above). */
  noise: {
    valence: { en: 0.16, ko: 0.52 } as Record<Language, number>,
    arousal: { en: 0.05, ko: 0.05 } as Record<Language, number>,
  },
  /** Two-sided tabular CUSUM on z = (y − reference mean) / σ for valence and for arousal. */
  cusum: { k: 0.5, h: 4 },
  influence: {
    /** Valence bins: negative / middle / positive with these inner edges (the dev tertiles, rounded). */
    edges: { en: [-0.125, 0.04], ko: [-0.286, 0.431] } as Record<Language, [number, number]>,
    /** Response pairs (B's turn right after A's, B having spoken before) needed per direction. */
    minPairs: 20,
    permutations: 199,
    seed: 15,
  },
  maxSpeakers: 10,
} as const;

/** Observation vector layout: valence, arousal, then the 7 Ekman scores in EKMAN order. */
export const DIMS = 9;
export const VALENCE = 0;
export const AROUSAL = 1;
export const EKMAN_OFFSET = 2;
