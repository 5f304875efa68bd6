// A head no code knows, served end to end by its manifest entry and one presenter: the extra-head fixture
// (make_extra_head_fixture.py) adds an ONNX output `toxicity_logits` and lists it in the manifest as a multi-label
// head. Decoding, window aggregation, warm-up and ensemble fusion come from its kind; the values reach a tool
// through the reading pipeline in `analysis.heads`, and the presenter below is the only code written for it.
import { join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadInfo } from '../../src/core/heads.js';
import type { ModelInfo, TextAnalysis } from '../../src/core/model.js';
import { EnsembleTextEngine } from '../../src/engine/ensemble-engine.js';
import { resolveModel, resolveSelection } from '../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../src/engine/onnx-engine.js';
import { readAll } from '../../src/tools/reading/pipeline.js';
import { toolContext } from '../helpers/tool-context.js';
import { FIXTURE_DIR, TEST_ENGINE_ON_MAIN } from './helpers.js';

const DIR = resolve(import.meta.dirname, '../fixtures/extra-head');
const load = (dir: string, id: string) => OnnxTextEngine.load(resolveModel(dir, undefined, id), TEST_ENGINE_ON_MAIN);

/** The one presenter: the head's labels with their probabilities, and those at or over the head's thresholds. */
function presentToxicity(a: TextAnalysis, model: ModelInfo) {
  const head = model.heads?.find((h) => h.name === 'toxicity_logits') as HeadInfo;
  const p = a.heads?.toxicity_logits as Float32Array;
  return {
    scores: Object.fromEntries(head.labels.map((l, i) => [l, p[i]])),
    detected: head.labels.filter((_, i) => p[i] >= head.thresholds![i]),
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('a head added by its manifest entry', () => {
  let engine: OnnxTextEngine;
  let tiny: OnnxTextEngine;
  let raw: ort.InferenceSession;
  beforeAll(async () => {
    [engine, tiny] = await Promise.all([load(DIR, 'fixture-extra'), load(FIXTURE_DIR, 'fixture-tiny')]);
    raw = await ort.InferenceSession.create(join(DIR, 'extra.onnx'));
  });
  afterAll(async () => {
    await Promise.all([engine?.close(), tiny?.close(), raw?.release()]);
  });

  /** The head's raw logits for one window, from ONNX Runtime directly. */
  async function logits(ids: number[]): Promise<number[]> {
    const t = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
    const out = await raw.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)) });
    return Array.from(out.toxicity_logits.data as Float32Array);
  }

  it('is listed with its kind, labels, thresholds and languages', () => {
    expect(engine.model.heads?.map((h) => h.name)).toEqual([
      'goemotions_logits',
      'kote_logits',
      'polarity_logits',
      'utility',
      'vad',
      'toxicity_logits',
    ]);
    expect(engine.model.heads?.at(-1)).toEqual({
      name: 'toxicity_logits',
      kind: 'multi-label',
      labels: ['toxic', 'insult'],
      thresholds: [0.5, 0.6],
      languages: ['en'],
    });
  });

  it('one window: the sigmoid of the raw logits; the five usual heads are those of the same weights without it', async () => {
    const text = 'i am so angry';
    const [a] = await engine.analyze([text]);
    const [ids] = engine.windowIds(text);
    const want = (await logits(ids)).map(sigmoid);
    want.forEach((p, i) => expect((a.heads!.toxicity_logits as Float32Array)[i]).toBeCloseTo(p, 6));
    const [b] = await tiny.analyze([text]);
    expect(Array.from(a.goemotions)).toEqual(Array.from(b.goemotions));
    expect([a.positive, a.utility, ...a.vad]).toEqual([b.positive, b.utility, ...b.vad]);
  });

  it('several windows: the per-label maximum over windows (a multi-label head)', async () => {
    const text = 'i am so happy . this movie was terrible and i hate it . thank you , what a great day ! '.repeat(2);
    const [a] = await engine.analyze([text]);
    const windows = engine.windowIds(text);
    expect(a.chunks).toBeGreaterThan(1);
    const per = await Promise.all(windows.map(async (ids) => (await logits(ids)).map(sigmoid)));
    [0, 1].forEach((i) =>
      expect((a.heads!.toxicity_logits as Float32Array)[i]).toBeCloseTo(Math.max(...per.map((p) => p[i])), 6),
    );
  });

  it('reaches a tool through the reading pipeline and is shown by its presenter', async () => {
    const {
      readings: [r],
      reader,
    } = await readAll(toolContext(engine), [{ name: 'text', text: 'you are terrible' }], { language: 'en' });
    const shown = presentToxicity(r.analysis, reader.model);
    const [ids] = engine.windowIds('you are terrible');
    const p = (await logits(ids)).map(sigmoid);
    expect(shown.scores.toxic).toBeCloseTo(p[0], 6);
    expect(shown.scores.insult).toBeCloseTo(p[1], 6);
    expect(shown.detected).toEqual(['toxic', 'insult'].filter((_, i) => p[i] >= [0.5, 0.6][i]));
  });

  it("an ensemble fuses it with its weights, and lists it with the ensemble's thresholds", async () => {
    const sel = resolveSelection(DIR, undefined, 'fixture-extra-ensemble');
    if (sel.kind !== 'ensemble') throw new Error('expected the ensemble');
    const ens = await EnsembleTextEngine.load(sel.ensemble, TEST_ENGINE_ON_MAIN);
    try {
      const text = 'what a great day';
      const {
        fused: [f],
        members: [[a], [b]],
      } = await ens.analyzeWithMembers([text]);
      const fa = a.heads!.toxicity_logits as Float32Array;
      const fb = b.heads!.toxicity_logits as Float32Array;
      [0, 1].forEach((i) =>
        expect((f.heads!.toxicity_logits as Float32Array)[i]).toBeCloseTo(0.25 * fa[i] + 0.75 * fb[i], 6),
      );
      expect(Array.from(fa)).not.toEqual(Array.from(fb));
      expect(ens.model.heads?.find((h) => h.name === 'toxicity_logits')?.thresholds).toEqual([0.4, 0.45]);
    } finally {
      await ens.close();
    }
  });
});
