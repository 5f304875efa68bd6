import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  listModels,
  readManifest,
  resolveModel,
  resolveSelection,
  resolveSingleModel,
  selectionModels,
} from '../../src/engine/manifest.js';
import { planWindows } from '../../src/engine/chunking.js';
import { editManifest, FIXTURE_DIR, fixtureCopy } from './helpers.js';
import { requirement } from '../helpers/require.js';

describe('model selection', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('default model of the shipped directory; --model picks another; an extra directory adds and overrides ids', () => {
    expect(resolveModel(FIXTURE_DIR, undefined, undefined).entry.id).toBe('fixture-tiny');
    expect(resolveModel(FIXTURE_DIR, undefined, 'fixture-tiny-int8').entry.file).toBe('fixture.int8.onnx');
    const extra = fixtureCopy((d) =>
      editManifest(d, (m) => {
        m.default_model = 'extra-model';
        m.models[0].id = 'extra-model';
        m.models[1].version = '9.9.9'; // overrides fixture-tiny-int8
      }),
    );
    dirs.push(extra);
    // the shipped directory's default stays the default
    expect(resolveModel(FIXTURE_DIR, extra, undefined).entry.id).toBe('fixture-tiny');
    const r = resolveModel(FIXTURE_DIR, extra, 'extra-model');
    expect(r.dir).toBe(extra);
    expect(r.modelPath).toBe(join(extra, 'fixture.onnx'));
    expect(resolveModel(FIXTURE_DIR, extra, 'fixture-tiny-int8').entry.version).toBe('9.9.9');
    expect(listModels(FIXTURE_DIR, extra).map((m) => m.entry.id)).toEqual([
      'extra-model',
      'fixture-tiny-int8',
      'fixture-tiny',
      'fixture-tiny-int8',
    ]);
  });

  it('a default_model that names neither a model nor an ensemble of its manifest is manifest_invalid', () => {
    const dir = fixtureCopy((d) => editManifest(d, (m) => (m.default_model = 'gone')));
    dirs.push(dir);
    expect(() => readManifest(dir)).toThrow(
      expect.objectContaining({
        kind: 'manifest_invalid',
        message: expect.stringMatching(/default_model: 'gone' is neither a model nor an ensemble .*fixture-tiny/),
      }),
    );
  });

  it('an unknown model id names the available ones and the setting', () => {
    expect(() => resolveModel(FIXTURE_DIR, undefined, 'nope')).toThrow(
      /'nope' is not listed .*available: fixture-tiny, fixture-tiny-int8.*RED_HEART_MODEL/,
    );
  });
});

describe('the shipped models/manifest.json', () => {
  const SHIPPED = resolve(import.meta.dirname, '../../models');
  const reason = requirement(
    'the shipped manifest',
    existsSync(join(SHIPPED, 'manifest.json')) ? null : `${join(SHIPPED, 'manifest.json')} is missing`,
    'model',
  );
  it.skipIf(reason !== null)(
    'the default is what default_model names (model or ensemble); every listed model stays selectable by id',
    () => {
      const m = readManifest(SHIPPED)!.manifest;
      const sel = resolveSelection(SHIPPED, undefined, undefined);
      const ensemble = m.ensembles?.find((e) => e.id === m.default_model);
      expect(sel.kind).toBe(ensemble ? 'ensemble' : 'model');
      const served = selectionModels(sel).map((x) => x.entry.id);
      expect(served).toEqual(ensemble ? ensemble.members : [m.default_model]);
      // a single-model caller with no id runs the first of them; with an id, that model
      expect(resolveSingleModel(SHIPPED, undefined, undefined).entry.id).toBe(served[0]);
      for (const model of m.models) {
        const one = resolveSelection(SHIPPED, undefined, model.id);
        expect(one.kind === 'model' && one.model.entry.sha256).toBe(model.sha256);
      }
    },
  );
});

describe('windows', () => {
  it('25 % overlap, at most 64 windows', () => {
    expect(planWindows(10, 14)).toEqual({ windows: [{ start: 0, end: 10 }], truncated: false });
    expect(planWindows(0, 14)).toEqual({ windows: [{ start: 0, end: 0 }], truncated: false });
    expect(planWindows(30, 14).windows).toEqual([
      { start: 0, end: 14 },
      { start: 11, end: 25 },
      { start: 22, end: 30 },
    ]);
    const big = planWindows(100_000, 126);
    expect(big.windows).toHaveLength(64);
    expect(big.truncated).toBe(true);
    expect(big.windows[1].start).toBe(126 - 31);
  });
});
