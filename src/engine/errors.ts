// Errors raised while finding, verifying or loading a model. The engine handle turns them into
// ToolError('model_missing', …) for tools, and into start-up errors where the configuration demands it.

export type EngineLoadErrorKind =
  | 'file_missing' // manifest, model or tokenizer file not found
  | 'checksum_mismatch' // sha256 of a file differs from the manifest
  | 'manifest_invalid' // manifest.json unreadable or not matching the schema
  | 'model_unknown' // configured model id not listed
  | 'model_invalid' // ONNX file loads but its inputs/outputs do not match the manifest
  | 'provider_unavailable'; // an explicitly requested execution provider cannot be used

export class EngineLoadError extends Error {
  override name = 'EngineLoadError';
  constructor(
    readonly kind: EngineLoadErrorKind,
    message: string,
    /** The file concerned, when there is one. */
    readonly file?: string,
  ) {
    super(message);
  }
}

/** The model failed while running (ONNX Runtime rejected a batch at run time); the message is the runtime's. */
export class InferenceError extends Error {
  override name = 'InferenceError';
}

/** A worker thread (inference or SURD) died while running a call; the call failed, the worker is replaced or, after
 * repeated crashes, the component is marked failed. The message names the crash. */
export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
}
