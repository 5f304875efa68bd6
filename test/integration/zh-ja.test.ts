// Serving Chinese and Japanese with a v2-shaped model, over MCP with the built server: the fixture in
// test/fixtures/model-v2 (random weights, the eight v2 outputs, a manifest listing en, ko, zh, ja). The numbers are
// meaningless; what is tested is which fields a zh / ja result has, where they come from, and which tools refuse.
// The shipped model (en, ko) still refusing zh/ja is test/integration/language.test.ts.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPED_EKMAN, CPED_EMOTIONS, PLUTCHIK } from '../../src/core/labels.js';
import { ROOT, startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
}

const V2_DIR = resolve(ROOT, 'test/fixtures/model-v2');
const ZH = '我今天非常开心！';
const JA = '今日はとても楽しかったです。';
const ES = 'Hoy estoy muy feliz con mi familia.';
const v2Manifest = JSON.parse(readFileSync(join(V2_DIR, 'manifest.json'), 'utf8')).models[0];
const GOEMOTIONS: string[] = v2Manifest.outputs.goemotions_logits.labels;

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe('zh and ja over MCP with a v2-shaped model (fixture)', () => {
  let server: RunningServer;
  let data: string;
  const call = async (name: string, args: Record<string, unknown>): Promise<CallResult> =>
    (await server.client.callTool({ name, arguments: args })) as CallResult;

  beforeAll(async () => {
    data = realpathSync(mkdtempSync(join(tmpdir(), 'rh-zhja-')));
    server = await startServer({
      env: {
        RED_HEART_MODELS_DIR: V2_DIR,
        RED_HEART_PROVIDER: 'cpu',
        RED_HEART_THREADS: '1',
        RED_HEART_DATA_DIRS: data,
      },
    });
    // the client checks every structuredContent against the tool's output schema once it has listed the tools
    await server.client.listTools();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(data, { recursive: true, force: true });
  });

  it('status lists the languages of the manifest, before and after the model loads', async () => {
    const status = async () =>
      JSON.parse(
        ((await server.client.readResource({ uri: 'red-heart://status' })).contents[0] as { text: string }).text,
      );
    const before = await status();
    expect(before.engine.available_models.map((m: { languages: string[] }) => m.languages)).toEqual([
      ['en', 'ko', 'zh', 'ja'],
    ]);
    await call('analyze_emotion', { text: 'i am so happy' });
    expect((await status()).engine.model.languages).toEqual(['en', 'ko', 'zh', 'ja']);
  });

  it('a batch of zh, ja and es: two results and one unsupported_language error', async () => {
    const r = await call('analyze_emotion', { texts: [ZH, JA, ES] });
    expect(r.isError ?? false).toBe(false);
    const [zh, ja, es] = r.structuredContent!.results as Array<Record<string, any>>;

    // zh: the CPED heads, Ekman from CPED, Plutchik from XED, V/A from the shared EmoBank head (marked as transfer)
    expect(zh).toMatchObject({
      language: 'zh',
      language_confidence: 1,
      taxonomy: 'cped',
      transfer: ['sentiment.positive_probability', 'valence', 'arousal'],
    });
    expect(zh.labels).toHaveLength(5);
    for (const l of zh.labels) expect(CPED_EMOTIONS).toContain(l.label);
    expect(zh.detected).toEqual([{ label: zh.dominant.label, score: zh.dominant.score, rule: 'argmax' }]);
    expect(zh.ekman.sources).toEqual(['cped']);
    expect(zh.ekman.unmapped).toBeGreaterThan(0);
    expect(sum(Object.values(zh.ekman.scores))).toBeCloseTo(1, 3);
    expect(Object.keys(zh.sentiment.scores)).toEqual(['negative', 'neutral', 'positive']);
    expect(sum(Object.values(zh.sentiment.scores))).toBeCloseTo(1, 3);
    expect(zh.sentiment.score).toBe(Math.max(...(Object.values(zh.sentiment.scores) as number[])));
    expect(Object.keys(zh.plutchik.scores)).toEqual([...PLUTCHIK]);
    expect(zh.plutchik.source).toBe('xed');
    expect(zh).not.toHaveProperty('cultural');

    // ja: the shared heads by transfer (GoEmotions → Ekman as for English), every emotion field marked
    expect(ja).toMatchObject({
      language: 'ja',
      taxonomy: 'goemotions',
      transfer: ['labels', 'detected', 'dominant', 'ekman', 'sentiment', 'valence', 'arousal'],
    });
    expect(ja.ekman.sources).toEqual(['goemotions']);
    expect(GOEMOTIONS).toContain(ja.dominant.label);
    expect(Object.keys(ja.sentiment.scores).sort()).toEqual(['ambiguous', 'negative', 'neutral', 'positive']);
    expect(ja).not.toHaveProperty('cultural');
    expect(ja).not.toHaveProperty('plutchik');
    expect(ja.ekman).not.toHaveProperty('unmapped');

    expect(es.error).toMatchObject({
      code: 'unsupported_language',
      detected: 'es',
      supported: ['en', 'ko', 'zh', 'ja'],
    });
    expect(r.content[0].text).toMatch(/ja: .*cross-lingual transfer/);
  });

  it('an English result is unchanged in shape (cultural indices, no transfer)', async () => {
    const r = await call('analyze_emotion', { text: 'i am so happy' });
    const en = r.structuredContent!.results[0];
    expect(en).toMatchObject({ language: 'en', taxonomy: 'goemotions' });
    expect(en).toHaveProperty('cultural');
    expect(en).not.toHaveProperty('transfer');
    expect(en).not.toHaveProperty('plutchik');
  });

  it('detail summary and full, sentences and explanations for zh and ja', async () => {
    const summary = await call('analyze_emotion', { texts: [ZH, JA], detail: 'summary' });
    const [zs, js] = summary.structuredContent!.results;
    expect(Object.keys(zs)).toEqual([
      'language',
      'transfer',
      'dominant',
      'ekman_dominant',
      'sentiment',
      'valence',
      'arousal',
    ]);
    expect(zs.transfer).toEqual(['valence', 'arousal']);
    expect(js.transfer).toEqual(['dominant', 'ekman_dominant', 'sentiment', 'valence', 'arousal']);

    const full = await call('analyze_emotion', { texts: [ZH, JA], detail: 'full' });
    const [zf, jf] = full.structuredContent!.results;
    expect(zf.all_labels.cped.map((l: { label: string }) => l.label)).toEqual(
      v2Manifest.outputs.cped_emotion_logits.labels,
    );
    expect(zf.all_labels.cped[0]).not.toHaveProperty('threshold');
    expect(Object.keys(jf.all_labels)).toEqual(['goemotions']);

    const given = await call('analyze_emotion', { text: ZH, threshold: 0.05, detail: 'full' });
    const g = given.structuredContent!.results[0];
    expect(g.detected.length).toBeGreaterThan(0);
    for (const d of g.detected) expect(d).toMatchObject({ threshold: 0.05 });
    expect(g.all_labels.cped[0].threshold).toBe(0.05);

    const sent = await call('analyze_emotion', { text: `${ZH}${ZH}`, granularity: 'sentence', explain: true });
    expect(sent.isError ?? false).toBe(false);
    const s = sent.structuredContent!.results[0];
    expect(s.sentences.map((x: { text: string }) => x.text)).toEqual([ZH, ZH]);
    expect(s.sentences[0]).toMatchObject({ language: 'zh', taxonomy: 'cped' });
    expect(s.explanation.labels).toHaveLength(3);
    for (const l of s.explanation.labels) expect(CPED_EMOTIONS).toContain(l.label);
    const jaExplained = await call('analyze_emotion', { text: JA, explain: true });
    for (const l of jaExplained.structuredContent!.results[0].explanation.labels) expect(GOEMOTIONS).toContain(l.label);
  });

  it('language "zh" named: read as Chinese, language_confidence null', async () => {
    const r = await call('analyze_emotion', { text: ZH, language: 'zh' });
    expect(r.structuredContent!.results[0]).toMatchObject({
      language: 'zh',
      language_confidence: null,
      taxonomy: 'cped',
    });
  });

  it('full_analysis of zh and ja: the emotion section and the integration run; bentham and regret refuse with the reason', async () => {
    for (const [text, lang] of [
      [ZH, 'zh'],
      [JA, 'ja'],
    ] as const) {
      const r = await call('full_analysis', { text });
      expect(r.isError ?? false).toBe(false);
      const out = r.structuredContent!;
      expect(out.language).toBe(lang);
      expect(out.sections.emotion.results[0].language).toBe(lang);
      for (const section of ['bentham', 'regret']) {
        expect(out.sections[section].error.code, section).toBe('unsupported_language');
        expect(out.sections[section].error.message).toMatch(
          new RegExp(`${lang} .*trained on English and Korean only.*here: en, ko`),
        );
      }
      expect(out.integrated.overall_sentiment.value).toEqual(expect.any(Number));
    }
    const summary = await call('full_analysis', { text: JA, detail: 'summary', sections: ['emotion'] });
    expect(summary.structuredContent!.sections.emotion.results[0].transfer).toEqual([
      'dominant',
      'ekman_dominant',
      'sentiment',
      'valence',
      'arousal',
    ]);
  });

  it('bentham_score, regret_forecast and analyze_conversation refuse zh/ja texts, naming the text and why', async () => {
    const b = await call('bentham_score', { scenario: ZH });
    expect(b.isError).toBe(true);
    expect(b.content[0].text).toMatch(
      /^unsupported_language: scenario: the text is zh .*the model reads it, but .*English and Korean only/,
    );
    const g = await call('regret_forecast', { decision: JA });
    expect(g.isError).toBe(true);
    expect(g.content[0].text).toMatch(/^unsupported_language: decision: the text is ja/);
    const c = await call('analyze_conversation', {
      turns: [
        { speaker: 'a', text: 'i am so happy' },
        { speaker: 'b', text: ZH },
      ],
    });
    expect(c.isError).toBe(true);
    expect(c.content[0].text).toMatch(
      /^unsupported_language: turns\[1\]\.text: the text is zh .*valence bins and state are defined for English and Korean only/,
    );
  });

  it('analyze_corpus reads zh and ja rows and skips the Spanish one', async () => {
    const file = join(data, 'mixed.txt');
    writeFileSync(file, [ZH, JA, ES, 'i am so happy', ZH].join('\n') + '\n');
    const r = await call('analyze_corpus', { path: file, detail: 'full' });
    expect(r.isError ?? false, r.content[0]?.text).toBe(false);
    const out = r.structuredContent!;
    expect(out.rows).toMatchObject({ read: 5, analysed: 4, skipped: { unsupported_language: 1 } });
    expect(out.summary.overall.languages).toEqual({ en: 1, ko: 0, zh: 2, ja: 1 });
    // zh rows: the argmax CPED label is "detected" once per row
    expect(sum(out.summary.overall.labels.cped.map((s: { count: number }) => s.count))).toBe(2);
    const rows = readFileSync(out.files.rows_jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const zhRow = rows.find((x) => x.language === 'zh');
    expect(Object.keys(zhRow.scores)).toEqual(v2Manifest.outputs.cped_emotion_logits.labels);
    expect(Object.keys(zhRow.sentiment_scores)).toEqual(['negative', 'neutral', 'positive']);
    expect(
      rows.find((x) => x.language === 'ja').detected.every((d: { label: string }) => GOEMOTIONS.includes(d.label)),
    ).toBe(true);
  });
});

describe('the CPED → Ekman mapping covers the manifest labels', () => {
  it('every CPED label of the v2 manifest is in exactly one Ekman group or unmapped', () => {
    const labels: string[] = v2Manifest.outputs.cped_emotion_logits.labels;
    expect([...labels].sort()).toEqual([...CPED_EMOTIONS].sort());
    const grouped = Object.values(CPED_EKMAN).flat();
    expect(new Set(grouped).size).toBe(grouped.length);
  });
});
