// The checks of a text argument that need no model: one check of the text and batch limits, one message format
// naming the limit, its value and its settings; one check that a text is not empty. Texts reach the model through
// the reading pipeline (src/tools/reading), which runs these first.
import { z } from 'zod';
import { ToolError } from '../core/errors.js';
import { MAX_TEXT_CHARS, textLength } from '../core/limits.js';

/** A text to analyse and what the caller calls it in messages (e.g. "scenario", "text 2"). */
export interface NamedText {
  name: string;
  text: string;
}

/**
 * The schema of a text argument. Its length is checked in code points by `checkTexts` (zod's `.max` would count
 * UTF-16 units and refuse 10,001 emoji as 20,002 characters); the JSON Schema still states maxLength, which JSON
 * Schema counts in code points too.
 */
export function textArg(description: string): z.ZodString {
  return z.string().min(1).meta({ maxLength: MAX_TEXT_CHARS }).describe(description);
}

export function checkTexts(texts: readonly NamedText[], limits: { maxTextChars: number; maxBatchTexts: number }): void {
  if (texts.length > limits.maxBatchTexts) {
    throw new ToolError(
      'limit_exceeded',
      `${texts.length} texts to analyse; the limit is ${limits.maxBatchTexts} (maxBatchTexts: ` +
        '--max-batch-texts / RED_HEART_MAX_BATCH_TEXTS)',
    );
  }
  for (const t of texts) {
    const n = textLength(t.text);
    if (n > limits.maxTextChars) {
      throw new ToolError(
        'limit_exceeded',
        `${t.name} has ${n} characters; the limit is ${limits.maxTextChars} (maxTextChars: --max-text-chars / RED_HEART_MAX_TEXT_CHARS)`,
      );
    }
  }
}

/**
 * Whitespace (incl. NBSP and the other Unicode spaces), BOM (U+FEFF), zero-width space / non-joiner / joiner
 * (U+200B..U+200D), word joiner (U+2060) and soft hyphen: characters that carry no content of their own.
 */
const BLANK = /^[\s\u200B-\u200D\u2060\uFEFF\u00AD]*$/u;

/** True when nothing is left of the text after removing whitespace, BOMs and zero-width characters. */
export function isEmptyText(text: string): boolean {
  return BLANK.test(text);
}

export function emptyTextError(name: string): ToolError {
  return new ToolError(
    'empty_text',
    `${name} is empty after removing whitespace, BOMs and zero-width characters: there is nothing to analyse`,
  );
}

/** Refuses the first empty text (ToolError('empty_text') naming it). */
export function checkNotEmpty(texts: readonly NamedText[]): void {
  for (const t of texts) if (isEmptyText(t.text)) throw emptyTextError(t.name);
}
