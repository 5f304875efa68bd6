// Language handling over MCP with the shipped model: model 1.3.0 reads English and Korean; Chinese,
// Japanese and every other language are refused per item, naming the detected language and the supported ones.
// Skipped only when no real model is installed (models/manifest.json missing), like test/integration/emotion.test.ts.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './harness.js';
import { requirement } from '../helpers/require.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
  _meta?: Record<string, any>;
}

const REAL_DIR = process.env.RED_HEART_REAL_MODELS_DIR
  ? resolve(process.env.RED_HEART_REAL_MODELS_DIR)
  : resolve(ROOT, 'models');
const HAVE_MODEL =
  requirement(
    'language identification on the shipped model',
    existsSync(join(REAL_DIR, 'manifest.json')) ? null : `${join(REAL_DIR, 'manifest.json')} is not there`,
    'model',
  ) === null;

const TEXTS = {
  en: 'I am so happy today, this is the best day of my life!',
  ko: '오늘 정말 행복해요! 최고의 하루였어요.',
  zh: '我今天非常开心！',
  ja: '今日はとても楽しかったです。',
  es: 'Hoy estoy muy feliz con mi familia.',
  fr: 'Je suis très en colère contre mon voisin.',
};

describe.skipIf(!HAVE_MODEL)('language identification and refusal over MCP (shipped model)', () => {
  let server: RunningServer;
  const call = async (name: string, args: Record<string, unknown>): Promise<CallResult> =>
    (await server.client.callTool({ name, arguments: args })) as CallResult;
  beforeAll(async () => {
    server = await startServer({
      env: { RED_HEART_MODELS_DIR: REAL_DIR, RED_HEART_PROVIDER: 'cpu', RED_HEART_THREADS: '1' },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the status resource lists the languages the model reads', async () => {
    await call('analyze_emotion', { text: TEXTS.en }); // loads the model
    const res = await server.client.readResource({ uri: 'red-heart://status' });
    const status = JSON.parse((res.contents[0] as { text: string }).text);
    expect(status.engine.model.languages).toEqual(['en', 'ko']);
  });

  it('a batch of en, ko, zh, ja, es, fr: en and ko analysed, the others refused per item', async () => {
    const r = await call('analyze_emotion', { texts: Object.values(TEXTS) });
    expect(r.isError ?? false).toBe(false);
    const results = r.structuredContent!.results as Array<Record<string, any>>;
    expect(results).toHaveLength(6);
    expect(results[0]).toMatchObject({ language: 'en', taxonomy: 'goemotions' });
    expect(results[1]).toMatchObject({ language: 'ko', taxonomy: 'kote', language_confidence: 1 });
    expect(results[0].language_confidence).toBeGreaterThan(0.5);
    expect(results[0].language_confidence).toBeLessThanOrEqual(1);
    for (const [i, detected] of [
      [2, 'zh'],
      [3, 'ja'],
      [4, 'es'],
      [5, 'fr'],
    ] as const) {
      const e = results[i].error;
      expect(e, `item ${i}`).toMatchObject({ code: 'unsupported_language', detected, supported: ['en', 'ko'] });
      expect(e.confidence).toBeGreaterThan(0);
      expect(e.message).toContain(detected);
      expect(e.message).toContain('en, ko');
      expect(results[i]).not.toHaveProperty('labels');
    }
    expect(r.content.map((c) => c.text).join('\n')).toMatch(/unsupported_language/);
  });

  it('one unsupported text is an error result naming the detected and supported languages', async () => {
    const r = await call('analyze_emotion', { text: TEXTS.es });
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toMatch(/^unsupported_language: .*es \(confidence 0\.\d\d\).*en, ko/);
  });

  it('a named language the model does not read is refused; a named one it reads has language_confidence null', async () => {
    const zh = await call('analyze_emotion', { text: TEXTS.zh, language: 'zh' });
    expect(zh.isError).toBe(true);
    expect(zh.content[0].text).toMatch(/^unsupported_language: .*'zh'.*en, ko/);
    const ko = await call('analyze_emotion', { text: TEXTS.ko, language: 'ko' });
    expect(ko.isError ?? false).toBe(false);
    expect(ko.structuredContent!.results[0]).toMatchObject({ language: 'ko', language_confidence: null });
  });

  it('full_analysis of a Japanese text: the text sections are refused with unsupported_language', async () => {
    const r = await call('full_analysis', { text: TEXTS.ja });
    const emotion = r.structuredContent?.sections?.emotion;
    expect(emotion?.error?.code).toBe('unsupported_language');
    expect(emotion?.error?.message).toContain('ja');
  });

  it('bentham_score on a French scenario is refused, not read as English', async () => {
    const r = await call('bentham_score', { scenario: TEXTS.fr });
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toMatch(/^unsupported_language: .*fr/);
  });
});
