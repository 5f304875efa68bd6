// Does the experience memory improve readings? Two measurements, with the vote and blend of the `memory` block
// (src/analysis/memory: int8 vectors, exact cosine top-10 = MEMORY_NEIGHBOURS, similarity-weighted label votes,
// blend (1 − w)·model + w·vote, decided with the model's own per-label thresholds):
//   1. second opinion on GoEmotions: memory = train (43,410 rows), dev split in even / odd rows; w chosen on the
//      even rows (grid 0..1 step 0.05, max macro-F1 over the 28 labels), reported on the odd rows against the model
//      alone (w = 0), with a paired bootstrap interval of the difference.
//   2. adaptation to a new domain, XED English (movie subtitles): Plutchik → Ekman (anger, disgust, fear, joy,
//      sadness, surprise kept; anticipation and trust have no Ekman counterpart and are dropped; neu_en lines are
//      neutral; a line left with no label is dropped). Seeded shuffle: the first 1,000 lines are the pool the
//      memory draws 50 / 200 / 1,000 remembered lines from, the next 1,000 choose w, the rest are the held-out
//      lines reported (Ekman-7 macro-F1 from the model's Ekman reading: group max + the manifest's Ekman thresholds).
// Reads the embedding cache of eval/memory/embed_cache.py (the shipped model's sentence_embedding and GoEmotions
// probabilities, batch 1, same tokenizer).
//   node dist/eval/memory.js [--cache /tmp/red-heart-memory-cache] [--only goemotions|xed] [--out FILE]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import usearch from 'usearch';
import { blendScores, cosineInt8, labelVotes, quantize } from '../src/analysis/memory/index.js';
import { EKMAN, GOEMOTIONS_EKMAN } from '../src/core/labels.js';
import { mulberry32 } from '../src/core/random.js';
import { resolveSingleModel } from '../src/engine/manifest.js';
import { MEMORY_NEIGHBOURS } from '../src/tools/memory-reading.js';
import { arg, emitReport } from './args.js';
import { bootstrapCI } from './bootstrap.js';
import { macroF1On } from './metrics.js';

const CACHE = arg('cache', '/tmp/red-heart-memory-cache');
const ONLY = arg('only');
const DIM = 384;
const GRID = Array.from({ length: 21 }, (_, i) => i / 20);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const log = (m: string) => process.stderr.write(`[eval:memory] ${m}\n`);

interface Set {
  vectors: Int8Array[];
  ge: Float32Array[];
  labels: string[][];
}

function load(name: string): Set {
  const rows = readFileSync(join(CACHE, `${name}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { labels: string[] });
  const emb = new Float32Array(readFileSync(join(CACHE, `${name}.emb.f32`)).buffer.slice(0));
  const ge = new Float32Array(readFileSync(join(CACHE, `${name}.ge.f32`)).buffer.slice(0));
  if (emb.length !== rows.length * DIM || ge.length !== rows.length * 28)
    throw new Error(`${name}: cache sizes do not match ${rows.length} rows`);
  return {
    vectors: rows.map((_, i) => quantize(emb.subarray(i * DIM, (i + 1) * DIM))),
    ge: rows.map((_, i) => ge.subarray(i * 28, (i + 1) * 28)),
    labels: rows.map((r) => r.labels),
  };
}

/** For each query, its top-k memory rows and their cosine similarities (the store's exact search, batched). */
function neighbours(
  memory: Int8Array[],
  queries: Int8Array[],
  k: number,
): Array<Array<{ row: number; similarity: number }>> {
  const data = new Int8Array(memory.length * DIM);
  memory.forEach((v, i) => data.set(v, i * DIM));
  const out: Array<Array<{ row: number; similarity: number }>> = [];
  const CHUNK = 512;
  for (let s = 0; s < queries.length; s += CHUNK) {
    const qs = queries.slice(s, s + CHUNK);
    const q = new Int8Array(qs.length * DIM);
    qs.forEach((v, i) => q.set(v, i * DIM));
    const kk = Math.min(k, memory.length);
    const res = usearch.exactSearch(data, q, DIM, kk, 'ip' as never, 0) as unknown as { keys: BigUint64Array };
    for (let i = 0; i < qs.length; i++) {
      const rows = Array.from(res.keys.subarray(i * kk, (i + 1) * kk), Number).filter((r) => r < memory.length);
      out.push(
        rows
          .map((row) => ({ row, similarity: cosineInt8(qs[i], memory[row]) }))
          .sort((a, b) => b.similarity - a.similarity),
      );
    }
  }
  return out;
}

const decide = (scores: ArrayLike<number>, th: readonly number[]) => Array.from(th, (t, j) => scores[j] >= t);

function pickWeight(
  model: number[][],
  votes: number[][],
  gold: boolean[][],
  th: readonly number[],
  rows: number[],
): { w: number; curve: Array<[number, number]> } {
  const curve = GRID.map(
    (w) =>
      [
        w,
        macroF1On(
          gold,
          model.map((m, i) => decide(blendScores(m, votes[i], w), th)),
          th.length,
          rows,
        ),
      ] as [number, number],
  );
  const best = curve.reduce((a, b) => (b[1] > a[1] + 1e-12 ? b : a));
  return { w: best[0], curve: curve.map(([w, f]) => [w, r4(f)]) };
}

function compare(
  model: number[][],
  votes: number[][],
  gold: boolean[][],
  th: readonly number[],
  w: number,
  rows: number[],
) {
  const pm = model.map((m) => decide(m, th));
  const pb = model.map((m, i) => decide(blendScores(m, votes[i], w), th));
  const pv = votes.map((v) => decide(v, th));
  const n = th.length;
  const base = macroF1On(gold, pm, n, rows);
  const blend = macroF1On(gold, pb, n, rows);
  const ci = bootstrapCI(
    rows.length,
    (idx) =>
      macroF1On(
        gold,
        pb,
        n,
        Array.from(idx, (i) => rows[i]),
      ) -
      macroF1On(
        gold,
        pm,
        n,
        Array.from(idx, (i) => rows[i]),
      ),
    { seed: 7, resamples: 500 },
  );
  return {
    rows: rows.length,
    model_macro_f1: r4(base),
    blend_macro_f1: r4(blend),
    memory_only_macro_f1: r4(macroF1On(gold, pv, n, rows)),
    gain: r4(blend - base),
    gain_95ci: ci.map(r4),
  };
}

function goemotions(thresholds: readonly number[], names: readonly string[]) {
  const train = load('goemotions_train');
  const dev = load('goemotions_dev');
  log(`GoEmotions: ${train.vectors.length} train, ${dev.vectors.length} dev`);
  const nb = neighbours(train.vectors, dev.vectors, MEMORY_NEIGHBOURS);
  const votes = nb.map((ns) =>
    labelVotes(
      ns.map((x) => ({ similarity: x.similarity, labels: train.labels[x.row] })),
      names,
    ),
  );
  const model = dev.ge.map((g) => Array.from(g));
  const gold = dev.labels.map((ls) => names.map((l) => ls.includes(l)));
  const even = dev.vectors.map((_, i) => i).filter((i) => i % 2 === 0);
  const odd = dev.vectors.map((_, i) => i).filter((i) => i % 2 === 1);
  const { w, curve } = pickWeight(model, votes, gold, thresholds, even);
  return {
    memory_rows: train.vectors.length,
    k: MEMORY_NEIGHBOURS,
    weight_chosen_on_even: w,
    even_curve: curve,
    odd: compare(model, votes, gold, thresholds, w, odd),
  };
}

function ekmanScores(ge: Float32Array, names: readonly string[]): number[] {
  return EKMAN.map((e) =>
    (e === 'neutral' ? [e] : GOEMOTIONS_EKMAN[e]).reduce((m, l) => Math.max(m, ge[names.indexOf(l)]), 0),
  );
}

const PLUTCHIK_TO_EKMAN: Record<string, string | null> = {
  anger: 'anger',
  disgust: 'disgust',
  fear: 'fear',
  joy: 'joy',
  sadness: 'sadness',
  surprise: 'surprise',
  anticipation: null,
  trust: null,
  neutral: 'neutral',
};

function xed(ekmanTh: readonly number[], names: readonly string[]) {
  const all = load('xed_en');
  const keep = all.labels
    .map((ls, i) => ({ i, ek: [...new Set(ls.map((l) => PLUTCHIK_TO_EKMAN[l]).filter((x): x is string => !!x))] }))
    .filter((x) => x.ek.length > 0);
  const rnd = mulberry32(30);
  for (let i = keep.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [keep[i], keep[j]] = [keep[j], keep[i]];
  }
  const pool = keep.slice(0, 1000);
  const devRows = keep.slice(1000, 2000);
  const rest = keep.slice(2000);
  const evalRows = [...devRows, ...rest];
  const gold = evalRows.map((x) => EKMAN.map((e) => x.ek.includes(e)));
  const model = evalRows.map((x) => ekmanScores(all.ge[x.i], names));
  const devIdx = devRows.map((_, i) => i);
  const testIdx = rest.map((_, i) => i + devRows.length);
  log(
    `XED: ${all.vectors.length} lines, ${keep.length} with an Ekman label; dev ${devRows.length}, held out ${rest.length}`,
  );
  const curve: Record<string, unknown>[] = [];
  for (const n of [50, 200, 1000]) {
    const mem = pool.slice(0, n);
    const nb = neighbours(
      mem.map((x) => all.vectors[x.i]),
      evalRows.map((x) => all.vectors[x.i]),
      MEMORY_NEIGHBOURS,
    );
    const votes = nb.map((ns) =>
      labelVotes(
        ns.map((x) => ({ similarity: x.similarity, labels: mem[x.row].ek })),
        EKMAN,
      ),
    );
    const { w, curve: wc } = pickWeight(model, votes, gold, ekmanTh, devIdx);
    curve.push({
      remembered: n,
      weight_chosen_on_dev: w,
      dev_curve: wc,
      held_out: compare(model, votes, gold, ekmanTh, w, testIdx),
    });
    log(`XED ${n}: w ${w}`);
  }
  return {
    lines: all.vectors.length,
    with_ekman_label: keep.length,
    mapping: PLUTCHIK_TO_EKMAN,
    pool: pool.length,
    dev: devRows.length,
    held_out: rest.length,
    curve,
  };
}

function main(): void {
  const m = resolveSingleModel(resolve(import.meta.dirname, '../../models'), undefined, undefined).entry;
  const names = m.outputs.goemotions_logits.labels;
  const ekTh = m.ekman?.thresholds;
  if (!ekTh) throw new Error('the manifest has no Ekman thresholds');
  const t0 = performance.now();
  emitReport({
    model: { id: m.id, version: m.version, sha256: m.sha256.slice(0, 12) },
    rule: "top-10 exact cosine neighbours (int8); vote = similarity-weighted share of neighbours with the label; blend = (1 − w)·model + w·vote; label on iff ≥ the model's threshold",
    ...(ONLY !== 'xed' ? { goemotions: goemotions(m.outputs.goemotions_logits.thresholds, names) } : {}),
    ...(ONLY !== 'goemotions' ? { xed_en: xed(ekTh, names) } : {}),
    seconds: Math.round((performance.now() - t0) / 1000),
  });
}

main();
