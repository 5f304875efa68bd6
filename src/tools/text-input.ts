// Every text a tool sends to the model passes here: one check of the text and batch limits, one message format
// naming the limit, its value and its settings; then the engine is loaded.
import { ToolError, throwIfCancelled } from '../core/errors.js';
import type { TextEngine } from '../core/model.js';
import type { ToolContext } from './types.js';

/** A text to analyse and what the caller calls it in messages (e.g. "scenario", "text 2"). */
export interface NamedText {
  name: string;
  text: string;
}

export function checkTexts(texts: readonly NamedText[], limits: { maxTextChars: number; maxBatchTexts: number }): void {
  if (texts.length > limits.maxBatchTexts) {
    throw new ToolError('limit_exceeded', `${texts.length} texts to analyse; the limit is ${limits.maxBatchTexts} (maxBatchTexts: --max-batch-texts / RED_HEART_MAX_BATCH_TEXTS)`);
  }
  for (const t of texts) {
    if (t.text.length > limits.maxTextChars) {
      throw new ToolError('limit_exceeded', `${t.name} has ${t.text.length} characters; the limit is ${limits.maxTextChars} (maxTextChars: --max-text-chars / RED_HEART_MAX_TEXT_CHARS)`);
    }
  }
}

/** Checks the texts, then returns the loaded engine (ToolError('model_missing') when there is none). */
export async function engineFor(ctx: ToolContext, texts: readonly NamedText[]): Promise<TextEngine> {
  checkTexts(texts, ctx.services.limits);
  const engine = await ctx.services.engine.require();
  throwIfCancelled(ctx.signal);
  return engine;
}
