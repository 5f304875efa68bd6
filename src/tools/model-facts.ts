// Sentences about the served model for tool descriptions, built from its manifest (languages, heads), so a
// description never promises a language or a head the installed model lacks. Null model = none installed.
import type { ServedModel } from './types.js';

const NAMES: Record<string, string> = { en: 'English', ko: 'Korean', zh: 'Chinese', ja: 'Japanese' };

export const languageName = (code: string): string => NAMES[code] ?? code;

/** "English, Korean and Chinese". */
export function listNames(codes: readonly string[]): string {
  const names = codes.map(languageName);
  return names.length <= 1
    ? (names[0] ?? 'no language')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Which languages the served model reads, or where to look when none is installed. */
export function readsSentence(model: ServedModel | null, only?: readonly string[]): string {
  if (!model) return 'No model is installed: text calls answer model_missing (red-heart://status).';
  const langs = only ? model.languages.filter((l) => only.includes(l)) : model.languages;
  return `Model ${model.id} ${model.version} reads ${listNames(langs)}; other languages are refused (unsupported_language).`;
}

const TAXONOMY: Record<string, string> = {
  en: 'GoEmotions 28 labels',
  ko: 'KOTE 44',
  ja: 'GoEmotions 28 (cross-lingual transfer)',
  zh: 'CPED 13',
};

/** The label set per language of the served model, e.g. "en: GoEmotions 28 labels; ko: KOTE 44". */
export function taxonomies(model: ServedModel | null): string {
  const langs = model?.languages ?? ['en', 'ko'];
  return langs.map((l) => `${l}: ${TAXONOMY[l] ?? 'its own labels'}`).join('; ');
}

export const hasHead = (model: ServedModel | null, head: string): boolean => !!model?.heads.includes(head);
