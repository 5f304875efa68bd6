// Test splits for the Node evaluation, read from ../shared/data exactly as training/data.py reads them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MultiLabelRow {
  text: string;
  labels: number[];
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}

/** GoEmotions (en or the Korean translation): `text<TAB>labels[<TAB>id]`, labels comma-separated indices. */
export function loadGoEmotions(
  dir: string,
  split: 'train' | 'dev' | 'test',
  lang: 'en' | 'ko' = 'en',
): MultiLabelRow[] {
  const sub = lang === 'en' ? 'goemotions' : 'goemotions_ko';
  return lines(join(dir, sub, `${split}.tsv`))
    .filter((l) => l !== '')
    .map((l) => {
      const parts = l.split('\t');
      return { text: parts[0], labels: parts[1].split(',').map(Number) };
    });
}

export function readLabelList(path: string): string[] {
  return lines(path).filter((l) => l.trim() !== '');
}

export function loadEkmanMapping(dir: string): Record<string, string[]> {
  return JSON.parse(readFileSync(join(dir, 'goemotions', 'ekman_mapping.json'), 'utf8'));
}

/** KOTE: train/dev are carved out of val.tsv (dev = int(ID) % 5 == 0); test = test.tsv. */
export function loadKote(dir: string, split: 'train' | 'dev' | 'test'): MultiLabelRow[] {
  const file = split === 'test' ? 'test.tsv' : 'val.tsv';
  const out: MultiLabelRow[] = [];
  for (const l of lines(join(dir, 'kote', file))) {
    if (l === '') continue;
    const [id, text, labs] = l.split('\t');
    if (split !== 'test') {
      const isDev = Number.parseInt(id, 10) % 5 === 0;
      if ((split === 'dev') !== isDev) continue;
    }
    out.push({ text, labels: labs ? labs.split(',').map(Number) : [] });
  }
  return out;
}

/** Minimal RFC 4180 CSV parser (quoted fields, doubled quotes, newlines inside quotes), like Python's csv module. */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** ETHICS utilitarianism: (more pleasant, less pleasant) pairs; the files have no header. */
export function loadEthicsUtil(dir: string, split: 'train' | 'test' | 'test_hard'): Array<[string, string]> {
  const file = { train: 'util_train.csv', test: 'util_test.csv', test_hard: 'util_test_hard.csv' }[split];
  return parseCsv(readFileSync(join(dir, 'ethics', 'utilitarianism', file), 'utf8'))
    .filter((r) => r.length >= 2) // csv.reader yields [] for blank lines
    .map((r) => [r[0], r[1]]);
}

/** EmoBank rows of one split: text and [V, A, D]. */
export function loadEmoBank(
  dir: string,
  split: 'train' | 'dev' | 'test',
): Array<{ text: string; vad: [number, number, number] }> {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, 'emobank', 'emobank.csv'), 'utf8'));
  const col = (n: string) => header.indexOf(n);
  return rows
    .filter((r) => r[col('split')] === split)
    .map((r) => ({
      text: r[col('text')],
      vad: [Number(r[col('V')]), Number(r[col('A')]), Number(r[col('D')])] as [number, number, number],
    }));
}

// ---- NSMC (own split, see training/data.py) ----
// Python's str.strip() whitespace (str.isspace), which differs slightly from String.prototype.trim.
const PY_WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
export const pyStrip = (s: string) => s.replace(PY_STRIP, '');

export function nsmcBucket(reviewId: string): number {
  const hex = createHash('sha256').update(reviewId, 'utf8').digest('hex');
  return Number(BigInt(`0x${hex}`) % 1000n);
}

export function nsmcSplitOf(label: 0 | 1, b: number): 'train' | 'dev' | 'test' {
  if (label === 0) return b < 40 ? 'test' : b < 60 ? 'dev' : 'train';
  return b < 13 ? 'test' : b < 19 ? 'dev' : 'train';
}

/** Extracts nsmc_raw.tar.xz once (GNU tar + xz) into a cache folder and returns its path. */
function extractNsmc(dir: string, log: (m: string) => void): string {
  const archive = join(dir, 'nsmc_raw', 'nsmc_raw.tar.xz');
  const st = statSync(archive);
  const dest = join(tmpdir(), `red-heart-eval-nsmc-${st.size}`);
  if (!existsSync(join(dest, '.done'))) {
    log(`extracting ${archive} → ${dest} (once)`);
    mkdirSync(dest, { recursive: true });
    execFileSync('tar', ['-xJf', archive, '-C', dest], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('touch', [join(dest, '.done')]);
  }
  return dest;
}

function findRawDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(d, e.name);
      if (e.name === 'raw') out.push(p);
      else walk(p);
    }
  };
  walk(root);
  return out;
}

export interface NsmcRow {
  id: string;
  movie: string;
  text: string;
  label: 0 | 1;
}

/** Every NSMC-style review: rating ≤ 4 → 0, ≥ 9 → 1; non-empty and shorter than 140 characters after strip; by id. */
export function loadNsmcPool(dir: string, log: (m: string) => void = () => {}): NsmcRow[] {
  const root = extractNsmc(dir, log);
  const rows: NsmcRow[] = [];
  for (const rawDir of findRawDirs(root)) {
    for (const f of readdirSync(rawDir)) {
      if (!f.endsWith('.json')) continue;
      for (const r of JSON.parse(readFileSync(join(rawDir, f), 'utf8')) as Array<Record<string, string>>) {
        const text = pyStrip(r.review);
        const rating = Number.parseInt(r.rating, 10);
        if (!text || [...text].length >= 140 || (rating >= 5 && rating <= 8)) continue;
        rows.push({ id: String(r.review_id), movie: String(r.movie_id), text, label: rating <= 4 ? 0 : 1 });
      }
    }
  }
  rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
  return rows;
}

/** The per-review split of models 1.0–1.3 (training/data.py, scheme 'review'). */
export function nsmcByReview(pool: NsmcRow[]): Record<'train' | 'dev' | 'test', NsmcRow[]> {
  const out: Record<'train' | 'dev' | 'test', NsmcRow[]> = { train: [], dev: [], test: [] };
  for (const r of pool) out[nsmcSplitOf(r.label, nsmcBucket(r.id))].push(r);
  return out;
}

export function nsmcMovieSplitOf(movieId: string): 'train' | 'dev' | 'test' {
  const m = nsmcBucket(movieId);
  return m < 50 ? 'test' : m < 80 ? 'dev' : 'train';
}

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * The split by movie (training/data.py, scheme 'movie'): movies to test/dev/train by sha256(movie_id) % 1000
 * (< 50, < 80, rest); dev reviews whose text is in train, and test reviews whose text is in train or dev, are
 * dropped; dev and test are balanced (the larger class keeps its reviews with the smallest sha256(review_id)).
 */
export function nsmcByMovie(pool: NsmcRow[]): {
  splits: Record<'train' | 'dev' | 'test', NsmcRow[]>;
  removed: { dev_in_train: number; test_in_train_or_dev: number };
} {
  const parts: Record<'train' | 'dev' | 'test', NsmcRow[]> = { train: [], dev: [], test: [] };
  for (const r of pool) parts[nsmcMovieSplitOf(r.movie)].push(r);
  const seen = new Set(parts.train.map((r) => r.text));
  const dev = parts.dev.filter((r) => !seen.has(r.text));
  for (const r of dev) seen.add(r.text);
  const test = parts.test.filter((r) => !seen.has(r.text));
  const balance = (rows: NsmcRow[]) => {
    const by = [rows.filter((r) => r.label === 0), rows.filter((r) => r.label === 1)];
    const n = Math.min(by[0].length, by[1].length);
    const keep = new Set(
      by.flatMap((c) =>
        c
          .map((r) => ({ r, h: sha(r.id) }))
          .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
          .slice(0, n)
          .map((x) => x.r.id),
      ),
    );
    return rows.filter((r) => keep.has(r.id));
  };
  return {
    splits: { train: parts.train, dev: balance(dev), test: balance(test) },
    removed: { dev_in_train: parts.dev.length - dev.length, test_in_train_or_dev: parts.test.length - test.length },
  };
}

/** `train.py --nsmc-per-class` of models 1.0–1.3. */
export const V1_NSMC_PER_CLASS = 20000;

/** The balanced training subsample of training/data.py: per class the N rows with the smallest sha256(review_id). */
export function nsmcTrainSubsample(train: NsmcRow[], perClass: number): NsmcRow[] {
  const keyed = train.map((r) => ({ r, h: sha(r.id) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const sel: [NsmcRow[], NsmcRow[]] = [[], []];
  for (const { r } of keyed) if (sel[r.label].length < perClass) sel[r.label].push(r);
  return [...sel[0], ...sel[1]];
}

/** NSMC-style rows of a split of the per-review scheme (models 1.0–1.3). */
export function loadNsmc(
  dir: string,
  split: 'train' | 'dev' | 'test',
  log: (m: string) => void = () => {},
): Array<{ id: string; text: string; label: 0 | 1 }> {
  return nsmcByReview(loadNsmcPool(dir, log))[split];
}

/** The hand-written Japanese Ekman-7 set (eval/data/ja_ekman_handwritten.tsv: id, label, text; labelled before any model ran on it). */
export function loadJaHandwritten(path: string): Array<{ id: string; label: string; text: string }> {
  const [header, ...lines] = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  if (header !== 'id\tlabel\ttext') throw new Error(`${path}: unexpected header '${header}'`);
  return lines.map((l) => {
    const [id, label, text] = l.split('\t');
    return { id, label, text };
  });
}

/** The Plutchik-8 labels of XED in its 1-based id order (xed/SOURCE.md). */
export const XED_PLUTCHIK = [
  'anger',
  'anticipation',
  'disgust',
  'fear',
  'joy',
  'sadness',
  'surprise',
  'trust',
] as const;

/**
 * XED's projected lines of one language (xed/Projections/<code>-projections.tsv, CRLF): text and label names.
 * Lines without exactly two tab-separated fields are dropped (as training/data.py xed_lines does); any other label is an error.
 */
export function loadXedProjections(dir: string, code: string): Array<{ text: string; labels: string[] }> {
  const out: Array<{ text: string; labels: string[] }> = [];
  for (const raw of readFileSync(join(dir, 'xed', 'Projections', `${code}-projections.tsv`), 'utf8').split('\n')) {
    const parts = raw.replace(/\r$/, '').split('\t');
    if (parts.length !== 2) continue;
    const ids = [
      ...new Set(
        parts[1]
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .map(Number),
      ),
    ].sort((a, b) => a - b);
    if (ids.length === 0 || ids.some((i) => !Number.isInteger(i) || i < 1 || i > XED_PLUTCHIK.length))
      throw new Error(`XED ${code}: unexpected labels '${parts[1]}'`);
    out.push({ text: parts[0], labels: ids.map((i) => XED_PLUTCHIK[i - 1]) });
  }
  return out;
}
