// Language by script. The model serves English and Korean; Hangul decides Korean, everything else is
// analysed as English. Chinese and Japanese are recognised (hooks for future models) but, with no model
// for them, are served by the English path and reported as such via `script`.
import type { Language, LanguageRequest } from '../core/model.js';

export type Script = 'hangul' | 'kana' | 'han' | 'latin' | 'other' | 'none';

export interface ScriptCounts {
  hangul: number;
  kana: number;
  han: number;
  latin: number;
  other: number;
}

export function countScripts(text: string): ScriptCounts {
  const c: ScriptCounts = { hangul: 0, kana: 0, han: 0, latin: 0, other: 0 };
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff)) c.hangul++;
    else if ((cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f)) c.kana++;
    else if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff)) c.han++;
    else if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f)) c.latin++;
    else if (/\p{L}/u.test(ch)) c.other++;
  }
  return c;
}

/** Share of letters that must be Hangul for a text to count as Korean. */
export const HANGUL_SHARE = 0.2;

/**
 * The dominant writing system: Hangul when at least 20 % of the letters are Hangul (Korean text often
 * carries Latin brand names and abbreviations); kana when Japanese kana appear (Japanese mixes kana with
 * Han); Han for Chinese; otherwise Latin/other.
 */
export function dominantScript(text: string): Script {
  const c = countScripts(text);
  const letters = c.hangul + c.kana + c.han + c.latin + c.other;
  if (letters === 0) return 'none';
  if (c.hangul / letters >= HANGUL_SHARE) return 'hangul';
  if (c.kana > 0 && (c.kana + c.han) / letters >= 0.5) return 'kana';
  if (c.han / letters >= 0.5) return 'han';
  if (c.latin >= c.other) return 'latin';
  return 'other';
}

/** Hook for future zh/ja models: map a script to a model language. Today only Hangul → ko; the rest → en. */
export function languageForScript(script: Script): Language {
  return script === 'hangul' ? 'ko' : 'en';
}

export function detectLanguage(text: string): Language {
  return languageForScript(dominantScript(text));
}

export function resolveLanguage(text: string, requested: LanguageRequest | undefined): Language {
  return !requested || requested === 'auto' ? detectLanguage(text) : requested;
}
