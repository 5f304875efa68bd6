import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advance,
  emptyConversation,
  influenceReport,
  speakerReport,
  type TurnObservation,
} from '../../src/analysis/conversation/index.js';
import { EKMAN, type Ekman } from '../../src/core/labels.js';
import { decodeState as decode, encodeState as encode } from '../../src/tools/conversation-state.js';
import { testSigner } from '../helpers/tool-context.js';
import { calm, ekman } from '../helpers/turns.js';

const signer = testSigner();
const encodeState = (state: Parameters<typeof encode>[0], model: string) => encode(state, model, signer);
const decodeState = (token: string, model: string) => decode(token, model, signer);

describe('state token', () => {
  const obs = fc.record({
    speaker: fc.constantFrom('A', 'B', 'C'),
    language: fc.constantFrom('en' as const, 'ko' as const),
    valence: fc.double({ min: -1, max: 1, noNaN: true }),
    arousal: fc.double({ min: 0, max: 1, noNaN: true }),
    dom: fc.constantFrom(...EKMAN),
    p: fc.double({ min: 0.2, max: 0.9, noNaN: true }),
    dt: fc.option(fc.integer({ min: 0, max: 3600 })),
  });
  const toTurns = (
    xs: Array<{
      speaker: string;
      language: 'en' | 'ko';
      valence: number;
      arousal: number;
      dom: Ekman;
      p: number;
      dt: number | null;
    }>,
  ) => {
    let t = 1_700_000_000;
    return xs.map((x): TurnObservation => {
      if (x.dt !== null) t += x.dt;
      return {
        speaker: x.speaker,
        language: x.language,
        valence: x.valence,
        arousal: x.arousal,
        ekman: ekman(x.dom, x.p),
        time: x.dt === null ? null : t,
      };
    });
  };

  it('property: the whole conversation equals the first part + state + the rest, at any split', () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 60 }), fc.nat(), (xs, cut) => {
        const turns = toTurns(xs);
        const k = cut % (turns.length + 1);
        const whole = advance(emptyConversation(), turns);
        const first = advance(emptyConversation(), turns.slice(0, k));
        const token = encodeState(first.state, 'sha-x');
        const rest = advance(decodeState(token, 'sha-x'), turns.slice(k));
        expect(rest.state).toEqual(whole.state);
        expect([...first.points, ...rest.points]).toEqual(whole.points);
        expect([...first.shifts, ...rest.shifts]).toEqual(whole.shifts);
        expect(encodeState(rest.state, 'sha-x')).toBe(encodeState(whole.state, 'sha-x'));
        expect(influenceReport(rest.state)).toEqual(influenceReport(whole.state));
        expect(rest.state.speakers.map(speakerReport)).toEqual(whole.state.speakers.map(speakerReport));
      }),
      { numRuns: 60 },
    );
  });

  it('−0 in an observation does not break the equality (JSON has no −0; found by the property above)', () => {
    const turns = [
      { ...calm('A'), valence: -0, arousal: -0 },
      { ...calm('A'), valence: 0 },
    ];
    const whole = advance(emptyConversation(), turns);
    const rest = advance(
      decodeState(encodeState(advance(emptyConversation(), turns.slice(0, 1)).state, 'm'), 'm'),
      turns.slice(1),
    );
    expect(rest.state).toEqual(whole.state);
    expect(Object.is(whole.state.speakers[0].firstValence, 0)).toBe(true);
  });

  it('is compact: two speakers after 100 turns stay under 3 kB', () => {
    const turns = Array.from({ length: 100 }, (_, i) => ({ ...calm(i % 2 ? 'B' : 'A'), valence: Math.sin(i) / 2 }));
    expect(encodeState(advance(emptyConversation(), turns).state, 'e1f227657529').length).toBeLessThan(3000);
  });

  it('refuses tokens of another model, damaged tokens and foreign strings', () => {
    const token = encodeState(advance(emptyConversation(), [calm('A')]).state, 'model-1');
    expect(() => decodeState(token, 'model-2')).toThrow(/made with model model-1.*model-2/);
    const [p, data, sum] = token.split('.');
    const damaged = `${p}.${data.slice(0, -2)}${data.slice(-2) === 'AA' ? 'AB' : 'AA'}.${sum}`;
    expect(() => decodeState(damaged, 'model-1')).toThrow(/signature mismatch/);
    expect(() => decodeState('hello', 'model-1')).toThrow(/not a conversation state token/);
  });
});
