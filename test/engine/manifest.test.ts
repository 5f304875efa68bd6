import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listModels, resolveModel } from '../../src/engine/manifest.js';
import { planWindows } from '../../src/engine/chunking.js';
import { editManifest, FIXTURE_DIR, fixtureCopy } from './helpers.js';

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

  it('an unknown model id names the available ones and the setting', () => {
    expect(() => resolveModel(FIXTURE_DIR, undefined, 'nope')).toThrow(
      /'nope' is not listed .*available: fixture-tiny, fixture-tiny-int8.*RED_HEART_MODEL/,
    );
  });
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
