// The reading pipeline: one outcome per text, the language decided once and carried into the engine, refusals per
// text or for the whole call. The fake engine records what it was asked; the fixture engine shows that a decided
// language is taken as given (the engine decides nothing again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../../src/engine/onnx-engine.js';
import { admitTexts, decideTexts, readAll, readPlan } from '../../../src/tools/reading/pipeline.js';
import { TEXT_ESTIMATE_LANGUAGES } from '../../../src/tools/reading/languages.js';
import { FIXTURE_DIR, TEST_ENGINE_ON_MAIN } from '../../engine/helpers.js';
import { fakeEngine } from '../../helpers/fake-engine.js';
import { toolContext } from '../../helpers/tool-context.js';

const limits = { maxTextChars: 100, maxBatchTexts: 4 };
const named = (...texts: string[]) => texts.map((text, i) => ({ name: `text ${i}`, text }));

describe('reading texts through the pipeline', () => {
  it('each text ends with exactly one outcome, in order; only the decided texts reach the engine, once, with their decisions', async () => {
    const e = fakeEngine(() => ({ go: { joy: 0.9 } }));
    const ctx = toolContext(e);
    const plan = await decideTexts(
      ctx,
      admitTexts(
        named('I am so happy today', ' \u200B ', 'Ça va très bien, merci beaucoup', '정말 행복해요'),
        limits,
        'item',
      ),
    );
    const outcomes = await readPlan(plan, ctx.signal);
    expect(outcomes.map((o) => ('ok' in o ? `ok ${o.ok.name}` : `${o.error.code}`))).toEqual([
      'ok text 0',
      'empty_text',
      'unsupported_language',
      'ok text 3',
    ]);
    expect(e.calls).toEqual([['I am so happy today', '정말 행복해요']]);
    expect(e.options[0].decided?.map((d) => d.language)).toEqual(['en', 'ko']);
    expect(e.options[0].decided?.every((d) => typeof d.confidence === 'number')).toBe(true);
  });

  it("'call': the first refusal fails the call, naming its text, before the engine runs", async () => {
    const e = fakeEngine(() => ({}));
    await expect(readAll(toolContext(e), named('fine', '   '))).rejects.toMatchObject({
      code: 'empty_text',
      message: expect.stringMatching(/^text 1 is empty/),
    });
    await expect(
      readAll(toolContext(e), [{ name: 'scenario', text: '你好，今天天气很好，我们去公园散步吧' }], {
        only: TEXT_ESTIMATE_LANGUAGES,
      }),
    ).rejects.toMatchObject({
      code: 'unsupported_language',
      message: expect.stringMatching(/^scenario: /),
    });
    expect(e.calls).toEqual([]);
  });

  it('a named language is carried as given (confidence null); one the model does not read fails the call', async () => {
    const e = fakeEngine(() => ({}));
    const { readings } = await readAll(toolContext(e), named('hello there'), { language: 'ko' });
    expect(readings).toHaveLength(1);
    expect(e.options[0].decided).toEqual([{ language: 'ko', confidence: null }]);
    await expect(readAll(toolContext(e), named('hello there'), { language: 'zh' })).rejects.toMatchObject({
      code: 'unsupported_language',
      message: expect.stringMatching(/^language 'zh' was requested/),
    });
  });
});

describe('the engine reads a text as decided', () => {
  let engine: OnnxTextEngine;
  beforeAll(async () => {
    engine = await OnnxTextEngine.load(resolveModel(FIXTURE_DIR, undefined, undefined), TEST_ENGINE_ON_MAIN);
  });
  afterAll(async () => engine?.close());

  it('takes the decision without deciding again; without one it decides itself', async () => {
    const text = 'i am so happy';
    const [given] = await engine.analyze([text], { decided: [{ language: 'ko', confidence: 0.42 }] });
    expect([given.language, given.languageConfidence]).toEqual(['ko', 0.42]);
    const [own] = await engine.analyze([text]);
    expect(own.language).toBe('en');
    expect(Array.from(given.goemotions)).toEqual(Array.from(own.goemotions));
  });

  it('refuses a decision for a language the model does not read, and a decision count that does not match the texts', async () => {
    await expect(engine.analyze(['hi'], { decided: [{ language: 'zh', confidence: null }] })).rejects.toMatchObject({
      code: 'unsupported_language',
    });
    await expect(
      engine.analyze(['hi', 'there'], { decided: [{ language: 'en', confidence: null }] }),
    ).rejects.toMatchObject({ code: 'internal' });
  });
});
