// The SQLite result store (src/server/cache/sqlite-store.ts): bounds, LRU, TTL, foreign files, and — with real
// child processes running the built store — kill -9 during writes and two processes sharing one file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../../src/server/cache/sqlite-store.js';
import { Database } from '../../../src/server/cache/sqlite-db.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BUILT = join(ROOT, 'dist/src/server/cache/sqlite-store.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'rh-sqlite-'));
const open: SqliteStore[] = [];
function store(opts: Partial<SqliteStoreOptions> & { path: string }): SqliteStore {
  const s = SqliteStore.open({ maxEntries: 1000, maxBytes: 1e9, ttlSeconds: 0, writer: 'inline', ...opts });
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** The value a child writes for key i: self-checking (carries its own sha256), a few KB so writes take time.
 * Kept as source text so the child processes run exactly the same function. */
const EXPECTED_SRC = `(i) => {
  const body = (i + ':').padEnd(2000 + (i % 7) * 300, String.fromCharCode(97 + (i % 26)));
  return JSON.stringify({ i, body, sha: createHash('sha256').update(body).digest('hex') });
}`;
const expected = new Function('createHash', `return ${EXPECTED_SRC}`)(createHash) as (i: number) => string;

describe('SqliteStore', () => {
  it('returns a queued value at once and the committed value after reopening', async () => {
    const path = join(tmp(), 'c.sqlite');
    const a = store({ path });
    a.set('k1', 'v1');
    expect(a.get('k1')).toBe('v1'); // still queued
    expect(a.counts().pending).toBe(1);
    expect(await a.flush()).toBe(true);
    expect(a.totals()).toEqual({ entries: 1, bytes: 2 });
    await a.close();
    const b = store({ path });
    expect(b.get('k1')).toBe('v1');
    expect(b.get('absent')).toBeUndefined();
  });

  it('keeps exact totals when a key is overwritten (bytes are UTF-8 bytes)', async () => {
    const s = store({ path: join(tmp(), 'c.sqlite') });
    s.set('k', 'aaaa');
    await s.flush();
    s.set('k', '한'); // 3 bytes in UTF-8
    s.set('j', 'bb');
    await s.flush();
    expect(s.totals()).toEqual({ entries: 2, bytes: 5 });
  });

  it('evicts the least recently used entry past maxEntries (a read refreshes an entry)', async () => {
    let t = 1000;
    const s = store({ path: join(tmp(), 'c.sqlite'), maxEntries: 3, now: () => t });
    for (const k of ['a', 'b', 'c']) {
      s.set(k, k);
      await s.flush();
      t += 10;
    }
    expect(s.get('a')).toBe('a'); // a is now the most recently used
    t += 10;
    await s.flush();
    s.set('d', 'd');
    await s.flush();
    expect(s.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => s.get(k))).toEqual(['a', 'c', 'd']);
    expect(s.counts().evictions).toBe(1);
    expect(s.totals().entries).toBe(3);
  });

  it('evicts by bytes: 40-byte values under a 100-byte bound keep the two newest', async () => {
    let t = 0;
    const s = store({ path: join(tmp(), 'c.sqlite'), maxBytes: 100, now: () => (t += 1) });
    for (let i = 0; i < 5; i++) {
      s.set(`k${i}`, String(i).repeat(40));
      await s.flush();
    }
    expect(s.totals()).toEqual({ entries: 2, bytes: 80 });
    expect(s.get('k3')).toBe('3'.repeat(40));
    expect(s.get('k4')).toBe('4'.repeat(40));
    expect(s.counts().evictions).toBe(3);
  });

  it('expires entries after the TTL and sweeps them on the next flush', async () => {
    let t = 1_000_000;
    const s = store({ path: join(tmp(), 'c.sqlite'), ttlSeconds: 60, now: () => t });
    s.set('k', 'v');
    await s.flush();
    t += 59_999;
    expect(s.get('k')).toBe('v');
    t += 1;
    expect(s.get('k')).toBeUndefined();
    await s.flush();
    expect(s.totals().entries).toBe(0);
    expect(s.counts().expired).toBe(1);
  });

  it('moves an old JSON cache (keyv-file) at the path aside and starts empty', async () => {
    const dir = tmp();
    const path = join(dir, 'cache.json');
    writeFileSync(
      path,
      JSON.stringify({
        cache: [['rh:abc', { value: { structured: {}, summary: 's' }, expires: null }]],
        lastExpire: 0,
      }),
    );
    const s = store({ path });
    expect(s.totals().entries).toBe(0);
    s.set('k', 'v');
    expect(await s.flush()).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith('cache.json.not-sqlite-'))).toBe(true);
  });

  it('moves a damaged SQLite file aside and starts empty', async () => {
    const dir = tmp();
    const path = join(dir, 'c.sqlite');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x5a)]));
    const s = store({ path });
    expect(s.totals().entries).toBe(0);
    expect(readdirSync(dir).some((f) => f.startsWith('c.sqlite.corrupt-'))).toBe(true);
  });

  it('commits in a writer thread by default: queued until confirmed, then committed and visible to a second connection', async () => {
    const path = join(tmp(), 'c.sqlite');
    const s = store({ path, writer: undefined });
    expect(s.counts().writer).toBe('worker');
    s.set('k', 'v');
    expect(s.counts().pending).toBe(1);
    expect(await s.flush()).toBe(true);
    expect(s.counts().pending).toBe(0);
    expect(s.totals()).toEqual({ entries: 1, bytes: 1 });
    const other = store({ path });
    expect(other.get('k')).toBe('v');
  });
});

// A child process writing entries i = from, from+1, … through the BUILT store until killed or `count` reached.
const WRITER = `
import { SqliteStore } from ${JSON.stringify(BUILT)};
import { createHash } from 'node:crypto';
const [path, from, count, step] = process.argv.slice(2);
const expected = ${EXPECTED_SRC};
const s = SqliteStore.open({ path, maxEntries: 1e9, maxBytes: 1e12, ttlSeconds: 0, flushMs: 1 });
let n = 0;
const seen = new Set();
function tick() {
  for (let j = 0; j < 20 && n < Number(count); j++, n++) {
    const i = Number(from) + n * Number(step);
    s.set('k' + i, expected(i));
  }
  // read what the other writer wrote (two-process test): any value read must be complete and correct
  for (let r = 0; r < 5; r++) {
    const i = Math.floor(Math.random() * (Number(from) + n * Number(step) + 2));
    const v = s.get('k' + i);
    if (v !== undefined && v !== expected(i)) { console.error('BAD ' + i); process.exit(3); }
  }
  if (n === 200) process.stdout.write('started\\n');
  if (n < Number(count)) setImmediate(tick);
  else s.close().then(() => { process.stdout.write('done\\n'); });
}
tick();
`;

// A child process that opens and closes the BUILT store repeatedly (writer thread and inline), leaving its closed
// Database and Statement objects (and every pragma()'s statement) to the garbage collector, then keeps allocating
// from timers so V8 collects them in collections that run between callbacks. With better-sqlite3 12 built for Node
// 24.19 this aborted in Statement::~Statement (RemoveEnvironmentCleanupHook: env != nullptr) 5 runs of 5.
const CHURN = `
import { SqliteStore } from ${JSON.stringify(BUILT)};
const [dir] = process.argv.slice(2);
for (let round = 0; round < 20; round++) {
  const s = SqliteStore.open({ path: dir + '/churn.sqlite', maxEntries: 100, maxBytes: 1e6, ttlSeconds: 0, writer: round % 2 ? 'worker' : 'inline' });
  s.set('k' + round, 'v' + round);
  if (!(await s.flush())) process.exit(4);
  if (s.get('k' + round) !== 'v' + round) process.exit(5);
  await s.close();
}
let junk = [];
for (let n = 0; n < 200; n++) {
  await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 20000; i++) junk.push({ i });
  if (junk.length > 2e5) junk = [];
}
process.stdout.write('done\\n');
`;

function runWriter(dir: string, path: string, args: number[]) {
  const script = join(dir, 'writer.mjs');
  if (!existsSync(script)) writeFileSync(script, WRITER);
  const child = spawn(process.execPath, [script, path, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const started = new Promise<void>((res, rej) => {
    child.stdout.on('data', () => out.includes('started') && res());
    child.on('exit', (code) =>
      out.includes('started') ? res() : rej(new Error(`writer exited ${code} before starting: ${err}`)),
    );
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code, sig) => res(code ?? (sig ? -1 : null))));
  return { child, started, exited, output: () => ({ out, err }) };
}

function readAll(path: string): Array<{ key: string; value: string }> {
  const db = new Database(path);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT key, value FROM entries').all() as Array<{ key: string; value: string }>;
    const totals = db.prepare('SELECT entries, bytes FROM totals').get() as { entries: number; bytes: number };
    const sum = db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM entries').get() as {
      n: number;
      b: number;
    };
    expect(totals).toEqual({ entries: sum.n, bytes: sum.b });
    return rows;
  } finally {
    db.close();
  }
}

describe('SqliteStore across real processes', () => {
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does it)`);
  });
  it('kill -9 during writes: the store reopens and every entry read back is complete and correct', async () => {
    const dir = tmp();
    const path = join(dir, 'c.sqlite');
    const w = runWriter(dir, path, [0, 1_000_000, 1]);
    await w.started;
    // Wait until commits are landing, then kill at a random moment while they go on.
    let committed = 0;
    while (committed === 0) {
      await new Promise((r) => setTimeout(r, 20));
      const db = new Database(path, { readonly: true });
      committed = (db.prepare('SELECT entries FROM totals').get() as { entries: number }).entries;
      db.close();
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
    w.child.kill('SIGKILL');
    expect(await w.exited).toBe(-1);
    const rows = readAll(path);
    expect(rows.length).toBeGreaterThanOrEqual(committed);
    for (const { key, value } of rows) expect(value).toBe(expected(Number(key.slice(1))));
    // and the store itself opens and serves them
    const s = store({ path });
    expect(s.get(rows[0].key)).toBe(rows[0].value);
    s.set('after', 'restart');
    expect(await s.flush()).toBe(true);
  });

  it('closed stores left to the garbage collector do not abort the process (Node 24 + better-sqlite3 destructor)', async () => {
    const dir = tmp();
    const script = join(dir, 'churn.mjs');
    writeFileSync(script, CHURN);
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | string | null>((res) => child.on('exit', (c, sig) => res(c ?? sig)));
    expect({ code, out, err }).toEqual({ code: 0, out: 'done\n', err: '' });
  }, 60_000);

  it('two processes write and read one file at the same time without loss or corruption', async () => {
    const dir = tmp();
    const path = join(dir, 'c.sqlite');
    const a = runWriter(dir, path, [0, 1500, 2]); // even keys
    const b = runWriter(dir, path, [1, 1500, 2]); // odd keys
    const [ca, cb] = await Promise.all([a.exited, b.exited]);
    expect({ a: ca, b: cb, ...a.output(), errB: b.output().err }).toMatchObject({ a: 0, b: 0 });
    const rows = readAll(path);
    expect(rows.length).toBe(3000);
    for (const { key, value } of rows) expect(value).toBe(expected(Number(key.slice(1))));
  });
});
