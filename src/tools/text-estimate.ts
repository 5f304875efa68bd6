// The one text a model estimate reads: bentham_score's `scenario` and regret_forecast's `decision`, each read in the
// languages the text estimates were trained for (TEXT_ESTIMATE_LANGUAGES).
import { ToolError } from '../core/errors.js';
import type { TextAnalysis } from '../core/model.js';
import { TEXT_ESTIMATE_LANGUAGES } from './reading/languages.js';
import { readAll, type Reader } from './reading/pipeline.js';
import type { ToolContext } from './types.js';

/** Reads `text` (the argument `name`); without it the call is invalid_input with `missing`, which says what to give. */
export async function readEstimateText(
  ctx: ToolContext,
  name: string,
  text: string | undefined,
  missing: string,
): Promise<{ reader: Reader; analysis: TextAnalysis }> {
  if (text === undefined) throw new ToolError('invalid_input', missing);
  const { reader, readings } = await readAll(ctx, [{ name, text }], { only: TEXT_ESTIMATE_LANGUAGES });
  return { reader, analysis: readings[0].analysis };
}
