// Change detection per speaker: two-sided tabular CUSUM on valence and on arousal, each standardised by the
// observation noise of the turn's language. The reference level is the mean of the speaker's in-control
// observations since the last shift; observations of an excursion (any statistic > 0) are held apart and join
// the reference only if the excursion dies out. When a statistic exceeds h, a shift is reported with the change
// point at the excursion's first turn; "before" is the reference mean and "after" the excursion mean, and the
// excursion becomes the new reference.
import { AROUSAL, CONVERSATION_PARAMS, DIMS, VALENCE } from './params.js';
import type { ConversationLanguage as Language } from './params.js';

export interface Sums {
  n: number;
  sums: number[];
}

export interface ChangeState {
  ref: Sums;
  /** The running excursion: first turn and its observations; null while every statistic is 0. */
  pending: (Sums & { start: number }) | null;
  /** S⁺ and S⁻ for valence, then for arousal. */
  stats: [number, number, number, number];
}

export type Dimension = 'valence' | 'arousal';
export type Direction = 'up' | 'down';

export interface Alarm {
  changeAt: number;
  detectedAt: number;
  triggers: Array<{ dimension: Dimension; direction: Direction; statistic: number }>;
  before: number[];
  after: number[];
}

export const emptyChange = (): ChangeState => ({
  ref: { n: 0, sums: new Array(DIMS).fill(0) },
  pending: null,
  stats: [0, 0, 0, 0],
});

const add = (a: Sums, y: readonly number[]): Sums => ({ n: a.n + 1, sums: a.sums.map((s, i) => s + y[i]) });
export const meanOf = (a: Sums): number[] => a.sums.map((s) => s / a.n);

const STAT_NAMES: Array<[Dimension, Direction]> = [
  ['valence', 'up'],
  ['valence', 'down'],
  ['arousal', 'up'],
  ['arousal', 'down'],
];

export function stepChange(
  s: ChangeState,
  y: readonly number[],
  turn: number,
  language: Language,
): { state: ChangeState; alarm: Alarm | null } {
  const { k, h } = CONVERSATION_PARAMS.cusum;
  if (s.ref.n === 0) return { state: { ...s, ref: add(s.ref, y) }, alarm: null };
  const ref = meanOf(s.ref);
  const zv = (y[VALENCE] - ref[VALENCE]) / CONVERSATION_PARAMS.noise.valence[language];
  const za = (y[AROUSAL] - ref[AROUSAL]) / CONVERSATION_PARAMS.noise.arousal[language];
  const [vu, vd, au, ad] = s.stats;
  const stats: ChangeState['stats'] = [
    Math.max(0, vu + zv - k),
    Math.max(0, vd - zv - k),
    Math.max(0, au + za - k),
    Math.max(0, ad - za - k),
  ];
  if (stats.every((x) => x === 0)) {
    // Excursion over (or none): its observations and this one are in control.
    const back = s.pending
      ? { n: s.ref.n + s.pending.n, sums: s.ref.sums.map((x, i) => x + s.pending!.sums[i]) }
      : s.ref;
    return { state: { ref: add(back, y), pending: null, stats }, alarm: null };
  }
  const pending = { ...add(s.pending ?? { n: 0, sums: new Array(DIMS).fill(0) }, y), start: s.pending?.start ?? turn };
  const triggers = stats.flatMap((x, i) =>
    x > h ? [{ dimension: STAT_NAMES[i][0], direction: STAT_NAMES[i][1], statistic: x }] : [],
  );
  if (triggers.length === 0) return { state: { ref: s.ref, pending, stats }, alarm: null };
  const alarm: Alarm = { changeAt: pending.start, detectedAt: turn, triggers, before: ref, after: meanOf(pending) };
  return { state: { ref: { n: pending.n, sums: pending.sums }, pending: null, stats: [0, 0, 0, 0] }, alarm };
}
