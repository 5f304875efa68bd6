// Edges a user hits, over MCP on the built stdio server: empty texts, limits exactly at and one past
// their value, a model that fails at run time, texts the tokenizer does not know, and the inputs users actually
// send (NUL, RTL marks, combining marks, ZWJ emoji, one 20,000-character word, mixed scripts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHttp, FIXTURE_MODELS, startHttpProcess } from '../server/helpers/http.js';
import { startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
  _meta?: Record<string, any>;
}
const text = (r: CallResult): string => r.content.map((c) => c.text ?? '').join('\n');
const callOn =
  (server: () => RunningServer) =>
  async (name: string, args: Record<string, unknown>): Promise<CallResult> =>
    (await server().client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallResult;
const codeOf = (r: CallResult): string | undefined => r._meta?.['red-heart/error']?.code;

const BLANKS = [' ', '  \t\n ', '\ufeff', '\u200b\u200d', '\ufeff \u200b\u2060 \u00a0'];

describe('edges on the fixture model (fast; its "boom" token breaks the model at run time)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS } });
  });
  afterAll(async () => {
    await server?.close();
  });
  const call = callOn(() => server);

  it('empty_text: a blank text is refused by every text tool, naming the field', async () => {
    for (const blank of BLANKS) {
      const e = await call('analyze_emotion', { text: blank });
      expect(e.isError, JSON.stringify(blank)).toBe(true);
      expect(codeOf(e)).toBe('empty_text');
      expect(text(e)).toMatch(/^empty_text: text 0 is empty after removing whitespace, BOMs and zero-width characters/);
    }
    const b = await call('bentham_score', { scenario: '\ufeff ' });
    expect(text(b)).toMatch(/^empty_text: scenario is empty/);
    const r = await call('regret_forecast', { decision: '\u200b' });
    expect(text(r)).toMatch(/^empty_text: decision is empty/);
    const o = await call('regret_forecast', {
      decision: 'which one?',
      options: [
        { name: 'a', description: 'a good day' },
        { name: 'b', description: ' \u200b ' },
      ],
    });
    expect(text(o)).toMatch(/^empty_text: options\[1\]\.description is empty/);
  });

  it('empty_text per item: a blank text in a batch gets its own error, the others are analysed', async () => {
    const r = await call('analyze_emotion', { texts: ['i am so happy', '\ufeff\u200b ', 'a bad day'] });
    expect(r.isError ?? false, text(r)).toBe(false);
    const results = r.structuredContent!.results;
    expect(results).toHaveLength(3);
    expect(results[0].language).toBe('en');
    expect(results[1]).toEqual({ error: { code: 'empty_text', message: expect.stringMatching(/^text 1 is empty/) } });
    expect(results[2].language).toBe('en');
    expect(text(r)).toMatch(/\[1\] empty_text: text 1 is empty/);
  });

  it('empty_text in full_analysis: each text section reports it as its {error}; the call itself succeeds', async () => {
    const r = await call('full_analysis', { text: ' \ufeff\n' });
    expect(r.isError ?? false, text(r)).toBe(false);
    const s = r.structuredContent!.sections;
    for (const name of ['emotion', 'bentham', 'regret']) expect(s[name].error?.code, name).toBe('empty_text');
    expect(r.structuredContent!.integrated.overall_sentiment.value).toBeNull();
  });

  it('full_analysis top-level errors: missing or empty text and an unknown section are refused as invalid input', async () => {
    for (const args of [{}, { text: '' }, { text: 'hello', sections: ['mood'] }, { text: 'hello', sections: [] }]) {
      const r = await call('full_analysis', args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(/Input validation error/);
    }
  });

  it('a text of only unknown pieces says so in its result', async () => {
    const r = await call('analyze_emotion', { text: 'zzzq qqxv' }); // not in the fixture vocabulary
    expect(r.isError ?? false, text(r)).toBe(false);
    const res = r.structuredContent!.results[0];
    expect(res.tokens).toBe(2);
    expect(res.unknown_tokens).toBe(2);
    expect(res.note).toMatch(/no token of this text is known to the tokenizer/);
    const known = await call('analyze_emotion', { text: 'i am happy' });
    expect(known.structuredContent!.results[0].note).toBeUndefined();
  });

  it('model_error: an inference failure gets its own code with the runtime message, never internal', async () => {
    const r = await call('analyze_emotion', { text: 'boom' });
    expect(r.isError).toBe(true);
    expect(codeOf(r)).toBe('model_error');
    expect(text(r)).toMatch(/^model_error: the model failed at run time: .*Gather/s);
    const f = await call('full_analysis', { text: 'boom' });
    expect(f.structuredContent!.sections.emotion.error.code).toBe('model_error');
    // the server is fine afterwards
    expect((await call('analyze_emotion', { text: 'i am happy' })).isError ?? false).toBe(false);
  });

  it('text length in code points at the contract limit: 20,000 emoji (40,000 UTF-16 units) accepted, 20,001 refused naming the limit', async () => {
    const at = await call('analyze_emotion', { text: '😀'.repeat(20_000) });
    expect(at.isError ?? false, text(at).slice(0, 300)).toBe(false);
    const past = await call('analyze_emotion', { text: '😀'.repeat(20_001) });
    expect(text(past)).toMatch(
      /^limit_exceeded: text 0 has 20001 characters; the limit is 20000 \(maxTextChars: --max-text-chars \/ RED_HEART_MAX_TEXT_CHARS\)/,
    );
    const fa = await call('full_analysis', { text: 'a'.repeat(20_001) });
    expect(fa.structuredContent!.sections.emotion.error.message).toMatch(/the limit is 20000/);
  });

  it('the input schemas state the text limit as maxLength (JSON Schema counts code points too)', async () => {
    const { tools } = await server.client.listTools();
    const props = (name: string) => (tools.find((t) => t.name === name)!.inputSchema as any).properties;
    expect(props('analyze_emotion').text.maxLength).toBe(20_000);
    expect(props('analyze_emotion').texts.items.maxLength).toBe(20_000);
    expect(props('full_analysis').text.maxLength).toBe(20_000);
    expect(props('bentham_score').scenario.maxLength).toBe(20_000);
    expect(props('regret_forecast').decision.maxLength).toBe(20_000);
  });

  it('texts per call at the contract limit: 64 accepted, 65 refused naming the limit', async () => {
    const at = await call('analyze_emotion', { texts: Array.from({ length: 64 }, (_, i) => `day ${i} was good`) });
    expect(at.isError ?? false, text(at).slice(0, 300)).toBe(false);
    expect(at.structuredContent!.results).toHaveLength(64);
    const past = await call('analyze_emotion', { texts: Array.from({ length: 65 }, (_, i) => `day ${i}`) });
    expect(past.isError).toBe(true);
    expect(text(past)).toMatch(/<=64 items at texts/);
  });

  it('regret matrix at the contract limit: 50 × 50 accepted; 51 options or 51 scenarios refused naming the limit', async () => {
    const m = (r: number, c: number) => ({
      options: Array.from({ length: r }, (_, i) => ({ name: `o${i}` })),
      scenarios: Array.from({ length: c }, (_, j) => ({ name: `s${j}` })),
      outcomes: Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => ((i * 7 + j * 3) % 11) - 5)),
    });
    const at = await call('regret_forecast', m(50, 50));
    expect(at.isError ?? false, text(at).slice(0, 300)).toBe(false);
    expect(at.structuredContent!.regret).toHaveLength(50);
    for (const [r, c] of [
      [51, 50],
      [50, 51],
    ]) {
      const past = await call('regret_forecast', m(r, c));
      expect(past.isError, `${r}×${c}`).toBe(true);
      expect(text(past), `${r}×${c}`).toMatch(/\b50\b/);
    }
  });
});

// Inputs users send, on the shipped model. Expected behaviour (written here, and in the tokenizer parity fixture):
// each is analysed like any other text — a result, with tokens counted — none is refused or breaks the server;
// only a text with no known piece at all carries the "no known token" note.
describe('inputs users send, on the shipped model', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { RED_HEART_PROVIDER: 'cpu' } });
  });
  afterAll(async () => {
    await server?.close();
  });
  const call = callOn(() => server);

  // `requested`: the case tests the handling of its characters, not language identification (an Arabic + Hebrew +
  // English text is identified as Hebrew and refused under auto; docs/language.md), so it names the language.
  const CASES: Array<{
    name: string;
    text: string;
    language?: 'en' | 'ko';
    requested?: 'en';
    note?: boolean;
    truncated?: boolean;
  }> = [
    { name: 'NUL inside a text', text: 'I am so happy\u0000 today', language: 'en' },
    { name: 'only NUL characters (not whitespace: analysed, but nothing is known)', text: '\u0000\u0000', note: true },
    {
      name: 'RTL embedding and marks around Arabic and Hebrew',
      text: '\u202bمرحبا\u202c I love this \u200fשלום\u200e',
      language: 'en',
      requested: 'en',
    },
    {
      name: 'combining marks (decomposed accents, zalgo)',
      text: 'e\u0301te\u0301 cafe\u0301, so happy! Z\u0336a\u0337l\u0338g\u0335o',
      language: 'en',
    },
    { name: 'ZWJ emoji sequences', text: 'My family 👨‍👩‍👧‍👦 at the parade 🏳️‍🌈 was so proud', language: 'en' },
    { name: 'a 20,000-character single word', text: 'x'.repeat(20_000), language: 'en', truncated: true },
    { name: 'mixed scripts (Cyrillic, Hangul, Han, Latin)', text: 'Я люблю 서울 and 東京, what a great trip' },
    { name: 'mostly Hangul with Latin', text: '오늘 정말 행복했어요 thanks', language: 'ko' },
  ];

  it.each(CASES)('$name: analysed, tokens counted', async (c) => {
    const r = await call('analyze_emotion', { text: c.text, ...(c.requested ? { language: c.requested } : {}) });
    expect(r.isError ?? false, text(r).slice(0, 300)).toBe(false);
    const res = r.structuredContent!.results[0];
    expect(res.tokens).toBeGreaterThan(0);
    if (c.language) expect(res.language).toBe(c.language);
    expect(res.note !== undefined, `note: ${res.note}`).toBe(c.note ?? false);
    if (c.truncated !== undefined) expect(res.truncated).toBe(c.truncated);
    expect(res.valence).toBeGreaterThanOrEqual(-1);
    expect(res.valence).toBeLessThanOrEqual(1);
  });
});

// The environment policy for spawned servers (test/helpers/env.ts): a RED_HEART_* variable of the parent (a
// developer's shell, CI) never reaches a test server; only what the test passes does.
describe('spawned test servers ignore inherited RED_HEART_* settings', () => {
  it('a parent RED_HEART_MAX_TEXT_CHARS=5 does not limit the stdio or HTTP test server', async () => {
    const saved = process.env.RED_HEART_MAX_TEXT_CHARS;
    process.env.RED_HEART_MAX_TEXT_CHARS = '5';
    try {
      const stdio = await startServer({ env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS } });
      try {
        const r = (await stdio.client.callTool({
          name: 'analyze_emotion',
          arguments: { text: 'i am so happy today' },
        })) as CallResult;
        expect(r.isError ?? false, text(r)).toBe(false);
      } finally {
        await stdio.close();
      }
      const http = await startHttpProcess({ env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS } });
      try {
        const client = await connectHttp(http.url);
        const r = (await client.callTool({
          name: 'analyze_emotion',
          arguments: { text: 'i am so happy today' },
        })) as CallResult;
        await client.close();
        expect(r.isError ?? false, text(r)).toBe(false);
      } finally {
        await http.stop();
      }
    } finally {
      if (saved === undefined) delete process.env.RED_HEART_MAX_TEXT_CHARS;
      else process.env.RED_HEART_MAX_TEXT_CHARS = saved;
    }
  });
});
