// Which language each text is read as: decided once per text against the languages the model reads (and the tool,
// when it reads fewer), then carried with the text into the engine (docs/language.md).
import { ToolError } from '../../core/errors.js';
import { EN_KO, type DecidedLanguage, type Language, type LanguageRequest, type ModelInfo } from '../../core/model.js';
import { decideLanguage, loadLanguageDetector } from '../../engine/language.js';

/** The language detector loads lazily (not before `initialize`); deciding a text's language needs it loaded. */
export { loadLanguageDetector };

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
  why:
    'the text estimates of bentham_score and regret_forecast read the GoEmotions, KOTE, polarity and ' +
    'utility heads, which were trained on English and Korean only (analyze_emotion reads this language)',
};

/**
 * The language one text is read as, or its refusal. A language the model reads but the tool does not (`only`) is
 * refused naming the tool's reason.
 */
export function decideText(
  model: ModelInfo,
  text: string,
  language: LanguageRequest | undefined,
  only?: ToolLanguages,
): { decided: DecidedLanguage } | { refused: LanguageRefusal } {
  const d = decideLanguage(text, language, model.languages);
  if (!d.ok)
    return {
      refused: {
        code: 'unsupported_language',
        message: d.message,
        detected: d.detected,
        confidence: d.confidence,
        supported: [...d.supported],
      },
    };
  if (!only || only.languages.includes(d.language))
    return { decided: { language: d.language, confidence: d.confidence, ...(d.uncertain ? { uncertain: true } : {}) } };
  const supported = model.languages.filter((l) => only.languages.includes(l));
  const what =
    d.confidence === null
      ? `'${d.language}' was requested`
      : `the text is ${d.language} (confidence ${d.confidence.toFixed(2)})`;
  return {
    refused: {
      code: 'unsupported_language',
      message: `${what}: the model reads it, but ${only.why}; here: ${supported.join(', ')}`,
      detected: d.language,
      confidence: d.confidence ?? 1,
      supported,
    },
  };
}

export function refusalError(name: string, r: LanguageRefusal): ToolError {
  return new ToolError('unsupported_language', `${name}: ${r.message}`, {
    detected: r.detected,
    confidence: r.confidence,
    supported: r.supported,
  });
}

/** A requested language the model does not read refuses the whole call (whatever the texts). */
export function checkRequested(model: ModelInfo, requested: LanguageRequest | undefined): void {
  if (requested && requested !== 'auto' && !(model.languages as readonly string[]).includes(requested)) {
    throw new ToolError(
      'unsupported_language',
      `language '${requested}' was requested, but the model ${model.version} reads only ${model.languages.join(', ')}`,
      {
        detected: requested,
        supported: model.languages,
      },
    );
  }
}
