// Accuracy of the project's language identification (src/engine/language.ts, built into dist/) on the sets of
// sets.mjs. Run after `npm run build`:
//   node eval/language/accuracy.mjs [--split test|dev|all]   (default test; the choices were made on dev)
// Prints a markdown table: per language, exact-language accuracy for texts ≥ 10 characters and < 10, with
// Wilson 95 % intervals, and how often the engine's decision for model 1.3.0 (reads en, ko) was right:
// served in the right language for en/ko, refused for every other language.
import { loadSets, charLength } from './sets.mjs';
import { decideLanguage, identifyLanguage, loadLanguageDetector } from '../../dist/src/engine/language.js';

await loadLanguageDetector();

const split = process.argv.includes('--split') ? process.argv[process.argv.indexOf('--split') + 1] : 'test';
const all = loadSets().filter((r) => split === 'all' || r.split === split);
const defects = all.filter((r) => r.defect);
const rows = all.filter((r) => !r.defect);
const MODEL_LANGS = ['en', 'ko'];

function wilson(k, n) {
  if (!n) return [NaN, NaN];
  const z = 1.959964,
    p = k / n,
    d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d,
    h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [c - h, c + h];
}
const f3 = (x) => (Number.isNaN(x) ? '—' : x.toFixed(3));
const cell = (k, n) => (n ? `${f3(k / n)} [${f3(wilson(k, n)[0])}, ${f3(wilson(k, n)[1])}] (${n})` : '— (0)');

const stats = new Map();
const errors = [];
for (const r of rows) {
  const long = charLength(r.text) >= 10;
  const id = identifyLanguage(r.text);
  const d = decideLanguage(r.text, 'auto', MODEL_LANGS);
  const rightDecision = MODEL_LANGS.includes(r.lang) ? d.ok && d.language === r.lang : !d.ok;
  const s = stats.get(r.lang) ?? { long: [0, 0], short: [0, 0], decision: [0, 0] };
  const b = long ? s.long : s.short;
  b[0] += id.language === r.lang ? 1 : 0;
  b[1]++;
  if (long) {
    s.decision[0] += rightDecision ? 1 : 0;
    s.decision[1]++;
  }
  stats.set(r.lang, s);
  if (long && id.language !== r.lang)
    errors.push(`${r.lang} → ${id.language} (${r.source}): ${JSON.stringify(r.text).slice(0, 90)}`);
}
const total = { long: [0, 0], short: [0, 0], decision: [0, 0] };
console.log(
  `Split ${split}: ${rows.length} texts; ${defects.length} XED-zh lines left out (${['untranslated', 'mojibake'].map((k) => `${defects.filter((r) => r.defect === k).length} ${k}`).join(', ')}).\n`,
);
console.log('| language | identified, ≥ 10 chars | identified, < 10 chars | 1.3.0 decision right, ≥ 10 chars |');
console.log('|---|---|---|---|');
for (const [lang, s] of stats) {
  for (const k of ['long', 'short', 'decision']) {
    total[k][0] += s[k][0];
    total[k][1] += s[k][1];
  }
  console.log(`| ${lang} | ${cell(...s.long)} | ${cell(...s.short)} | ${cell(...s.decision)} |`);
}
console.log(`| **all** | ${cell(...total.long)} | ${cell(...total.short)} | ${cell(...total.decision)} |`);
const macro = [...stats.values()].reduce((a, s) => a + s.long[0] / s.long[1], 0) / stats.size;
console.log(
  `\nMean over the ${stats.size} languages (≥ 10 chars): ${f3(macro)}. Cells: accuracy [Wilson 95 %] (texts).`,
);
console.log(`\nErrors (≥ 10 chars):\n${errors.join('\n')}`);
