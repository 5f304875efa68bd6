// A host that shows its model only a result's `content` (several do) must still be able to answer what the
// structured result answers. These tests read the text content only: the summary (its first line is the headline),
// then the result as JSON on the last line. Each question is answered from the text and checked against the text that was analysed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './harness.js';

/** The text content of a call, as a text-only host sees it. */
async function textOnly(
  server: RunningServer,
  name: string,
  args: Record<string, unknown>,
): Promise<{ summary: string; result: Record<string, any> }> {
  const r = await server.client.callTool({ name, arguments: args });
  const texts = (r.content as Array<{ type: string; text?: string }>)
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '');
  expect(r.isError, texts.join('\n').slice(0, 300)).toBeFalsy();
  const lines = texts.join('\n').split('\n');
  return { summary: lines[0], result: JSON.parse(lines[lines.length - 1]) };
}

describe('a text-only client', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('finds the harshest sentence and its offsets', async () => {
    const text =
      'What a lovely morning with my friends. You are a worthless, lying coward and I hate you. The bus came at nine.';
    const { summary, result } = await textOnly(server, 'analyze_emotion', { text, granularity: 'sentence' });
    expect(summary.length).toBeGreaterThan(10);
    const sentences = result.results[0].sentences as Array<{ start: number; end: number; valence: number }>;
    expect(sentences).toHaveLength(3);
    const harshest = sentences.reduce((a, b) => (b.valence < a.valence ? b : a));
    expect(text.slice(harshest.start, harshest.end)).toBe('You are a worthless, lying coward and I hate you.');
  });

  it('sees every item of a 64-text batch, in order', async () => {
    const texts = Array.from({ length: 64 }, (_, i) =>
      i % 2 ? `I am thrilled about gift number ${i}!` : `I am furious about delay number ${i}.`,
    );
    texts[10] = '   ';
    const { result } = await textOnly(server, 'analyze_emotion', { texts, detail: 'summary' });
    expect(result.results).toHaveLength(64);
    result.results.forEach((r: Record<string, any>, i: number) => {
      if (i === 10) expect(r.error.code).toBe('empty_text');
      else {
        expect(r.language).toBe('en');
        expect(r.valence, `text ${i}`).toBeTypeOf('number');
      }
    });
    // The readings follow the texts: the thrilled ones read more positive than the furious ones on average.
    const mean = (odd: number) => {
      const vs = result.results
        .filter((_: unknown, i: number) => i % 2 === odd && i !== 10)
        .map((r: { valence: number }) => r.valence);
      return vs.reduce((a: number, b: number) => a + b, 0) / vs.length;
    };
    expect(mean(1)).toBeGreaterThan(mean(0));
  });

  it("reads SURD's small-sample warning", async () => {
    // 40 samples, one source, 8 bins asked for: 8² = 64 cells, fewer than 10 samples per cell.
    const target = Array.from({ length: 41 }, (_, i) => Math.sin(i));
    const source = Array.from({ length: 41 }, (_, i) => Math.cos(i * 0.7));
    const { result } = await textOnly(server, 'surd_decompose', { target, sources: [source], bins: 8 });
    expect(result.warnings.join(' ')).toMatch(/only 40 samples for 64 joint cells/);
  });

  it('sees each conversation shift with its turn', async () => {
    const happy = [
      'This is wonderful, I love it!',
      'Great news, I am so happy!',
      'Fantastic, what a joy!',
      'I adore this, thank you so much!',
    ];
    const angry = [
      'This is disgusting and I hate it.',
      'You ruined everything, I am furious.',
      'Awful, terrible, I hate all of this.',
    ];
    const turns = [...happy, ...angry].flatMap((t, i) => [
      { speaker: 'ann', text: t },
      { speaker: 'bob', text: i % 2 ? 'ok.' : 'I see.' },
    ]);
    const r = await server.client.callTool({ name: 'analyze_conversation', arguments: { turns } });
    const structured = r.structuredContent as { shifts: Array<{ speaker: string; turn: number }> };
    const { result } = await textOnly(server, 'analyze_conversation', { turns });
    expect(structured.shifts.length).toBeGreaterThan(0);
    expect(result.shifts.map((s: { speaker: string; turn: number }) => [s.speaker, s.turn])).toEqual(
      structured.shifts.map((s) => [s.speaker, s.turn]),
    );
    // Ann turns angry at turn 8 (she speaks at even turns): a downward valence shift detected from then on.
    const ann = result.shifts.find((s: { speaker: string }) => s.speaker === 'ann');
    expect(ann.detected_at).toBeGreaterThanOrEqual(8);
    expect(ann.triggers[0]).toMatchObject({ dimension: 'valence', direction: 'down' });
    expect(ann.after.valence).toBeLessThan(ann.before.valence);
  });
});
