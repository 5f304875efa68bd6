// Language identification: script rules for Korean, Japanese and Chinese, then the `eld` n-gram
// detector (medium database) for everything else. No model; the same text always gets the same answer (only
// loading the detector's database reads a file). Which identified languages a model can read is the engine's
// decision (see `decideLanguage`). Accuracy, and why eld medium with these rules: docs/language.md (measured by
// eval/language/).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { eld as Detector } from 'eld/medium';

let detector: typeof Detector | null = null;
let loading: Promise<void> | null = null;

/**
 * eld's medium database as JSON, written by `npm run build` (scripts/build-eld-data.mjs) with the eld version it
 * came from. eld ships it as a 2 MB JavaScript object literal, which V8 parses 2.5–5× slower than JSON.parse reads
 * the same data, and a server's first answer waits for it.
 */
export const ELD_DATA_FILE = fileURLToPath(new URL('../../eld-medium.json', import.meta.url));

interface EldData {
  eld_version: string;
  data: unknown;
}

/** The installed eld package's folder, found as Node finds a bare import: node_modules/eld in this folder or above. */
function eldFolder(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', 'eld', 'package.json'))) return join(dir, 'node_modules', 'eld');
    if (dirname(dir) === dir) return null;
  }
}

/** The detector from the built JSON database; null when there is none for the installed eld (then eld's own file). */
async function detectorFromJson(): Promise<typeof Detector | null> {
  let built: EldData;
  try {
    built = JSON.parse(await readFile(ELD_DATA_FILE, 'utf8')) as EldData;
  } catch {
    return null; // not built (running from src/): eld's module below, same database
  }
  const eld = eldFolder();
  if (!eld) return null;
  const { version } = JSON.parse(await readFile(join(eld, 'package.json'), 'utf8')) as { version: string };
  if (built.eld_version !== version) return null; // built for another eld: its own module, which matches it
  const { createEld } = (await import(pathToFileURL(join(eld, 'src', 'languageDetector.js')).href)) as {
    createEld(): { instance: typeof Detector; loadData(data: unknown): boolean };
  };
  const { instance, loadData } = createEld();
  if (!loadData(built.data)) throw new Error(`${ELD_DATA_FILE} is not an eld database (rebuild: npm run build)`);
  return instance;
}

// The database takes 0.1–0.7 s to load, so it is loaded with the model (and by the tools before they decide), never
// at import: a server answers `initialize` and `tools/list` without it.
/** Loads the eld detector once; identifyLanguage / decideLanguage need it to have settled. */
export function loadLanguageDetector(): Promise<void> {
  loading ??= (async () => {
    const fromJson = await detectorFromJson();
    source = fromJson ? 'built-json' : 'eld-module';
    detector = fromJson ?? (await import('eld/medium')).eld;
  })();
  return loading;
}

let source: 'built-json' | 'eld-module' | null = null;
/** Where the loaded database came from (null before loading): for the status and the tests. */
export function languageDetectorSource(): 'built-json' | 'eld-module' | null {
  return source;
}

function eld(): typeof Detector {
  if (!detector) throw new Error('the language detector is not loaded yet (await loadLanguageDetector() first)');
  return detector;
}

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
    if (
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0x1100 && cp <= 0x11ff) ||
      (cp >= 0x3130 && cp <= 0x318f) ||
      (cp >= 0xa960 && cp <= 0xa97f) ||
      (cp >= 0xd7b0 && cp <= 0xd7ff)
    )
      c.hangul++;
    else if ((cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f))
      c.kana++;
    else if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff))
      c.han++;
    else if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f)) c.latin++;
    else if (/\p{L}/u.test(ch)) c.other++;
  }
  return c;
}

/** Share of letters that must be Hangul for a text to count as Korean (Korean text often carries Latin names). */
export const HANGUL_SHARE = 0.2;
/** Share of letters that must be kana + Han (with some kana) for Japanese, or Han (with no kana) for Chinese. */
export const CJK_SHARE = 0.5;
/**
 * When the detector's top language is not English but its English score is within this margin, the text is
 * read as English: short English texts ("Gotta love acid") otherwise come back as Italian or Danish. Chosen on
 * the dev half of the evaluation sets (docs/language.md); it moved no text of the eight other languages.
 */
export const ENGLISH_MARGIN = 0.05;

/** A language decided by the script rules, with the share of letters that decided it. */
export interface ScriptDecision {
  language: 'ko' | 'ja' | 'zh';
  /** Share (0..1] of the text's letters written in the deciding script(s). */
  share: number;
}

/**
 * The script rules, in this order: Hangul ≥ 20 % of letters → ko; kana present and kana + Han ≥ 50 % → ja;
 * Han ≥ 50 % with no kana → zh. These scripts identify their language more reliably than an n-gram detector
 * on short texts. Latin, Cyrillic and the rest are left to the detector (undefined here).
 */
export function scriptRule(text: string): ScriptDecision | undefined {
  const c = countScripts(text);
  const letters = c.hangul + c.kana + c.han + c.latin + c.other;
  if (letters === 0) return undefined;
  if (c.hangul / letters >= HANGUL_SHARE) return { language: 'ko', share: c.hangul / letters };
  if (c.kana > 0 && (c.kana + c.han) / letters >= CJK_SHARE)
    return { language: 'ja', share: (c.kana + c.han) / letters };
  if (c.han / letters >= CJK_SHARE) return { language: 'zh', share: c.han / letters };
  return undefined;
}

export interface LanguageId {
  /** ISO 639-1 code, or 'und' when the text has no letters or the detector found no language. */
  language: string;
  /**
   * 0..1. By script: the share of letters in the deciding script. By detector: eld's score for the chosen
   * language (a normalised n-gram score, not a calibrated probability). 0 for 'und'.
   */
  confidence: number;
  by: 'script' | 'detector' | 'none';
}

/** Identify the language of one text. */
export function identifyLanguage(text: string): LanguageId {
  const { language, confidence, by } = identify(text);
  return { language, confidence, by };
}

/** `identifyLanguage` plus what the detector said before the English margin (for `decideLanguage`). */
function identify(text: string): LanguageId & { top: string; scores: Record<string, number> } {
  if (!/\p{L}/u.test(text)) return { language: 'und', confidence: 0, by: 'none', top: 'und', scores: {} };
  const byScript = scriptRule(text);
  if (byScript)
    return {
      language: byScript.language,
      confidence: byScript.share,
      by: 'script',
      top: byScript.language,
      scores: {},
    };
  const result = eld().detect(text);
  const scores = result.getScores();
  const top = result.language;
  if (!top) return { language: 'und', confidence: 0, by: 'none', top: 'und', scores };
  let language = top;
  const en = scores.en;
  if (language !== 'en' && en !== undefined && (scores[language] ?? 0) - en <= ENGLISH_MARGIN) language = 'en';
  return { language, confidence: Math.min(1, Math.max(0, scores[language] ?? 0)), by: 'detector', top, scores };
}

/**
 * The prior for the languages the model serves. A text the script rules do not decide, whose detector language
 * the model does not read, is still read as a served language unless the detector is sure it is another one:
 * - with any Hangul letter (below the 20 % share), as Korean when the model reads Korean ("NBA 레코드 3-3 …");
 * - written mostly in Latin letters, as English when the model reads English, unless the detector's top score is
 *   at least `minScore`, leads its English score by more than `minLead` and the text has at least `minLetters`
 *   letters. Short English ("FLY EAGLES FLY!!!", "I love miramar", "Happy birthday [NAME]!") gets 0.5–0.78 from
 *   the detector for Tagalog, Catalan or Dutch with English close behind; genuine sentences of other languages
 *   score 0.71–0.85 with a lead of 0.17 or more and 18 or more letters. Chosen on the dev splits (GoEmotions dev,
 *   KOTE val, the dev half of eval/language); docs/language.md has the test numbers.
 * Such a reading is marked `uncertain` (the tools' `language_uncertain`), and its confidence is the detector's
 * score for the language read (0 when it gave none), so the guess stays visible.
 */
export const SERVED_PRIOR = { minScore: 0.65, minLead: 0.12, minLetters: 15 } as const;

export type LanguageDecision<L extends string> =
  | {
      ok: true;
      language: L;
      /** null when the caller named the language */
      confidence: number | null;
      /** true when the language was not identified on evidence: read by the served-language prior, or no letters */
      uncertain: boolean;
    }
  | { ok: false; detected: string; confidence: number; supported: readonly L[]; message: string };

/**
 * Which model language reads `text`. `requested` 'auto' (or absent) identifies the language; a named language
 * is used as given when the model reads it. Refused (ok: false): a named language the model does not read, and
 * a text the detector confidently identifies as a language outside `supported` (see `SERVED_PRIOR`). Texts with
 * no letters (emoji, numbers) go to the model's first language with confidence 0: there is no language to
 * identify, and the model still reads emoji.
 */
export function decideLanguage<L extends string>(
  text: string,
  requested: string | undefined,
  supported: readonly L[],
): LanguageDecision<L> {
  const reads = (code: string): code is L => (supported as readonly string[]).includes(code);
  const list = supported.join(', ');
  if (requested && requested !== 'auto') {
    if (reads(requested)) return { ok: true, language: requested, confidence: null, uncertain: false };
    return {
      ok: false,
      detected: requested,
      confidence: 1,
      supported,
      message: `language '${requested}' was requested, but the model reads only ${list}`,
    };
  }
  const id = identify(text);
  if (id.by === 'none' && !/\p{L}/u.test(text))
    return { ok: true, language: supported[0], confidence: 0, uncertain: true };
  // read as English by the margin: the detector's own top language was another one
  if (reads(id.language))
    return { ok: true, language: id.language, confidence: id.confidence, uncertain: id.top !== id.language };
  if (id.by !== 'script') {
    const c = countScripts(text);
    const letters = c.hangul + c.kana + c.han + c.latin + c.other;
    if (reads('ko') && c.hangul > 0)
      return { ok: true, language: 'ko' as L, confidence: c.hangul / letters, uncertain: true };
    if (reads('en') && c.latin > letters / 2) {
      const top = id.scores[id.language] ?? 0;
      const en = id.scores.en ?? 0;
      const sure =
        top >= SERVED_PRIOR.minScore && top - en > SERVED_PRIOR.minLead && letters >= SERVED_PRIOR.minLetters;
      if (!sure) return { ok: true, language: 'en' as L, confidence: Math.min(1, Math.max(0, en)), uncertain: true };
    }
  }
  const what =
    id.language === 'und'
      ? 'in no language the detector knows'
      : `${id.language} (confidence ${id.confidence.toFixed(2)})`;
  return {
    ok: false,
    detected: id.language,
    confidence: id.confidence,
    supported,
    message: `the text is ${what}; the model reads only ${list}`,
  };
}
