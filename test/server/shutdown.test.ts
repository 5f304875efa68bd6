// Graceful shutdown of the stdio transport: SIGTERM lets a running call answer, then exit 0 with the
// file cache committed to disk.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/server/cache/sqlite-store.js';
import { describe, expect, it } from 'vitest';
import { CLI, FIXTURE_MODELS, ROOT } from './helpers/http.js';
import { slowSurdRequest } from './helpers/slow.js';
import { serverEnv } from '../helpers/env.js';
import { initializeRequest, INITIALIZED } from '../helpers/json-rpc.js';
import { regretCall } from '../helpers/calls.js';

function stdioServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI], {
    cwd: ROOT,
    env: serverEnv({ RED_HEART_MODELS_DIR: FIXTURE_MODELS, ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
  const waitFor = (re: RegExp, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`timed out waiting for ${re}; stdout: ${stdout.slice(-500)}; stderr: ${stderr.slice(-1000)}`),
          ),
        ms,
      );
      const check = () => {
        if (re.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      check();
    });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  send(initializeRequest(1, 't'));
  send(INITIALIZED);
  return { child, send, waitFor, exited, stdout: () => stdout, stderr: () => stderr };
}

const slowSurd = slowSurdRequest;

describe('signals at readiness', () => {
  // A supervisor (or the CUDA relaunch parent relaying its own SIGTERM) may signal the moment it reads "ready"; the
  // handlers installed only after that line once let a SIGTERM kill the server with the signal's default action.
  it.each([
    ['stdio', []],
    ['HTTP', ['--http', '127.0.0.1:0']],
  ])(
    '%s: the SIGTERM and SIGINT handlers exist when the server says it serves',
    async (_name, args) => {
      const preload = join(ROOT, 'test/server/helpers/signals-at-ready.mjs');
      const child = spawn(process.execPath, ['--import', preload, CLI, ...args], {
        cwd: ROOT,
        env: serverEnv({ RED_HEART_MODELS_DIR: FIXTURE_MODELS }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      const seen = new Promise<string>((resolve) =>
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString('utf8');
          const m = /SIGNALS_AT_READY term=(\d+) int=(\d+)/.exec(stderr);
          if (m) resolve(m[0]);
        }),
      );
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const report = await seen;
      expect(report).toMatch(/term=[1-9]\d* int=[1-9]/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    60_000,
  );
});

describe('stdio graceful shutdown', () => {
  // The grace is generous: the call needs ~2 s of CPU on a quiet machine but took over 30 s in a CI run beside a
  // training job; what is tested is that it finishes inside the grace, not how fast.
  it('SIGTERM: the running call answers, the file cache is flushed, exit 0', { timeout: 330_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-shutdown-'));
    const cachePath = join(dir, 'cache.sqlite');
    const srv = stdioServer({
      RED_HEART_CACHE: 'file',
      RED_HEART_CACHE_PATH: cachePath,
      RED_HEART_SHUTDOWN_GRACE_MS: '300000',
    });
    await srv.waitFor(/"id":1/);
    srv.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: regretCall([
        [1, 0],
        [0, 2],
      ]),
    });
    await srv.waitFor(/"id":2/);
    srv.send(slowSurd(3, 'p3'));
    await srv.waitFor(/"progressToken":"p3"/); // the call is running
    srv.child.kill('SIGTERM');
    const code = await srv.exited;
    expect(code).toBe(0);
    expect(srv.stdout()).toMatch(/"id":3/);
    expect(srv.stdout()).toMatch(/SURD of target/);
    expect(srv.stderr()).toMatch(/shut down cleanly/);
    // both results were cached and committed to the file before exit
    expect(existsSync(cachePath)).toBe(true);
    const store = SqliteStore.open({ path: cachePath, maxEntries: 10, maxBytes: 1e9, ttlSeconds: 0, writer: 'inline' });
    try {
      expect(store.totals().entries).toBeGreaterThanOrEqual(2);
    } finally {
      await store.close();
    }
  });

  it('SIGINT with a short grace: the running call is answered with a cancellation error, exit 0', async () => {
    const srv = stdioServer({ RED_HEART_CACHE: 'memory', RED_HEART_SHUTDOWN_GRACE_MS: '50' });
    await srv.waitFor(/"id":1/);
    srv.send(slowSurd(4, 'p4'));
    await srv.waitFor(/"progressToken":"p4"/);
    srv.child.kill('SIGINT');
    expect(await srv.exited).toBe(0);
    expect(srv.stdout()).toMatch(/"id":4,"error":\{"code":-32000,"message":"cancelled: the server is shutting down/);
  });
});
