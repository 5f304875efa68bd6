// The heads of one manifest entry as a list, and what each kind of head does with the model's raw outputs: its
// width in the ONNX output, decoding (activation) of one window's row, and aggregation over a text's windows.
// The engine loops over this list; nothing here names a particular head.
import type { HeadInfo, HeadKind, HeadValue } from '../core/heads.js';
import { NONE_LABEL_SET } from '../core/labels.js';
import { aggregateLabels, weightedMean, weightedMeanVector } from './chunking.js';
import { EMBEDDING_OUTPUT, type ModelEntry } from './manifest.js';

/** A head as the engine runs it: the manifest's description plus the labels kept out of the window maximum. */
export interface HeadSpec extends HeadInfo {
  /** multi-label: indices of "no emotion" labels, aggregated over windows by their minimum (chunking.ts). */
  none: readonly number[];
}

/** The entry's heads in manifest order (the five heads every model has first, as the schema lists them). */
export function headsOf(entry: ModelEntry): HeadSpec[] {
  return Object.entries(entry.outputs).flatMap(([name, o]) => {
    // the pooled sentence representation is an output for the memory store, not a head
    if (!o || name === EMBEDDING_OUTPUT) return [];
    const h = o as {
      kind: HeadKind;
      labels: readonly string[];
      thresholds?: readonly number[];
      languages?: readonly string[];
    };
    const none = h.kind === 'multi-label' ? h.labels.flatMap((l, i) => (NONE_LABEL_SET.has(l) ? [i] : [])) : [];
    return [
      {
        name,
        kind: h.kind,
        labels: [...h.labels],
        ...(h.thresholds ? { thresholds: [...h.thresholds] } : {}),
        ...(h.languages ? { languages: [...h.languages] } : {}),
        none,
      },
    ];
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Softmax of one row of logits (shifted by the maximum, so large logits do not overflow). */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - m);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

interface KindRule {
  /** Values per row of the ONNX output. */
  width(head: HeadInfo): number;
  decode(row: Float32Array): HeadValue;
  /** One text's value from its windows' values (weights: content tokens per window). */
  aggregate(values: HeadValue[], weights: number[], head: HeadSpec): HeadValue;
}

const meanPerComponent = (values: HeadValue[], weights: number[]): number[] =>
  Array.from(values[0], (_, k) =>
    weightedMean(
      values.map((v) => v[k]),
      weights,
    ),
  );

export const KIND_RULES: Record<HeadKind, KindRule> = {
  'multi-label': {
    width: (h) => h.labels.length,
    decode: (row) => row.map(sigmoid),
    aggregate: (values, _weights, h) => aggregateLabels(values as Float32Array[], h.none),
  },
  softmax: {
    width: (h) => h.labels.length,
    decode: (row) => softmax(row),
    aggregate: (values, weights) => weightedMeanVector(values as Float32Array[], weights),
  },
  pairwise: {
    width: () => 2,
    decode: (row) => [1 / (1 + Math.exp(row[0] - row[1]))], // softmax([l0, l1])[1]
    aggregate: meanPerComponent,
  },
  regression: {
    width: (h) => h.labels.length,
    decode: (row) => Array.from(row),
    aggregate: meanPerComponent,
  },
};

/** The window-aggregated value of every head for one text (windows' values in window order). */
export function aggregateHeads(
  heads: readonly HeadSpec[],
  windows: ReadonlyArray<ReadonlyMap<string, HeadValue>>,
  weights: number[],
): Map<string, HeadValue> {
  return new Map(
    heads.map((h) => [
      h.name,
      KIND_RULES[h.kind].aggregate(
        windows.map((w) => w.get(h.name) as HeadValue),
        weights,
        h,
      ),
    ]),
  );
}
