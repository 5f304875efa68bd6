// Every text a tool sends to the model passes here: one check of the text and batch limits, one message format
// naming the limit, its value and its settings; one check that a text is not empty; then the engine is loaded and
// each text's language is checked against the languages the model reads (docs/language.md).
import { z } from 'zod';
import { ToolError, throwIfCancelled } from '../core/errors.js';
import { MAX_TEXT_CHARS, textLength } from '../core/limits.js';
import { EN_KO, type Language, type LanguageRequest, type TextEngine } from '../core/model.js';
import { decideLanguage, loadLanguageDetector } from '../engine/language.js';
import type { ToolContext } from './types.js';

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
    throw new ToolError('limit_exceeded', `${texts.length} texts to analyse; the limit is ${limits.maxBatchTexts} (maxBatchTexts: --max-batch-texts / RED_HEART_MAX_BATCH_TEXTS)`);
  }
  for (const t of texts) {
    const n = textLength(t.text);
    if (n > limits.maxTextChars) {
      throw new ToolError('limit_exceeded', `${t.name} has ${n} characters; the limit is ${limits.maxTextChars} (maxTextChars: --max-text-chars / RED_HEART_MAX_TEXT_CHARS)`);
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
  return new ToolError('empty_text', `${name} is empty after removing whitespace, BOMs and zero-width characters: there is nothing to analyse`);
}

/** Refuses the first empty text (ToolError('empty_text') naming it). */
export function checkNotEmpty(texts: readonly NamedText[]): void {
  for (const t of texts) if (isEmptyText(t.text)) throw emptyTextError(t.name);
}

/** Why one text is not analysed: its language (or the requested one) is not one the model reads. */
export interface LanguageRefusal {
  code: 'unsupported_language';
  message: string;
  /** ISO 639-1 code identified (or requested), 'und' when none could be identified. */
  detected: string;
  confidence: number;
  supported: string[];
}

/** A tool that reads fewer languages than the model serves: which, and why (said in the refusal). */
export interface ToolLanguages {
  languages: readonly Language[];
  why: string;
}

/** bentham_score's and regret_forecast's text estimates (src/analysis/bentham/text.ts, src/analysis/regret/text.ts). */
export const TEXT_ESTIMATE_LANGUAGES: ToolLanguages = {
  languages: EN_KO,
  why: 'the text estimates of bentham_score and regret_forecast read the GoEmotions, KOTE, polarity and utility heads, which were trained on English and Korean only (analyze_emotion reads this language)',
};

/**
 * The refusal for one text, or undefined when the model reads its language (and the tool, when it reads fewer:
 * `only`). A language the model reads but the tool does not is refused naming the tool's reason.
 */
export function languageRefusal(engine: TextEngine, text: string, language: LanguageRequest | undefined, only?: ToolLanguages): LanguageRefusal | undefined {
  const d = decideLanguage(text, language, engine.model.languages);
  if (!d.ok) return { code: 'unsupported_language', message: d.message, detected: d.detected, confidence: d.confidence, supported: [...d.supported] };
  if (!only || only.languages.includes(d.language)) return undefined;
  const supported = engine.model.languages.filter((l) => only.languages.includes(l));
  const what = d.confidence === null ? `'${d.language}' was requested` : `the text is ${d.language} (confidence ${d.confidence.toFixed(2)})`;
  return { code: 'unsupported_language', message: `${what}: the model reads it, but ${only.why}; here: ${supported.join(', ')}`, detected: d.language, confidence: d.confidence ?? 1, supported };
}

export function refusalError(name: string, r: LanguageRefusal): ToolError {
  return new ToolError('unsupported_language', `${name}: ${r.message}`, { detected: r.detected, confidence: r.confidence, supported: r.supported });
}

/**
 * Checks the texts, then returns the loaded engine (ToolError('model_missing') when there is none). Unless the
 * caller refuses per item (`perItem`), a text in a language the model does not read fails the call with
 * unsupported_language naming the text; a requested language the model does not read always does.
 */
export async function engineFor(
  ctx: ToolContext,
  texts: readonly NamedText[],
  opts: { language?: LanguageRequest; perItem?: boolean; only?: ToolLanguages } = {},
): Promise<TextEngine> {
  checkTexts(texts, ctx.services.limits);
  checkNotEmpty(texts);
  const [engine] = await Promise.all([ctx.services.engine.require(), loadLanguageDetector()]);
  throwIfCancelled(ctx.signal);
  const requested = opts.language;
  if (requested && requested !== 'auto' && !(engine.model.languages as readonly string[]).includes(requested)) {
    throw new ToolError('unsupported_language', `language '${requested}' was requested, but the model ${engine.model.version} reads only ${engine.model.languages.join(', ')}`, {
      detected: requested,
      supported: engine.model.languages,
    });
  }
  if (!opts.perItem) {
    for (const t of texts) {
      const r = languageRefusal(engine, t.text, requested, opts.only);
      if (r) throw refusalError(t.name, r);
    }
  }
  return engine;
}
