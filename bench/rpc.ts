// A red-heart-mcp server spoken to in raw JSON-RPC over stdio, for the benchmarks that time the real server with no
// client library in the timing: spawned with this process's environment minus every RED_HEART_ setting, then `env`.
import { spawn, type ChildProcess } from 'node:child_process';

export class StdioRpc {
  private buf = '';
  private next = 1;
  private waiting = new Map<number, (m: { result?: any; error?: unknown }) => void>();
  readonly proc: ChildProcess;

  constructor(
    cli: string,
    env: Record<string, string>,
    private readonly opts: { cwd: string; client: string; killAfterMs: number },
  ) {
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('RED_HEART_')) full[k] = v;
    this.proc = spawn(process.execPath, [cli], {
      cwd: opts.cwd,
      env: { ...full, RED_HEART_LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const m = JSON.parse(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        if (typeof m.id === 'number') this.waiting.get(m.id)?.(m);
      }
    });
  }

  request(method: string, params: unknown): Promise<{ result?: any; error?: unknown }> {
    const id = this.next++;
    return new Promise((res) => {
      this.waiting.set(id, res);
      this.proc.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  async init(): Promise<void> {
    await this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: this.opts.client, version: '0' },
    });
    this.proc.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  }

  /** Ends stdin (the server shuts down) and waits for the exit; killed after `killAfterMs`. */
  close(): Promise<void> {
    return new Promise((res) => {
      this.proc.once('exit', () => res());
      this.proc.stdin!.end();
      setTimeout(() => this.proc.kill('SIGKILL'), this.opts.killAfterMs).unref();
    });
  }
}
