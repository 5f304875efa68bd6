// Ensembles (docs/engine.md, "Ensembles") on the fixture of test/fixtures/ensemble (make_ensemble_fixture.py):
// fixture-tiny and fixture-tiny-b have different tokenizers, max_length and weights. Expected fused values are
// computed here from each member run ALONE (its own engine) and the weights read from the manifest file.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextAnalysis } from '../../src/core/model.js';
import { EnsembleTextEngine } from '../../src/engine/ensemble-engine.js';
import { EngineLoadError } from '../../src/engine/errors.js';
import { fuseAnalyses } from '../../src/engine/fusion.js';
import { createEngineHandle } from '../../src/engine/handle.js';
import { resolveModel, resolveSelection, type ResolvedEnsemble } from '../../src/engine/manifest.js';
import { OnnxTextEngine } from '../../src/engine/onnx-engine.js';
import { countOnnxParameters } from '../../src/engine/onnx-params.js';
import { tuneThresholds } from '../../eval/metrics.js';
import { editManifest, silent, testConfig } from './helpers.js';

const ENSEMBLE_DIR = resolve(import.meta.dirname, '../fixtures/ensemble');
const MANIFEST = JSON.parse(readFileSync(join(ENSEMBLE_DIR, 'manifest.json'), 'utf8'));
const OPTS = { provider: 'cpu' as const, threads: 1, batchWindowMs: 2, maxBatch: 32, logger: silent };

const TEXTS = [
  'I am so happy',
  'this movie was terrible !',
  'i hate this day , you are furious',
  '나는 정말 행복해요',
  'wow',
  // 17 tokens: two windows for member A (14 per window), two for B (10 per window)
  'i am so very happy the day is good but i hate that movie it was terrible',
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A private copy of the ensemble fixture, with the manifest edited. */
function ensembleCopy(edit?: (m: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'rh-ensemble-'));
  cpSync(ENSEMBLE_DIR, dir, { recursive: true });
  if (edit) editManifest(dir, edit);
  dirs.push(dir);
  return dir;
}

function ensembleOf(dir: string, id?: string): ResolvedEnsemble {
  const sel = resolveSelection(dir, undefined, id);
  if (sel.kind !== 'ensemble') throw new Error('expected an ensemble');
  return sel.ensemble;
}

const member = (id: string, dir = ENSEMBLE_DIR) => OnnxTextEngine.load(resolveModel(dir, undefined, id), OPTS);

/** Σ w·x / Σ w, written out here (not the engine's code). */
function mix(xs: number[], w: number[]): number {
  return xs.reduce((s, x, k) => s + w[k] * x, 0) / w.reduce((a, b) => a + b, 0);
}

function expectFused(got: TextAnalysis, parts: TextAnalysis[], weights: Record<string, number[]>): void {
  for (let i = 0; i < got.goemotions.length; i++)
    expect(
      Math.abs(
        got.goemotions[i] -
          mix(
            parts.map((p) => p.goemotions[i]),
            weights.goemotions_logits,
          ),
      ),
    ).toBeLessThan(1e-6);
  for (let i = 0; i < got.kote.length; i++)
    expect(
      Math.abs(
        got.kote[i] -
          mix(
            parts.map((p) => p.kote[i]),
            weights.kote_logits,
          ),
      ),
    ).toBeLessThan(1e-6);
  expect(
    Math.abs(
      got.positive -
        mix(
          parts.map((p) => p.positive),
          weights.polarity_logits,
        ),
    ),
  ).toBeLessThan(1e-6);
  expect(
    Math.abs(
      got.utility -
        mix(
          parts.map((p) => p.utility),
          weights.utility,
        ),
    ),
  ).toBeLessThan(1e-6);
  for (let k = 0; k < 3; k++)
    expect(
      Math.abs(
        got.vad[k] -
          mix(
            parts.map((p) => p.vad[k]),
            weights.vad,
          ),
      ),
    ).toBeLessThan(1e-6);
}

describe('fusion arithmetic (hand-computed)', () => {
  const base = {
    language: 'en' as const,
    languageConfidence: 1,
    unknownTokens: 0,
    contentTokens: 3,
    chunks: 1,
    truncated: false,
    kote: Float32Array.of(0.5),
  };
  it('weighted mean of probabilities and of values; counts from the first member; truncated if any member was', () => {
    const a: TextAnalysis = {
      ...base,
      tokens: 3,
      goemotions: Float32Array.of(0.2, 0.8),
      positive: 0.9,
      utility: 2,
      vad: [1, 2, 3],
    };
    const b: TextAnalysis = {
      ...base,
      tokens: 5,
      chunks: 2,
      truncated: true,
      goemotions: Float32Array.of(0.6, 0.4),
      positive: 0.1,
      utility: -2,
      vad: [5, 4, 3],
    };
    const w = {
      goemotions_logits: [0.75, 0.25],
      kote_logits: [0.5, 0.5],
      polarity_logits: [0.25, 0.75],
      utility: [0.5, 0.5],
      vad: [1, 0],
    };
    const f = fuseAnalyses([a, b], w, { language: 'ko', languageConfidence: null });
    expect(f.goemotions[0]).toBeCloseTo(0.3, 7); // 0.75·0.2 + 0.25·0.6
    expect(f.goemotions[1]).toBeCloseTo(0.7, 7); // 0.75·0.8 + 0.25·0.4
    expect(f.positive).toBeCloseTo(0.3, 12); // 0.25·0.9 + 0.75·0.1
    expect(f.utility).toBe(0);
    expect(f.vad).toEqual([1, 2, 3]);
    expect(f).toMatchObject({ tokens: 3, chunks: 1, truncated: true, language: 'ko', languageConfidence: null });
  });
});

describe('ensemble engine on the fixture', () => {
  let ens: EnsembleTextEngine;
  let a: OnnxTextEngine;
  let b: OnnxTextEngine;
  beforeAll(async () => {
    [ens, a, b] = await Promise.all([
      EnsembleTextEngine.load(ensembleOf(ENSEMBLE_DIR), OPTS),
      member('fixture-tiny'),
      member('fixture-tiny-b'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ens?.close(), a?.close(), b?.close()]);
  });

  it("the directory default is the ensemble; model info is the ensemble's, with its own thresholds and the members' total parameters", () => {
    expect(resolveSelection(ENSEMBLE_DIR, undefined, undefined).kind).toBe('ensemble');
    const e = MANIFEST.ensembles[0];
    expect(ens.model).toMatchObject({ id: 'fixture-ensemble', version: '0.1.0', languages: ['en', 'ko'] });
    expect(ens.model.thresholds.goemotions).toEqual(e.thresholds.goemotions_logits);
    expect(ens.model.thresholds.kote).toEqual(e.thresholds.kote_logits);
    expect(ens.model.thresholds.goemotions).not.toEqual(a.model.thresholds.goemotions);
    expect(ens.model.thresholds.goemotions).not.toEqual(b.model.thresholds.goemotions);
    const counted = ['fixture.onnx', 'fixture_b.onnx'].map(
      (f) => countOnnxParameters(readFileSync(join(ENSEMBLE_DIR, f))).parameters,
    );
    expect(ens.model.parameters).toBe(counted[0] + counted[1]);
    expect(ens.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ens.model.sha256).not.toBe(a.model.sha256);
  });

  it('fused outputs are the weighted mean of each member run alone (1e-6), per head with its own weights', async () => {
    const [fused, pa, pb] = await Promise.all([ens.analyze(TEXTS), a.analyze(TEXTS), b.analyze(TEXTS)]);
    // the members really differ (else the test could not tell the weights apart)
    expect(Math.abs(pa[0].positive - pb[0].positive)).toBeGreaterThan(1e-3);
    expect(pa[0].tokens === pb[0].tokens && pa[5].chunks === pb[5].chunks && pa[3].tokens === pb[3].tokens).toBe(true); // same words, other ids
    TEXTS.forEach((_, i) => {
      expectFused(fused[i], [pa[i], pb[i]], MANIFEST.ensembles[0].weights);
      expect(fused[i].tokens).toBe(pa[i].tokens);
      expect(fused[i].language).toBe(pa[i].language);
    });
    expect(fused[5].chunks).toBe(2);
    // the windows it counts are the first member's, whose count a fused reading reports
    expect(ens.windows(TEXTS)).toEqual(fused.map((f) => f.chunks));
    expect(ens.windows(TEXTS)).toEqual(a.windows(TEXTS));
  });

  it('truncated is true when any member could not see the whole text', async () => {
    // 12 tokens: member A (14 per window) sees all, member B (10 per window) does not
    const text = 'i am so very happy the day is good but i hate';
    const [f] = await ens.analyze([text], { overflow: 'truncate' });
    const [ra] = await a.analyze([text], { overflow: 'truncate' });
    const [rb] = await b.analyze([text], { overflow: 'truncate' });
    expect([ra.truncated, rb.truncated]).toEqual([false, true]);
    expect(f.truncated).toBe(true);
    expectFused(f, [ra, rb], MANIFEST.ensembles[0].weights);
  });

  it('concurrent calls are micro-batched in every member and equal the one-call results', async () => {
    const before = ens.members.map((m) => m.batchStats().largestBatch);
    const together = await ens.analyze(TEXTS);
    const concurrent = (await Promise.all(TEXTS.map((t) => ens.analyze([t])))).map((r) => r[0]);
    TEXTS.forEach((_, i) => expect(Array.from(concurrent[i].goemotions)).toEqual(Array.from(together[i].goemotions)));
    for (const [k, m] of ens.members.entries())
      expect(Math.max(before[k], m.batchStats().largestBatch)).toBeGreaterThan(1);
  });

  it("cancellation: an aborted signal, and an abort while windows wait in the members' queues", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(ens.analyze(['wow'], { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    const later = new AbortController();
    const running = ens.analyze(TEXTS, { signal: later.signal });
    later.abort();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect(ens.members.every((m) => m.batchStats().cancelledItems > 0)).toBe(true);
    await expect(ens.analyze(['wow'])).resolves.toHaveLength(1);
  });

  it('a member failing on an input fails only that request', async () => {
    const results = await Promise.allSettled([
      ens.analyze(['I am so happy']),
      ens.analyze(['boom']),
      ens.analyze(['i hate this day']),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/Gather|out of/i); // member A has no row for "boom"
  });

  it('weights (1, 0) reproduce member A exactly', async () => {
    const dir = ensembleCopy((m) => {
      for (const head of Object.keys(m.ensembles[0].weights)) m.ensembles[0].weights[head] = [1, 0];
    });
    const only = await EnsembleTextEngine.load(ensembleOf(dir), OPTS);
    try {
      const [fused, pa] = await Promise.all([only.analyze(TEXTS), a.analyze(TEXTS)]);
      TEXTS.forEach((_, i) => {
        expect(Array.from(fused[i].goemotions)).toEqual(Array.from(pa[i].goemotions));
        expect(Array.from(fused[i].kote)).toEqual(Array.from(pa[i].kote));
        expect(fused[i].positive).toBe(pa[i].positive);
        expect(fused[i].utility).toBe(pa[i].utility);
        expect(fused[i].vad).toEqual(pa[i].vad);
        expect(fused[i].tokens).toBe(pa[i].tokens);
      });
    } finally {
      await only.close();
    }
  });

  it('reads only the languages every member reads', async () => {
    const dir = ensembleCopy((m) => (m.models[1].languages = ['en']));
    const en = await EnsembleTextEngine.load(ensembleOf(dir), OPTS);
    try {
      expect(en.model.languages).toEqual(['en']);
      await expect(en.analyze(['나는 정말 행복해요'])).rejects.toMatchObject({ code: 'unsupported_language' });
      await expect(en.analyze(['I am so happy'])).resolves.toHaveLength(1);
    } finally {
      await en.close();
    }
  });

  it('a damaged member file fails the load naming the ensemble, the member and the file', async () => {
    const dir = ensembleCopy((m) => (m.models[1].sha256 = '0'.repeat(64)));
    const err = await EnsembleTextEngine.load(ensembleOf(dir), OPTS).catch((e) => e);
    expect(err).toBeInstanceOf(EngineLoadError);
    expect(err.kind).toBe('checksum_mismatch');
    expect(err.message).toMatch(/ensemble 'fixture-ensemble'.*member 'fixture-tiny-b'.*fixture_b\.onnx/);
  });
});

describe('invalid ensemble manifests refuse to load, naming the problem', () => {
  const cases: Array<[string, (m: any) => void, RegExp]> = [
    [
      'weights not summing to 1',
      (m) => (m.ensembles[0].weights.vad = [0.5, 0.6]),
      /weights for head 'vad' sum to 1\.1, not 1/,
    ],
    [
      'a negative weight',
      (m) => (m.ensembles[0].weights.utility = [1.5, -0.5]),
      /weights\.utility\.1: fusion weights must be ≥ 0/,
    ],
    [
      'one weight per member',
      (m) => (m.ensembles[0].weights.utility = [1]),
      /1 weights for head 'utility', one per member expected \(2\)/,
    ],
    [
      'an unknown member',
      (m) => (m.ensembles[0].members = ['fixture-tiny', 'nope']),
      /unknown member 'nope' \(models\[\] has fixture-tiny, fixture-tiny-b\)/,
    ],
    [
      'a member listed twice',
      (m) => (m.ensembles[0].members = ['fixture-tiny', 'fixture-tiny']),
      /lists member 'fixture-tiny' twice/,
    ],
    ['no weights for a head', (m) => delete m.ensembles[0].weights.vad, /no fusion weights for head 'vad'/],
    [
      'weights for a head the members lack',
      (m) => (m.ensembles[0].weights.xed_logits = [0.5, 0.5]),
      /weights for head 'xed_logits', which member 'fixture-tiny', 'fixture-tiny-b' does not have/,
    ],
    [
      'no ensemble thresholds for a fused multi-label head',
      (m) => delete m.ensembles[0].thresholds.kote_logits,
      /no thresholds for the fused head 'kote_logits'.*not borrowed/,
    ],
    [
      'no thresholds block at all',
      (m) => delete m.ensembles[0].thresholds,
      /no thresholds for the fused head 'goemotions_logits'/,
    ],
    [
      'thresholds of the wrong length',
      (m) => (m.ensembles[0].thresholds.goemotions_logits = [0.5]),
      /1 thresholds for head 'goemotions_logits', which has 28 labels/,
    ],
    [
      'members with other label lists',
      (m) =>
        (m.models[1].outputs.goemotions_logits.labels = [...m.models[1].outputs.goemotions_logits.labels].reverse()),
      /member 'fixture-tiny-b' lists other labels for head 'goemotions_logits'/,
    ],
    [
      'an id that a model already has',
      (m) => (m.ensembles[0].id = 'fixture-tiny'),
      /ensemble 'fixture-tiny' has the id of a model/,
    ],
    ['a single member', (m) => (m.ensembles[0].members = ['fixture-tiny']), /at least 2 members/],
  ];
  it.each(cases)('%s', (_what, edit, message) => {
    const dir = ensembleCopy(edit);
    let err: unknown;
    try {
      resolveSelection(dir, undefined, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineLoadError);
    expect((err as EngineLoadError).kind).toBe('manifest_invalid');
    expect((err as Error).message).toMatch(message);
  });

  it('the shipped-style single-model manifest (no ensembles) still loads unchanged', () => {
    const r = resolveModel(resolve(import.meta.dirname, '../fixtures/model'), undefined, undefined);
    expect(r.entry.id).toBe('fixture-tiny');
  });

  it('resolveModel (one model file: evaluation, benchmarks) refuses an ensemble id, naming its members', () => {
    expect(() => resolveModel(ENSEMBLE_DIR, undefined, undefined)).toThrow(
      /'fixture-ensemble' .* is an ensemble \(members fixture-tiny, fixture-tiny-b\).*--model/,
    );
    expect(() => resolveSelection(ENSEMBLE_DIR, undefined, 'nope')).toThrow(
      /available: fixture-tiny, fixture-tiny-b, fixture-ensemble/,
    );
  });
});

describe('the handle serves the ensemble and status lists its members', () => {
  it('status: members (id, version, sha256 prefix, parameters), total parameters, weights, thresholds source', async () => {
    const handle = await createEngineHandle(testConfig({ modelsDir: ENSEMBLE_DIR }), silent);
    try {
      expect(handle.modelId()).toMatch(/^fixture-ensemble@0\.1\.0#[0-9a-f]{64}$/);
      expect(handle.status().available_ensembles).toEqual([
        {
          id: 'fixture-ensemble',
          version: '0.1.0',
          members: ['fixture-tiny', 'fixture-tiny-b'],
          dir: ENSEMBLE_DIR,
          installed: true,
        },
      ]);
      const engine = await handle.require();
      await engine.analyze(['I am so happy']);
      const s = handle.status();
      expect(s.state).toBe('ready');
      expect(handle.modelId()).toBe(`fixture-ensemble@0.1.0#${engine.model.sha256}`);
      const members = s.model?.members ?? [];
      expect(members.map((m) => [m.id, m.version, m.sha256_prefix, m.parameters])).toEqual(
        MANIFEST.models.map((m: any) => [m.id, m.version, m.sha256.slice(0, 12), m.parameters]),
      );
      expect(s.model).toMatchObject({
        kind: 'ensemble',
        id: 'fixture-ensemble',
        version: '0.1.0',
        parameters: MANIFEST.models[0].parameters + MANIFEST.models[1].parameters,
      });
      expect(s.model?.weights).toEqual(MANIFEST.ensembles[0].weights);
      expect(s.thresholds_source).toMatch(/ensemble 'fixture-ensemble'/);
      expect(members.every((m) => m.batching.items >= 1)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("the cache identity (modelId) changes with either member's file hash, a weight or a threshold", async () => {
    const idOf = async (dir: string) => {
      const handle = await createEngineHandle(testConfig({ modelsDir: dir }), silent);
      try {
        return handle.modelId();
      } finally {
        await handle.close();
      }
    };
    const base = await idOf(ENSEMBLE_DIR);
    expect(base).toMatch(/^fixture-ensemble@0\.1\.0#[0-9a-f]{64}$/);
    const changed = [
      ensembleCopy((m) => (m.models[0].sha256 = 'a'.repeat(64))),
      ensembleCopy((m) => (m.models[1].sha256 = 'b'.repeat(64))),
      ensembleCopy((m) => (m.ensembles[0].weights.vad = [...m.ensembles[0].weights.vad].reverse())),
      ensembleCopy((m) => (m.ensembles[0].thresholds.goemotions_logits[0] += 0.01)),
    ];
    const ids = await Promise.all(changed.map(idOf));
    for (const id of ids) expect(id).toMatch(/^fixture-ensemble@0\.1\.0#[0-9a-f]{64}$/);
    expect(new Set([base, ...ids]).size).toBe(5);
  });

  it('a single-model directory has no ensemble fields in status', async () => {
    const handle = await createEngineHandle(testConfig(), silent);
    try {
      await handle.require();
      const s = handle.status();
      expect(s.available_ensembles).toBeUndefined();
      expect(s.model && 'members' in s.model).toBe(false);
    } finally {
      await handle.close();
    }
  });
});

describe('threshold tuning of the ensemble measurement (eval/metrics.ts)', () => {
  it('per label: the grid value with the best F1, ties to the lowest; a label without positives gets 0.5', () => {
    // label 0: gold at scores 0.9 and 0.6, not at 0.7 and 0.2. t in (0.2, 0.6]: tp 2, fp 1 → F1 0.8 (the best);
    // t ≤ 0.2: fp 2 → 0.667; (0.6, 0.7]: 0.5; (0.7, 0.9]: 0.667. Lowest grid value in (0.2, 0.6]: 0.21.
    const gold = [
      [true, false],
      [true, false],
      [false, false],
      [false, false],
    ];
    const scores = [
      [0.9, 0.1],
      [0.6, 0.9],
      [0.7, 0.3],
      [0.2, 0.4],
    ];
    expect(tuneThresholds(gold, scores, 2)).toEqual([0.21, 0.5]);
  });
});
