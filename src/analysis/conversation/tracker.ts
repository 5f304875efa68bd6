// Conversation state over turns: per speaker a smoothed trajectory (filter.ts), change detection (cusum.ts)
// and running totals; per ordered speaker pair the lag-1 valence table (influence.ts). Everything the report
// needs lives in ConversationState, so analysing turns 0..n−1 at once or in pieces (carrying the state) ends
// in the same state and reports the same thing.
import type { ConversationLanguage as Language } from './params.js';
import { EKMAN, type Ekman } from '../../core/labels.js';
import { emptyChange, stepChange, type ChangeState, type Dimension, type Direction } from './cusum.js';
import { initLevel, processNoise, stepLevel, type LevelState } from './filter.js';
import { FOLLOW_MIN_PAIRS, type Follow } from './follow.js';
import { CELLS, cell, followFromTable, pairInfluence, valenceBin, type PairInfluence } from './influence.js';
import { AROUSAL, CONVERSATION_PARAMS, DIMS, EKMAN_OFFSET, VALENCE } from './params.js';

export class ConversationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversationInputError';
  }
}

/** What the emotion model said about one turn. */
export interface TurnObservation {
  speaker: string;
  language: Language;
  valence: number;
  arousal: number;
  ekman: Record<Ekman, number>;
  /** Seconds on any fixed clock, or null when the turn has no time. */
  time: number | null;
}

export interface SpeakerState {
  name: string;
  turns: number;
  level: LevelState;
  change: ChangeState;
  /** Σ of the observation vectors (valence, arousal, Ekman 7). */
  total: number[];
  firstValence: number;
  lastTime: number | null;
  /** Valence bin of the speaker's last turn. */
  lastBin: number;
  lastLanguage: Language;
  shifts: number;
}

export interface ConversationState {
  turns: number;
  lastTime: number | null;
  /** Speaker index and valence bin of the latest turn. */
  prev: { speaker: number; bin: number } | null;
  speakers: SpeakerState[];
  /** "i>j": the lag-1 table of speaker j responding to speaker i (cells by influence.cell). */
  counts: Record<string, number[]>;
}

export const emptyConversation = (): ConversationState => ({
  turns: 0,
  lastTime: null,
  prev: null,
  speakers: [],
  counts: {},
});

export interface EmotionPoint {
  valence: number;
  arousal: number;
  ekman: Record<Ekman, number>;
  ekman_dominant: Ekman;
}

export interface TrajectoryPoint extends EmotionPoint {
  turn: number;
  /** Kalman gain used at this turn (1 at a speaker's first turn). */
  gain: number;
}

export interface Shift {
  speaker: string;
  /** First turn of the new state (the excursion's first turn). */
  turn: number;
  /** Turn at which the CUSUM statistic crossed h. */
  detected_at: number;
  triggers: Array<{ dimension: Dimension; direction: Direction; statistic: number }>;
  before: EmotionPoint;
  after: EmotionPoint;
}

function point(v: readonly number[]): EmotionPoint {
  const ekman = Object.fromEntries(EKMAN.map((e, i) => [e, v[EKMAN_OFFSET + i]])) as Record<Ekman, number>;
  return {
    valence: v[VALENCE],
    arousal: v[AROUSAL],
    ekman,
    ekman_dominant: EKMAN.reduce((a, b) => (ekman[b] > ekman[a] ? b : a)),
  };
}

// + 0 turns −0 into 0: the state token is JSON, which has no −0, and a continued state must equal the whole one.
const vector = (o: TurnObservation): number[] =>
  [o.valence, o.arousal, ...EKMAN.map((e) => o.ekman[e])].map((x) => x + 0);

export interface Advance {
  state: ConversationState;
  /** One point per analysed turn, in turn order, with its speaker. */
  points: Array<TrajectoryPoint & { speaker: string }>;
  shifts: Shift[];
}

/** Runs turns through the state (the input state is not modified). */
export function advance(input: ConversationState, turns: readonly TurnObservation[]): Advance {
  const state: ConversationState = structuredClone(input);
  const points: Advance['points'] = [];
  const shifts: Shift[] = [];
  const { snr, gapSeconds } = CONVERSATION_PARAMS.filter;
  for (const o of turns) {
    const turn = state.turns;
    if (o.time !== null) {
      if (!Number.isFinite(o.time)) throw new ConversationInputError(`turn ${turn}: time is not a finite number`);
      if (state.lastTime !== null && o.time < state.lastTime) {
        throw new ConversationInputError(
          `turn ${turn}: time goes backwards (${o.time} s after ${state.lastTime} s); times must not decrease`,
        );
      }
      state.lastTime = o.time;
    }
    const y = vector(o);
    const bin = valenceBin(o.valence, o.language);
    let idx = state.speakers.findIndex((s) => s.name === o.speaker);
    let gain = 1;
    if (idx < 0) {
      if (state.speakers.length >= CONVERSATION_PARAMS.maxSpeakers) {
        throw new ConversationInputError(
          `turn ${turn}: speaker '${o.speaker}' would be speaker ${state.speakers.length + 1}; at most ` +
            `${CONVERSATION_PARAMS.maxSpeakers} speakers are supported`,
        );
      }
      idx = state.speakers.length;
      state.speakers.push({
        name: o.speaker,
        turns: 0,
        level: initLevel(y),
        change: emptyChange(),
        total: new Array(DIMS).fill(0),
        firstValence: y[VALENCE],
        lastTime: null,
        lastBin: bin,
        lastLanguage: o.language,
        shifts: 0,
      });
    } else {
      const s = state.speakers[idx];
      const dt = o.time !== null && s.lastTime !== null ? o.time - s.lastTime : null;
      const step = stepLevel(s.level, y, processNoise(snr, gapSeconds, dt));
      s.level = step.state;
      gain = step.gain;
      // Lag-1 sample: this speaker answers the previous turn's (different) speaker, and has a past of its own.
      if (state.prev && state.prev.speaker !== idx) {
        const key = `${state.prev.speaker}>${idx}`;
        const table = (state.counts[key] ??= new Array(CELLS).fill(0));
        table[cell(bin, state.prev.bin, s.lastBin)]++;
      }
    }
    const s = state.speakers[idx];
    const changed = stepChange(s.change, y, turn, o.language);
    s.change = changed.state;
    if (changed.alarm) {
      s.shifts++;
      shifts.push({
        speaker: s.name,
        turn: changed.alarm.changeAt,
        detected_at: turn,
        triggers: changed.alarm.triggers,
        before: point(changed.alarm.before),
        after: point(changed.alarm.after),
      });
    }
    s.turns++;
    s.total = s.total.map((x, i) => x + y[i]);
    if (o.time !== null) s.lastTime = o.time;
    s.lastBin = bin;
    s.lastLanguage = o.language;
    state.prev = { speaker: idx, bin };
    state.turns++;
    points.push({ speaker: s.name, turn, gain, ...point(s.level.mean) });
  }
  return { state, points, shifts };
}

export interface SpeakerReport {
  turns: number;
  language: Language;
  /** Smoothed state after the speaker's latest turn. */
  current: EmotionPoint;
  /** Ekman classes by mean score over all the speaker's turns, top 3. */
  dominant: Array<{ emotion: Ekman; mean: number }>;
  shifts: number;
  summary: string;
}

export function speakerReport(s: SpeakerState): SpeakerReport {
  const mean = s.total.map((x) => x / s.turns);
  const dominant = EKMAN.map((e, i) => ({ emotion: e, mean: mean[EKMAN_OFFSET + i] }))
    .sort((a, b) => b.mean - a.mean)
    .slice(0, 3);
  const current = point(s.level.mean);
  const f = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(2);
  const summary =
    `${s.name}: ${s.turns} turn${s.turns === 1 ? '' : 's'}, mostly ${dominant[0].emotion} (mean ` +
    `${dominant[0].mean.toFixed(2)}) then ${dominant[1].emotion}; valence ${f(s.firstValence)} at the first turn, ` +
    `${f(current.valence)} smoothed now; now ${current.ekman_dominant}; ${s.shifts} ` +
    `shift${s.shifts === 1 ? '' : 's'}`;
  return { turns: s.turns, language: s.lastLanguage, current, dominant, shifts: s.shifts, summary };
}

export interface InfluenceReport {
  /**
   * Directions with at least FOLLOW_MIN_PAIRS samples: the follow slope with its exact or permutation test, and from
   * CONVERSATION_PARAMS.influence.minPairs samples on also transfer entropy and SURD (`information`, else null).
   */
  pairs: Array<{ from: string; to: string; samples: number; follow: Follow; information: PairInfluence | null }>;
  /** Directions with too few samples, with their counts. */
  insufficient: Array<{ from: string; to: string; samples: number }>;
}

/** Influence for every ordered pair with enough samples; null with the reason (and what is missing) when there is none. */
export function influenceReport(state: ConversationState): {
  influence: InfluenceReport | null;
  reason: string | null;
} {
  const { minPairs } = CONVERSATION_PARAMS.influence;
  if (state.speakers.length < 2) return { influence: null, reason: 'influence needs at least two speakers' };
  const pairs: InfluenceReport['pairs'] = [];
  const insufficient: InfluenceReport['insufficient'] = [];
  state.speakers.forEach((a, i) =>
    state.speakers.forEach((b, j) => {
      if (i === j) return;
      const table = state.counts[`${i}>${j}`];
      const samples = table ? table.reduce((x, y) => x + y, 0) : 0;
      if (samples >= FOLLOW_MIN_PAIRS) {
        pairs.push({
          from: a.name,
          to: b.name,
          samples,
          follow: followFromTable(table),
          information: samples >= minPairs ? pairInfluence(table) : null,
        });
      } else insufficient.push({ from: a.name, to: b.name, samples });
    }),
  );
  if (pairs.length === 0) {
    const best = insufficient.reduce((m, x) => (x.samples > m.samples ? x : m), insufficient[0]);
    const more = FOLLOW_MIN_PAIRS - best.samples;
    return {
      influence: null,
      reason:
        `influence needs at least ${FOLLOW_MIN_PAIRS} lag-1 response pairs in one direction (a turn answering ` +
        `another speaker, whose speaker has spoken before); the most any direction has is ${best.samples} ` +
        `(${best.to} answering ${best.from}): ${more} more ${more === 1 ? 'reply' : 'replies'} of ${best.to} to ` +
        `${best.from} needed, about ${2 * more} more turns if the two alternate`,
    };
  }
  return { influence: { pairs, insufficient }, reason: null };
}
