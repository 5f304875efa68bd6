// Hand-made turn observations for the conversation tests: an Ekman distribution with one dominant emotion, and a
// calm and an angry turn (valence, arousal and dominant emotion set by hand, no time stamp).
import type { TurnObservation } from '../../src/analysis/conversation/index.js';
import { EKMAN, type Ekman } from '../../src/core/labels.js';

/** `dominant` at `p`, the other six sharing the rest equally. */
export const ekman = (dominant: Ekman, p = 0.7): Record<Ekman, number> =>
  Object.fromEntries(EKMAN.map((e) => [e, e === dominant ? p : (1 - p) / 6])) as Record<Ekman, number>;

export const calm = (speaker: string): TurnObservation => ({
  speaker,
  language: 'en',
  valence: 0.3,
  arousal: 0.55,
  ekman: ekman('joy'),
  time: null,
});

export const angry = (speaker: string): TurnObservation => ({
  speaker,
  language: 'en',
  valence: -0.3,
  arousal: 0.6,
  ekman: ekman('anger'),
  time: null,
});
