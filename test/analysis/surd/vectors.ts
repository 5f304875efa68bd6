// Loader for the reference vectors in ../shared/surd/vectors (see its README for the layout).
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED_DIR, requireShared } from '../../helpers/data.js';

export const VECTORS_DIR = resolve(SHARED_DIR, 'surd/vectors');
export const SKIP_REASON = `SURD vectors not found at ${VECTORS_DIR}`;
/** In CI missing vectors fail the run (test/helpers/require.ts); locally their tests are skipped. */
export const VECTORS_PRESENT = requireShared('SURD reference vectors', 'surd/vectors/mediator.json') === null;

export type Parts = Record<string, number>;

export interface Expected {
  redundant: Parts;
  unique: Parts;
  synergistic: Parts;
  mutual_information: Parts;
  mi_total: number;
  mi_max_over_combinations: number;
  sum_of_all_components: number;
  entropy_target: number;
  cond_entropy_target_given_all_sources: number;
  info_leak: number;
  normalised_by_mi_max: { redundant: Parts; unique: Parts; synergistic: Parts } | null;
  target_marginal: number[];
  specific_information: Record<string, number[]>;
}

export interface TieAnalysis {
  sensitive_keys: string[];
  invariant_sums?: { part: 'redundant' | 'unique' | 'synergistic'; keys: string[]; reference_sum: number }[];
}

export interface Decomposition {
  label: string;
  target_row?: number;
  source_rows?: number[];
  lag?: number;
  nbins?: number;
  n_pairs?: number;
  bin_edges?: number[][];
  histogram_shape: number[];
  histogram_nonzero_counts?: [number, number][];
  histogram?: unknown[];
  series?: number[][];
  note?: string;
  expected: Expected;
  checks: { tie_analysis?: TieAnalysis };
  authors_saved_result?: Pick<Expected, 'redundant' | 'unique' | 'synergistic' | 'mutual_information' | 'info_leak'>;
}

export interface HighDimCase {
  label: string;
  target_row: number;
  source_rows: number[];
  lag: number;
  nbins: number;
  max_combs: number;
  expected: Pick<
    Expected,
    'redundant' | 'unique' | 'synergistic' | 'mutual_information' | 'entropy_target' | 'info_leak'
  >;
}

export interface VectorFile {
  id: string;
  input_mode: 'samples' | 'histogram';
  series?: number[][];
  series_file?: string;
  decompositions: Decomposition[];
  high_dimensional_variant?: HighDimCase[];
  error_cases?: Record<string, unknown>[];
}

export function vectorFileNames(): string[] {
  if (!VECTORS_PRESENT) return [];
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'energy_cascade_series.json')
    .sort();
}

export function loadVector(name: string): VectorFile {
  const file = JSON.parse(readFileSync(resolve(VECTORS_DIR, name), 'utf8')) as VectorFile;
  if (file.series_file) {
    const extra = JSON.parse(readFileSync(resolve(VECTORS_DIR, file.series_file), 'utf8')) as { series: number[][] };
    file.series = extra.series;
  }
  return file;
}

/** Flattens a nested array in C order and returns its shape. */
export function flatten(nested: unknown[]): { data: number[]; shape: number[] } {
  const shape: number[] = [];
  let node: unknown = nested;
  while (Array.isArray(node)) {
    shape.push(node.length);
    node = node[0];
  }
  const data = (nested as unknown[]).flat(shape.length) as number[];
  return { data, shape };
}
