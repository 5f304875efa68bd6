// The reading options over MCP (stdio server, fixture model): every detail level, sentences, explanations and conversations
// pass the SDK's output-schema validation and keep their documented shapes; progress arrives for the long work.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressSent, recordWire } from '../server/helpers/wire.js';
import { ROOT, startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
}

describe('reading options over MCP (fixture model)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: {
        RED_HEART_MODELS_DIR: resolve(ROOT, 'test/fixtures/model'),
        RED_HEART_PROVIDER: 'cpu',
        RED_HEART_THREADS: '1',
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  const call = async (
    name: string,
    args: Record<string, unknown>,
    onprogress?: (p: unknown) => void,
  ): Promise<CallResult> =>
    (await server.client.callTool(
      { name, arguments: args },
      undefined,
      onprogress ? { onprogress } : undefined,
    )) as CallResult;

  it('analyze_emotion at each detail, with sentences and explanations, validates and slices', async () => {
    const texts = ['I am so happy today! But 😡 the bus was late.', '정말 좋아요. 그런데 비가 와요 🥲'];
    for (const detail of ['summary', 'standard', 'full']) {
      // Recorded on the wire: the SDK client drops notifications that share a chunk with the result (helpers/wire.ts).
      const wire = recordWire(server.client);
      const r = await call('analyze_emotion', { texts, detail, granularity: 'sentence', explain: true }, () => {});
      wire.stop();
      expect(r.isError ?? false, r.content[0]?.text).toBe(false);
      const results = r.structuredContent!.results;
      results.forEach((res: any, i: number) => {
        expect(res.sentences.length).toBe(2);
        for (const s of res.sentences) expect(texts[i].slice(s.start, s.end)).toBe(s.text);
        for (const l of res.explanation.labels)
          for (const s of l.spans) expect(texts[i].slice(s.start, s.end)).toBe(s.text);
        if (detail === 'summary')
          expect(Object.keys(res).sort()).toEqual([
            'arousal',
            'dominant',
            'ekman_dominant',
            'explanation',
            'language',
            'sentences',
            'sentiment',
            'valence',
          ]);
        if (detail === 'full') expect(res.all_labels).toBeDefined();
      });
      expect(progressSent(wire.messages)).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]); // sentences + one per explained text
    }
  });

  it('full_analysis passes the options to its emotion section; integration does not depend on detail', async () => {
    const text = 'I finally finished the marathon and I am so proud. My knees hurt.';
    const std = await call('full_analysis', { text, sections: ['emotion'] });
    const sum = await call('full_analysis', {
      text,
      sections: ['emotion'],
      detail: 'summary',
      granularity: 'sentence',
    });
    expect(sum.isError ?? false, sum.content[0]?.text).toBe(false);
    expect(sum.structuredContent!.integrated).toEqual(std.structuredContent!.integrated);
    const e = sum.structuredContent!.sections.emotion.results[0];
    expect(e.sentiment).toBe(std.structuredContent!.sections.emotion.results[0].sentiment.label);
    expect(e.sentences.map((s: any) => s.text)).toEqual([
      'I finally finished the marathon and I am so proud.',
      'My knees hurt.',
    ]);
  });

  it('analyze_conversation at each detail, and continued with its state', async () => {
    const turns = Array.from({ length: 8 }, (_, i) => ({
      speaker: i % 2 ? 'b' : 'a',
      text: i < 5 ? `I am so happy ${i}` : `i hate this day ${i}`,
      time: 1000 + 30 * i,
    }));
    for (const detail of ['summary', 'standard', 'full']) {
      const r = await call('analyze_conversation', { turns, detail, explain: detail === 'full' });
      expect(r.isError ?? false, r.content[0]?.text).toBe(false);
      expect(r.structuredContent!.turns).toHaveLength(8);
      expect(Object.keys(r.structuredContent!.speakers)).toEqual(['a', 'b']);
    }
    const whole = await call('analyze_conversation', { turns });
    const first = await call('analyze_conversation', { turns: turns.slice(0, 3) });
    const rest = await call('analyze_conversation', { turns: turns.slice(3), state: first.structuredContent!.state });
    expect(rest.structuredContent!.state).toBe(whole.structuredContent!.state);
    expect(rest.structuredContent!.turns[0].index).toBe(3);
    const bad = await call('analyze_conversation', { turns: turns.slice(3), state: `rhc2.e30.${'0'.repeat(64)}` });
    expect(bad.isError).toBe(true);
    expect(bad.content[0].text).toMatch(/^invalid_input: state token is damaged/);
  });
});
