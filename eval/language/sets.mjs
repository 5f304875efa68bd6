// Language-identification evaluation sets: short texts with a known language, sampled reproducibly from the
// shared data sets (en, ko, zh, ja) and from the hand-written sets in this repository (ja Ekman set; eight
// other languages in others_handwritten.tsv). Each row carries a split: 'dev' (used to choose the detector and
// the rules) or 'test' (reported), alternating over a seeded shuffle within each source.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../dist/src/core/random.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DATA = process.env.RED_HEART_DATA ?? join(HERE, '..', '..', '..', '..', 'shared', 'data');
/** Rows sampled per shared-data source (before the length filter). */
export const PER_SOURCE = 400;

function shuffled(items, seed) {
  const a = items.slice();
  const rnd = mulberry32(seed);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const lines = (path) =>
  readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split('\n')
    .filter((l) => l.trim() !== '');

/** Column `col` of a TSV; with `fields`, only lines with exactly that many fields (XED zh has malformed lines). */
function tsvColumn(path, col, { header = false, fields } = {}) {
  const rows = lines(path)
    .slice(header ? 1 : 0)
    .map((l) => l.split('\t'));
  return rows.filter((r) => (fields ? r.length === fields : r.length > col)).map((r) => r[col].trim());
}

/** The Utterance column of a CPED csv (the last of 18 columns). */
function cpedUtterances(path) {
  const rows = lines(path).slice(1);
  const out = [];
  for (const r of rows) {
    if (r.includes('"')) continue; // the snapshot has no quoted fields; skip any rather than mis-split
    const f = r.split(',');
    if (f.length !== 18) continue;
    out.push(f[17].trim());
  }
  return out;
}

function sample(source, lang, texts, seed, n = PER_SOURCE) {
  const uniq = [...new Set(texts.filter((t) => t.length > 0))];
  return shuffled(uniq, seed)
    .slice(0, n)
    .map((text, i) => ({
      source,
      lang,
      text,
      split: i % 2 === 0 ? 'dev' : 'test',
      defect: lang === 'zh' && source.startsWith('xed/') ? xedZhDefect(text) : null,
    }));
}

/**
 * Lines of the XED Chinese projections that are not Chinese text, found by script alone (never by a detector):
 * 'untranslated' = no Han character at all (English subtitle lines left in the projection); 'mojibake' = kana,
 * Greek, Cyrillic or box-drawing characters inside a Chinese line (Big5 text decoded as GBK, e.g. "ぃ筁┪砛穦").
 * They are counted and reported, and left out of the accuracy.
 */
export function xedZhDefect(text) {
  if (!/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u.test(text)) return 'untranslated';
  if (/[\u3040-\u30ff\u0370-\u03ff\u0400-\u04ff\u2500-\u257f]/u.test(text)) return 'mojibake';
  return null;
}

export function loadSets() {
  const d = (...p) => join(DATA, ...p);
  const rows = [
    ...sample('goemotions/test', 'en', tsvColumn(d('goemotions', 'test.tsv'), 0), 1),
    ...sample('xed/en-annotated', 'en', tsvColumn(d('xed', 'AnnotatedData', 'en-annotated.tsv'), 0), 2),
    ...sample('goemotions_ko/test', 'ko', tsvColumn(d('goemotions_ko', 'test.tsv'), 0), 3),
    ...sample('kote/test', 'ko', tsvColumn(d('kote', 'test.tsv'), 1), 4),
    ...sample('cped/test', 'zh', cpedUtterances(d('cped', 'test_split.csv')), 5),
    ...sample('xed/cn', 'zh', tsvColumn(d('xed', 'Projections', 'cn-projections.tsv'), 0, { fields: 2 }), 6),
    ...sample('xed/zh', 'zh', tsvColumn(d('xed', 'Projections', 'zh-projections.tsv'), 0, { fields: 2 }), 7),
    ...sample('xed/tw', 'zh', tsvColumn(d('xed', 'Projections', 'tw-projections.tsv'), 0, { fields: 2 }), 8),
    ...sample('xed/ja', 'ja', tsvColumn(d('xed', 'Projections', 'ja-projections.tsv'), 0, { fields: 2 }), 9),
    ...sample(
      'eval/ja_ekman_handwritten',
      'ja',
      tsvColumn(join(HERE, '..', 'data', 'ja_ekman_handwritten.tsv'), 2, { header: true }),
      10,
    ),
  ];
  const others = lines(join(HERE, 'others_handwritten.tsv'))
    .slice(1)
    .map((l) => l.split('\t'));
  const byLang = new Map();
  for (const [lang, text] of others) byLang.set(lang, [...(byLang.get(lang) ?? []), text]);
  let seed = 100;
  for (const [lang, texts] of byLang) rows.push(...sample('handwritten', lang, texts, seed++));
  return rows;
}

/** Length in Unicode code points of the trimmed text (the unit of the ≥ 10-character target). */
export const charLength = (text) => [...text.trim()].length;
