// This build against another git ref, side by side in one run, so a regression shows as a ratio. Builds the ref
// into a temporary directory (git worktree + `npm run build`, node_modules symlinked to this checkout's), then
// alternates the two servers call by call (A B, B A, …) so load drift on a shared machine hits both alike.
//   node dist/bench/compare.js [--ref f931ef6] [--starts 9] [--calls 300] [--reps 3] [--model ID] [--ref-model ID] [--out FILE]
// `--model ID` starts this build's servers with that model or ensemble (RED_HEART_MODEL), so a build whose default
// is another model can be compared like for like; `--ref-model ID` does the same for the ref (default: its own
// default). Both are reported.
// Measures, for both builds, through the real stdio server (raw JSON-RPC, no client library in the timing):
//  - start-up: spawn → `initialize` answered, `tools/list` round trip, spawn → first analyze_emotion answered
//    (default settings), for a first start on a new cache file and for a restart on the same file (`restart`: what a
//    host launching the server again sees; a stdio server answers its handshake from the start-up snapshot there);
//  - hot path (`--cache none`, `language: "en"`, ~20-token GoEmotions test texts): single-call p50/p95, one
//    `texts` call of 32, 32 and 128 concurrent single calls (texts per second; median of `--reps` alternated runs
//    each, every run's rate listed under `runs`);
//  - tools/list size in characters.
// Ratios are this build / the ref: < 1 is faster for times, > 1 is faster for throughput.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, emitReport } from '../eval/args.js';
import { StdioRpc } from './rpc.js';
import { packageRoot } from '../src/server/config.js';

const ROOT = packageRoot();
const REF = arg('ref', 'f931ef6');
const STARTS = Number(arg('starts', '9'));
const CALLS = Number(arg('calls', '300'));
const REPS = Number(arg('reps', '3'));
const MODEL = arg('model');
const REF_MODEL = arg('ref-model');
/** The settings each build's servers get: the pinned model, if any. */
const pinned = (k: 'this' | 'ref'): Record<string, string> => {
  const m = k === 'this' ? MODEL : REF_MODEL;
  return m ? { RED_HEART_MODEL: m } : {};
};
const log = (m: string) => process.stderr.write(`[bench:compare] ${m}\n`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
};
const median = (xs: number[]) => pct(xs, 0.5);

/**
 * The ref's node_modules: a directory of links to this checkout's packages (nothing is installed into them), plus
 * any dependency the ref declares that this checkout no longer has, installed with npm into the ref's own folder.
 */
function linkModules(dir: string): void {
  const nm = join(dir, 'node_modules');
  if (lstatSafe(nm)?.isSymbolicLink()) unlinkSync(nm);
  if (!existsSync(nm)) mkdirSync(nm);
  const shared = join(ROOT, 'node_modules');
  for (const e of readdirSync(shared)) if (!lstatSafe(join(nm, e))) symlinkSync(join(shared, e), join(nm, e));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const missing = Object.entries(pkg.dependencies ?? {}).filter(
    ([name]) => !existsSync(join(nm, name, 'package.json')),
  );
  if (missing.length === 0) return;
  const extra = join(dir, '.ref-deps');
  log(`installing what the ref needs and this checkout lacks: ${missing.map(([n, v]) => `${n}@${v}`).join(', ')}`);
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefix',
      extra,
      ...missing.map(([n, v]) => `${n}@${v}`),
    ],
    { stdio: 'ignore' },
  );
  for (const [name] of missing) {
    const scope = name.startsWith('@') ? join(nm, name.split('/')[0]) : null;
    if (scope && lstatSafe(scope)?.isSymbolicLink()) {
      // A scope linked to the shared folder becomes a folder of links, so nothing is written into the shared one.
      const target = join(shared, name.split('/')[0]);
      unlinkSync(scope);
      mkdirSync(scope);
      for (const e of readdirSync(target)) symlinkSync(join(target, e), join(scope, e));
    }
    if (lstatSafe(join(nm, name))) unlinkSync(join(nm, name));
    symlinkSync(join(extra, 'node_modules', name), join(nm, name));
  }
}

function lstatSafe(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

/** Builds `ref` once into a temporary directory (reused while its commit is the same); returns its cli.js. */
function buildRef(ref: string): { cli: string; commit: string; dir: string } {
  const commit = execFileSync('git', ['rev-parse', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `red-heart-compare-${commit.slice(0, 12)}`);
  const cli = join(dir, 'dist', 'src', 'server', 'cli.js');
  if (!existsSync(join(dir, '.built'))) {
    log(`building ${ref} (${commit.slice(0, 12)}) in ${dir}`);
    if (!existsSync(dir))
      execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: ROOT, stdio: 'ignore' });
    linkModules(dir);
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(join(dir, '.built'), commit);
  }
  return { cli, commit, dir };
}

/** A server spoken to in raw JSON-RPC over stdio, run from the build's own checkout. */
class Rpc extends StdioRpc {
  constructor(cli: string, env: Record<string, string>) {
    super(cli, env, { cwd: resolve(cli, '..', '..', '..', '..'), client: 'bench-compare', killAfterMs: 3000 });
  }
  async emotion(args: Record<string, unknown>): Promise<number> {
    const t = performance.now();
    const r = (await this.request('tools/call', { name: 'analyze_emotion', arguments: args })) as {
      result?: { isError?: boolean; content: Array<{ text: string }> };
    };
    if (!r.result || r.result.isError) throw new Error(`analyze_emotion failed: ${JSON.stringify(r).slice(0, 300)}`);
    return performance.now() - t;
  }
}

interface Start {
  initialize_ms: number;
  tools_list_ms: number;
  first_emotion_ms: number;
  tools_list_chars: number;
}
/** One start on `cachePath` (a new one: a first start; one a start has used: a restart), answering `text` first. */
async function startOnce(cli: string, cachePath: string, env: Record<string, string>, text: string): Promise<Start> {
  const t0 = performance.now();
  const s = new Rpc(cli, { ...env, RED_HEART_CACHE_PATH: cachePath });
  await s.init();
  const init = performance.now() - t0;
  const t1 = performance.now();
  const list = (await s.request('tools/list', {})) as { result: unknown };
  const tl = performance.now() - t1;
  await s.emotion({ text });
  const first = performance.now() - t0;
  await s.close();
  return {
    initialize_ms: init,
    tools_list_ms: tl,
    first_emotion_ms: first,
    tools_list_chars: JSON.stringify(list.result).length,
  };
}

/** ~20-token English texts: GoEmotions test comments joined until 12–30 words (the set stays the same per run). */
function texts(n: number): string[] {
  const p = resolve(ROOT, '..', 'shared', 'data', 'goemotions', 'test.tsv');
  const pool = readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]);
  const out: string[] = [];
  let cur = '';
  for (const t of pool) {
    cur = cur ? `${cur} ${t}` : t;
    const words = cur.split(/\s+/).length;
    if (words >= 12 && words <= 18) {
      out.push(cur);
      cur = '';
    } else if (words > 18) cur = '';
    if (out.length >= n) break;
  }
  return out;
}

/** The id and version of the model a build serves with `env` (red-heart://status after one call). */
async function modelOf(cli: string, env: Record<string, string>): Promise<string> {
  const s = new Rpc(cli, { ...env, RED_HEART_CACHE: 'none' });
  try {
    await s.init();
    await s.emotion({ text: 'model check', language: 'en' });
    const r = (await s.request('resources/read', { uri: 'red-heart://status' })) as {
      result?: { contents: Array<{ text: string }> };
    };
    const m = (
      JSON.parse(r.result?.contents[0]?.text ?? '{}') as { engine?: { model?: { id: string; version: string } } }
    ).engine?.model;
    return m ? `${m.id}@${m.version}` : 'unknown';
  } finally {
    await s.close();
  }
}

const both = <T>(f: (k: 'this' | 'ref') => T) => ({ this: f('this'), ref: f('ref') });

async function main(): Promise<void> {
  const ref = buildRef(REF);
  const cli = { this: join(ROOT, 'dist', 'src', 'server', 'cli.js'), ref: ref.cli };
  const cacheDir = mkdtempSync(join(tmpdir(), 'rh-bench-compare-'));

  // Start-up, alternating which build starts first: a first start on a new cache file, then a restart on the same file
  // (a host launching the server again), whose first text is another one (a cache miss: the model loads either way).
  const starts: Record<'this' | 'ref', Start[]> = { this: [], ref: [] };
  const restarts: Record<'this' | 'ref', Start[]> = { this: [], ref: [] };
  for (let i = 0; i < STARTS; i++) {
    for (const k of (i % 2 ? ['ref', 'this'] : ['this', 'ref']) as Array<'this' | 'ref'>) {
      const path = join(cacheDir, `c-${k}-${i}.sqlite`);
      starts[k].push(
        await startOnce(cli[k], path, pinned(k), 'I am so happy today, but a bit worried about tomorrow.'),
      );
      restarts[k].push(await startOnce(cli[k], path, pinned(k), 'The meeting ran long and nobody listened to me.'));
    }
  }
  const startFields = (runs: Record<'this' | 'ref', Start[]>) => {
    const field = (f: keyof Start) => {
      const m = both((k) => r2(median(runs[k].map((s) => s[f]))));
      return { ...m, ratio: r2(m.this / m.ref) };
    };
    return {
      runs: STARTS,
      initialize_ms: field('initialize_ms'),
      tools_list_ms: field('tools_list_ms'),
      first_analyze_emotion_ms: field('first_emotion_ms'),
      tools_list_chars: field('tools_list_chars'),
    };
  };
  const startup = startFields(starts);
  const restart = startFields(restarts);
  log(`start-up medians: ${JSON.stringify(startup)}; restart: ${JSON.stringify(restart)}`);

  // Hot path: both servers up, no result cache, English named (no language identification cost difference).
  const all = texts(CALLS + 400);
  const srv = both((k) => new Rpc(cli[k], { ...pinned(k), RED_HEART_CACHE: 'none' }));
  await Promise.all([srv.this.init(), srv.ref.init()]);
  for (let i = 0; i < 10; i++)
    for (const k of ['this', 'ref'] as const) await srv[k].emotion({ text: `warm up ${i} ${all[i]}`, language: 'en' });
  const single = both(() => [] as number[]);
  const calls = all.slice(0, CALLS);
  for (let i = 0; i < calls.length; i++) {
    for (const k of (i % 2 ? ['ref', 'this'] : ['this', 'ref']) as Array<'this' | 'ref'>)
      single[k].push(await srv[k].emotion({ text: calls[i], language: 'en' }));
  }
  const singleReport = {
    calls: calls.length,
    p50_ms: both((k) => r2(pct(single[k], 0.5))),
    p95_ms: both((k) => r2(pct(single[k], 0.95))),
    p50_ratio: r2(pct(single.this, 0.5) / pct(single.ref, 0.5)),
    p95_ratio: r2(pct(single.this, 0.95) / pct(single.ref, 0.95)),
  };
  log(`single call: ${JSON.stringify(singleReport)}`);

  // Throughput, each measurement repeated with the order alternated; texts differ between repeats (no memo hits).
  const rest = all.slice(CALLS);
  const tput = async (label: string, n: number, run: (s: Rpc, texts: string[]) => Promise<unknown>) => {
    const rate = both(() => [] as number[]);
    for (let rep = 0; rep < REPS; rep++) {
      for (const k of (rep % 2 ? ['ref', 'this'] : ['this', 'ref']) as Array<'this' | 'ref'>) {
        const chunk = rest.slice(0, n).map((t) => `${t} ${k} ${rep} ${label}`);
        const t = performance.now();
        await run(srv[k], chunk);
        rate[k].push((n / (performance.now() - t)) * 1000);
      }
    }
    const m = both((k) => r2(median(rate[k])));
    return { texts_per_s: m, ratio: r2(m.this / m.ref), runs: both((k) => rate[k].map(Math.round)) };
  };
  const throughput = {
    texts_32: await tput('batch', 32, (s, t) => s.emotion({ texts: t, language: 'en' })),
    concurrent_32: await tput('c32', 32, (s, t) => Promise.all(t.map((x) => s.emotion({ text: x, language: 'en' })))),
    concurrent_128: await tput('c128', 128, (s, t) =>
      Promise.all(t.map((x) => s.emotion({ text: x, language: 'en' }))),
    ),
  };
  log(`throughput: ${JSON.stringify(throughput)}`);
  await Promise.all([srv.this.close(), srv.ref.close()]);

  // Which model each build served (its status resource), so a report says what was compared.
  const served = both((k) => modelOf(cli[k], pinned(k)));
  const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  emitReport({
    bench: 'compare',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      availableParallelism: availableParallelism(),
      loadavg: loadavg().map(r2),
      node: process.version,
      note: 'ratios = this build / ref, measured interleaved in one run; absolute times depend on the machine load',
    },
    this: {
      commit: head,
      dirty: execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '',
      model: await served.this,
    },
    ref: { ref: REF, commit: ref.commit.slice(0, 12), dir: ref.dir, model: await served.ref },
    startup,
    restart,
    analyze_emotion_uncached_single: singleReport,
    throughput,
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
