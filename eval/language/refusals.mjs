// How often the language decision refuses texts of the served languages, and how often it still refuses the
// other languages: `node eval/language/refusals.mjs [--split dev|test] [--dist DIR]` after `npm run build`.
// Served: all of GoEmotions (en) and GoEmotions-ko + KOTE (ko) of the split (dev: GoEmotions dev, GoEmotions-ko
// dev, KOTE val; test: their test splits). Other languages: the hand-written sentences of others_handwritten.tsv
// (that split's half). Prints a markdown confusion table: the true source against what the model 1.3.0 decision
// (reads en, ko) did — served as en / ko (identified, or read by the served-language prior = uncertain), or refused.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATA, loadSets } from './sets.mjs';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const split = arg('--split', 'dev');
const dist = resolve(arg('--dist', join(import.meta.dirname, '..', '..', 'dist')));
const { decideLanguage, loadLanguageDetector } = await import(join(dist, 'src', 'engine', 'language.js'));
await loadLanguageDetector();
const MODEL_LANGS = ['en', 'ko'];

const column = (path, col) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t')[col]);
const d = (...p) => join(DATA, ...p);
const sources =
  split === 'test'
    ? {
        'en: GoEmotions test': column(d('goemotions', 'test.tsv'), 0),
        'ko: GoEmotions-ko test + KOTE test': [
          ...column(d('goemotions_ko', 'test.tsv'), 0),
          ...column(d('kote', 'test.tsv'), 1),
        ],
      }
    : {
        'en: GoEmotions dev': column(d('goemotions', 'dev.tsv'), 0),
        'ko: GoEmotions-ko dev + KOTE val': [
          ...column(d('goemotions_ko', 'dev.tsv'), 0),
          ...column(d('kote', 'val.tsv'), 1),
        ],
      };
sources[`other: 8 languages, hand-written (${split} half)`] = loadSets()
  .filter((r) => !['en', 'ko', 'zh', 'ja'].includes(r.lang) && r.split === split)
  .map((r) => r.text);

const COLS = ['en', 'en (uncertain)', 'ko', 'ko (uncertain)', 'refused'];
console.log(`Split ${split}; decision code: ${dist}\n`);
console.log(`| source | texts | ${COLS.join(' | ')} |`);
console.log(`|---|---|${COLS.map(() => '---').join('|')}|`);
const refused = [];
for (const [name, texts] of Object.entries(sources)) {
  const n = Object.fromEntries(COLS.map((c) => [c, 0]));
  for (const t of texts) {
    const r = decideLanguage(t, 'auto', MODEL_LANGS);
    const col = !r.ok ? 'refused' : `${r.language}${r.uncertain ? ' (uncertain)' : ''}`;
    n[col] = (n[col] ?? 0) + 1;
    if (!r.ok && !name.startsWith('other'))
      refused.push(`${name.slice(0, 2)} → ${r.detected} ${r.confidence.toFixed(2)}: ${JSON.stringify(t).slice(0, 80)}`);
    if (r.ok && name.startsWith('other')) refused.push(`other read as ${r.language}: ${JSON.stringify(t)}`);
  }
  console.log(`| ${name} | ${texts.length} | ${COLS.map((c) => n[c]).join(' | ')} |`);
}
console.log(`\nWrong decisions (${refused.length}):`);
for (const line of refused) console.log(`- ${line}`);
