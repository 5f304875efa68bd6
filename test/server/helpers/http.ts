// Spawns the BUILT server with `--http 127.0.0.1:0` and finds its URL in the log; connects SDK clients
// over Streamable HTTP. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serverEnv } from '../../helpers/env.js';
import { initializeRequest } from '../../helpers/json-rpc.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CLI = resolve(ROOT, 'dist/src/server/cli.js');
export const FIXTURE_MODELS = resolve(ROOT, 'test/fixtures/model');

export interface HttpServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  base: string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM and wait (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

export async function startHttpProcess(
  options: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {},
): Promise<HttpServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does it)`);
  const env = serverEnv(options.env);
  const child = spawn(process.execPath, [CLI, '--http', '127.0.0.1:0', ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a server behind
      reject(new Error(`HTTP server did not start within ${options.timeoutMs ?? 30_000} ms; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    const check = () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`HTTP server exited with ${code} before listening; stderr:\n${stderr}\nstdout:\n${stdout}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { child, url, base: url.replace(/\/mcp$/, ''), stderr: () => stderr, exited, stop };
}

export async function connectHttp(url: string, token?: string, name = 'red-heart-http-test'): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
  });
  const client = new Client({ name, version: '0.0.0' });
  await client.connect(transport);
  return client;
}

/** A raw JSON-RPC POST (for the refusal paths the SDK client would hide). */
export async function rawPost(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* SSE or empty */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** POST whose response (SSE) is read as it arrives: `started` resolves once `marker` has been seen. */
export function streamPost(
  url: string,
  body: string,
  marker: RegExp,
): { started: Promise<void>; done: Promise<{ status: number; text: string }> } {
  let markSeen!: () => void;
  const started = new Promise<void>((r) => {
    markSeen = r;
  });
  const done = (async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body,
    });
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (marker.test(text)) markSeen();
    }
    markSeen();
    return { status: res.status, text };
  })();
  return { started, done };
}

export const INIT = JSON.stringify(initializeRequest(1, 'raw'));
