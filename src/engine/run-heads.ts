// One batch of token windows through the ONNX session: the input tensors (padded to the longest window), one run
// for every head the manifest lists, and each window's decoded values per head (src/engine/heads.ts).
import ort from 'onnxruntime-node';
import type { HeadValue } from '../core/heads.js';
import { InferenceError } from './errors.js';
import { KIND_RULES, type HeadSpec } from './heads.js';
import type { ModelEntry } from './manifest.js';
import { firstLine } from './providers.js';
import type { RawTensor, SessionLike } from './workers/ort-session.js';

function feedsFor(entry: ModelEntry, batch: number[][]): Record<string, ort.Tensor> {
  const B = batch.length;
  const S = batch.reduce((m, ids) => Math.max(m, ids.length), 1);
  const ids = new BigInt64Array(B * S).fill(BigInt(entry.pad_token_id));
  const mask = new BigInt64Array(B * S);
  for (let b = 0; b < B; b++) {
    const row = batch[b];
    for (let s = 0; s < row.length; s++) {
      ids[b * S + s] = BigInt(row[s]);
      mask[b * S + s] = 1n;
    }
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of entry.inputs) {
    if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, [B, S]);
    else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, [B, S]);
    else feeds[name] = new ort.Tensor('int64', new BigInt64Array(B * S), [B, S]); // token_type_ids: all segment 0
  }
  return feeds;
}

/** The values of each head for each window of the batch, in batch order. */
export async function runHeads(
  session: SessionLike,
  entry: ModelEntry,
  heads: readonly HeadSpec[],
  batch: number[][],
): Promise<Array<Map<string, HeadValue>>> {
  const B = batch.length;
  let res: Record<string, RawTensor>;
  try {
    res = await session.run(
      feedsFor(entry, batch),
      heads.map((h) => h.name),
    );
  } catch (err) {
    throw new InferenceError(`the model failed at run time: ${firstLine(err)}`, { cause: err });
  }
  const out = Array.from({ length: B }, () => new Map<string, HeadValue>());
  for (const h of heads) {
    const t = res[h.name];
    if (!t || t.type !== 'float32') throw new InferenceError(`the model's output ${h.name} is missing or not float32`);
    const dims = t.dims;
    const w = dims.length === 1 ? 1 : Number(dims[dims.length - 1]);
    const rule = KIND_RULES[h.kind];
    // multi-label and softmax widths are checked against the labels at warm-up, with a message naming both
    const width = h.kind === 'pairwise' || h.kind === 'regression' ? rule.width(h) : w;
    if (Number(dims[0]) !== B || w !== width)
      throw new InferenceError(`the model's output ${h.name} has shape [${dims.join(',')}], expected [${B},${width}]`);
    const data = t.data as Float32Array;
    for (let b = 0; b < B; b++) out[b].set(h.name, rule.decode(data.subarray(b * w, (b + 1) * w)));
  }
  return out;
}
