// Compare candidate language detectors on the sets of sets.mjs, raw and behind the script rules
// (kana → ja, Hangul → ko, Han without kana → zh). The candidates are not project dependencies: install them
// in a scratch folder and pass it, e.g.
//   npm install --prefix /tmp/lidbench tinyld eld franc-min franc cld3-asm
//   node eval/language/compare.mjs /tmp/lidbench/node_modules
// Prints accuracy (exact language) per language for texts ≥ 10 characters and < 10 on the chosen split
// (--split dev|test|all, default dev: the choice is made on dev; test is reported once).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSets, charLength } from './sets.mjs';
import { scriptRule } from '../../dist/src/engine/language.js';

const modules = process.argv[2];
if (!modules)
  throw new Error(
    'usage: node eval/language/compare.mjs <node_modules folder holding the candidates> [--split dev|test|all]',
  );
const split = process.argv.includes('--split') ? process.argv[process.argv.indexOf('--split') + 1] : 'dev';
/** Import `pkg/sub` from the scratch folder (ESM entry of the package's exports map, else its main). */
async function imp(spec) {
  const parts = spec.split('/');
  const [pkg, sub] = [parts[0], parts.slice(1).join('/')];
  const dir = join(modules, pkg);
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entry = meta.exports?.[sub ? `./${sub}` : '.'];
  const file = typeof entry === 'string' ? entry : (entry?.import ?? entry?.default ?? meta.main ?? 'index.js');
  return import(pathToFileURL(join(dir, file)).href);
}

const ISO3 = {
  eng: 'en',
  kor: 'ko',
  cmn: 'zh',
  jpn: 'ja',
  spa: 'es',
  fra: 'fr',
  deu: 'de',
  ita: 'it',
  por: 'pt',
  rus: 'ru',
  nld: 'nl',
  tur: 'tr',
};
const norm = (code) => (ISO3[code] ?? code ?? '').split('-')[0];

const candidates = [];
for (const size of ['large', 'medium', 'small']) {
  const { eld } = await imp(`eld/${size}`);
  candidates.push([`eld ${size}`, (t) => eld.detect(t).language]);
}
for (const size of ['heavy', 'normal', 'light']) {
  const tinyld = await imp(size === 'normal' ? 'tinyld' : `tinyld/${size}`);
  candidates.push([`tinyld ${size}`, (t) => tinyld.detect(t)]);
}
for (const pkg of ['franc-min', 'franc']) {
  const { franc } = await imp(pkg);
  candidates.push([pkg, (t) => norm(franc(t, { minLength: 1 }))]);
}
const cld3 = await (await imp('cld3-asm')).loadModule();
const cldId = cld3.create(0, 1000);
candidates.push(['cld3-asm', (t) => norm(cldId.findLanguage(t).language)]);

const rows = loadSets().filter((r) => !r.defect && (split === 'all' || r.split === split));
const langs = [...new Set(rows.map((r) => r.lang))];
const pct = (a, n) => (n ? (a / n).toFixed(3) : '—');
console.log(
  `split ${split}: ${rows.length} texts (${rows.filter((r) => charLength(r.text) >= 10).length} ≥ 10 characters)`,
);
console.log(['detector', 'rules', 'all≥10', ...langs.map((l) => `${l}≥10`), 'all<10', 'µs/text'].join('\t'));
for (const [name, detect] of candidates) {
  for (const withRules of [false, true]) {
    const hit = { long: [0, 0], short: [0, 0] };
    const per = Object.fromEntries(langs.map((l) => [l, [0, 0]]));
    const t0 = performance.now();
    for (const r of rows) {
      const got = (withRules && scriptRule(r.text)?.language) || detect(r.text);
      const ok = got === r.lang ? 1 : 0;
      const long = charLength(r.text) >= 10;
      const b = long ? hit.long : hit.short;
      b[0] += ok;
      b[1]++;
      if (long) {
        per[r.lang][0] += ok;
        per[r.lang][1]++;
      }
    }
    const us = ((performance.now() - t0) * 1000) / rows.length;
    console.log(
      [
        name,
        withRules ? 'yes' : 'no',
        pct(...hit.long),
        ...langs.map((l) => pct(...per[l])),
        pct(...hit.short),
        us.toFixed(0),
      ].join('\t'),
    );
  }
}
