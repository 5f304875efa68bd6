// Whether a model's windows are micro-batched: by default yes, unless the model has batch-dependent operators
// (dynamic int8 quantisation), whose scores would then depend on the other texts in the batch.
import { BATCH_VARIANT_OPS, onnxOpTypes } from './onnx-params.js';

export type BatchingRequest = 'auto' | 'dynamic' | 'exact';

export interface BatchingInfo {
  mode: 'dynamic' | 'exact';
  requested: BatchingRequest;
  maxBatch: number;
  windowMs: number;
  reason: string;
}

export function batchingFor(
  modelBytes: Uint8Array,
  requested: BatchingRequest,
  maxBatch: number,
  windowMs: number,
): BatchingInfo {
  const opTypes = onnxOpTypes(modelBytes);
  const variantOps = BATCH_VARIANT_OPS.filter((op) => opTypes.has(op));
  const mode: 'dynamic' | 'exact' = requested === 'auto' ? (variantOps.length ? 'exact' : 'dynamic') : requested;
  return {
    mode,
    requested,
    maxBatch: mode === 'exact' ? 1 : maxBatch,
    windowMs: mode === 'exact' ? 0 : windowMs,
    reason:
      requested !== 'auto'
        ? `batching '${requested}' requested`
        : variantOps.length
          ? `the model uses ${variantOps.join(', ')} (dynamic int8 quantisation: activation scales are computed ` +
            `over the whole batch, so batched scores would depend on the other texts in the batch); each window ` +
            `runs alone so results are exact and reproducible`
          : 'the model has no batch-dependent operators: batched scores equal one-by-one scores',
  };
}
