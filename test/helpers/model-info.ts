// The ModelInfo that unit tests of the emotion mappings hand to the analyses: the label lists of a real manifest
// (the shipped one or a fixture) under a stand-in identity, with the thresholds the test chooses.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ModelInfo } from '../../src/core/model.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The heads of the first model in a manifest, by the manifest's path from the repository root. */
export function manifestOutputs(manifest: string): Record<string, { labels: string[] }> {
  return JSON.parse(readFileSync(resolve(ROOT, manifest), 'utf8')).models[0].outputs;
}

/** A stand-in identity (id `m`, version 1, a placeholder sha256, 1 parameter, 16 tokens) around `fields`. */
export function testModel(
  fields: Pick<ModelInfo, 'languages' | 'labels' | 'thresholds'> & Partial<ModelInfo>,
): ModelInfo {
  return { id: 'm', version: '1', sha256: 'a'.repeat(64), parameters: 1, maxLength: 16, ...fields };
}
