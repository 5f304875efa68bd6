// The languages an engine reads a batch as: the caller's decisions when it made them (the reading pipeline decides
// once, src/tools/reading), otherwise decided here, for callers that hand the engine bare texts (evaluation,
// benchmarks). A text the model does not read is refused.
import { ToolError } from '../core/errors.js';
import type { AnalyzeOptions, DecidedLanguage, Language } from '../core/model.js';
import { decideLanguage } from './language.js';

export function decidedLanguages(
  texts: readonly string[],
  options: AnalyzeOptions,
  languages: readonly Language[],
): readonly DecidedLanguage[] {
  if (options.decided) {
    if (options.decided.length !== texts.length)
      throw new ToolError('internal', `${options.decided.length} language decisions for ${texts.length} texts`);
    const foreign = options.decided.findIndex((d) => !languages.includes(d.language));
    if (foreign >= 0) {
      throw new ToolError(
        'unsupported_language',
        `text ${foreign} was decided to be ${options.decided[foreign].language}, but the model reads only ${languages.join(', ')}`,
        {
          detected: options.decided[foreign].language,
          supported: [...languages],
        },
      );
    }
    return options.decided;
  }
  return texts.map((text, i) => {
    const d = decideLanguage(text, options.language, languages);
    if (!d.ok)
      throw new ToolError('unsupported_language', `text ${i}: ${d.message}`, {
        detected: d.detected,
        confidence: d.confidence,
        supported: d.supported,
      });
    return { language: d.language, confidence: d.confidence, ...(d.uncertain ? { uncertain: true } : {}) };
  });
}
