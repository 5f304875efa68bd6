// The start-up snapshot: a stdio server answers `initialize` and `tools/list` from what the same build, settings and
// model files answered before, and those answers must be exactly the real server's (checked against a start that had
// no snapshot), with every later message handled by the real server and no request answered twice.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import {
  EarlyStdio,
  SNAPSHOT_FILE,
  SnapshotRecorder,
  readSnapshot,
  snapshotKey,
  snapshotPath,
  type StartSnapshot,
} from '../../src/server/start-snapshot.js';
import { RawStdioServer, ROOT } from '../fuzz/raw-stdio.js';
import { initializeRequest, INITIALIZED } from '../helpers/json-rpc.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'rh-snapshot-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SNAP: StartSnapshot = {
  key: 'k',
  protocolVersions: ['2025-06-18', '2025-03-26'],
  latestProtocolVersion: '2025-06-18',
  initialize: { capabilities: { tools: {} }, serverInfo: { name: 'red-heart-mcp', version: '9' }, instructions: 'x' },
  toolsList: { tools: [{ name: 'a', inputSchema: { type: 'object' } }] },
};

function early(snap: StartSnapshot | null) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const out: Array<Record<string, unknown>> = [];
  let buf = '';
  stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      out.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  const reader = new EarlyStdio(snap, 1 << 20, stdin, stdout);
  const passed: Buffer[] = [];
  reader.input.on('data', (c: Buffer) => passed.push(c));
  const tick = () => new Promise((r) => setImmediate(r));
  return { stdin, out, reader, passed: () => Buffer.concat(passed).toString('utf8'), tick };
}

const line = (m: unknown) => `${JSON.stringify(m)}\n`;

describe('EarlyStdio', () => {
  it('answers initialize with the negotiated version and tools/list, and passes every byte on unchanged', async () => {
    const e = early(SNAP);
    const sent =
      line(initializeRequest(1)) +
      line(INITIALIZED) +
      line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) +
      line({ jsonrpc: '2.0', id: 3, method: 'prompts/list' });
    // split inside a line: a message arriving in two chunks is still one message
    e.stdin.write(sent.slice(0, 37));
    e.stdin.write(sent.slice(37));
    await e.tick();
    expect(e.passed()).toBe(sent);
    expect(e.out).toEqual([
      { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18', ...SNAP.initialize } },
      { jsonrpc: '2.0', id: 2, result: SNAP.toolsList },
    ]);
    // the real server's answers to those two are dropped, once each; its answer to prompts/list is not
    expect(e.reader.dropResponse({ jsonrpc: '2.0', id: 1, result: {} })).toBe(true);
    expect(e.reader.dropResponse({ jsonrpc: '2.0', id: 1, result: {} })).toBe(false);
    expect(e.reader.dropResponse({ jsonrpc: '2.0', id: 2, result: {} })).toBe(true);
    expect(e.reader.dropResponse({ jsonrpc: '2.0', id: 3, result: {} })).toBe(false);
  });

  it('reads a message whose multi-byte characters are split between chunks (the id included)', async () => {
    const e = early(SNAP);
    const bytes = Buffer.from(line(initializeRequest('요청-1')));
    const cut = bytes.indexOf(Buffer.from('청')) + 1; // inside the id's second character's three bytes
    e.stdin.write(bytes.subarray(0, cut));
    e.stdin.write(bytes.subarray(cut));
    await e.tick();
    expect(e.out.map((m) => m.id)).toEqual(['요청-1']);
    expect(e.passed()).toBe(bytes.toString('utf8'));
  });

  it('negotiates as the SDK does: a supported older version is kept, an unknown one gets the latest', async () => {
    for (const [asked, got] of [
      ['2025-03-26', '2025-03-26'],
      ['1999-01-01', '2025-06-18'],
    ]) {
      const e = early(SNAP);
      const req = initializeRequest(7);
      e.stdin.write(line({ ...req, params: { ...req.params, protocolVersion: asked } }));
      await e.tick();
      expect((e.out[0].result as { protocolVersion: string }).protocolVersion).toBe(got);
    }
  });

  it('answers nothing without a snapshot, when initialize is not first, or when it is not a valid request', async () => {
    const cases: Array<[StartSnapshot | null, string]> = [
      [null, line(initializeRequest(1))],
      [SNAP, line({ jsonrpc: '2.0', id: 1, method: 'ping' }) + line(initializeRequest(2))],
      [SNAP, line({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18' } })],
      [SNAP, 'not json\n' + line(initializeRequest(2))],
      [SNAP, line({ jsonrpc: '2.0', id: 2, method: 'tools/list' })],
    ];
    for (const [snap, sent] of cases) {
      const e = early(snap);
      e.stdin.write(sent);
      await e.tick();
      expect(e.out, sent).toEqual([]);
      expect(e.passed()).toBe(sent);
    }
  });

  it('leaves tools/list with a cursor, and any request reusing an answered id, to the real server', async () => {
    const e = early(SNAP);
    e.stdin.write(
      line(initializeRequest(1)) +
        line({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'x' } }) +
        line({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    await e.tick();
    expect(e.out.map((m) => m.id)).toEqual([1]);
  });

  it('stops looking at a line longer than the limit and passes it on', async () => {
    const stdin = new PassThrough();
    const reader = new EarlyStdio(SNAP, 100, stdin, new PassThrough());
    const passed: Buffer[] = [];
    reader.input.on('data', (c: Buffer) => passed.push(c));
    const long = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"${'x'.repeat(500)}"`;
    stdin.write(long);
    stdin.end('}}\n');
    await new Promise((r) => reader.input.on('end', r));
    expect(Buffer.concat(passed).toString()).toBe(`${long}}}\n`);
    expect(reader.answered.size).toBe(0);
  });
});

describe('EarlyStdio.handshakeServed', () => {
  const settled = async (p: Promise<void>, ms: number) =>
    Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

  it('resolves once initialize and tools/list are answered, or at once when there is nothing to serve', async () => {
    const e = early(SNAP);
    const served = e.reader.handshakeServed(10_000, 10_000);
    e.stdin.write(line(initializeRequest(1)));
    expect(await settled(served, 50)).toBe(false); // waits for tools/list
    e.stdin.write(line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    expect(await settled(served, 50)).toBe(true);
    expect(await settled(early(null).reader.handshakeServed(10_000, 10_000), 50)).toBe(true);
    const other = early(SNAP);
    const otherServed = other.reader.handshakeServed(10_000, 10_000);
    other.stdin.write(line({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    expect(await settled(otherServed, 50)).toBe(true);
  });

  it('stops waiting after its time limits but still answers a tools/list that comes later', async () => {
    const e = early(SNAP);
    const t0 = performance.now();
    await e.reader.handshakeServed(40, 40); // nothing comes
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    const e2 = early(SNAP);
    const served = e2.reader.handshakeServed(10_000, 30);
    e2.stdin.write(line(initializeRequest(1)));
    expect(await settled(served, 1_000)).toBe(true); // 30 ms after initialize
    e2.stdin.write(line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    await e2.tick();
    expect(e2.out.map((m) => m.id)).toEqual([1, 2]);
  });
});

describe('SnapshotRecorder', () => {
  const versions = { versions: ['2025-06-18', '2025-03-26'], latest: '2025-06-18' };
  const init = { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-03-26', ...SNAP.initialize } };
  const list = { jsonrpc: '2.0', id: 2, result: SNAP.toolsList };

  it('records the real answers without the negotiated version, and writes only what changed', () => {
    const path = join(tempDir(), 'sub', SNAPSHOT_FILE);
    const errors: unknown[] = [];
    const stale: number[] = [];
    const rec = new SnapshotRecorder(path, 'k', versions, null, {
      stale: () => stale.push(1),
      error: (e) => errors.push(e),
    });
    rec.incoming(initializeRequest(1));
    rec.outgoing(init);
    expect(readSnapshot(path, 'k')).toEqual({ ...SNAP, toolsList: undefined, key: 'k' } as unknown as StartSnapshot);
    expect(readSnapshot(path, 'other')).toBeNull();
    rec.incoming({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    rec.outgoing(list);
    expect(readSnapshot(path, 'k')).toEqual(SNAP);
    expect(errors).toEqual([]);
    // a later start with the same answers writes nothing (the file is left as it is) and reports nothing stale
    writeFileSync(path, JSON.stringify({ ...SNAP, marker: 1 }));
    const again = new SnapshotRecorder(path, 'k', versions, { ...SNAP, marker: 1 } as StartSnapshot, {
      stale: () => stale.push(1),
      error: (e) => errors.push(e),
    });
    again.incoming(initializeRequest(5));
    again.outgoing({ ...init, id: 5 });
    expect(stale).toEqual([]);
  });

  it('replaces a snapshot whose answer differs from the real one, and says so', () => {
    const path = join(tempDir(), SNAPSHOT_FILE);
    const old = { ...SNAP, initialize: { ...SNAP.initialize, instructions: 'old' } };
    let stale = 0;
    const rec = new SnapshotRecorder(path, 'k', versions, old, { stale: () => stale++, error: () => {} });
    rec.incoming(initializeRequest(1));
    rec.outgoing(init);
    expect(stale).toBe(1);
    expect(readSnapshot(path, 'k')!.initialize).toEqual(SNAP.initialize);
  });
});

describe('snapshotKey', () => {
  it('changes with a setting and with a file in the model directory, and only the file backend has a path', () => {
    const models = tempDir();
    for (const f of readdirSync(join(ROOT, 'models')).filter((f) => f.endsWith('.json')))
      copyFileSync(join(ROOT, 'models', f), join(models, f));
    const base = loadConfig(['--models-dir', models], {}).config;
    const key = snapshotKey(base);
    expect(snapshotKey(loadConfig(['--models-dir', models], {}).config)).toBe(key);
    expect(snapshotKey(loadConfig(['--models-dir', models, '--memory', join(models, 'm.db')], {}).config)).not.toBe(
      key,
    );
    writeFileSync(join(models, 'new.onnx'), 'x');
    expect(snapshotKey(base)).not.toBe(key);
    expect(snapshotPath(base)).toBe(join(join(base.cache.path, '..'), SNAPSHOT_FILE));
    expect(snapshotPath(loadConfig(['--cache', 'none'], {}).config)).toBeNull();
  });
});

describe('a stdio server with a start-up snapshot', () => {
  it('answers initialize and tools/list exactly as the real server did, once each, then serves normally', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'c'));
    const env = {
      RED_HEART_CACHE: 'file',
      RED_HEART_CACHE_PATH: join(dir, 'c', 'cache.sqlite'),
      RED_HEART_LOG_LEVEL: 'debug',
    };
    const session = async () => {
      const s = new RawStdioServer(env);
      const init = await s.request(1, JSON.stringify(initializeRequest(1)));
      s.write(JSON.stringify(INITIALIZED));
      const list = await s.request(2, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
      const status = await s.request(
        3,
        JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'red-heart://status' } }),
      );
      await new Promise((r) => setTimeout(r, 200)); // room for a second, duplicate answer to show up
      expect(await s.close()).toBe(0);
      return { init, list, status, stderr: s.stderr, unsolicited: s.unsolicited, junk: s.junk };
    };
    const first = await session();
    expect(first.stderr).not.toContain('answered from the start-up snapshot');
    const snap = JSON.parse(readFileSync(join(dir, 'c', SNAPSHOT_FILE), 'utf8')) as StartSnapshot;
    expect(snap.toolsList).toEqual(first.list.result);

    const second = await session();
    expect(second.stderr).toContain('answered from the start-up snapshot; the same answer dropped');
    expect(second.stderr).not.toContain('differed from the answer');
    expect(second.init).toEqual(first.init);
    expect(second.list).toEqual(first.list);
    expect(second.unsolicited).toEqual([]);
    expect(second.junk).toEqual([]);
    // the real server took over: it read the status resource
    const text = (second.status.result as { contents: Array<{ text: string }> }).contents[0].text;
    expect(JSON.parse(text).name).toBe('red-heart-mcp');
  }, 60_000);
});
