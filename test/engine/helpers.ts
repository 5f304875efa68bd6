import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { defaults, type AppConfig } from '../../src/server/config.js';

export const FIXTURE_DIR = resolve(import.meta.dirname, '../fixtures/model');
/** The v2-shaped fixture: the eight outputs (with the zh heads), languages en, ko, zh, ja (make_fixture_v2.py). */
export const FIXTURE_V2_DIR = resolve(import.meta.dirname, '../fixtures/model-v2');
export const silent = pino({ level: 'silent' });
/** How the tests load an engine: CPU, one thread, no batching window, batches of up to 8, silent. */
export const TEST_ENGINE = { provider: 'cpu', threads: 1, batchWindowMs: 0, maxBatch: 8, logger: silent } as const;
/** The same with inference on the calling thread (no worker). */
export const TEST_ENGINE_ON_MAIN = { ...TEST_ENGINE, inferenceThread: 'main' } as const;

/** A private copy of the fixture model directory that a test may damage. */
export function fixtureCopy(mutate?: (dir: string) => void, from: string = FIXTURE_DIR): string {
  const dir = mkdtempSync(join(tmpdir(), 'rh-fixture-'));
  cpSync(from, dir, { recursive: true });
  mutate?.(dir);
  return dir;
}

export function editManifest(dir: string, edit: (m: any) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m, null, 2));
}

export function testConfig(over: Partial<AppConfig> = {}): AppConfig {
  return {
    ...defaults({}),
    modelsDir: FIXTURE_DIR,
    provider: 'cpu',
    threads: 1,
    cache: { ...defaults({}).cache, backend: 'none' },
    ...over,
  };
}
