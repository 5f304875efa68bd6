// The one place where errors of the lower layers become tool error codes. The registry (src/server/registry.ts)
// and full_analysis's sections both map through here, so a domain error reads the same wherever it surfaces.
import { ToolError, type ToolErrorCode } from '../core/errors.js';
import { ConversationInputError } from '../analysis/conversation/index.js';
import { MappingError } from '../core/labels.js';
import { RegretOverflowError } from '../analysis/regret/index.js';
import { SurdInputError } from '../analysis/surd/index.js';
import { EngineLoadError, InferenceError, WorkerCrashError } from '../engine/errors.js';

/** Domain error class → tool error code. */
const CODES: ReadonlyArray<readonly [new (...args: never[]) => Error, ToolErrorCode]> = [
  [SurdInputError, 'invalid_input'], // the analysis layer's semantic checks of SURD input
  [ConversationInputError, 'invalid_input'], // conversation turns: times going backwards, too many speakers
  [RegretOverflowError, 'invalid_input'], // outcomes too large for the regret sums
  [MappingError, 'internal'], // the model's label lists lack what a text mapping needs: a broken model, not bad input
  [EngineLoadError, 'model_missing'],
  [InferenceError, 'model_error'], // the model failed while running: not the caller's input, not a bug in this server
  [WorkerCrashError, 'model_error'], // a worker thread died mid-call (and is replaced): not the input, not a wrong answer
];

/** The ToolError an error stands for; null for an unexpected error (a bug: the caller reports it as `internal`). */
export function toToolError(err: unknown): ToolError | null {
  if (err instanceof ToolError) return err;
  for (const [type, code] of CODES) if (err instanceof type) return new ToolError(code, err.message);
  return null;
}
