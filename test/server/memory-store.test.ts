// The experience store (src/server/memory/store.ts): exact search against a brute-force cosine ranking, filters,
// forget erasing bytes, the one-owner lock, and — with a child process running the built store — kill -9 during a
// burst of writes leaving whole records only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cosineInt8, quantize } from '../../src/analysis/memory/index.js';
import { Database } from '../../src/server/cache/sqlite-db.js';
import { MemoryStore, MemoryStoreError } from '../../src/server/memory/store.js';
import type { MemoryRecordInput } from '../../src/tools/memory-service.js';
import { mulberry32 } from '../../src/core/random.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'dist/src/server/memory/store.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'rh-memstore-'));
const opened: MemoryStore[] = [];
const openStore = (path: string) => {
  const s = MemoryStore.open(path);
  opened.push(s);
  return s;
};
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

const DIM = 384;
const M = 'a'.repeat(64);
function randomVectors(n: number, seed: number): Int8Array[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => quantize(Float32Array.from({ length: DIM }, () => rnd() - 0.5)));
}
const rec = (i: number, extra: Partial<MemoryRecordInput> = {}): MemoryRecordInput => ({
  kind: 'case',
  text: `record ${i}`,
  labels: {},
  tags: [],
  time: i * 1000,
  ...extra,
});

describe('MemoryStore', () => {
  it('search returns exactly the brute-force cosine top k', () => {
    const s = openStore(join(tmp(), 'm.sqlite'));
    const vecs = randomVectors(3000, 7);
    s.add(
      vecs.map((vector, i) => ({ record: rec(i), vector })),
      M,
    );
    for (const q of randomVectors(20, 99)) {
      const brute = vecs
        .map((v, i) => ({ id: i + 1, sim: cosineInt8(q, v) }))
        .sort((a, b) => b.sim - a.sim)
        .slice(0, 10);
      const got = s.search(q, 10, M).matches;
      expect(got.map((g) => g.record.id)).toEqual(brute.map((b) => b.id));
      got.forEach((g, j) => expect(g.similarity).toBeCloseTo(brute[j].sim, 12));
    }
  });

  it('filters by tag, time, kind and labels, and searches only the given model', () => {
    const s = openStore(join(tmp(), 'm.sqlite'));
    const v = randomVectors(6, 1);
    s.add(
      [
        { record: rec(0, { tags: ['a'] }), vector: v[0] },
        { record: rec(1, { tags: ['b'], labels: { ekman: ['joy'] } }), vector: v[1] },
        {
          record: rec(2, {
            tags: ['a', 'b'],
            kind: 'decision',
            decision: { options: ['x', 'y'], scenarios: ['s'], chosen: 'x' },
          }),
          vector: v[2],
        },
        { record: rec(3), vector: v[3] },
      ],
      M,
    );
    s.add([{ record: rec(4), vector: v[4] }], 'b'.repeat(64));
    const ids = (f: Parameters<MemoryStore['search']>[3]) =>
      s
        .search(v[5], 10, M, f)
        .matches.map((r) => r.record.id)
        .sort();
    expect(ids({})).toEqual([1, 2, 3, 4]);
    expect(ids({ tags: ['a'] })).toEqual([1, 3]);
    expect(ids({ since: 1000, until: 2000 })).toEqual([2, 3]);
    expect(ids({ kind: 'decision' })).toEqual([3]);
    expect(ids({ labelled: 'any' })).toEqual([2]);
    expect(s.search(v[5], 1, M, { tags: ['b'] }).searched).toBe(2);
    expect(s.search(v[5], 1, M, { labelled: 'ekman' }).searched).toBe(1);
    expect(s.search(v[5], 1, M, { labelled: 'kote' }).searched).toBe(0);
    expect(s.stats(M)).toMatchObject({ records: 5, cases: 4, decisions: 1, other_model: 1 });
  });

  it('every combination of filters gives the brute-force top k of the records that pass it', () => {
    // The matrix keeps records in blocks by kind and labels and copies only the rows a tag or time filter keeps:
    // checked against a plain filter-then-rank over the same records.
    const s = openStore(join(tmp(), 'm.sqlite'));
    const rnd = mulberry32(5);
    const vecs = randomVectors(600, 21);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const labelChoices = [{}, { goemotions: ['joy'] }, { kote: ['기쁨'] }, { ekman: ['anger'] }, { goemotions: [] }];
    const inputs = vecs.map((_, i) =>
      rec(i, {
        kind: rnd() < 0.3 ? 'decision' : 'case',
        labels: pick(labelChoices),
        tags: ['a', 'b', 'c'].filter(() => rnd() < 0.3),
        time: Math.floor(rnd() * 1000),
      }),
    );
    // in three batches, searching in between, so later records are appended to a loaded matrix
    for (const [from, to] of [
      [0, 200],
      [200, 400],
      [400, 600],
    ]) {
      s.add(
        inputs.slice(from, to).map((record, j) => ({ record, vector: vecs[from + j] })),
        M,
      );
      s.search(vecs[0], 1, M);
    }
    const filters: Array<NonNullable<Parameters<MemoryStore['search']>[3]>> = [
      {},
      { kind: 'decision' },
      { kind: 'case', labelled: 'any' },
      { labelled: 'goemotions' },
      { labelled: 'ekman', since: 200 },
      { tags: ['a'] },
      { tags: ['b', 'c'], kind: 'case' },
      { tags: ['a'], labelled: 'any', until: 700 },
      { since: 100, until: 400 },
      { since: 2000 },
      { tags: [] },
    ];
    const passes = (r: MemoryRecordInput, f: (typeof filters)[number]) =>
      (!f.kind || r.kind === f.kind) &&
      (f.since === undefined || r.time >= f.since) &&
      (f.until === undefined || r.time <= f.until) &&
      (!f.tags || r.tags.some((t) => f.tags!.includes(t))) &&
      (!f.labelled ||
        (f.labelled === 'any'
          ? Object.values(r.labels).some((l) => l.length > 0)
          : (r.labels[f.labelled]?.length ?? 0) > 0));
    for (const f of filters) {
      const q = randomVectors(1, 1000 + filters.indexOf(f))[0];
      const kept = inputs.flatMap((r, i) => (passes(r, f) ? [{ id: i + 1, sim: cosineInt8(q, vecs[i]) }] : []));
      const brute = kept.sort((a, b) => b.sim - a.sim || a.id - b.id).slice(0, 7);
      const got = s.search(q, 7, M, f);
      expect(got.searched, JSON.stringify(f)).toBe(kept.length);
      expect(
        got.matches.map((g) => g.record.id),
        JSON.stringify(f),
      ).toEqual(brute.map((b) => b.id));
    }
  });

  it('a query that is a view into a larger buffer is searched as itself', () => {
    // usearch reads a typed array from the start of its buffer; the store must not hand it a view at an offset
    const s = openStore(join(tmp(), 'm.sqlite'));
    const v = randomVectors(3, 17);
    s.add(
      v.map((vector, i) => ({ record: rec(i), vector })),
      M,
    );
    const both = new Int8Array(2 * DIM);
    both.set(v[0], 0);
    both.set(v[2], DIM);
    expect(s.search(both.subarray(DIM), 1, M).matches[0].record.id).toBe(3);
  });

  it('re-embedding: records of another model are listed in id order after a cursor and change model in one step', () => {
    const s = openStore(join(tmp(), 'm.sqlite'));
    const OLD = 'b'.repeat(64);
    const v = randomVectors(5, 8);
    s.add(
      [0, 1, 2].map((i) => ({ record: rec(i), vector: v[i] })),
      OLD,
    );
    s.add([{ record: rec(3), vector: v[3] }], M);
    expect(s.otherModel(M, 10).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(s.otherModel(M, 1, 1).map((r) => r.id)).toEqual([2]);
    expect(s.search(v[0], 5, M).searched).toBe(1);
    expect(
      s.replaceVectors(
        [
          { id: 1, vector: v[0] },
          { id: 2, vector: v[1] },
        ],
        M,
      ),
    ).toBe(2);
    expect(s.stats(M)).toMatchObject({ records: 4, other_model: 1 });
    const found = s.search(v[1], 5, M);
    expect(found.searched).toBe(3);
    expect(found.matches[0]).toMatchObject({ record: { id: 2, model: M } });
  });

  it('prepare loads the matrix and makes stats count against that model', () => {
    const s = openStore(join(tmp(), 'm.sqlite'));
    const v = randomVectors(2, 4);
    s.add([{ record: rec(0), vector: v[0] }], 'b'.repeat(64));
    s.add([{ record: rec(1), vector: v[1] }], M);
    s.prepare(M, DIM);
    expect(s.stats()).toMatchObject({ model: M, other_model: 1 });
  });

  it('forget removes records and compacts: the text bytes are in none of the files', () => {
    const dir = tmp();
    const s = openStore(join(dir, 'm.sqlite'));
    const v = randomVectors(50, 3);
    s.add(
      v.map((vector, i) => ({
        record: rec(i, {
          text: i === 17 ? 'my secret: zebra-kumquat-4711' : `record ${i}`,
          tags: i === 17 ? ['private'] : [],
        }),
        vector,
      })),
      M,
    );
    const has = () =>
      readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(Buffer.from('zebra-kumquat-4711')));
    expect(has()).toBe(true);
    expect(s.remove({ tag: 'private' })).toEqual({ removed: 1, ids: [18] });
    expect(has()).toBe(false);
    expect(s.search(v[17], 1, M).matches[0].record.id).not.toBe(18);
    expect(() => s.remove({})).toThrow(MemoryStoreError);
  });

  it('refuses a second owner while the first lives, and takes over a lock whose process is gone', () => {
    const dir = tmp();
    const path = join(dir, 'm.sqlite');
    openStore(path);
    expect(() => MemoryStore.open(path)).toThrow(/already open in this process/);
    opened.pop()!.close();
    writeFileSync(`${path}.lock`, String(process.ppid)); // a live process other than this one
    expect(() => MemoryStore.open(path)).toThrow(new RegExp(`in use by another process \\(pid ${process.ppid}`));
    writeFileSync(`${path}.lock`, '2147483646'); // no such process
    expect(openStore(path).stats().records).toBe(0);
  });

  it('refuses a file that is not a memory store', () => {
    const path = join(tmp(), 'other.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => MemoryStore.open(path)).toThrow(/not a red-heart memory store/);
  });

  it('kill -9 during a burst of remember leaves a store that opens with whole records only', async () => {
    const dir = tmp();
    const path = join(dir, 'm.sqlite');
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { MemoryStore } from ${JSON.stringify(BUILT)};
         const s = MemoryStore.open(${JSON.stringify(path)});
         for (let i = 0; ; i++) {
           const v = new Int8Array(${DIM}).map((_, j) => ((i * 31 + j * 7) % 255) - 127);
           s.add([{ record: { kind: 'case', text: 'burst ' + i + ' '.padEnd(3000, 'x'), labels: { ekman: ['joy'] }, tags: ['t' + i], time: i }, vector: v }], 'm');
           if (i % 20 === 0) process.stdout.write(i + '\\n');
         }`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((res) =>
      child.stdout.on('data', (d: Buffer) => Number(d.toString().trim().split('\n').pop()) >= 200 && res()),
    );
    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
    const s = openStore(path); // the dead child's lock is taken over
    const db = new Database(path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT id, text, labels, tags, length(vector) AS n FROM memories').all() as Array<{
      id: number;
      text: string;
      labels: string;
      tags: string;
      n: number;
    }>;
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(200);
    for (const r of rows) {
      expect(r.n).toBe(DIM);
      expect(r.text).toBe(`burst ${r.id - 1}${' '.padEnd(3000, 'x')}`);
      expect(JSON.parse(r.labels)).toEqual({ ekman: ['joy'] });
      expect(JSON.parse(r.tags)).toEqual([`t${r.id - 1}`]);
    }
    expect(s.stats('m').records).toBe(rows.length);
  }, 60_000);
});

describe('export / import as JSON Lines', () => {
  it('round-trips records with their vectors and models', async () => {
    const { exportJsonl, importJsonl } = await import('../../src/server/memory/transfer.js');
    const dir = tmp();
    const a = openStore(join(dir, 'a.sqlite'));
    const v = randomVectors(3, 11);
    a.add(
      [
        { record: rec(0, { labels: { ekman: ['joy'] }, tags: ['x'] }), vector: v[0] },
        {
          record: rec(1, {
            kind: 'decision',
            decision: { options: ['p', 'q'], scenarios: ['s'], chosen: 'q', happened: 's' },
          }),
          vector: v[1],
        },
      ],
      M,
    );
    a.add([{ record: rec(2), vector: v[2] }], 'b'.repeat(64));
    expect(await exportJsonl(a, join(dir, 'm.jsonl'))).toBe(3);
    const b = openStore(join(dir, 'b.sqlite'));
    expect(await importJsonl(b, join(dir, 'm.jsonl'))).toBe(3);
    const strip = (r: { created: number }) => ({ ...r, created: 0 });
    expect([...b.all()].map(strip)).toEqual([...a.all()].map(strip));
    expect(b.search(v[0], 1, M, { tags: ['x'] }).matches[0].similarity).toBeCloseTo(1, 12);
  });
});
