// analyze_emotion through the built stdio server (MCP client). Schema and ranges on the fixture model; when
// the real model is installed (models/manifest.json), also the dominant Ekman class of clearly emotional
// English and Korean sentences.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './harness.js';
import { requirement } from '../helpers/require.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
}

const FIXTURE = resolve(ROOT, 'test/fixtures/model');
// RED_HEART_REAL_MODELS_DIR lets a developer point the shipped-model checks at a model that is not installed yet
const REAL_DIR = process.env.RED_HEART_REAL_MODELS_DIR
  ? resolve(process.env.RED_HEART_REAL_MODELS_DIR)
  : resolve(ROOT, 'models');
const REAL_MANIFEST = join(REAL_DIR, 'manifest.json');
const EKMAN = ['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral'];

function checkResult(r: Record<string, any>, language: 'en' | 'ko', topK: number): void {
  expect(r.language).toBe(language);
  expect(r.taxonomy).toBe(language === 'en' ? 'goemotions' : 'kote');
  expect(r.labels.length).toBe(Math.min(topK, language === 'en' ? 28 : 44));
  for (let i = 1; i < r.labels.length; i++) expect(r.labels[i - 1].score).toBeGreaterThanOrEqual(r.labels[i].score);
  for (const l of [...r.labels, ...r.detected]) {
    expect(l.score).toBeGreaterThanOrEqual(0);
    expect(l.score).toBeLessThanOrEqual(1);
  }
  for (const d of r.detected) expect(d.score).toBeGreaterThanOrEqual(d.threshold);
  expect(Object.keys(r.ekman.scores).sort()).toEqual([...EKMAN].sort());
  expect(EKMAN.reduce((s, k) => s + r.ekman.scores[k], 0)).toBeCloseTo(1, 3);
  expect(EKMAN).toContain(r.ekman.dominant);
  expect(['positive', 'negative', 'ambiguous', 'neutral']).toContain(r.sentiment.label);
  expect(r.valence).toBeGreaterThanOrEqual(-1);
  expect(r.valence).toBeLessThanOrEqual(1);
  expect(r.arousal).toBeGreaterThanOrEqual(0);
  expect(r.arousal).toBeLessThanOrEqual(1);
  for (const k of ['jeong', 'han', 'chemyeon']) {
    expect(r.cultural[k].score).toBeGreaterThanOrEqual(0);
    expect(r.cultural[k].score).toBeLessThanOrEqual(1);
    expect(r.cultural[k].formula).toMatch(/max\(/);
  }
  expect(r.tokens).toBeGreaterThan(0);
  expect(r.chunks).toBeGreaterThanOrEqual(1);
  expect(typeof r.truncated).toBe('boolean');
}

describe('analyze_emotion over MCP (fixture model)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: { RED_HEART_MODELS_DIR: FIXTURE, RED_HEART_PROVIDER: 'cpu', RED_HEART_THREADS: '1' },
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  const call = async (args: Record<string, unknown>): Promise<CallResult> =>
    (await server.client.callTool({ name: 'analyze_emotion', arguments: args })) as CallResult;

  it('analyses English and Korean texts with the documented schema and ranges', async () => {
    const r = await call({ texts: ['I am so happy', '나는 정말 행복해요', 'i hate this day'], top_k: 3 });
    expect(r.isError ?? false).toBe(false);
    const s = r.structuredContent!;
    expect(s.results).toHaveLength(3);
    checkResult(s.results[0], 'en', 3);
    checkResult(s.results[1], 'ko', 3);
    checkResult(s.results[2], 'en', 3);
    expect(s.model).toMatchObject({ id: 'fixture-tiny', version: '0.0.1' });
    expect(s.model.sha256).toMatch(/^[0-9a-f]{12}$/);
    expect(s.cached).toBe(false);
    expect(s.elapsed_ms).toBeGreaterThanOrEqual(0);
    expect(r.content[0].text).toMatch(/en: .*Ekman/);
  });

  it('serves a repeated call from the cache and honours language, threshold and long texts', async () => {
    const args = { text: 'I am so happy', language: 'ko', threshold: 0, top_k: 44 };
    const a = await call(args);
    const b = await call(args);
    expect(a.structuredContent!.cached).toBe(false);
    expect(b.structuredContent!.cached).toBe(true);
    const r = a.structuredContent!.results[0];
    checkResult(r, 'ko', 44);
    expect(r.detected).toHaveLength(44); // threshold 0: every label detected
    const long = await call({ text: 'i am so very happy the day is good but i hate that movie it was terrible' });
    expect(long.structuredContent!.results[0].chunks).toBe(2);
  });

  it('the status resource reports the loaded model, the provider really used and batching', async () => {
    const res = await server.client.readResource({ uri: 'red-heart://status' });
    const status = JSON.parse((res.contents[0] as { text: string }).text);
    const e = status.engine;
    expect(e.state).toBe('ready');
    expect(e.provider).toMatchObject({ requested: 'cpu', active: 'cpu', fallback_reason: null });
    expect(e.model).toMatchObject({ id: 'fixture-tiny', parameters: 2499, manifest_parameters: 2499 });
    expect(e.batching).toMatchObject({ mode: 'dynamic', max_batch: 32 });
    expect(e.batching.items).toBeGreaterThan(0);
    expect(e.thresholds_source).toContain('manifest.json');
    expect(e.available_models.map((m: { id: string }) => m.id)).toEqual(['fixture-tiny', 'fixture-tiny-int8']);
  });

  it('rejects text + texts together, and the model failure of one input is an error result, not a fabricated one', async () => {
    const both = await call({ text: 'a', texts: ['b'] });
    expect(both.isError).toBe(true);
    expect(both.content[0].text).toMatch(/exactly one of/);
    const boom = await call({ text: 'boom' });
    expect(boom.isError).toBe(true);
  });
});

describe('analyze_emotion without a model', () => {
  let server: RunningServer;
  let empty: string;
  beforeAll(async () => {
    empty = mkdtempSync(join(tmpdir(), 'rh-empty-'));
    server = await startServer({ env: { RED_HEART_MODELS_DIR: empty } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('names the missing file and the fix', async () => {
    const r = (await server.client.callTool({ name: 'analyze_emotion', arguments: { text: 'hello' } })) as CallResult;
    expect(r.isError).toBe(true);
    const msg = r.content.map((c) => c.text).join('\n');
    expect(msg).toContain(join(empty, 'manifest.json'));
    expect(msg).toMatch(/reinstall|training\/README\.md/);
  });
});

const REAL =
  requirement(
    'analyze_emotion on the shipped model',
    existsSync(REAL_MANIFEST) ? null : `${REAL_MANIFEST} is not there`,
    'model',
  ) === null;
describe.skipIf(!REAL)('analyze_emotion on the shipped model', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { RED_HEART_PROVIDER: 'cpu', RED_HEART_MODELS_DIR: REAL_DIR } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const CASES: Array<[string, string, 'en' | 'ko']> = [
    ['I am so happy today, this is the best day of my life!', 'joy', 'en'],
    ['Thank you so much, I love it!', 'joy', 'en'],
    ['I am furious. This is outrageous and I am sick of your lies.', 'anger', 'en'],
    ['My dog died this morning and I cannot stop crying.', 'sadness', 'en'],
    ['I am terrified of what will happen tomorrow.', 'fear', 'en'],
    ['오늘 정말 행복해요! 최고의 하루였어요.', 'joy', 'ko'],
    ['진짜 너무 화가 난다. 왜 이렇게 일을 엉망으로 하는 거야?', 'anger', 'ko'],
    ['할머니가 돌아가셔서 너무 슬퍼요.', 'sadness', 'ko'],
  ];

  // Cases the shipped model is known to get wrong run as `it.fails`, so CI stays honest both ways: when a
  // better model gets one right, its test turns red and the entry must be removed. None since 1.1.0; 1.0.0
  // (sha256 a402bdb6d595…) read the English anger case as sadness/fear.
  const KNOWN_MISSES = new Set<string>([]);
  let results: Array<Record<string, any>> = [];
  beforeAll(async () => {
    const r = (await server.client.callTool({
      name: 'analyze_emotion',
      arguments: { texts: CASES.map((c) => c[0]) },
    })) as CallResult;
    expect(r.isError ?? false).toBe(false);
    results = r.structuredContent!.results as Array<Record<string, any>>;
  });

  it('schema and ranges on real outputs', () => {
    results.forEach((x, i) => checkResult(x, CASES[i][2], 5));
  });

  // An angry letter with a polite opening and closing, 219 tokens: two windows of the shipped model, so it is read by
  // its sentences (a text within one window is read whole). Read whole, the per-label maximum over windows let the
  // closing's optimism (0.87) headline it as joy / positive; read as a document of sentences it is an angry letter.
  // (A purely factual ultimatum, "If the boiler is not repaired by Friday, I will call the housing inspector and
  // withhold the rent", is read neutral by the model itself, 0.62: this one says its anger in words.)
  const ULTIMATUM =
    'This is outrageous, and if the boiler is not fixed by Friday I will call the housing inspector and withhold the rent.';
  const LETTER = [
    'Dear Mr. Harlow,',
    'I am writing, again, about the heating in flat 4B, which has been broken since the second of November.',
    'I have reported it to your office three times by phone and twice by email. Every time I was promised a repair within the week, and every time nobody came. Frankly, I am fed up with being ignored.',
    'For five weeks my children have slept in their coats while the mould spreads across the bedroom wall. It is disgusting, and it is completely unacceptable. I am furious that you keep making excuses while we live like this.',
    'When I called on Monday, your assistant told me to buy an electric heater and hung up on me. That was insulting, after four years of paying the rent on time every single month.',
    ULTIMATUM,
    'I am still hoping we can sort this out.',
    'Yours sincerely,\nDana Okafor',
  ].join('\n\n');

  it('a landlord letter: an angry headline, the ultimatum among the strongest sentences, "Dear Mr. Harlow," whole', async () => {
    const r = (await server.client.callTool({
      name: 'analyze_emotion',
      arguments: { text: LETTER, granularity: 'sentence' },
    })) as CallResult;
    expect(r.isError ?? false).toBe(false);
    const x = r.structuredContent!.results[0];
    expect(x.aggregation).toBe('sentences'); // longer than one window
    // a short text of several sentences is read whole, and granularity "sentence" gives it the block too
    const short = (await server.client.callTool({
      name: 'analyze_emotion',
      arguments: { text: 'I am furious. I am still hoping we can sort this out.', granularity: 'sentence' },
    })) as CallResult;
    expect(short.structuredContent!.results[0]).toMatchObject({
      aggregation: 'one_window',
      document: { sentences: 2 },
    });
    expect(['anger', 'disgust']).toContain(x.ekman.dominant);
    expect(x.sentiment.label).toBe('negative');
    const at = LETTER.indexOf(ULTIMATUM);
    const strongest = [
      x.document.strongest.ekman.anger,
      x.document.strongest.ekman.disgust,
      x.document.strongest.sentiment.negative,
    ];
    expect(strongest).toContainEqual(expect.objectContaining({ start: at, end: at + ULTIMATUM.length }));
    const texts = x.sentences.map((s: { text: string }) => s.text);
    expect(texts).toContain('Dear Mr. Harlow,');
    expect(texts.some((t: string) => t.endsWith('Mr.'))).toBe(false);
    expect(x.document.sentences).toBe(texts.length);
  });

  CASES.forEach(([text, expected], i) => {
    const run = KNOWN_MISSES.has(text) ? it.fails : it;
    run(`${expected}: ${text}`, () => {
      expect({ dominant: results[i].ekman.dominant, scores: results[i].ekman.scores }).toMatchObject({
        dominant: expected,
      });
    });
  });
});
