// Two served models side by side in one run (by default: the single model and the default ensemble), through the
// real stdio server with default settings otherwise, alternating A B, B A, … so load drift on a shared machine hits
// both alike. Prints one JSON object (also written with --out FILE).
//   node dist/bench/models.js [--models A,B] [--threads N] [--starts 5] [--calls 200] [--corpus-rows 2000] [--out FILE]
// --threads: the servers' --threads (intra-op threads per session, each ensemble member has its own; default 0 = all cores).
// --models: two model or ensemble ids (default: the default's first member, then the default; a default that is a
// single model is compared with itself). Measures, per model:
//  - cold start: spawn → first analyze_emotion answer (lazy model load, a fresh cache file per start), median;
//  - uncached single short text (`--cache none`, `language: "en"`, ~20-token GoEmotions test texts): p50 / p95;
//  - one `texts` call of 32 texts: texts/s (median of 3, the order alternated, fresh texts each time);
//  - analyze_corpus on a CSV of --corpus-rows distinct GoEmotions dev texts: rows/s (one run per model, each into
//    its own output folder, so no row comes from an earlier run);
//  - peak RSS (VmHWM) of the server after the hot path and after the corpus run.
// Ratios are B / A: > 1 is slower for times and larger for memory, < 1 is slower for throughput.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, emitReport } from '../eval/args.js';
import { StdioRpc } from './rpc.js';
import { resolveSelection, selectionModels } from '../src/engine/manifest.js';
import { packageRoot } from '../src/server/config.js';

const ROOT = packageRoot();
const CLI = join(ROOT, 'dist', 'src', 'server', 'cli.js');
const STARTS = Number(arg('starts', '5'));
const CALLS = Number(arg('calls', '200'));
const CORPUS_ROWS = Number(arg('corpus-rows', '2000'));
const THREADS = arg('threads');
const log = (m: string) => process.stderr.write(`[bench:models] ${m}\n`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
};
const median = (xs: number[]) => pct(xs, 0.5);

/** The two ids: --models, or the default's first member and the default itself. */
function models(): [string, string] {
  const given = arg('models');
  if (given) {
    const ids = given.split(',').map((s) => s.trim());
    if (ids.length !== 2 || ids.some((s) => !s)) throw new Error('--models takes two ids: A,B');
    return [ids[0], ids[1]];
  }
  const sel = resolveSelection(join(ROOT, 'models'), undefined, undefined);
  const id = sel.kind === 'model' ? sel.model.entry.id : sel.ensemble.entry.id;
  return [selectionModels(sel)[0].entry.id, id];
}

/** A server of this build spoken to in raw JSON-RPC over stdio (no client library in the timing). */
class Rpc extends StdioRpc {
  constructor(env: Record<string, string>) {
    super(
      CLI,
      { ...(THREADS ? { RED_HEART_THREADS: THREADS } : {}), ...env },
      {
        cwd: ROOT,
        client: 'bench-models',
        killAfterMs: 5000,
      },
    );
  }
  /** Calls a tool; returns the wall time in ms and the structured result (throws on any error). */
  async tool(name: string, args: Record<string, unknown>): Promise<{ ms: number; structured: any }> {
    const t = performance.now();
    const r = await this.request('tools/call', { name, arguments: args });
    const ms = performance.now() - t;
    if (!r.result || r.result.isError) throw new Error(`${name} failed: ${JSON.stringify(r).slice(0, 400)}`);
    return { ms, structured: r.result.structuredContent };
  }
  peakRss(): number | null {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'))?.[1];
      return kb ? Number(kb) * 1024 : null;
    } catch {
      return null;
    }
  }
}

/** GoEmotions texts of a split (TSV, text in column 1, quotes as in the files). */
function goemotions(split: string): string[] {
  const p = resolve(ROOT, '..', 'shared', 'data', 'goemotions', `${split}.tsv`);
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const t = l.slice(0, l.indexOf('\t'));
      return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
    });
}

/** ~20-token English texts: GoEmotions test comments joined until 12–18 words. */
function shortTexts(n: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const t of goemotions('test')) {
    cur = cur ? `${cur} ${t}` : t;
    const words = cur.split(/\s+/).length;
    if (words >= 12 && words <= 18) {
      out.push(cur);
      cur = '';
    } else if (words > 18) cur = '';
    if (out.length >= n) break;
  }
  if (out.length < n) throw new Error(`only ${out.length} short texts found`);
  return out;
}

async function main(): Promise<void> {
  const ids = models();
  const keys = ['a', 'b'] as const;
  type Key = (typeof keys)[number];
  const pair = <T>(f: (k: Key, i: number) => T): Record<Key, T> => ({ a: f('a', 0), b: f('b', 1) });
  const order = (i: number): Key[] => (i % 2 ? ['b', 'a'] : ['a', 'b']);
  const model = pair((_k, i) => ids[i]);
  log(`A = ${model.a}, B = ${model.b}`);
  const work = mkdtempSync(join(tmpdir(), 'rh-bench-models-'));

  // Cold start, alternating which model starts first.
  const cold = pair(() => [] as number[]);
  for (let i = 0; i < STARTS; i++) {
    for (const k of order(i)) {
      const t0 = performance.now();
      const s = new Rpc({ RED_HEART_MODEL: model[k], RED_HEART_CACHE_PATH: join(work, `cold-${k}-${i}.sqlite`) });
      await s.init();
      await s.tool('analyze_emotion', { text: `I am so happy today, but a bit worried about tomorrow (${i}).` });
      cold[k].push(performance.now() - t0);
      await s.close();
    }
  }
  log(`cold start medians: A ${r2(median(cold.a))} ms, B ${r2(median(cold.b))} ms`);

  // Hot path: both servers up, no result cache, the corpus folder allowed.
  const data = join(work, 'data');
  mkdirSync(data);
  const srv = pair((k) => new Rpc({ RED_HEART_MODEL: model[k], RED_HEART_CACHE: 'none', RED_HEART_DATA_DIRS: data }));
  await Promise.all(keys.map((k) => srv[k].init()));
  const all = shortTexts(CALLS + 10 + 32 * 3);
  for (let i = 0; i < 10; i++)
    for (const k of keys) await srv[k].tool('analyze_emotion', { text: `warm up ${i} ${all[i]}`, language: 'en' });
  const served = pair(() => ({}) as Record<string, unknown>);
  for (const k of keys) {
    const r = await srv[k].tool('analyze_emotion', { text: 'What model are you?', language: 'en' });
    served[k] = r.structured.model;
  }
  const single = pair(() => [] as number[]);
  const calls = all.slice(10, 10 + CALLS);
  for (let i = 0; i < calls.length; i++)
    for (const k of order(i))
      single[k].push((await srv[k].tool('analyze_emotion', { text: calls[i], language: 'en' })).ms);
  const batch = pair(() => [] as number[]);
  for (let rep = 0; rep < 3; rep++) {
    const texts = all.slice(10 + CALLS + 32 * rep, 10 + CALLS + 32 * (rep + 1));
    for (const k of order(rep)) {
      const { ms } = await srv[k].tool('analyze_emotion', { texts: texts.map((t) => `${t} (${k})`), language: 'en' });
      batch[k].push((32 / ms) * 1000);
    }
  }
  const rssHot = pair((k) => srv[k].peakRss());
  log(`single p50: A ${r2(pct(single.a, 0.5))} ms, B ${r2(pct(single.b, 0.5))} ms`);

  // analyze_corpus: the same file, each model into its own output folder.
  const rows = [...new Set(goemotions('dev'))].slice(0, CORPUS_ROWS);
  if (rows.length < CORPUS_ROWS) throw new Error(`only ${rows.length} distinct GoEmotions dev texts`);
  const file = join(data, 'goemotions-dev.csv');
  writeFileSync(file, `text\n${rows.map((t) => `"${t.replace(/"/g, '""')}"`).join('\n')}\n`);
  const corpus = pair(() => ({ rows_per_s: 0, seconds: 0, analysed: 0 }));
  for (const k of order(0)) {
    const out = join(data, `out-${k}`);
    mkdirSync(out);
    const { ms, structured } = await srv[k].tool('analyze_corpus', { path: file, text_field: 'text', output_dir: out });
    const { read, analysed, from_cache: fromCache } = structured.rows as Record<string, number>;
    if (read !== CORPUS_ROWS || fromCache !== 0)
      throw new Error(`analyze_corpus read ${read} rows (${fromCache} from cache), expected ${CORPUS_ROWS} fresh rows`);
    corpus[k] = { rows_per_s: r2((read / ms) * 1000), seconds: r2(ms / 1000), analysed };
  }
  const rssAfterCorpus = pair((k) => srv[k].peakRss());
  await Promise.all(keys.map((k) => srv[k].close()));
  rmSync(work, { recursive: true, force: true });

  const per = (k: Key) => ({
    id: model[k],
    served: served[k],
    cold_start_ms: { median: r2(median(cold[k])), runs: cold[k].map(r2) },
    analyze_emotion_single_uncached_ms: { p50: r2(pct(single[k], 0.5)), p95: r2(pct(single[k], 0.95)) },
    texts_32_per_s: r2(median(batch[k])),
    analyze_corpus: corpus[k],
    peak_rss_mib: {
      after_hot_path: rssHot[k] === null ? null : r2(rssHot[k]! / 2 ** 20),
      after_corpus: rssAfterCorpus[k] === null ? null : r2(rssAfterCorpus[k]! / 2 ** 20),
    },
  });
  const A = per('a');
  const B = per('b');
  emitReport({
    bench: 'models',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      availableParallelism: availableParallelism(),
      loadavg: loadavg().map(r2),
      node: process.version,
      note: 'both models measured interleaved in one run, default settings but --threads; ratios = B / A',
    },
    settings: { starts: STARTS, calls: CALLS, corpus_rows: CORPUS_ROWS, threads: THREADS ?? '0 (default: all cores)' },
    a: A,
    b: B,
    ratio_b_over_a: {
      cold_start: r2(B.cold_start_ms.median / A.cold_start_ms.median),
      single_p50: r2(B.analyze_emotion_single_uncached_ms.p50 / A.analyze_emotion_single_uncached_ms.p50),
      single_p95: r2(B.analyze_emotion_single_uncached_ms.p95 / A.analyze_emotion_single_uncached_ms.p95),
      texts_32_throughput: r2(B.texts_32_per_s / A.texts_32_per_s),
      corpus_throughput: r2(B.analyze_corpus.rows_per_s / A.analyze_corpus.rows_per_s),
      peak_rss_after_corpus:
        A.peak_rss_mib.after_corpus && B.peak_rss_mib.after_corpus
          ? r2(B.peak_rss_mib.after_corpus / A.peak_rss_mib.after_corpus)
          : null,
    },
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
