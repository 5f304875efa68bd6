// The zh heads of a v2 model in the manifest and the engine: schema rules (zh needs the three zh outputs,
// CPED labels must be the 13), decoding (softmax / sigmoid of the raw ONNX logits, checked against ONNX Runtime run
// directly on the same ids) and aggregation over windows (weighted mean for the softmax heads, max for XED).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineLoadError } from '../../src/engine/errors.js';
import { readManifest, resolveModel } from '../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../src/engine/onnx-engine.js';
import { EnsembleTextEngine } from '../../src/engine/ensemble-engine.js';
import { resolveSelection } from '../../src/engine/manifest.js';
import { fuseAnalyses, type FusionWeights } from '../../src/engine/fusion.js';
import type { TextAnalysis } from '../../src/core/model.js';
import { editManifest, FIXTURE_DIR, FIXTURE_V2_DIR, fixtureCopy, TEST_ENGINE, TEST_ENGINE_ON_MAIN } from './helpers.js';

const load = async (dir: string) => OnnxTextEngine.load(resolveModel(dir, undefined, undefined), TEST_ENGINE_ON_MAIN);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const copy = (edit: (m: any) => void, from = FIXTURE_V2_DIR) => {
  const d = fixtureCopy((dir) => editManifest(dir, (m) => edit(m.models[0])), from);
  dirs.push(d);
  return d;
};

describe('manifest: languages and the zh outputs', () => {
  it('the v2 fixture lists en, ko, zh, ja and the three zh outputs; a manifest without languages means en, ko', () => {
    const v2 = readManifest(FIXTURE_V2_DIR)!.manifest.models[0];
    expect(v2.languages).toEqual(['en', 'ko', 'zh', 'ja']);
    expect(Object.keys(v2.outputs)).toEqual([
      'goemotions_logits',
      'kote_logits',
      'polarity_logits',
      'utility',
      'vad',
      'cped_emotion_logits',
      'cped_sentiment_logits',
      'xed_logits',
    ]);
    expect(readManifest(FIXTURE_DIR)!.manifest.models[0].languages).toEqual(['en', 'ko']);
  });

  it('zh listed without the zh outputs is a load-time error naming the missing outputs', async () => {
    const dir = copy((m) => {
      delete m.outputs.cped_emotion_logits;
      delete m.outputs.xed_logits;
    });
    const err = await load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(EngineLoadError);
    expect(err.kind).toBe('manifest_invalid');
    expect(err.message).toMatch(/languages lists zh, but the outputs cped_emotion_logits, xed_logits are missing/);
  });

  it('ja alone needs no zh output; a language listed twice, an unknown code, or wrong CPED labels are refused', () => {
    expect(
      readManifest(
        copy((m) => {
          m.languages = ['en', 'ja'];
          delete m.outputs.cped_emotion_logits;
          delete m.outputs.cped_sentiment_logits;
          delete m.outputs.xed_logits;
        }),
      )!.manifest.models[0].languages,
    ).toEqual(['en', 'ja']);
    expect(() => readManifest(copy((m) => (m.languages = ['en', 'en'])))).toThrow(/listed twice/);
    expect(() => readManifest(copy((m) => (m.languages = ['en', 'es'])))).toThrow(/languages/);
    expect(() => readManifest(copy((m) => (m.outputs.cped_emotion_logits.labels[0] = 'joyful')))).toThrow(
      /missing: happy; unknown: joyful/,
    );
    expect(() => readManifest(copy((m) => (m.outputs.xed_logits.labels = ['joy'])))).toThrow(/xed_logits/);
  });

  it('zh outputs in the manifest that the ONNX graph lacks: model_invalid naming them', async () => {
    const v2 = JSON.parse(readFileSync(join(FIXTURE_V2_DIR, 'manifest.json'), 'utf8')).models[0];
    const dir = copy((m) => {
      m.languages = ['en', 'ko', 'zh'];
      for (const o of ['cped_emotion_logits', 'cped_sentiment_logits', 'xed_logits']) m.outputs[o] = v2.outputs[o];
    }, FIXTURE_DIR);
    const err = await load(dir).catch((e) => e);
    expect(err.kind).toBe('model_invalid');
    expect(err.message).toMatch(/missing outputs \[cped_emotion_logits, cped_sentiment_logits, xed_logits\]/);
  });
});

describe('engine: decoding and aggregating the zh heads', () => {
  let engine: OnnxTextEngine;
  let raw: ort.InferenceSession;
  beforeAll(async () => {
    engine = await load(FIXTURE_V2_DIR);
    raw = await ort.InferenceSession.create(join(FIXTURE_V2_DIR, 'fixture-v2.onnx'));
  });
  afterAll(async () => {
    await engine.close();
    await raw.release();
  });

  /** The raw logits of one window, from ONNX Runtime directly. */
  async function logits(ids: number[]): Promise<Record<string, number[]>> {
    const t = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
    const out = await raw.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
  }
  const softmax = (xs: number[]) => {
    const e = xs.map((x) => Math.exp(x));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  };

  it('one window: CPED heads are the softmax, XED the sigmoid of the raw logits', async () => {
    const text = '我今天非常开心！';
    const [a] = await engine.analyze([text]);
    expect(a.language).toBe('zh');
    const [ids] = engine.windowIds(text);
    const l = await logits(ids);
    softmax(l.cped_emotion_logits).forEach((p, i) => expect(a.cpedEmotion![i]).toBeCloseTo(p, 6));
    softmax(l.cped_sentiment_logits).forEach((p, i) => expect(a.cpedSentiment![i]).toBeCloseTo(p, 6));
    l.xed_logits.forEach((x, i) => expect(a.xed![i]).toBeCloseTo(1 / (1 + Math.exp(-x)), 6));
    expect(engine.model.labels.cpedSentiment).toEqual(['negative', 'neutral', 'positive']);
  });

  it('several windows: token-weighted mean of the CPED distributions, per-label max of XED', async () => {
    const text = '我今天非常开心！今日はとても楽しかったです。我今天非常开心！'; // 8 + 14 + 8 tokens > one window of 14
    const [a] = await engine.analyze([text], { language: 'zh' });
    const windows = engine.windowIds(text);
    expect(windows.length).toBeGreaterThan(1);
    expect(a.chunks).toBe(windows.length);
    const per = await Promise.all(windows.map(logits));
    const w = windows.map((ids) => ids.length - 2); // content tokens per window (without <s> </s>)
    const W = w.reduce((s, x) => s + x, 0);
    const mean = (k: string) =>
      softmax(per[0][k]).map((_, i) => per.reduce((s, l, j) => s + w[j] * softmax(l[k])[i], 0) / W);
    mean('cped_emotion_logits').forEach((p, i) => expect(a.cpedEmotion![i]).toBeCloseTo(p, 6));
    mean('cped_sentiment_logits').forEach((p, i) => expect(a.cpedSentiment![i]).toBeCloseTo(p, 6));
    per[0].xed_logits.forEach((_, i) =>
      expect(a.xed![i]).toBeCloseTo(Math.max(...per.map((l) => 1 / (1 + Math.exp(-l.xed_logits[i])))), 6),
    );
    expect(a.cpedEmotion!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
  });

  it('a v1 model gives no zh head outputs', async () => {
    const v1 = await load(FIXTURE_DIR);
    const [a] = await v1.analyze(['i am so happy']);
    expect(a.cpedEmotion).toBeUndefined();
    expect(a.xed).toBeUndefined();
    expect(v1.model.labels.cpedEmotion).toBeUndefined();
    await v1.close();
  });
});

describe('an ensemble of v2 members', () => {
  it("fusion, by hand: the zh heads are weighted means of the members' probabilities", () => {
    const base = {
      language: 'zh',
      languageConfidence: 1,
      tokens: 1,
      unknownTokens: 0,
      contentTokens: 1,
      chunks: 1,
      truncated: false,
      goemotions: new Float32Array(1),
      kote: new Float32Array(1),
      positive: 0.5,
      utility: 0,
      vad: [3, 3, 3],
    } as TextAnalysis;
    const a = {
      ...base,
      cpedEmotion: Float32Array.from([0.25, 0.75]),
      cpedSentiment: Float32Array.from([1, 0, 0]),
      xed: Float32Array.from([0.5]),
    };
    const b = {
      ...base,
      cpedEmotion: Float32Array.from([0.75, 0.25]),
      cpedSentiment: Float32Array.from([0, 0, 1]),
      xed: Float32Array.from([0.25]),
    };
    const one = [0.5, 0.5];
    const w: FusionWeights = {
      goemotions_logits: one,
      kote_logits: one,
      polarity_logits: one,
      utility: one,
      vad: one,
      cped_emotion_logits: [0.25, 0.75],
      cped_sentiment_logits: [0.5, 0.5],
      xed_logits: [1, 0],
    };
    const f = fuseAnalyses([a, b], w, { language: 'zh', languageConfidence: 1 });
    expect(Array.from(f.cpedEmotion!)).toEqual([0.625, 0.375]); // 0.25·0.25 + 0.75·0.75, 0.25·0.75 + 0.75·0.25
    expect(Array.from(f.cpedSentiment!)).toEqual([0.5, 0, 0.5]);
    expect(Array.from(f.xed!)).toEqual([0.5]);
    const { cped_emotion_logits: _e, cped_sentiment_logits: _s, xed_logits: _x, ...v1 } = w;
    expect(fuseAnalyses([a, b], v1, { language: 'en', languageConfidence: 1 }).cpedEmotion).toBeUndefined();
  });

  it('an ensemble of v2 members serves zh and fuses its heads (wiring; the members here are the same file)', async () => {
    const ens = JSON.parse(readFileSync(join(FIXTURE_V2_DIR, '../ensemble/manifest.json'), 'utf8')).ensembles[0];
    const w = { cped_emotion_logits: [0.3, 0.7], cped_sentiment_logits: [0.6, 0.4], xed_logits: [0.5, 0.5] };
    const dir = fixtureCopy(
      (d) =>
        editManifest(d, (m) => {
          // member b: the same files under another id (the arithmetic is checked by hand above)
          m.models.push({ ...m.models[0], id: 'fixture-v2-b' });
          m.ensembles = [
            { ...ens, id: 'v2-pair', members: ['fixture-v2', 'fixture-v2-b'], weights: { ...ens.weights, ...w } },
          ];
        }),
      FIXTURE_V2_DIR,
    );
    dirs.push(dir);
    const sel = resolveSelection(dir, undefined, 'v2-pair');
    if (sel.kind !== 'ensemble') throw new Error('expected an ensemble');
    const engine = await EnsembleTextEngine.load(sel.ensemble, TEST_ENGINE);
    expect(engine.model.languages).toEqual(['en', 'ko', 'zh', 'ja']);
    expect(engine.model.labels.cpedEmotion).toHaveLength(13);
    const text = '我今天非常开心！';
    const {
      fused: [f],
      members: [[a], [b]],
    } = await engine.analyzeWithMembers([text]);
    for (const [k, head] of [
      ['cpedEmotion', 'cped_emotion_logits'],
      ['cpedSentiment', 'cped_sentiment_logits'],
      ['xed', 'xed_logits'],
    ] as const) {
      const ws = w[head];
      f[k]!.forEach((x, i) => expect(x).toBeCloseTo((ws[0] * a[k]![i] + ws[1] * b[k]![i]) / (ws[0] + ws[1]), 6));
    }
    await engine.close();
  });

  it('an ensemble without weights for the zh heads of its members is refused when the manifest is read', () => {
    const ens = JSON.parse(readFileSync(join(FIXTURE_V2_DIR, '../ensemble/manifest.json'), 'utf8')).ensembles[0];
    const dir = fixtureCopy(
      (d) =>
        editManifest(d, (m) => {
          m.models.push({ ...m.models[0], id: 'fixture-v2-b' });
          m.ensembles = [{ ...ens, id: 'v2-pair', members: ['fixture-v2', 'fixture-v2-b'] }];
        }),
      FIXTURE_V2_DIR,
    );
    dirs.push(dir);
    expect(() => resolveSelection(dir, undefined, 'v2-pair')).toThrow(
      /no fusion weights for head 'cped_emotion_logits'/,
    );
  });
});
