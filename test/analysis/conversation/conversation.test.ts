import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_PARAMS,
  advance,
  emptyConversation,
  influenceReport,
  initLevel,
  pairInfluence,
  processNoise,
  speakerReport,
  stepLevel,
  valenceBin,
  cell,
  type TurnObservation,
} from '../../../src/analysis/conversation/index.js';
import { angry, calm } from '../../helpers/turns.js';

describe('local-level filter', () => {
  it('gains by hand: 1 at the first turn, then 0.6, 0.5238…, converging to 0.5 for snr 0.5', () => {
    let s = initLevel([0]);
    const gains: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = stepLevel(s, [1], 0.5);
      s = r.state;
      gains.push(r.gain);
    }
    expect(gains[0]).toBeCloseTo(1.5 / 2.5, 12); // P⁻ = 1 + 0.5
    expect(gains[1]).toBeCloseTo(1.1 / 2.1, 12); // P = 0.6, P⁻ = 1.1
    expect(gains[29]).toBeCloseTo(0.5, 9); // K²/(1−K) = snr has root 0.5
    // first update moves the level 60 % of the way from 0 to 1
    expect(stepLevel(initLevel([0]), [1], 0.5).state.mean[0]).toBeCloseTo(0.6, 12);
  });
  it('time gaps add process noise linearly', () => {
    expect(processNoise(0.5, 600, null)).toBe(0.5);
    expect(processNoise(0.5, 600, 600)).toBe(1);
    expect(processNoise(0.5, 600, -5)).toBe(0.5);
  });
  it('property: smoothed Ekman scores stay a distribution (one gain for every dimension)', () => {
    const dist = fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 }).map((a) => {
      const s = a.reduce((x, y) => x + y, 0);
      return a.map((x) => x / s);
    });
    fc.assert(
      fc.property(fc.array(dist, { minLength: 1, maxLength: 20 }), (obs) => {
        let s = initLevel(obs[0]);
        for (const y of obs.slice(1)) s = stepLevel(s, y, 0.5).state;
        expect(s.mean.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 10);
        expect(Math.min(...s.mean)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('change detection', () => {
  it('calm → angry: one shift for the right speaker at the first angry turn, found one turn later', () => {
    // A stays calm; B is calm for 4 turns, then angry. Turns alternate A, B.
    const turns: TurnObservation[] = [];
    for (let i = 0; i < 8; i++) turns.push(calm('A'), i < 4 ? calm('B') : angry('B'));
    const { shifts, state } = advance(emptyConversation(), turns);
    expect(shifts).toHaveLength(1);
    const [s] = shifts;
    expect(s.speaker).toBe('B');
    expect(s.turn).toBe(9); // B's 5th turn: global index 2·4 + 1
    // z = (−0.3 − 0.3) / 0.16 = −3.75 per angry turn: S⁻ = 3.25 after one turn, 6.5 > h = 4 after two
    expect(s.detected_at).toBe(11);
    expect(s.triggers.find((t) => t.dimension === 'valence')).toEqual({
      dimension: 'valence',
      direction: 'down',
      statistic: expect.closeTo(6.5, 9),
    });
    expect(s.before.valence).toBeCloseTo(0.3, 12);
    expect(s.before.ekman_dominant).toBe('joy');
    expect(s.after.valence).toBeCloseTo(-0.3, 12);
    expect(s.after.ekman_dominant).toBe('anger');
    expect(speakerReport(state.speakers[0]).shifts).toBe(0);
    expect(speakerReport(state.speakers[1]).current.ekman_dominant).toBe('anger');
  });

  it('small fluctuations within the noise raise no shift', () => {
    const turns = Array.from({ length: 40 }, (_, i): TurnObservation => ({
      ...calm('A'),
      valence: 0.3 + (i % 2 ? 0.05 : -0.05),
    }));
    expect(advance(emptyConversation(), turns).shifts).toEqual([]);
  });

  it('a single outlier turn is not a shift, and the excursion rejoins the reference', () => {
    // S⁻ = 3.25 after the outlier, then falls by k = 0.5 per calm turn: back to 0 after 7 calm turns
    const turns = [calm('A'), calm('A'), calm('A'), angry('A'), ...Array.from({ length: 7 }, () => calm('A'))];
    const six = advance(emptyConversation(), turns.slice(0, -1));
    expect(six.state.speakers[0].change.pending).toMatchObject({ start: 3, n: 7 });
    const { shifts, state } = advance(emptyConversation(), turns);
    expect(shifts).toEqual([]);
    expect(state.speakers[0].change.pending).toBeNull();
    expect(state.speakers[0].change.ref.n).toBe(11);
  });
});

describe('influence', () => {
  it('B copies A: TE = log2 3 bits, all unique to A, p at its floor 1/(1+permutations)', () => {
    const counts = new Array(27).fill(0);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) counts[cell(a, a, b)] = 3;
    const r = pairInfluence(counts);
    expect(r.samples).toBe(27);
    expect(r.transferEntropy).toBeCloseTo(Math.log2(3), 9);
    expect(r.uniqueFrom).toBeCloseTo(Math.log2(3), 9);
    expect(r.uniqueSelf).toBeCloseTo(0, 9);
    expect(r.pValue).toBe(1 / (1 + CONVERSATION_PARAMS.influence.permutations));
  });
  it('independent table: TE 0 and p = 1', () => {
    const r = pairInfluence(new Array(27).fill(1));
    expect(r.transferEntropy).toBeCloseTo(0, 12);
    expect(r.pValue).toBe(1);
  });
  it('bins by the language edges (edge goes to the bin above)', () => {
    expect([-0.5, -0.125, 0, 0.04, 0.5].map((v) => valenceBin(v, 'en'))).toEqual([0, 1, 1, 2, 2]);
    expect([-0.3, 0.3, 0.5].map((v) => valenceBin(v, 'ko'))).toEqual([0, 1, 2]);
  });
  it('too few turns: null with the count; enough alternating turns: a result per direction', () => {
    const few = advance(emptyConversation(), [calm('A'), calm('B'), calm('A'), calm('B')]).state;
    const r = influenceReport(few);
    expect(r.influence).toBeNull();
    expect(r.reason).toMatch(
      /at least 6 lag-1 response pairs.*most any direction has is 1 \(B answering A\): 5 more replies/,
    );
    expect(influenceReport(advance(emptyConversation(), [calm('A')]).state).reason).toMatch(/two speakers/);
    // 42 alternating turns: A→B has 20 samples (B's first turn has no past), B→A has 20 as well
    const turns = Array.from({ length: 42 }, (_, i) =>
      i % 2 ? { ...calm('B'), valence: (i % 5) / 5 - 0.4 } : { ...calm('A'), valence: (i % 3) / 3 - 0.3 },
    );
    const ok = influenceReport(advance(emptyConversation(), turns).state);
    expect(ok.reason).toBeNull();
    expect(ok.influence!.pairs.map((p) => [p.from, p.to, p.samples, p.information?.samples])).toEqual([
      ['A', 'B', 20, 20],
      ['B', 'A', 20, 20],
    ]);
  });
});

describe('input checks', () => {
  it('refuses times that go backwards, also across a state', () => {
    const t = (time: number) => ({ ...calm('A'), time });
    expect(() => advance(emptyConversation(), [t(10), t(5)])).toThrow(/turn 1: time goes backwards/);
    const st = advance(emptyConversation(), [t(10)]).state;
    expect(() => advance(st, [t(9)])).toThrow(/turn 1: time goes backwards/);
  });

  it('refuses an eleventh speaker', () => {
    const turns = Array.from({ length: 11 }, (_, i) => calm(`s${i}`));
    expect(() => advance(emptyConversation(), turns)).toThrow(/at most 10 speakers/);
  });
});
