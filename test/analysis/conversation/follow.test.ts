// Influence from few response pairs: the follow slope, its exact / permutation test and its interval.
import { describe, expect, it } from 'vitest';
import {
  advance,
  emptyConversation,
  follow,
  influenceReport,
  type TurnObservation,
} from '../../../src/analysis/conversation/index.js';
import { EKMAN, type Ekman } from '../../../src/core/labels.js';

const ekman = (dominant: Ekman): Record<Ekman, number> =>
  Object.fromEntries(EKMAN.map((e) => [e, e === dominant ? 0.7 : 0.05])) as Record<Ekman, number>;
/** English valence in bin 0, 1, 2 (edges −0.125, 0.04). */
const VALENCE = [-0.5, 0, 0.5];
const turn = (speaker: string, bin: number): TurnObservation => ({
  speaker,
  language: 'en',
  valence: VALENCE[bin],
  arousal: 0.55,
  ekman: ekman(bin === 2 ? 'joy' : bin === 0 ? 'anger' : 'neutral'),
  time: null,
});

describe('follow slope', () => {
  it('y = x with a constant own past: slope 1, exact p = 16/720 (hand-counted orders)', () => {
    // x = 0,1,2,0,1,2: the orders giving |Σ x̃·ỹ| its maximum keep each value's pair together (2!·2!·2! = 8) or
    // swap the 0s and 2s (8 more): 16 of 6! = 720
    const x = [0, 1, 2, 0, 1, 2];
    const r = follow(x, x, [1, 1, 1, 1, 1, 1]);
    expect(r.slope).toBeCloseTo(1, 12);
    expect(r.test).toBe('exact');
    expect(r.orders).toBe(720);
    expect(r.pValue).toBeCloseTo(16 / 720, 12);
    expect(r.interval![0]).toBeGreaterThan(0);
    expect(r.interval![1]).toBeLessThanOrEqual(2);
  });

  it("no relation: slope 0 and p = 1; A constant given B's past: null with the reason", () => {
    // y does not depend on x: every x value meets y = 0, 1, 2 once
    const x = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const y = [0, 1, 2, 0, 1, 2, 0, 1, 2];
    const r = follow(y, x, new Array(9).fill(0));
    expect(r.slope).toBeCloseTo(0, 12);
    expect(r.test).toBe('permutation');
    expect(r.pValue).toBe(1);
    expect(r.interval![0]).toBeLessThan(0);
    expect(r.interval![1]).toBeGreaterThan(0);
    const none = follow([0, 1, 2, 0, 1, 2], [0, 1, 2, 0, 1, 2], [0, 1, 2, 0, 1, 2]);
    expect(none.slope).toBeNull();
    expect(none.reason).toMatch(/do not vary/);
  });
});

describe('influence of a short conversation', () => {
  it("16 turns, B mirrors A's previous turn: A→B follows (p < 0.05, interval above 0) from 7 pairs", () => {
    const a = [2, 0, 1, 2, 0, 2, 1, 0];
    // B answers A's turn with A's mood, except once (turn 9) where it stays middle
    const b = a.map((bin, i) => (i === 4 ? 1 : bin));
    const turns = a.flatMap((bin, i) => [turn('A', bin), turn('B', b[i])]);
    expect(turns).toHaveLength(16);
    const r = influenceReport(advance(emptyConversation(), turns).state);
    expect(r.reason).toBeNull();
    const ab = r.influence!.pairs.find((p) => p.from === 'A' && p.to === 'B')!;
    expect(ab.samples).toBe(7);
    expect(ab.information).toBeNull(); // transfer entropy only from 20 pairs
    expect(ab.follow.test).toBe('exact');
    expect(ab.follow.slope!).toBeGreaterThan(0.5);
    expect(ab.follow.pValue!).toBeLessThan(0.05);
    expect(ab.follow.interval![0]).toBeGreaterThan(0);
    const ba = r.influence!.pairs.find((p) => p.from === 'B' && p.to === 'A')!;
    expect(ba.samples).toBe(7);
    expect(ba.follow.pValue === null || ba.follow.pValue >= 0.05).toBe(true);
  });

  it('below 6 pairs: says how many more replies and turns are needed', () => {
    const turns = [0, 1, 2, 1, 0, 2, 1, 0].map((bin, i) => turn(i % 2 ? 'B' : 'A', bin));
    const r = influenceReport(advance(emptyConversation(), turns).state);
    expect(r.influence).toBeNull();
    // 8 alternating turns: B answered A 3 times after its first turn, A answered B 3 times
    expect(r.reason).toMatch(
      /at least 6 lag-1 response pairs.*the most any direction has is 3 \(B answering A\): 3 more replies of B to A needed, about 6 more turns/,
    );
  });
});
