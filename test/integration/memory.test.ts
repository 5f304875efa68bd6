// The experience memory through the built server over stdio: off by default (no tools, memory: true refused),
// on with --memory (remember / recall / forget, red-heart://memory), and a second server on the same file refused.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { serverEnv } from '../helpers/env.js';
import { connectHttp, startHttpProcess } from '../server/helpers/http.js';
import { CLI, startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, any>;
}
const text = (r: CallResult): string => r.content.map((c) => c.text ?? '').join('\n');

describe('memory off (the default)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists no memory tools and no memory resource', async () => {
    const names = (await server.client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('remember');
    expect(names).not.toContain('recall');
    const uris = (await server.client.listResources()).resources.map((r) => r.uri);
    expect(uris).not.toContain('red-heart://memory');
  });

  it('analyze_emotion with memory: true says how to turn memory on', async () => {
    const r = (await server.client.callTool({
      name: 'analyze_emotion',
      arguments: { text: 'I am so glad you came.', memory: true },
    })) as CallResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/memory is off.*--memory PATH/);
  });
});

describe('memory on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rh-memory-'));
  const file = join(dir, 'memory.sqlite');
  let server: RunningServer;
  const call = async (name: string, args: Record<string, unknown>) =>
    (await server.client.callTool({ name, arguments: args })) as CallResult;
  beforeAll(async () => {
    server = await startServer({ args: ['--memory', file, '--cache', 'none'] });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('announces remember and forget as changing state, recall as read-only', async () => {
    const tools = (await server.client.listTools()).tools;
    const by = (n: string) => tools.find((t) => t.name === n)!;
    expect(by('remember').annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(by('forget').annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(by('recall').annotations).toMatchObject({ readOnlyHint: true });
    for (const n of ['remember', 'recall', 'forget']) expect(by(n).outputSchema).toBeDefined();
  });

  it('remembers labelled cases and recalls the same text first, with similarity 1 up to int8 rounding', async () => {
    const texts = [
      'You lied to me again and I am furious.',
      'Thank you so much for the lovely flowers!',
      'The train leaves at nine tomorrow.',
    ];
    const labels = [{ goemotions: ['anger'], ekman: ['anger'] }, { goemotions: ['gratitude'] }, { ekman: ['neutral'] }];
    for (let i = 0; i < texts.length; i++) {
      const r = await call('remember', {
        text: texts[i],
        labels: labels[i],
        tags: ['demo'],
        time: `2026-0${i + 1}-01T00:00:00Z`,
      });
      expect(r.isError ?? false).toBe(false);
      expect(r.structuredContent!.record).toMatchObject({ id: i + 1, kind: 'case', labels: labels[i], tags: ['demo'] });
    }
    const r = await call('recall', { text: texts[1], k: 3 });
    const m = r.structuredContent!.matches;
    expect(m).toHaveLength(3);
    expect(m[0].id).toBe(2);
    // two int8 roundings of the same vector: cosine within 1e-3 of 1 (each element off by ≤ 0.5/127)
    expect(m[0].similarity).toBeGreaterThan(0.999);
    expect(m[1].similarity).toBeLessThan(m[0].similarity);
    expect(r.structuredContent!.searched).toBe(3);
    // time filter: only the March record
    const f = await call('recall', { text: texts[1], k: 3, since: '2026-02-15T00:00:00Z' });
    expect(f.structuredContent!.matches.map((x: { id: number }) => x.id)).toEqual([3]);
  });

  it('refuses a label that is not in its label set, naming the set', async () => {
    const r = await call('remember', { text: 'Oh no.', labels: { goemotions: ['pity'] } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/labels\.goemotions: 'pity' not in the goemotions label set \(admiration/);
  });

  it('stores a decision with the regret it realised', async () => {
    const r = await call('remember', {
      text: 'Whether to take the umbrella to the picnic',
      decision: {
        options: ['umbrella', 'none'],
        scenarios: ['rain', 'sun'],
        chosen: 'none',
        happened: 'rain',
        outcomes: [
          [5, 3],
          [-4, 6],
        ],
      },
    });
    // rain column: umbrella 5, none −4 → regret 5 − (−4) = 9
    expect(r.structuredContent!.record.decision).toMatchObject({ chosen: 'none', happened: 'rain', regret: 9 });
    const rc = await call('recall', { text: 'take an umbrella to the picnic?', kind: 'decision', k: 1 });
    expect(rc.structuredContent!.matches[0].decision.regret).toBe(9);
  });

  it("regret_forecast with memory: true lists the similar decision and a Dirichlet posterior beside the caller's probabilities", async () => {
    const r = await call('regret_forecast', {
      options: [{ name: 'umbrella' }, { name: 'none' }],
      scenarios: [
        { name: 'rain', probability: 0.5 },
        { name: 'sun', probability: 0.5 },
      ],
      outcomes: [
        [5, 3],
        [-4, 6],
      ],
      decision: 'Should I take the umbrella to the picnic?',
      memory: true,
    });
    expect(r.isError ?? false).toBe(false);
    const m = r.structuredContent!.memory;
    expect(m.similar[0]).toMatchObject({ id: 4, chosen: 'none', happened: 'rain', regret: 9 });
    // one recorded decision, rain happened: S = 2, p = (0.5, 0.5), n = (1, 0) → ((1 + 1)/3, (1 + 0)/3)
    expect(m.scenarios).toEqual([
      { name: 'rain', caller_probability: 0.5, times_happened: 1, posterior_mean: 0.6667 },
      { name: 'sun', caller_probability: 0.5, times_happened: 0, posterior_mean: 0.3333 },
    ]);
    // the analysis itself still uses the caller's probabilities
    expect(r.structuredContent!.scenarios).toEqual([
      { name: 'rain', probability: 0.5 },
      { name: 'sun', probability: 0.5 },
    ]);
  });

  it('analyze_emotion with memory: true lists the nearest labelled cases and their votes', async () => {
    const r = await call('analyze_emotion', { text: 'Thank you so much for the lovely flowers!', memory: true });
    expect(r.isError ?? false).toBe(false);
    const block = r.structuredContent!.results[0].memory;
    expect(block.neighbours[0]).toMatchObject({ id: 2, labels: { goemotions: ['gratitude'] } });
    // the gratitude vote: the similarity-weighted share of labelled neighbours that carry gratitude (> 0, ≤ 1)
    const g = block.votes.goemotions.find((v: { label: string }) => v.label === 'gratitude');
    expect(g.vote).toBeGreaterThan(0);
    expect(g.vote).toBeLessThanOrEqual(1);
  });

  it('shows the store in red-heart://memory', async () => {
    const res = await server.client.readResource({ uri: 'red-heart://memory' });
    const body = JSON.parse((res.contents[0] as { text: string }).text);
    expect(body).toMatchObject({ enabled: true, path: file, records: 4, cases: 3, decisions: 1, other_model: 0 });
  });

  it('forget by tag removes the records and leaves no byte of their text in the files', async () => {
    const secret = 'Thank you so much for the lovely flowers!';
    const r = await call('forget', { tag: 'demo' });
    expect(r.structuredContent).toMatchObject({ removed: 3, ids: [1, 2, 3] });
    for (const f of readdirSync(dir))
      expect(readFileSync(join(dir, f)).includes(Buffer.from('lovely flowers')), f).toBe(false);
    const rc = await call('recall', { text: secret, k: 5 });
    expect(rc.structuredContent!.matches.map((x: { id: number }) => x.id)).toEqual([4]);
  });

  it('a second server on the same file refuses to start, naming the owner', () => {
    const r = spawnSync(process.execPath, [CLI, '--memory', file], {
      env: serverEnv(),
      input: '',
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/memory store .*memory\.sqlite is in use by another process \(pid \d+/);
  });
});

describe('memory over HTTP', () => {
  it('two sessions share one store: what one remembers the other recalls; the lock is gone after shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-memory-http-'));
    const file = join(dir, 'memory.sqlite');
    const srv = await startHttpProcess({ args: ['--memory', file, '--cache', 'none'], timeoutMs: 60_000 });
    try {
      const a = await connectHttp(srv.url);
      const b = await connectHttp(srv.url);
      const rem = (await a.callTool({
        name: 'remember',
        arguments: { text: 'The neighbours threw us a surprise party.', labels: { ekman: ['surprise', 'joy'] } },
      })) as CallResult;
      expect(rem.isError ?? false).toBe(false);
      const rc = (await b.callTool({
        name: 'recall',
        arguments: { text: 'The neighbours threw us a surprise party.', k: 1 },
      })) as CallResult;
      expect(rc.structuredContent!.matches[0]).toMatchObject({ id: 1, labels: { ekman: ['surprise', 'joy'] } });
      await a.close();
      await b.close();
    } finally {
      expect(await srv.stop()).toBe(0);
    }
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 120_000);
});
