// Document readings: how a text of several sentences should be read. Builds seeded document sets from sentences
// (English: 3–8 GoEmotions comments; Korean: 3–8 KOTE comments), reads them through the server's own document reader
// (src/tools/reading/documents.ts) with each candidate rule, the old way (the whole text in windows, per-label
// maximum) and the shipped hybrid (whole when the document fits one window, else by its sentences), and scores them
// against gold built from the sentences' own labels (docs/emotion.md, "Documents").
//   node dist/eval/document.js --data DIR [--split dev|test] [--docs 1000] [--cache DIR] [--out FILE]
// Choose on dev (the default); run --split test once for the table.
//
// Gold (per document, from its units' labels mapped by the tables of src/core/labels.ts):
// - present: the set of Ekman classes (sentiment groups) of its units; neutral when a unit is labelled neutral/없음;
// - share[c]: the length-weighted share of its units whose gold holds c (length in UTF-16 code units);
//   the headline gold is the class (or tied classes) with the largest share.
// Metrics:
// - ekman_macro_f1 (multi-label): predicted = the classes whose document Ekman score ≥ τ, and always the dominant
//   one; per class tp/fp/fn over documents, F1 averaged over the 7 classes (τ: each rule's best on dev);
// - dominant_macro_f1: the house metric of eval/ekman_mix.ts at document level (the dominant class against `present`);
// - headline: the reported dominant class is a largest-share gold class;
// - strongest_hit: over (document, class in `present`) pairs of documents read in ≥ 2 sentences, the reported
//   strongest sentence for the class belongs to a unit whose gold holds it (chance: the share of such sentences).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DOCUMENT_RULE,
  EMOTION_POWER,
  LABEL_RULES,
  documentAnalysis,
  documentParts,
} from '../src/analysis/emotion/document.js';
import { ekmanScores, emotionProfile, sentimentGroups } from '../src/analysis/emotion/profile.js';
import {
  EKMAN,
  GOEMOTIONS_EKMAN,
  GOEMOTIONS_SENTIMENT,
  KOTE_EKMAN,
  KOTE_SENTIMENT,
  NONE_LABEL,
  SENTIMENTS,
} from '../src/core/labels.js';
import type { DecidedLanguage, TextAnalysis, TextEngine } from '../src/core/model.js';
import { mulberry32 } from '../src/core/random.js';
import { resolveModel } from '../src/engine/manifest.js';
import { OnnxTextEngine } from '../src/engine/onnx-engine.js';
import { packageRoot } from '../src/server/config.js';
import { readDocuments } from '../src/tools/reading/documents.js';
import { arg, emitReport } from './args.js';
import { loadGoEmotions, loadKote } from './data.js';

const data = resolve(arg('data', resolve(packageRoot(), '..', 'shared', 'data')));
const modelsDir = resolve(arg('models-dir', join(packageRoot(), 'models')));
const split = arg('split', 'dev') as 'dev' | 'test';
const nDocs = Number(arg('docs', '1000'));
const cacheDir = arg('cache', join(tmpdir(), 'red-heart-eval-document'));
const TAUS = [0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3];

type Lang = 'en' | 'ko';
interface Unit {
  text: string;
  ekman: Set<string>;
  sentiment: Set<string>;
}
interface Doc {
  text: string;
  units: Array<Unit & { start: number; end: number }>;
}

function unitsOf(lang: Lang, labels: string[]): Unit[] {
  const rows = lang === 'en' ? loadGoEmotions(data, split, 'en') : loadKote(data, split);
  const tax = lang === 'en' ? 'goemotions' : 'kote';
  const ekmanGroups = lang === 'en' ? GOEMOTIONS_EKMAN : KOTE_EKMAN;
  const sentGroups = lang === 'en' ? GOEMOTIONS_SENTIMENT : KOTE_SENTIMENT;
  return rows
    .filter((r) => r.text.trim() !== '')
    .map((r) => {
      const names = r.labels.map((i) => labels[i]);
      const ekman = new Set<string>();
      const sentiment = new Set<string>();
      for (const l of names) {
        if (l === NONE_LABEL[tax]) {
          ekman.add('neutral');
          sentiment.add('neutral');
        }
        for (const [g, members] of Object.entries(ekmanGroups)) if (members.includes(l)) ekman.add(g);
        for (const [g, members] of Object.entries(sentGroups)) if (members.includes(l)) sentiment.add(g);
      }
      return { text: r.text.trim(), ekman, sentiment };
    });
}

/** A unit ends with sentence punctuation, or gets a full stop, so that the sentence splitter sees the boundary. */
const terminated = (t: string) => (/[.!?…。？！]["'”’)\]]*$/u.test(t) ? t : `${t}.`);

function buildDocs(units: Unit[], seed: number): Doc[] {
  const r = mulberry32(seed);
  const docs: Doc[] = [];
  for (let d = 0; d < nDocs; d++) {
    const n = 3 + Math.floor(r() * 6);
    const picked = new Set<number>();
    while (picked.size < n) picked.add(Math.floor(r() * units.length));
    let text = '';
    const out: Doc['units'] = [];
    for (const i of picked) {
      if (text) text += ' ';
      const t = terminated(units[i].text);
      out.push({ ...units[i], start: text.length, end: text.length + t.length });
      text += t;
    }
    docs.push({ text, units: out });
  }
  return docs;
}

type Cached = Omit<TextAnalysis, 'goemotions' | 'kote'> & { goemotions: number[]; kote: number[] };

/** The ONNX engine behind a file cache of its analyses (by language and text), so each text is read once. */
async function cachingEngine(): Promise<Pick<TextEngine, 'model' | 'analyze'> & { close(): Promise<void> }> {
  const engine = await OnnxTextEngine.load(resolveModel(modelsDir, undefined, undefined), {
    provider: 'cpu',
    threads: 0,
    batchWindowMs: 0,
    maxBatch: 32,
  });
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `${engine.model.sha256.slice(0, 12)}.jsonl`);
  const cache = new Map<string, Cached>();
  if (existsSync(file))
    for (const l of readFileSync(file, 'utf8').split('\n'))
      if (l) {
        const { key, a } = JSON.parse(l) as { key: string; a: Cached };
        cache.set(key, a);
      }
  let fresh: string[] = [];
  const flush = () => {
    if (fresh.length) writeFileSync(file, fresh.join(''), { flag: 'a' });
    fresh = [];
  };
  return {
    model: engine.model,
    async analyze(texts, options) {
      const decided = options!.decided!;
      const keys = texts.map((t, i) => `${decided[i].language}\u0000${t}`);
      const todo = [...new Set(keys.filter((k) => !cache.has(k)))];
      for (let i = 0; i < todo.length; i += 256) {
        const batch = todo.slice(i, i + 256);
        const res = await engine.analyze(
          batch.map((k) => k.slice(3)),
          { decided: batch.map((k) => ({ language: k.slice(0, 2) as Lang, confidence: null })) },
        );
        res.forEach((a, j) => {
          const c: Cached = { ...a, goemotions: Array.from(a.goemotions), kote: Array.from(a.kote) };
          cache.set(batch[j], c);
          fresh.push(`${JSON.stringify({ key: batch[j], a: c })}\n`);
        });
        flush();
        process.stderr.write(`[document] read ${Math.min(i + 256, todo.length)} / ${todo.length}\n`);
      }
      return keys.map((k, i) => {
        const c = cache.get(k)!;
        return {
          ...c,
          language: decided[i].language,
          languageConfidence: decided[i].confidence,
          goemotions: Float32Array.from(c.goemotions),
          kote: Float32Array.from(c.kote),
        };
      });
    },
    close: () => engine.close(),
  };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

function macroF1(classes: readonly string[], gold: Set<string>[], pred: Set<string>[]): number {
  const f1 = classes.map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = pred[i].has(c);
      if (p && g.has(c)) tp++;
      else if (p) fp++;
      else if (g.has(c)) fn++;
    });
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return f1.reduce((a, b) => a + b, 0) / classes.length;
}

interface Reading {
  scores: Record<string, number>;
  dominant: string;
  /** Per class: the part strongest for it, and the parts (absent for a text read whole). */
  strongest?: Record<string, { start: number; end: number }>;
  parts?: Array<[number, number]>;
}

function score(
  classes: readonly string[],
  docs: Doc[],
  goldOf: (u: Unit) => Set<string>,
  readings: Reading[],
  taus: number[],
) {
  const present = docs.map((d) => new Set(d.units.flatMap((u) => [...goldOf(u)])));
  const headline = docs.map((d) => {
    const share: Record<string, number> = {};
    for (const u of d.units) for (const c of goldOf(u)) share[c] = (share[c] ?? 0) + u.end - u.start;
    const top = Math.max(...Object.values(share));
    return new Set(Object.keys(share).filter((c) => share[c] === top));
  });
  const byTau: Record<string, number> = {};
  for (const t of taus)
    byTau[t] = round(
      macroF1(
        classes,
        present,
        readings.map((r) => new Set([r.dominant, ...classes.filter((c) => r.scores[c] >= t)])),
      ),
    );
  let hits = 0;
  let pairs = 0;
  let chance = 0;
  docs.forEach((d, i) => {
    const { strongest, parts } = readings[i];
    if (!strongest || !parts) return;
    const holds = (start: number, end: number, c: string) =>
      d.units.some((u) => u.start < end && start < u.end && goldOf(u).has(c));
    for (const c of present[i]) {
      pairs++;
      if (holds(strongest[c].start, strongest[c].end, c)) hits++;
      chance += parts.filter(([a, b]) => holds(a, b, c)).length / parts.length;
    }
  });
  return {
    macro_f1_by_tau: byTau,
    dominant_macro_f1: round(
      macroF1(
        classes,
        present,
        readings.map((r) => new Set([r.dominant])),
      ),
    ),
    headline: round(readings.filter((r, i) => headline[i].has(r.dominant)).length / docs.length),
    headline_macro_f1: round(
      macroF1(
        classes,
        headline,
        readings.map((r) => new Set([r.dominant])),
      ),
    ),
    all_classes_macro_f1: round(
      macroF1(
        classes,
        present,
        readings.map(() => new Set(classes)),
      ),
    ),
    dominant_counts: Object.fromEntries(classes.map((c) => [c, readings.filter((r) => r.dominant === c).length])),
    headline_gold_counts: Object.fromEntries(classes.map((c) => [c, headline.filter((h) => h.has(c)).length])),
    ...(pairs ? { strongest_hit: round(hits / pairs), strongest_chance: round(chance / pairs), pairs } : {}),
  };
}

async function main(): Promise<void> {
  const engine = await cachingEngine();
  const model = engine.model;
  const report: Record<string, unknown> = {
    model: `${model.id} ${model.version}`,
    sha256: model.sha256.slice(0, 12),
    split,
    docs: nDocs,
    document_rule: { labels: DOCUMENT_RULE, emotion_power: EMOTION_POWER },
  };
  const sets: Array<[Lang, number]> = [
    ['en', split === 'dev' ? 101 : 201],
    ['ko', split === 'dev' ? 102 : 202],
  ];
  for (const [lang, seed] of sets) {
    const units = unitsOf(lang, lang === 'en' ? model.labels.goemotions : model.labels.kote);
    const docs = buildDocs(units, seed);
    const decided: DecidedLanguage[] = docs.map(() => ({ language: lang, confidence: null }));
    const texts = docs.map((d) => d.text);
    const parts = texts.map((t) => documentParts(t, lang).map((p): [number, number] => [p.start, p.end]));
    /** Ekman and sentiment as a result reports them; `strongest` from `withSentences` when given. */
    const readingOf = (a: TextAnalysis, i: number, withSentences: TextAnalysis = a) => {
      const p = emotionProfile(a, model, { topK: 1 });
      const doc = withSentences === a ? p.document : emotionProfile(withSentences, model, { topK: 1 }).document;
      const strongest = (k: 'ekman' | 'sentiment') => (doc ? { strongest: doc.strongest[k], parts: parts[i] } : {});
      return {
        ekman: { scores: p.ekman.scores, dominant: p.ekman.dominant, ...strongest('ekman') } as Reading,
        sentiment: { scores: p.sentiment.scores, dominant: p.sentiment.label, ...strongest('sentiment') } as Reading,
      };
    };
    const scored = (read: Array<{ ekman: Reading; sentiment: Reading }>) => ({
      ekman: score(
        EKMAN,
        docs,
        (u) => u.ekman,
        read.map((r) => r.ekman),
        TAUS,
      ),
      sentiment: score(
        SENTIMENTS,
        docs,
        (u) => u.sentiment,
        read.map((r) => r.sentiment),
        TAUS,
      ),
    });
    const whole = await engine.analyze(texts, { decided });
    // every document of several sentences read by its sentences (the rule first tried; the candidates below vary it)
    const shipped = await readDocuments(engine, texts, decided, undefined, { mode: 'sentences' });
    // the server's rule: read whole when it fits one window (its sentences read beside it for the strongest block)
    const hybrid = await readDocuments(engine, texts, decided, undefined, { sentences: true });
    const out: Record<string, unknown> = {
      documents: docs.length,
      units: units.length,
      mean_units: round(docs.reduce((t, d) => t + d.units.length, 0) / docs.length),
      mean_sentences: round(parts.reduce((t, p) => t + p.length, 0) / docs.length),
      mean_windows_whole: round(whole.reduce((t, a) => t + a.chunks, 0) / docs.length),
      share_one_window: round(whole.filter((a) => a.chunks === 1).length / docs.length),
      old_max_over_windows: scored(whole.map((a, i) => readingOf(a, i))),
      sentences_all: scored(shipped.map((a, i) => readingOf(a, i))),
      hybrid_shipped: scored(hybrid.map((a, i) => readingOf(a, i))),
    };
    if (split === 'dev') {
      // the candidates the rule was chosen from (docs/emotion.md): the label probabilities (and every other head)
      // averaged over the sentences with other weights, or aggregated by another LabelRule, then projected as for
      // any text; and the Ekman / sentiment distributions of the sentences averaged instead of projected from
      // averaged probabilities. The strongest sentences are the shipped ones throughout.
      const neutral = (x: TextAnalysis) => ekmanScores(x, model).neutral;
      const tokens = (x: TextAnalysis) => (x.tokens > 0 ? x.tokens : 1);
      const weights: Record<string, (x: TextAnalysis) => number> = {
        plain_mean: () => 1,
        token_weighted: tokens,
        tokens_times_emotion_power_1: (x) => tokens(x) * (1 - neutral(x)),
        tokens_times_emotion_power_3: (x) => tokens(x) * (1 - neutral(x)) ** 3,
      };
      const partsOf = (a: TextAnalysis) => a.sentences!.map(({ start, end, analysis }) => ({ start, end, analysis }));
      const withoutSentences = (a: TextAnalysis): TextAnalysis => {
        const { sentences: _kept, ...rest } = a;
        void _kept;
        return rest;
      };
      for (const [name, weight] of Object.entries(weights)) {
        const read = shipped.map((a, i) => {
          if (!a.sentences) return readingOf(a, i);
          const parts = partsOf(a);
          const doc = documentAnalysis(
            parts,
            model,
            decided[i],
            'weighted_mean',
            parts.map((p) => weight(p.analysis)),
          );
          return readingOf(withoutSentences(doc), i, a);
        });
        out[`candidate_weights_${name}`] = scored(read);
      }
      out.candidate_mean_of_sentence_distributions = scored(
        shipped.map((a, i) => {
          const r = readingOf(a, i);
          if (!a.sentences) return r;
          const pr = a.sentences.map((x) => ({
            w: x.weight,
            e: ekmanScores(x.analysis, model),
            g: sentimentGroups(x.analysis, model),
          }));
          const total = pr.reduce((t, x) => t + x.w, 0);
          const mean = (pick: (x: (typeof pr)[number]) => Record<string, number>) =>
            Object.fromEntries(
              Object.keys(pick(pr[0])).map((k) => [k, pr.reduce((t, x) => t + x.w * pick(x)[k], 0) / total]),
            );
          const argmax = (d: Record<string, number>) => Object.keys(d).reduce((x, y) => (d[y] > d[x] ? y : x));
          const e = mean((x) => x.e);
          const g = mean((x) => x.g);
          return {
            ekman: { ...r.ekman, scores: e, dominant: argmax(e) },
            sentiment: { ...r.sentiment, scores: g, dominant: argmax(g) },
          };
        }),
      );
      for (const rule of LABEL_RULES.filter((r) => r !== DOCUMENT_RULE)) {
        const read = await readDocuments(engine, texts, decided, undefined, { mode: 'sentences', rule });
        out[`candidate_labels_${rule}`] = scored(read.map((a, i) => readingOf(withoutSentences(a), i, shipped[i])));
      }
    }
    report[lang] = out;
    process.stderr.write(`[document] ${lang} done\n`);
  }
  await engine.close();
  emitReport(report);
}

main().catch((err) => {
  process.stderr.write(`document: ${(err as Error).stack}\n`);
  process.exit(1);
});
