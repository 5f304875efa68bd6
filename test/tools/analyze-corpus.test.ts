import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCorpusTool } from '../../src/tools/analyze-corpus.js';
import { MAX_CORPUS_BYTES } from '../../src/core/limits.js';
import { ToolError } from '../../src/core/errors.js';
import type { ToolContext } from '../../src/tools/types.js';
import { createServer } from '../../src/server/server.js';
import { createCorpusFiles } from '../../src/server/corpus/files.js';
import { defaults } from '../../src/server/config.js';
import type { TextEngine } from '../../src/core/model.js';
import type { EngineHandle, EngineStatus } from '../../src/engine/handle.js';
import { fakeEngine, type FakeSpec } from '../helpers/fake-engine.js';
import { callTool, refusalOf } from '../helpers/tool-call.js';
import { toolContext } from '../helpers/tool-context.js';

// The fake model reads the mood from a keyword: happy → joy (valence +0.75), angry → anger (valence −0.75), else
// neutral (valence 0). EmoBank V on 1..5 maps to (V − 3)/2, so V = 4.5 / 1.5 / 3; arousal A = 4 → 0.75, 2 → 0.25.
function mood(text: string): FakeSpec {
  if (text.includes('happy')) return { go: { joy: 0.9 }, vad: [4.5, 4, 3] };
  if (text.includes('angry')) return { go: { anger: 0.8, annoyance: 0.6 }, vad: [1.5, 4, 3] };
  return { go: { neutral: 0.9 }, vad: [3, 2, 3] };
}
const valenceOf = (t: string) => (t.includes('happy') ? 0.75 : t.includes('angry') ? -0.75 : 0);

let base: string;
let data: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-tool-')));
  data = join(base, 'data');
  mkdirSync(join(data, 'out'), { recursive: true });
  mkdirSync(join(base, 'outside'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function ctx(
  engine: TextEngine,
  opts: { dirs?: string[]; signal?: AbortSignal; progress?: ToolContext['progress'] } = {},
): ToolContext {
  const c = toolContext(engine);
  return {
    ...c,
    signal: opts.signal ?? c.signal,
    progress: opts.progress ?? c.progress,
    services: { ...c.services, files: createCorpusFiles(opts.dirs ?? [data]) },
  };
}

const call = (
  args: Record<string, unknown>,
  engine: TextEngine = fakeEngine(mood),
  opts: Parameters<typeof ctx>[1] = {},
) => callTool(analyzeCorpusTool, args, ctx(engine, opts));
const refusal = (args: Record<string, unknown>, opts: Parameters<typeof ctx>[1] = {}) =>
  refusalOf(() => call(args, fakeEngine(mood), opts));

const csv = (rows: string[][]) =>
  rows.map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\n') + '\n';

describe('formats', () => {
  const texts = ['I am happy today', 'so angry, "really"', 'just a note', 'happy again'];
  it.each([
    ['csv', 'in.csv', csv([['id', 'text'], ...texts.map((t, i) => [String(i), t])]), { text_field: 'text' }],
    ['tsv', 'in.tsv', ['text\tid', ...texts.map((t, i) => `${t}\t${i}`)].join('\r\n'), { text_field: 'text' }],
    ['jsonl', 'in.jsonl', texts.map((t) => JSON.stringify({ body: t, n: 1 })).join('\n'), { text_field: 'body' }],
    ['text', 'in.txt', texts.join('\n') + '\n', {}],
    ['csv with BOM', 'bom.csv', '\uFEFF' + csv([['text'], ...texts.map((t) => [t])]), { text_field: 'text' }],
  ])('%s', async (_name, file, content, extra) => {
    writeFileSync(join(data, file), content);
    const engine = fakeEngine(mood);
    const { structured: s } = await call({ path: join(data, file), ...extra }, engine);
    expect(engine.calls.flat()).toEqual(texts);
    expect(s.rows).toMatchObject({
      read: 4,
      analysed: 4,
      from_cache: 0,
      skipped: { malformed: 0, empty_text: 0, text_too_long: 0 },
    });
    expect(s.complete).toBe(true);
    const joy = s.summary.overall.ekman.find((e) => e.label === 'joy');
    expect(joy).toMatchObject({ count: 2, share: 0.5 });
    expect(s.summary.overall.valence?.mean).toBeCloseTo(texts.reduce((t, x) => t + valenceOf(x), 0) / 4, 4);
    const rows = readFileSync(s.files.rows_jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows[0].type).toBe('header');
    expect(rows.at(-1)).toEqual({ type: 'footer', complete: true, stop_reason: null, rows_written: 4 });
    expect(rows.slice(1, -1).map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(readFileSync(s.files.report_html, 'utf8')).toContain('<svg');
  });

  it('rows in a language the model does not read are skipped and counted, the rest analysed', async () => {
    const lines = [
      'I am happy today',
      '我今天非常开心！',
      'Hoy estoy muy feliz con mi familia.',
      '今日はとても楽しかったです。',
      'so angry right now',
    ];
    writeFileSync(join(data, 'mixed.txt'), lines.join('\n') + '\n');
    const engine = fakeEngine(mood);
    const { structured: s } = await call({ path: join(data, 'mixed.txt') }, engine);
    expect(engine.calls.flat()).toEqual(['I am happy today', 'so angry right now']);
    expect(s.rows).toMatchObject({ read: 5, analysed: 2, skipped: { unsupported_language: 3 } });
  });

  it('a named language the model does not read refuses the call before reading any row', async () => {
    writeFileSync(join(data, 'named.txt'), '我今天非常开心！\n');
    const engine = fakeEngine(mood);
    const e = await call({ path: join(data, 'named.txt'), language: 'zh' }, engine).catch((err) => err);
    expect(e).toBeInstanceOf(ToolError);
    expect(e.code).toBe('unsupported_language');
    expect(e.message).toMatch(/'zh' was requested, but the model .* reads only en, ko/);
    expect(engine.calls).toEqual([]);
  });

  it('needs text_field for CSV and refuses fields for plain text', async () => {
    writeFileSync(join(data, 'plain.txt'), 'a\n');
    expect((await refusal({ path: join(data, 'in.csv') })).message).toMatch(/text_field is required/);
    expect((await refusal({ path: join(data, 'plain.txt'), group_field: 'x' })).message).toMatch(
      /plain text file .* has no fields/,
    );
  });
});

describe('refusals', () => {
  beforeAll(() => {
    writeFileSync(join(base, 'outside/secret.csv'), 'text\nhappy\n');
    symlinkSync(join(base, 'outside/secret.csv'), join(data, 'link.csv'));
    execFileSync('mkfifo', [join(data, 'fifo.csv')]);
    // A sparse file one byte over the limit (no disk blocks written).
    const fd = openSync(join(data, 'huge.csv'), 'w');
    ftruncateSync(fd, MAX_CORPUS_BYTES + 1);
    closeSync(fd);
  });

  it('no allowed directory: explains --data-dir and MCP roots', async () => {
    const e = await refusal({ path: join(data, 'in.csv'), text_field: 'text' }, { dirs: [] });
    expect(e.code).toBe('path_not_allowed');
    expect(e.message).toMatch(/--data-dir DIR.*MCP root/);
  });
  it.each([
    ['outside path', () => join(base, 'outside/secret.csv'), /outside every allowed directory/],
    ['traversal', () => `${data}/../outside/secret.csv`, /'\.\.' segment/],
    ['symlink escape', () => join(data, 'link.csv'), /symbolic link/],
    ['FIFO', () => join(data, 'fifo.csv'), /FIFO/],
  ])('%s', async (_n, path, message) => {
    const e = await refusal({ path: path(), text_field: 'text' });
    expect(e.code).toBe('path_not_allowed');
    expect(e.message).toMatch(message);
  });
  it('too big', async () => {
    const e = await refusal({ path: join(data, 'huge.csv'), text_field: 'text' });
    expect(e.code).toBe('limit_exceeded');
    expect(e.message).toContain(`the limit is ${MAX_CORPUS_BYTES} bytes`);
  });
  it('output_dir outside is refused', async () => {
    const e = await refusal({ path: join(data, 'in.csv'), text_field: 'text', output_dir: join(base, 'outside') });
    expect(e.code).toBe('path_not_allowed');
  });
});

describe('rows that cannot be analysed', () => {
  it('counts malformed, empty and over-long rows, lists the first 20 malformed with line numbers, and goes on', async () => {
    const lines = ['text,n'];
    for (let i = 0; i < 25; i++) lines.push(`bad "row ${i},1`); // a quote inside an unquoted field
    lines.push('happy end,1', ',2', `${'x'.repeat(20_001)},3`, 'only one field');
    writeFileSync(join(data, 'bad.csv'), lines.join('\n') + '\n');
    const { structured: s } = await call({ path: join(data, 'bad.csv'), text_field: 'text' });
    expect(s.rows).toMatchObject({
      read: 29,
      analysed: 1,
      skipped: { malformed: 26, empty_text: 1, text_too_long: 1 },
    });
    expect(s.malformed).toHaveLength(20);
    expect(s.malformed[0]).toMatchObject({ row: 1, line: 2 });
    expect(s.malformed[19]).toMatchObject({ row: 20, line: 21 });
    expect(s.malformed[0].reason).toMatch(/quote inside an unquoted field/);
  });
});

describe('group and time summaries', () => {
  // Independent computation: the expected numbers are worked out from the table below by hand.
  //  team A: happy (2024-01-10), angry (2024-01-20), happy (2024-02-03)  → valence mean (0.75 − 0.75 + 0.75)/3 = 0.25
  //  team B: angry (2024-02-14), note (2024-02-28), angry (2024-03-01)   → valence mean (−0.75 + 0 − 0.75)/3 = −0.5
  //  months: 2024-01 {happy, angry} → 0; 2024-02 {happy, angry, note} → 0; 2024-03 {angry} → −0.75
  const table = [
    ['text', 'team', 'when'],
    ['happy start', 'A', '2024-01-10'],
    ['angry reply', 'A', '2024-01-20T10:00:00Z'],
    ['happy again', 'A', '2024-02-03'],
    ['angry call', 'B', '2024-02-14'],
    ['a note', 'B', '2024-02-28 23:59'],
    ['angry end', 'B', '2024-03-01'],
    ['happy but no date', '', 'someday'],
  ];
  it('per group, per month, and the A − B difference', async () => {
    writeFileSync(join(data, 'teams.csv'), csv(table));
    const { structured: s } = await call({
      path: join(data, 'teams.csv'),
      text_field: 'text',
      group_field: 'team',
      time_field: 'when',
      time_bucket: 'month',
    });
    const g = Object.fromEntries(s.summary.groups.map((x) => [x.group, x]));
    expect(Object.keys(g).sort()).toEqual(['(missing)', 'A', 'B']);
    expect(g.A.rows).toBe(3);
    expect(g.A.valence?.mean).toBeCloseTo(0.25, 4);
    expect(g.B.valence?.mean).toBeCloseTo(-0.5, 4);
    expect(g.A.ekman.find((e) => e.label === 'joy')?.count).toBe(2);
    expect(g.B.ekman.find((e) => e.label === 'anger')?.count).toBe(2);
    expect(s.rows.group_missing).toBe(1);
    expect(s.rows.time_unreadable).toBe(1);
    expect(s.summary.time.map((b) => [b.bucket, b.rows, b.valence?.mean])).toEqual([
      ['2024-01', 2, 0],
      ['2024-02', 3, 0],
      ['2024-03', 1, -0.75],
    ]);
    const d =
      s.summary.group_differences.find((x) => x.a === 'A' && x.b === 'B') ??
      s.summary.group_differences.find((x) => x.a === 'B' && x.b === 'A');
    expect(d).toBeDefined();
    const sign = d!.a === 'A' ? 1 : -1;
    expect(d!.valence!.diff).toBeCloseTo(sign * 0.75, 4);
    // positive sentiment: A 2/3, B 0/3 → difference 2/3
    expect(d!.positive.diff).toBeCloseTo(sign * (2 / 3), 4);
    expect(s.summary.examples[0].rows.length).toBeGreaterThan(0);
  });

  it('weeks and days use UTC and ISO weeks', async () => {
    const { structured: s } = await call({
      path: join(data, 'teams.csv'),
      text_field: 'text',
      time_field: 'when',
      time_bucket: 'week',
    });
    expect(s.summary.time.map((b) => b.bucket)).toEqual(['2024-W02', '2024-W03', '2024-W05', '2024-W07', '2024-W09']);
  });
});

describe('limit, sample, cache', () => {
  const many = Array.from({ length: 200 }, (_, i) => [`${i % 3 === 0 ? 'happy' : 'angry'} text number ${i}`]);
  beforeAll(() => writeFileSync(join(data, 'many.csv'), csv([['text'], ...many])));

  it('limit reads the first N rows; the run is complete', async () => {
    const { structured: s } = await call({
      path: join(data, 'many.csv'),
      text_field: 'text',
      limit: 50,
      output_dir: join(data, 'out'),
    });
    expect(s.rows.read).toBe(50);
    expect(s.complete).toBe(true);
    expect(s.files.rows_jsonl).toBe(join(data, 'out', 'many.csv.emotions.jsonl'));
  });

  it('sample: the same seed gives the same rows, another seed others', async () => {
    const rowsOf = (p: string) =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((r) => typeof r.row === 'number')
        .map((r) => r.row);
    const a = await call({
      path: join(data, 'many.csv'),
      text_field: 'text',
      sample: { rows: 20, seed: 5 },
      output_dir: join(data, 'out'),
    });
    const rowsA = rowsOf(a.structured.files.rows_jsonl);
    const b = await call({
      path: join(data, 'many.csv'),
      text_field: 'text',
      sample: { rows: 20, seed: 5 },
      output_dir: join(data, 'out'),
    });
    expect(rowsOf(b.structured.files.rows_jsonl)).toEqual(rowsA);
    expect(rowsA).toHaveLength(20);
    expect(a.structured.rows.not_in_sample).toBe(180);
    const c = await call({
      path: join(data, 'many.csv'),
      text_field: 'text',
      sample: { rows: 20, seed: 6 },
      output_dir: join(data, 'out'),
    });
    expect(rowsOf(c.structured.files.rows_jsonl)).not.toEqual(rowsA);
  });

  it('a re-run reuses the cached rows; a changed text is analysed again; a new threshold invalidates the cache', async () => {
    const first = await call({ path: join(data, 'many.csv'), text_field: 'text' });
    expect(first.structured.rows.from_cache).toBe(0);
    const engine = fakeEngine(mood);
    const again = await call({ path: join(data, 'many.csv'), text_field: 'text' }, engine);
    expect(engine.calls).toEqual([]);
    expect(again.structured.rows.from_cache).toBe(200);
    expect(again.structured.summary).toEqual(first.structured.summary);
    const changed = many.map((r) => [...r]);
    changed[10] = ['happy and changed'];
    writeFileSync(join(data, 'many.csv'), csv([['text'], ...changed]));
    const e2 = fakeEngine(mood);
    const third = await call({ path: join(data, 'many.csv'), text_field: 'text' }, e2);
    expect(e2.calls.flat()).toEqual(['happy and changed']);
    expect(third.structured.rows.from_cache).toBe(199);
    const e3 = fakeEngine(mood);
    await call({ path: join(data, 'many.csv'), text_field: 'text', threshold: 0.3 }, e3);
    expect(e3.calls.flat()).toHaveLength(200);
  });
});

describe('cancellation mid-file', () => {
  it('stops, and leaves a consistent partial JSONL and report', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `happy row ${i}`);
    writeFileSync(join(data, 'long.txt'), texts.join('\n'));
    const controller = new AbortController();
    const inner = fakeEngine(mood);
    let calls = 0;
    const engine: TextEngine = {
      model: inner.model,
      async analyze(t, o) {
        if (++calls === 4) controller.abort();
        if (o?.signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled');
        return inner.analyze(t, o);
      },
    };
    const progress: number[] = [];
    const out = await call({ path: join(data, 'long.txt') }, engine, {
      signal: controller.signal,
      progress: async (done) => {
        progress.push(done);
      },
    });
    const s = out.structured;
    expect(s.complete).toBe(false);
    expect(s.stop_reason).toMatch(/cancelled/);
    expect(s.rows.analysed).toBe(3 * 64);
    const lines = readFileSync(s.files.rows_jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('header');
    expect(lines.at(-1)).toEqual({ type: 'footer', complete: false, stop_reason: s.stop_reason, rows_written: 3 * 64 });
    expect(lines.slice(1, -1).map((r) => r.row)).toEqual(Array.from({ length: 192 }, (_, i) => i + 1));
    expect(s.summary.overall.rows).toBe(192);
    expect(readFileSync(s.files.report_html, 'utf8')).toContain('Partial result');
    expect(progress).toEqual([64, 128, 192]);
    // no temporary file is left behind
    expect(execFileSync('ls', [data]).toString()).not.toMatch(/\.tmp/);
    // the next run resumes: the 192 rows come from the cache
    const e2 = fakeEngine(mood);
    const resumed = await call({ path: join(data, 'long.txt') }, e2);
    expect(resumed.structured.rows.from_cache).toBe(192);
    expect(e2.calls.flat()).toHaveLength(1000 - 192);
  });
});

/** An engine handle over a fake engine for createServer; these tests never read red-heart://status. */
const handleOf = (engine: TextEngine): EngineHandle => ({
  require: async () => engine,
  modelId: () => engine.model.id,
  status: () => ({}) as EngineStatus, // deliberately empty: no status is read here
  close: async () => {},
});

describe('through an MCP client', () => {
  it('reads inside a client root (roots/list) and returns the files as resource links', async () => {
    const config = defaults({});
    const engine = fakeEngine(mood);
    const server = createServer({
      config,
      logger: pino({ level: 'silent' }),
      engine: handleOf(engine),
    });
    const [ct, st] = InMemoryTransport.createLinkedPair();
    await server.mcp.connect(st);
    const client = new Client({ name: 't', version: '1' }, { capabilities: { roots: { listChanged: false } } });
    client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: [{ uri: pathToFileURL(data).href, name: 'data' }],
    }));
    await client.connect(ct);
    try {
      writeFileSync(
        join(data, 'mcp.csv'),
        csv([
          ['text', 'team'],
          ['happy one', 'A'],
          ['angry two', 'B'],
          ['plain three', 'A'],
        ]),
      );
      const res = await client.callTool({
        name: 'analyze_corpus',
        arguments: { path: join(data, 'mcp.csv'), text_field: 'text', group_field: 'team' },
      });
      expect(res.isError).toBeFalsy();
      const links = (res.content as Array<{ type: string; uri?: string; mimeType?: string }>).filter(
        (c) => c.type === 'resource_link',
      );
      expect(links.map((l) => l.mimeType)).toEqual(['text/html', 'application/jsonl']);
      for (const l of links) expect(existsSync(fileURLToPath(l.uri as string))).toBe(true);
      // bulk rows bypass the shared analysis memo (they would only churn it)
      expect(server.status().analysis_memo).toMatchObject({ entries: 0, misses: 0 });
      expect(engine.calls.flat()).toEqual(['happy one', 'angry two', 'plain three']);
      const outside = await client.callTool({
        name: 'analyze_corpus',
        arguments: { path: join(base, 'outside/secret.csv'), text_field: 'text' },
      });
      expect(outside.isError).toBe(true);
      expect((outside.content as Array<{ text: string }>)[0].text).toMatch(
        /^path_not_allowed: .*outside every allowed directory.*MCP root/,
      );
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('without the roots capability and without --data-dir, refuses and says how to allow a directory', async () => {
    const config = defaults({});
    config.cache.backend = 'none';
    const engine = fakeEngine(mood);
    const server = createServer({
      config,
      logger: pino({ level: 'silent' }),
      engine: handleOf(engine),
    });
    const [ct, st] = InMemoryTransport.createLinkedPair();
    await server.mcp.connect(st);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(ct);
    try {
      const res = await client.callTool({
        name: 'analyze_corpus',
        arguments: { path: join(data, 'teams.csv'), text_field: 'text' },
      });
      expect(res.isError).toBe(true);
      expect((res.content as Array<{ text: string }>)[0].text).toMatch(/no directory is allowed .*--data-dir/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
