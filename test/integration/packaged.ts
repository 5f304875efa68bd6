// Helpers for the tests that run the server from a packed copy (npm tarball, .mcpb bundle) rather than from
// the checkout: a child process runner that fails with its output, and a minimal newline-delimited JSON-RPC
// session over a server's stdio (initialize, then requests matched by id).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { resolveSelection, selectionModels } from '../../src/engine/manifest.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/** A sentence the shipped model reads as joy (one of the real-model cases of emotion.test.ts). */
export const JOY_TEXT = 'I am so happy today, this is the best day of my life!';

/**
 * The default of the checkout's models/manifest.json, as a text result's `model` block must name it on the CPU: a
 * single model (its file's sha256) or an ensemble (its identity hash over the members' ids, versions and file
 * hashes, weights and thresholds: src/engine/manifest.ts ensembleSha256).
 */
export function shippedModel(): { id: string; version: string; sha256: string; provider: string } {
  const sel = resolveSelection(resolve(ROOT, 'models'), undefined, undefined);
  const { id, version } = sel.kind === 'model' ? sel.model.entry : sel.ensemble.entry;
  const sha256 = sel.kind === 'model' ? sel.model.entry.sha256 : sel.ensemble.sha256;
  return { id, version, sha256: sha256.slice(0, 12), provider: 'cpu' };
}

/**
 * The files under models/ that serving the default needs (paths relative to the package root): the manifest and,
 * for the model or every ensemble member, its ONNX file and tokenizer.
 */
export function shippedModelFiles(): string[] {
  const sel = resolveSelection(resolve(ROOT, 'models'), undefined, undefined);
  const files = selectionModels(sel).flatMap((m) => [m.entry.file, m.entry.tokenizer]);
  return ['manifest.json', ...new Set(files)].map((f) => `models/${f}`);
}

/** The environment without npm's per-run variables and without any RED_HEART_* setting of the caller. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('RED_HEART_') || k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_'))
      continue;
    if (k === 'npm_config_local_prefix') continue; // under `npm test` it names the checkout, not the temp dir
    env[k] = v;
  }
  // The CPU binding ships inside onnxruntime-node; its CUDA download cannot run offline.
  env.ONNXRUNTIME_NODE_INSTALL = 'skip';
  return { ...env, ...extra };
}

/**
 * Runs a command to completion; a non-zero exit throws with the command, the status and its output. Async, so
 * that a long install does not block the test worker past vitest's RPC timeout.
 */
export function runAsync(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = cleanEnv(),
  timeoutMs = 240_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return res({ stdout, stderr });
      const why = signal
        ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}`
        : `exit ${code}`;
      rej(
        new Error(
          `\`${command} ${args.join(' ')}\` in ${cwd} failed: ${why}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`,
        ),
      );
    });
  });
}

export interface RpcResponse {
  id: number;
  result?: Record<string, any>;
  error?: { code: number; message: string };
}

/** A server spoken to over stdio with raw JSON-RPC lines, as an MCP host does. */
export class StdioSession {
  private readonly child;
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, (r: RpcResponse) => void>();
  private stderrText = '';
  private readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], cwd: string, env: Record<string, string>) {
    this.child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as RpcResponse; // anything else on stdout breaks the protocol: let it throw
        if (typeof msg.id === 'number') this.pending.get(msg.id)?.(msg);
      }
    });
    this.child.stderr.on('data', (c: Buffer) => {
      this.stderrText += c.toString('utf8');
    });
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((res) => this.child.once('exit', (code) => res(code)));
  }

  get stderr(): string {
    return this.stderrText;
  }

  request(method: string, params: Record<string, unknown>, timeoutMs = 120_000): Promise<RpcResponse> {
    const id = this.nextId++;
    return new Promise((res, rej) => {
      const timer = setTimeout(
        () =>
          rej(
            new Error(`no answer to ${method} within ${timeoutMs} ms; server stderr:\n${this.stderrText.slice(-4000)}`),
          ),
        timeoutMs,
      );
      this.exited.then((code) =>
        rej(
          new Error(`the server exited (${code}) before answering ${method}; stderr:\n${this.stderrText.slice(-4000)}`),
        ),
      );
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        this.pending.delete(id);
        res(r);
      });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  /** initialize + notifications/initialized; returns the initialize result. */
  async initialize(): Promise<Record<string, any>> {
    const r = await this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'red-heart-package-test', version: '0.0.0' },
    });
    if (!r.result) throw new Error(`initialize failed: ${JSON.stringify(r.error)}`);
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    return r.result;
  }

  /** Closes stdin (the server shuts down on end of input) and waits for the exit code. */
  async close(timeoutMs = 30_000): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * Makes `app` an empty project whose only dependency is the packed tarball, with a lock that pins every
 * production dependency to the checkout's package-lock.json versions. `npm ci` caches tarballs but not registry
 * metadata, so offline resolution of version ranges is impossible; with this lock npm needs only the tarballs.
 */
export function lockedProjectFor(app: string, tgz: string): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    lockfileVersion: number;
    packages: Record<string, Record<string, any>>;
  };
  const spec = `file:${relative(app, tgz).split('\\').join('/')}`;
  const packages: Record<string, Record<string, any>> = {
    '': { name: 'rh-install-check', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'rh-install-check', private: true, dependencies: { [pkg.name]: spec } }, null, 2)}\n`,
  );
  writeFileSync(
    join(app, 'package-lock.json'),
    `${JSON.stringify({ name: 'rh-install-check', lockfileVersion: lock.lockfileVersion, requires: true, packages }, null, 2)}\n`,
  );
}
