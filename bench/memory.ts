// Experience-memory benchmark: the store's `remember` (one record, one transaction) and `recall` (exact top-10
// search, then the records read back) p50/p95 with 1k, 10k and 100k records, unfiltered, with a tag filter (1 of 10
// tags) and with the labelled-cases filter analyze_emotion's memory block uses (half the records are labelled),
// the file size, and the start-up cost with the largest store (open + first search, which reads every vector into
// the search matrix).
//   node dist/bench/memory.js [--sizes 1000,10000,100000] [--ops 300] [--store PATH/store.js] [--out FILE]
// --store runs the same workload against another build of the store (e.g. a copy of the previous dist), so a
// change is compared with its baseline in one measurement. Vectors are the stored int8 form of random 384-d
// directions: exact search costs the same whatever the vectors hold. Texts are 120 characters (a GoEmotions-sized
// sentence). The model's embedding pass, which the tools add before each remember and recall, is measured
// separately (--embed: one engine, 100 short texts) and reported beside the store's numbers.
import { mkdtempSync, statSync, existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type usearchModule from 'usearch';
import { quantize } from '../src/analysis/memory/index.js';
import { mulberry32 } from '../src/core/random.js';
import { MemoryStore as OwnStore } from '../src/server/memory/store.js';
import { arg, emitReport, flag } from '../eval/args.js';

const STORE = arg('store');
/** The store under test: this build's, or the one --store names (same open / add / search / compact / close). */
const MemoryStore: typeof OwnStore = STORE
  ? ((await import(pathToFileURL(resolve(STORE)).href)) as { MemoryStore: typeof OwnStore }).MemoryStore
  : OwnStore;

const SIZES = arg('sizes', '1000,10000,100000').split(',').map(Number);
const OPS = Number(arg('ops', '300'));
const DIM = 384;
const MODEL = 'f'.repeat(64);
const log = (m: string) => process.stderr.write(`[bench:memory] ${m}\n`);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
};
const summary = (xs: number[]) => ({ n: xs.length, p50_ms: r3(pct(xs, 0.5)), p95_ms: r3(pct(xs, 0.95)) });

const rnd = mulberry32(20261206);
const vector = () => quantize(Float32Array.from({ length: DIM }, () => rnd() - 0.5));
const text = (i: number) => `case ${i}: `.padEnd(120, 'lorem ipsum dolor sit amet ');
const record = (i: number) => ({
  kind: 'case' as const,
  text: text(i),
  labels: i % 2 ? {} : { goemotions: ['joy'] },
  tags: [`t${i % 10}`],
  time: i,
});

function filesBytes(path: string): number {
  return [path, `${path}-wal`, `${path}-shm`].filter(existsSync).reduce((s, f) => s + statSync(f).size, 0);
}

async function embedTiming(): Promise<Record<string, unknown>> {
  const { resolveSingleModel } = await import('../src/engine/manifest.js');
  const { OnnxTextEngine } = await import('../src/engine/onnx-engine.js');
  const engine = await OnnxTextEngine.load(
    resolveSingleModel(resolve(import.meta.dirname, '../../models'), undefined, undefined),
    { provider: 'cpu', threads: 1, batchWindowMs: 0, maxBatch: 1 },
  );
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    await engine.embed([`I can't believe this happened again, number ${i}.`]);
    times.push(performance.now() - t0);
  }
  await engine.close();
  return { what: 'engine.embed of one short sentence (1 thread)', ...summary(times.slice(10)) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-bench-memory-'));
  const rows: Record<string, unknown>[] = [];
  let startup: Record<string, unknown> = {};
  for (const size of SIZES) {
    const path = join(dir, `m${size}.sqlite`);
    let store = MemoryStore.open(path);
    const fill = performance.now();
    for (let i = 0; i < size; i += 1000)
      store.add(
        Array.from({ length: Math.min(1000, size - i) }, (_, j) => ({ record: record(i + j), vector: vector() })),
        MODEL,
      );
    log(`${size}: filled in ${Math.round(performance.now() - fill)} ms`);
    store.search(vector(), 10, MODEL); // loads the matrix
    const recall: number[] = [];
    const recallTagged: number[] = [];
    const recallLabelled: number[] = [];
    const remember: number[] = [];
    for (let k = 0; k < OPS; k++) {
      const q = vector();
      let t0 = performance.now();
      store.search(q, 10, MODEL);
      recall.push(performance.now() - t0);
      t0 = performance.now();
      store.search(q, 10, MODEL, { tags: ['t3'] });
      recallTagged.push(performance.now() - t0);
      t0 = performance.now();
      store.search(q, 10, MODEL, { labelled: 'any' });
      recallLabelled.push(performance.now() - t0);
      t0 = performance.now();
      store.add([{ record: record(size + k), vector: q }], MODEL);
      remember.push(performance.now() - t0);
    }
    store.compact();
    const bytes = filesBytes(path);
    store.close();
    // start-up: open the file and answer the first recall (reads every vector into the matrix); a server reads the
    // matrix when its model has loaded (prepare), so its first recall then only searches
    const t0 = performance.now();
    store = MemoryStore.open(path);
    const opened = performance.now() - t0;
    store.search(vector(), 10, MODEL);
    const first = performance.now() - t0;
    store.close();
    store = MemoryStore.open(path);
    let prepared: Record<string, number> = {};
    if (store.prepare) {
      const t1 = performance.now();
      store.prepare(MODEL, DIM);
      const t2 = performance.now();
      store.search(vector(), 10, MODEL);
      prepared = { matrix_load_ms: r3(t2 - t1), first_recall_after_load_ms: r3(performance.now() - t2) };
    }
    store.close();
    if (size === Math.max(...SIZES))
      startup = { records: size + OPS, open_ms: r3(opened), open_and_first_recall_ms: r3(first), ...prepared };
    rows.push({
      records: size,
      recall_top10: summary(recall),
      recall_top10_one_tag_of_10: summary(recallTagged),
      recall_top10_labelled_half: summary(recallLabelled),
      remember: summary(remember),
      file_bytes: bytes,
      bytes_per_record: Math.round(bytes / (size + OPS)),
    });
    log(`${size}: recall p50 ${r3(pct(recall, 0.5))} ms, remember p50 ${r3(pct(remember, 0.5))} ms, ${bytes} bytes`);
  }
  // the floor under an unfiltered recall: usearch's exact int8 kernel alone over a matrix of the largest size
  const n = Math.max(...SIZES);
  const matrix = new Int8Array(n * DIM);
  for (let i = 0; i < n; i++) matrix.set(vector(), i * DIM);
  const usearch = createRequire(import.meta.url)('usearch') as typeof usearchModule;
  const kernel: number[] = [];
  for (let k = 0; k < OPS; k++) {
    const q = vector();
    const t0 = performance.now();
    usearch.exactSearch(matrix, q, DIM, 10, 'ip' as never, 1);
    kernel.push(performance.now() - t0);
  }
  emitReport({
    machine: {
      cpus: cpus()[0]?.model,
      cores: availableParallelism(),
      loadavg_1m: r3(loadavg()[0]),
      node: process.version,
    },
    dim: DIM,
    ops: OPS,
    store_build: STORE ?? 'this build',
    store: rows,
    startup,
    kernel_only: { records: n, what: 'usearch exactSearch, int8 inner product, top 10, 1 thread', ...summary(kernel) },
    ...(flag('embed') ? { embedding: await embedTiming() } : {}),
  });
}

await main();
