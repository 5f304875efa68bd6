// Starts a throw-away redis-server on a free loopback port for a test, and kills it afterwards.
// Nothing here talks to anything but 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why Redis tests cannot run here, or null when redis-server is installed. */
export function redisUnavailable(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return 'redis-server is not installed (apt-get install -y redis-server; .ci/run does this)';
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something answers PING on the port (+PONG, or -NOAUTH from a Redis with a password), or rejects after `ms`. */
async function waitForPong(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port });
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(500, () => done(false));
      sock.once('error', () => done(false));
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on 127.0.0.1:${port} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestRedis {
  port: number;
  url: string;
  /** Kills the server (SIGKILL, as a crash would). */
  kill(): Promise<void>;
  /** Starts a fresh server on the same port (empty: no persistence). */
  restart(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing answers (a "slow" Redis). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

// redis-server cannot bind port 0 and report it (`--port 0` turns TCP off), so a free port is picked and tried;
// another process taking it between the probe and the bind makes redis-server exit, and the next port is tried.
// A restart reuses the port (the reconnect tests need the same URL) and fails naming it if it was taken meanwhile.
export async function startRedis(port?: number, opts: { password?: string } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-redis-'));
  let child: ChildProcess | null = null;
  let p = port ?? 0;
  const launch = async () => {
    const c = spawn(
      'redis-server',
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--protected-mode',
        'yes',
        ...(opts.password ? ['--requirepass', opts.password] : []),
      ],
      { stdio: 'ignore' },
    );
    child = c;
    const exited = new Promise<never>((_, reject) =>
      c.once('exit', (code) =>
        reject(
          new Error(`redis-server on 127.0.0.1:${p} exited (${code}) before answering: the port is probably taken`),
        ),
      ),
    );
    await Promise.race([waitForPong(p, 10_000), exited]);
  };
  for (let attempt = 1; ; attempt++) {
    if (port === undefined) p = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      if (port !== undefined || attempt >= 5) throw err;
    }
  }
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited;
  };
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    pause: () => {
      (child as ChildProcess | null)?.kill('SIGSTOP');
    },
    resume: () => {
      (child as ChildProcess | null)?.kill('SIGCONT');
    },
    stop: kill,
  };
}
