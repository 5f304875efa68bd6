// The errors a tool call can end with. Each becomes an MCP result with `isError: true`, text `code: message`
// and the code in `_meta['red-heart/error']`. Domain errors of the lower layers (MappingError, SurdInputError,
// RegretOverflowError, EngineLoadError, InferenceError) are mapped to these codes in one place: src/tools/errors.ts.

export type ToolErrorCode =
  | 'invalid_input' // arguments are well-typed but semantically wrong (unequal lengths, probabilities not summing to 1, …)
  | 'limit_exceeded' // a configured limit was hit; message names the limit and its value
  | 'model_missing' // no usable model; message names the missing file and the fix
  | 'unsupported_language' // the text's language (or the requested one) is not one the model reads; names both
  | 'path_not_allowed' // a file path outside the allowed directories, or not a regular file (analyze_corpus)
  | 'model_error' // the model failed while running (an inference error); message carries the runtime's message
  | 'io_error' // reading or writing a file failed (disk full, permission denied); message names the file inside the allowed directory
  | 'empty_text' // a text is empty after removing whitespace, BOMs and zero-width characters (nothing to read)
  | 'queue_error' // analyze_corpus on a job queue (--queue): Redis unreachable or refusing, a worker refused a chunk or failed it
  | 'cancelled'
  | 'internal';

export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** For long loops: throws ToolError('cancelled') once the signal is aborted. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new ToolError('cancelled', 'the call was cancelled');
}
