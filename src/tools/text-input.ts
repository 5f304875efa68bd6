// Every text a tool sends to the model passes here: one check of the text and batch limits, one message format
// naming the limit, its value and its settings; then the engine is loaded and each text's language is checked
// against the languages the model reads (docs/language.md).
import { ToolError, throwIfCancelled } from '../core/errors.js';
import type { LanguageRequest, TextEngine } from '../core/model.js';
import { decideLanguage } from '../engine/language.js';
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

/** Why one text is not analysed: its language (or the requested one) is not one the model reads. */
export interface LanguageRefusal {
  code: 'unsupported_language';
  message: string;
  /** ISO 639-1 code identified (or requested), 'und' when none could be identified. */
  detected: string;
  confidence: number;
  supported: string[];
}

/** The refusal for one text, or undefined when the model reads its language. */
export function languageRefusal(engine: TextEngine, text: string, language: LanguageRequest | undefined): LanguageRefusal | undefined {
  const d = decideLanguage(text, language, engine.model.languages);
  return d.ok ? undefined : { code: 'unsupported_language', message: d.message, detected: d.detected, confidence: d.confidence, supported: [...d.supported] };
}

export function refusalError(name: string, r: LanguageRefusal): ToolError {
  return new ToolError('unsupported_language', `${name}: ${r.message}`, { detected: r.detected, confidence: r.confidence, supported: r.supported });
}

/**
 * Checks the texts, then returns the loaded engine (ToolError('model_missing') when there is none). Unless the
 * caller refuses per item (`perItem`), a text in a language the model does not read fails the call with
 * unsupported_language naming the text; a requested language the model does not read always does.
 */
export async function engineFor(ctx: ToolContext, texts: readonly NamedText[], opts: { language?: LanguageRequest; perItem?: boolean } = {}): Promise<TextEngine> {
  checkTexts(texts, ctx.services.limits);
  const engine = await ctx.services.engine.require();
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
      const r = languageRefusal(engine, t.text, requested);
      if (r) throw refusalError(t.name, r);
    }
  }
  return engine;
}
