import { describe, expect, it } from 'vitest';
import { analyzeConversationTool } from '../../src/tools/analyze-conversation.js';
import { MAX_RESPONSE_BYTES } from '../../src/tools/emotion-reading.js';
import { ToolError } from '../../src/core/errors.js';
import { toToolError } from '../../src/tools/errors.js';
import { fakeEngine, type FakeSpec } from '../helpers/fake-engine.js';
import { toolContext } from '../helpers/tool-context.js';

// calm: valence (3.6 − 3) / 2 = 0.3, arousal (3.2 − 1) / 4 = 0.55; angry: valence −0.3, arousal 0.6
const engine = () =>
  fakeEngine((t): FakeSpec =>
    /furious|angry/.test(t)
      ? { go: { anger: /furious/.test(t) ? 0.9 : 0.6, annoyance: 0.4 }, vad: [2.4, 3.4, 3] }
      : { go: { joy: 0.8, neutral: 0.2 }, vad: [3.6, 3.2, 3] },
  );
const run = (args: Record<string, unknown>, e = engine(), progress?: unknown[]) => {
  const ctx = toolContext(e);
  if (progress)
    ctx.progress = async (...a) => {
      progress.push(a);
    };
  return analyzeConversationTool.handler(analyzeConversationTool.input.parse(args), ctx);
};

const calmToAngry = Array.from({ length: 16 }, (_, i) => ({
  speaker: i % 2 ? 'Bo' : 'Ann',
  text: i % 2 && i >= 9 ? `I am angry about this (${i})` : `That sounds fine to me (${i})`,
}));

describe('analyze_conversation handler', () => {
  it('calm → angry: a shift for Bo at turn 9, found at turn 11; trajectories and summaries per speaker', async () => {
    const { structured, summary } = await run({ turns: calmToAngry });
    expect(analyzeConversationTool.output.safeParse(structured).success).toBe(true);
    expect(structured.turns).toHaveLength(16);
    expect(structured.turns[9]).toMatchObject({
      index: 9,
      speaker: 'Bo',
      time: null,
      emotion: { ekman_dominant: 'anger', language: 'en' },
    });
    expect(structured.shifts).toEqual([
      expect.objectContaining({
        speaker: 'Bo',
        turn: 9,
        detected_at: 11,
        before: expect.objectContaining({ valence: 0.3, ekman_dominant: 'joy' }),
        after: expect.objectContaining({ valence: -0.3, ekman_dominant: 'anger' }),
      }),
    ]);
    expect(Object.keys(structured.speakers)).toEqual(['Ann', 'Bo']);
    expect(structured.speakers.Bo.trajectory.map((p) => p.turn)).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(structured.speakers.Bo.trajectory[0].ekman).toBeUndefined(); // summary detail
    expect(structured.speakers.Ann.shifts).toBe(0);
    expect(structured.speakers.Bo.current.ekman_dominant).toBe('anger');
    // 8 answers each way, minus the first (no own past): 7 pairs, enough for the slope, not for transfer entropy
    expect(structured.influence!.pairs.map((p) => [p.from, p.to, p.samples, p.transfer_entropy])).toEqual([
      ['Ann', 'Bo', 7, undefined],
      ['Bo', 'Ann', 7, undefined],
    ]);
    // Ann is calm throughout: her bins do not vary, so no slope can be estimated for Ann→Bo
    expect(structured.influence!.pairs[0].follow).toMatchObject({
      slope: null,
      reason: expect.stringMatching(/do not vary/),
    });
    expect(summary).toMatch(/shift: Bo at turn 9 \(valence down/);
  });

  it('state: the first turns, then the state with the rest, equal the whole conversation', async () => {
    const whole = (await run({ turns: calmToAngry, detail: 'standard' })).structured;
    for (const k of [1, 7, 10, 15]) {
      const a = (await run({ turns: calmToAngry.slice(0, k), detail: 'standard' })).structured;
      const b = (await run({ turns: calmToAngry.slice(k), state: a.state, detail: 'standard' })).structured;
      expect(b.state).toBe(whole.state);
      expect([...a.turns, ...b.turns]).toEqual(whole.turns);
      expect([...a.shifts, ...b.shifts]).toEqual(whole.shifts);
      expect(b.influence).toEqual(whole.influence);
      for (const name of Object.keys(whole.speakers)) {
        const { trajectory, ...rest } = whole.speakers[name];
        const { trajectory: tb, ...restB } = b.speakers[name];
        expect(restB).toEqual(rest);
        expect([...(a.speakers[name]?.trajectory ?? []), ...tb]).toEqual(trajectory);
      }
    }
  });

  it("influence over 42 alternating turns where Bo mirrors Ann's previous turn", async () => {
    const turns = Array.from({ length: 42 }, (_, i) => {
      const annAngry = Math.floor(i / 2) % 3 === 0;
      // Bo (odd turns) is angry exactly when Ann's previous turn was
      const angry = i % 2 ? Math.floor((i - 1) / 2) % 3 === 0 : annAngry;
      return { speaker: i % 2 ? 'Bo' : 'Ann', text: angry ? `angry ${i}` : `fine ${i}` };
    });
    const { structured } = await run({ turns });
    expect(structured.influence_reason).toBeNull();
    const ab = structured.influence!.pairs.find((p) => p.from === 'Ann' && p.to === 'Bo')!;
    expect(ab.samples).toBe(20);
    expect(ab.transfer_entropy).toBeGreaterThan(0.3);
    expect(ab.p_value).toBeLessThan(0.05);
  });

  it("influence over 16 turns where Bo mirrors Ann's previous turn: the slope with an exact p-value (hand-counted 48/5040)", async () => {
    const turns = Array.from({ length: 16 }, (_, i) => {
      const k = Math.floor(i / 2); // Ann is angry at her turns 0, 3, 6; Bo answers each with Ann's mood
      return { speaker: i % 2 ? 'Bo' : 'Ann', text: k % 3 === 0 ? `angry ${i}` : `fine ${i}` };
    });
    const { structured, summary } = await run({ turns });
    expect(analyzeConversationTool.output.safeParse(structured).success).toBe(true);
    const ab = structured.influence!.pairs.find((p) => p.from === 'Ann' && p.to === 'Bo')!;
    expect(ab.samples).toBe(7);
    expect(ab.follow.test).toBe('exact');
    expect(ab.follow.slope).toBeCloseTo(1, 4);
    // Σ x̃·ẽ reaches its maximum |4| in 2·2·3!·2 = 48 of the 7! orders
    expect(ab.follow.p_value).toBeCloseTo(48 / 5040, 4);
    expect(ab.follow.interval_95![0]).toBeGreaterThan(0);
    expect(summary).toMatch(
      /influence Ann→Bo: Bo follows Ann by 1 bins per bin \[95 % [0-9.]+, [0-9.]+\], p 0\.01 exact \(7 pairs\)/,
    );
  });

  it('explain per turn: the word that carries anger comes first, offsets slice the turn', async () => {
    const progress: unknown[] = [];
    const text = 'honestly I am furious today';
    const { structured } = await run({ turns: [{ speaker: 'A', text }], explain: true }, engine(), progress);
    const ex = structured.turns[0].explanation!;
    expect(ex.unit).toBe('word');
    expect(ex.labels[0].label).toBe('anger');
    const top = ex.labels[0].spans[0];
    expect(top).toMatchObject({ text: 'furious', start: 14, end: 21 });
    expect(text.slice(top.start, top.end)).toBe(top.text);
    // with "furious" deleted the fake reads no anger word → joy 0.8, anger 0: contribution 0.9
    expect(top.contribution).toBeCloseTo(0.9, 4);
    expect(progress).toEqual([
      [1, 2, '1 turns read'],
      [2, 2, 'turn 0 explained'],
    ]);
  });

  it('times: ISO 8601 or seconds; backwards times and foreign state tokens are invalid_input', async () => {
    const { structured } = await run({
      turns: [
        { speaker: 'A', text: 'fine', time: '2026-01-01T10:00:00Z' },
        { speaker: 'A', text: 'fine', time: 1767261600 + 60 },
      ],
    });
    expect(structured.turns.map((t) => t.time)).toEqual([1767261600, 1767261660]);
    const backwards = await run({
      turns: [
        { speaker: 'A', text: 'x', time: 10 },
        { speaker: 'A', text: 'x', time: 5 },
      ],
    }).catch((e) => e);
    expect(toToolError(backwards)).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/turn 1: time goes backwards/),
    });
    await expect(run({ turns: [{ speaker: 'A', text: 'x', time: 'yesterday' }] })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(run({ turns: [{ speaker: 'A', text: 'x' }], state: 'rhc1.e30.00000000' })).rejects.toBeInstanceOf(
      ToolError,
    );
  });

  it('a turn in a language the model does not read fails the call with unsupported_language naming the turn', async () => {
    const e = engine();
    const turns = [
      { speaker: 'A', text: 'That sounds fine to me' },
      { speaker: 'B', text: 'Je suis très en colère contre mon voisin.' },
    ];
    await expect(run({ turns }, e)).rejects.toMatchObject({
      code: 'unsupported_language',
      message: expect.stringMatching(/^turns\[1\]\.text: the text is fr .*only en, ko/),
    });
    expect(e.calls).toEqual([]);
  });

  it('refuses, never truncates, a result over the response limit, and suggests detail "summary"', async () => {
    const turns = Array.from({ length: 500 }, (_, i) => ({ speaker: `s${i % 2}`, text: `fine ${i}` }));
    await expect(run({ turns, detail: 'full' })).rejects.toMatchObject({
      code: 'limit_exceeded',
      message: expect.stringMatching(
        new RegExp(`over the response limit of ${MAX_RESPONSE_BYTES} bytes; use detail "summary"`),
      ),
    });
    const { structured } = await run({ turns });
    expect(structured.turns).toHaveLength(500);
  });
});
