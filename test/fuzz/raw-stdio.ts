// A raw newline-delimited JSON-RPC client over the BUILT server's stdio, for fuzzing: it writes bytes
// exactly as given (numbers like 1e999, lone-surrogate escapes, invalid UTF-8), matches answers by id,
// and never lets one bad message stall the run.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { serverEnv } from '../helpers/env.js';
import { initializeRequest, INITIALIZED } from '../helpers/json-rpc.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = resolve(ROOT, 'dist/src/server/cli.js');

export interface RpcAnswer {
  id: number | string;
  result?: {
    isError?: boolean;
    content?: Array<{ type: string; text?: string }>;
    structuredContent?: unknown;
    [k: string]: unknown;
  };
  error?: { code: number; message: string };
}

export class RawStdioServer {
  readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private readonly waiting = new Map<string, (a: RpcAnswer) => void>();
  private stderrText = '';
  /** Lines on stdout that were not JSON-RPC (must stay 0). */
  readonly junk: string[] = [];
  readonly unsolicited: RpcAnswer[] = [];
  exitCode: number | null | undefined = undefined;

  constructor(env: Record<string, string>) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does it)`);
    this.child = spawn(process.execPath, [CLI], { cwd: ROOT, env: serverEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.on('data', (c: Buffer) => {
      this.stderrText += c.toString('utf8');
      if (this.stderrText.length > 4_000_000) this.stderrText = this.stderrText.slice(-2_000_000);
    });
    this.child.once('exit', (code) => {
      this.exitCode = code;
    });
    this.child.stdin.on('error', () => {}); // EPIPE if the server died: reported by the liveness checks
  }

  get stderr(): string {
    return this.stderrText;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: RpcAnswer & { jsonrpc?: string; method?: string };
      try {
        msg = JSON.parse(line);
      } catch {
        this.junk.push(line.slice(0, 200));
        continue;
      }
      if (msg.jsonrpc !== '2.0') this.junk.push(line.slice(0, 200));
      if (msg.method) continue; // notifications (logging, progress)
      const key = JSON.stringify(msg.id);
      const w = this.waiting.get(key);
      if (w) {
        this.waiting.delete(key);
        w(msg);
      } else this.unsolicited.push(msg);
    }
  }

  /** Writes raw bytes (one message; a trailing newline is added). */
  write(bytes: Buffer | string): void {
    if (!this.alive) return;
    this.child.stdin.write(typeof bytes === 'string' ? `${bytes}\n` : Buffer.concat([bytes, Buffer.from('\n')]));
  }

  /** Sends a message carrying `id` and resolves with its answer, or rejects after `ms`. */
  request(id: number | string, bytes: Buffer | string, ms = 30_000): Promise<RpcAnswer> {
    const key = JSON.stringify(id);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(
          new Error(
            `no answer to id ${key} within ${ms} ms (server ${this.alive ? 'alive' : `exited ${this.exitCode}`})`,
          ),
        );
      }, ms);
      this.waiting.set(key, (a) => {
        clearTimeout(timer);
        resolvePromise(a);
      });
      this.write(bytes);
    });
  }

  async initialize(): Promise<void> {
    const init = await this.request(0, JSON.stringify(initializeRequest(0, 'fuzz')));
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
    this.write(JSON.stringify(INITIALIZED));
  }

  async close(): Promise<number | null> {
    if (!this.alive) return this.exitCode ?? null;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}
