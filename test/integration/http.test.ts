// The built server over Streamable HTTP on loopback: tools and status, /healthz, auth (401), Origin and
// Host checks (403), body limit (413), per-client concurrency (429), non-loopback refusal, shutdown.
import { spawn } from 'node:child_process';
import { progressSent, recordWire } from '../server/helpers/wire.js';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowSurdRequest } from '../server/helpers/slow.js';
import {
  CLI,
  connectHttp,
  FIXTURE_MODELS,
  INIT,
  rawPost,
  ROOT,
  startHttpProcess,
  streamPost,
  type HttpServerProcess,
} from '../server/helpers/http.js';
import { serverEnv } from '../helpers/env.js';
import { until } from '../helpers/poll.js';
import { TOOL_NAMES } from '../helpers/tool-names.js';
import { regretCall } from '../helpers/calls.js';

const TOKEN = 'test-token-0123456789abcdef';
const TOKEN2 = 'second-token-0123456789abcdef';

/** Starts a POST whose body is held back until finish() (keeps a request in flight on the server). */
function holdRequest(url: string, token: string): { finish(): Promise<{ status: number; text: string }> } {
  const body = Buffer.from(INIT);
  let resolveRes!: (v: { status: number; text: string }) => void;
  const response = new Promise<{ status: number; text: string }>((r) => {
    resolveRes = r;
  });
  const req = request(
    url,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Content-Length': body.length,
      },
    },
    (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      res.on('end', () => resolveRes({ status: res.statusCode ?? 0, text }));
    },
  );
  req.on('error', (err) => resolveRes({ status: -1, text: String(err) }));
  req.write(body.subarray(0, 10));
  req.flushHeaders();
  return {
    finish: () => {
      req.end(body.subarray(10));
      return response;
    },
  };
}

function errorMessage(json: unknown): string {
  return String((json as { error?: { message?: string } })?.error?.message ?? '');
}

/** POST with an arbitrary Host header (fetch does not let a caller set it). */
function postWithHost(url: string, host: string, body: string): Promise<{ status: number; text: string }> {
  return postWithHostOrigin(url, host, undefined, body);
}

function postWithHostOrigin(
  url: string,
  host: string,
  origin: string | undefined,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Host: host,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    };
    if (origin !== undefined) headers.Origin = origin;
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP transport without auth (loopback)', () => {
  let srv: HttpServerProcess;
  beforeAll(async () => {
    srv = await startHttpProcess({ env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_MAX_BODY_BYTES: '65536' } });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('binds 127.0.0.1 and serves the seven tools and the status resource', async () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connectHttp(srv.url);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
      const res = await client.readResource({ uri: 'red-heart://status' });
      const status = JSON.parse((res.contents[0] as { text: string }).text);
      expect(status.name).toBe('red-heart-mcp');
      expect(status.cache.backend).toBe('memory');
      const bad = await client.callTool({ name: 'regret_forecast', arguments: { options: 'not a list' } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('shares one cache between the per-request servers', async () => {
    const a = await connectHttp(srv.url);
    const b = await connectHttp(srv.url);
    try {
      const args = regretCall();
      const first = await a.callTool(args);
      const second = await b.callTool(args);
      expect(first.isError).toBeFalsy();
      expect((first.structuredContent as { cached: boolean }).cached).toBe(false);
      expect((second.structuredContent as { cached: boolean }).cached).toBe(true);
      expect({ ...(second.structuredContent as object), cached: false }).toEqual(first.structuredContent);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('answers /healthz without auth', async () => {
    const res = await fetch(`${srv.base}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      transport: 'streamable-http',
      cache: { backend: 'memory', degraded: null },
    });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses a foreign Origin with 403', async () => {
    const res = await rawPost(srv.url, INIT, { Origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(errorMessage(res.json)).toMatch(/Origin 'http:\/\/evil\.example' is not allowed.*RED_HEART_ALLOWED_ORIGINS/);
  });

  it('accepts loopback origins on any port (browser pages served from this machine), refuses look-alikes', async () => {
    const port = new URL(srv.url).port;
    for (const origin of [
      `http://127.0.0.1:${port}`,
      'http://localhost:5173',
      'http://[::1]:3000',
      'https://localhost',
    ]) {
      const res = await rawPost(srv.url, INIT, { Origin: origin });
      expect({ origin, status: res.status }).toEqual({ origin, status: 200 });
    }
    for (const origin of ['http://localhost.evil.example', 'null', 'http://127.0.0.1.nip.io']) {
      const res = await rawPost(srv.url, INIT, { Origin: origin });
      expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
      expect(errorMessage(res.json)).toMatch(/accepted: loopback origins and the allowed origins/);
    }
  });

  it('the conformance check: own loopback Host + Origin pass, a rebound name is refused', async () => {
    const port = new URL(srv.url).port;
    const ok = await postWithHostOrigin(srv.url, `127.0.0.1:${port}`, `http://127.0.0.1:${port}`, INIT);
    expect(ok.status).toBe(200);
    const bad = await postWithHostOrigin(srv.url, 'evil.example.com', 'http://evil.example.com', INIT);
    expect(bad.status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding) with 403', async () => {
    const res = await postWithHost(srv.url, 'attacker.example', INIT);
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/Host 'attacker\.example' is not allowed/);
    const ok = await postWithHost(srv.url, `localhost:${new URL(srv.url).port}`, INIT);
    expect(ok.status).toBe(200);
  });

  it('refuses an oversized body with 413 naming the limit', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'analyze_emotion', arguments: { text: 'x'.repeat(70_000) } },
    });
    const res = await rawPost(srv.url, body);
    expect(res.status).toBe(413);
    expect(errorMessage(res.json)).toMatch(/65536 bytes.*RED_HEART_MAX_BODY_BYTES/);
    // and the server is still fine
    expect((await fetch(`${srv.base}/healthz`)).status).toBe(200);
  });

  it('accepts a body of exactly the limit (65536 bytes) and refuses one byte more with 413 naming it', async () => {
    const padded = (n: number) => INIT + ' '.repeat(n - Buffer.byteLength(INIT)); // JSON allows trailing whitespace
    const at = await rawPost(srv.url, padded(65_536));
    expect(at.status, at.text.slice(0, 300)).toBe(200);
    const past = await rawPost(srv.url, padded(65_537));
    expect(past.status).toBe(413);
    expect(errorMessage(past.json)).toMatch(/limit of 65536 bytes.*RED_HEART_MAX_BODY_BYTES/);
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        srv.url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            'Transfer-Encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err) => (/(EPIPE|ECONNRESET)/.test(String(err)) ? resolve(413) : reject(err)));
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 200 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect((await fetch(`${srv.base}/healthz`)).status).toBe(200);
  });

  it('streams progress notifications of a call on its own response', async () => {
    const client = await connectHttp(srv.url);
    try {
      const progress: number[] = [];
      const src = Array.from({ length: 4 }, (_, j) =>
        Array.from({ length: 1_500 }, (_, i) => (i * (j + 3) * 7919) % 97),
      ); // ~18 kB: under this server’s 64 kB body limit
      const wire = recordWire(client); // the SDK client can drop notifications that share a chunk with the result
      const r = await client.callTool(
        { name: 'surd_decompose', arguments: { target: src[0], sources: src, bins: 6 } },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(r.isError).toBeFalsy();
      wire.stop();
      const sent = progressSent(wire.messages).map(([p]) => p);
      expect(sent.length).toBeGreaterThan(1);
      expect(sent[sent.length - 1]).toBe(100);
      expect(progress).toEqual(sent.slice(0, progress.length));
    } finally {
      await client.close();
    }
  });

  it('answers malformed JSON with a JSON-RPC parse error, other methods with 405, other paths with 404', async () => {
    const parse = await rawPost(srv.url, '{"jsonrpc": "2.0", ');
    expect(parse.status).toBe(400);
    expect((parse.json as { error: { code: number } }).error.code).toBe(-32700);
    expect((await fetch(srv.url)).status).toBe(405);
    expect((await fetch(srv.url, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${srv.base}/nope`)).status).toBe(404);
  });
});

describe('HTTP transport with bearer tokens', () => {
  let srv: HttpServerProcess;
  beforeAll(async () => {
    srv = await startHttpProcess({
      env: {
        RED_HEART_MODELS_DIR: FIXTURE_MODELS,
        RED_HEART_AUTH_TOKEN: `${TOKEN},${TOKEN2}`,
        RED_HEART_MAX_CLIENT_CONCURRENCY: '2',
        RED_HEART_ALLOWED_ORIGINS: 'https://app.example',
      },
    });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('401 without a token and with a wrong one; 200 with either configured token', async () => {
    const none = await rawPost(srv.url, INIT);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(errorMessage(none.json)).toMatch(/missing bearer token/);
    const wrong = await rawPost(srv.url, INIT, { Authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(errorMessage(wrong.json)).toMatch(/invalid bearer token/);
    const basic = await rawPost(srv.url, INIT, {
      Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    for (const t of [TOKEN, TOKEN2]) {
      const client = await connectHttp(srv.url, t);
      expect((await client.listTools()).tools).toHaveLength(7);
      await client.close();
    }
  });

  it('checks the Origin even with a valid token; an allowed Origin passes', async () => {
    const bad = await rawPost(srv.url, INIT, { Authorization: `Bearer ${TOKEN}`, Origin: 'https://evil.example' });
    expect(bad.status).toBe(403);
    const good = await rawPost(srv.url, INIT, { Authorization: `Bearer ${TOKEN}`, Origin: 'https://app.example' });
    expect(good.status).toBe(200);
  });

  it('limits requests in flight per client with 429 and a JSON-RPC busy error; other clients are unaffected', async () => {
    // Two requests whose bodies are still uploading hold this client's two slots (a slot is taken once
    // the headers are in), so a third is refused deterministically.
    const held = [holdRequest(srv.url, TOKEN), holdRequest(srv.url, TOKEN)];
    // poll until the server has taken both slots (a request answered 200 meanwhile holds no slot afterwards)
    const busy = await until('the two held requests to take both slots', async () => {
      const r = await rawPost(srv.url, INIT, { Authorization: `Bearer ${TOKEN}` });
      return r.status === 429 ? r : undefined;
    });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(errorMessage(busy.json)).toMatch(
      /server busy.*2 calls in flight \(limit 2, --max-client-concurrency \/ RED_HEART_MAX_CLIENT_CONCURRENCY\)/,
    );
    // another client (token) is not limited by the first one's load
    const other = await rawPost(srv.url, INIT, { Authorization: `Bearer ${TOKEN2}` });
    expect(other.status).toBe(200);
    // finishing the held requests frees the slots
    const done = await Promise.all(held.map((h) => h.finish()));
    expect(done.map((d) => d.status)).toEqual([200, 200]);
    const again = await rawPost(srv.url, INIT, { Authorization: `Bearer ${TOKEN}` });
    expect(again.status).toBe(200);
  });

  it('a client cancellation (sent in its own POST) stops the running call and frees the slot', async () => {
    const client = await connectHttp(srv.url, TOKEN);
    try {
      const controller = new AbortController();
      const t0 = performance.now();
      let progressed = false;
      const running = client.callTool(
        { name: 'surd_decompose', arguments: slowSurdRequest(1).params.arguments },
        undefined,
        {
          signal: controller.signal,
          onprogress: () => {
            progressed = true;
          },
        },
      );
      running.catch(() => {}); // awaited below; keeps an early rejection from being reported as unhandled
      // cancel once the server is running the call (its first progress notification), not after a guessed delay
      await until('the first progress notification of the SURD call', () => progressed);
      controller.abort('changed my mind');
      await expect(running).rejects.toThrow();
      // The server stops the call (its stream ends) instead of computing on: this client's 2 slots are
      // free again well before the multi-second call would have finished.
      const quick = await client.callTool({
        name: 'regret_forecast',
        arguments: { options: [{ name: 'a' }, { name: 'b' }], scenarios: [{ name: 'x' }], outcomes: [[1], [2]] },
      });
      expect(quick.isError).toBeFalsy();
      const held = [holdRequest(srv.url, TOKEN), holdRequest(srv.url, TOKEN)];
      expect((await Promise.all(held.map((h) => h.finish()))).map((d) => d.status)).toEqual([200, 200]); // both slots were free
      expect(performance.now() - t0).toBeLessThan(15_000); // far below a finished multi-second call on a loaded machine, with margin
      await until('the server to log the cancellation', () => /call cancelled by the client/.test(srv.stderr()));
      // the SURD handler itself ended as cancelled, not done
      const surdLines = srv
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"tool":"surd_decompose"'));
      expect(surdLines.some((l) => /"code":"cancelled"/.test(l))).toBe(true);
      expect(surdLines.some((l) => /tool call done/.test(l))).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('every call of a JSON-RPC batch counts against the client limit: a batch cannot crowd out another token', async () => {
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    const quick = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: 'regret_forecast',
        arguments: { options: [{ name: 'a' }, { name: 'b' }], scenarios: [{ name: 'x' }], outcomes: [[1], [2]] },
      },
    });
    // 100 calls in one POST can never fit a limit of 2: refused whole, naming the limit, nothing runs.
    const flood = await rawPost(
      srv.url,
      JSON.stringify(Array.from({ length: 100 }, (_, i) => quick(i + 1))),
      auth(TOKEN),
    );
    expect(flood.status).toBe(400);
    expect((flood.json as { error: { code: number } }).error.code).toBe(-32600);
    expect(errorMessage(flood.json)).toMatch(
      /a batch of 100 calls exceeds the limit of 2 calls in flight per client \(--max-client-concurrency \/ RED_HEART_MAX_CLIENT_CONCURRENCY\)/,
    );
    // A batch of two slow calls takes both of this client's slots while it runs (own seeds: not the cached result of
    // the slow call other tests make) ...
    const slowUncached = (id: number) => {
      const req = slowSurdRequest(id);
      return {
        ...req,
        params: {
          ...req.params,
          arguments: { ...req.params.arguments, significance: { surrogates: 400, seed: 9_000 + id } },
        },
      };
    };
    // (retried on 429 as Retry-After asks: a slot of an earlier request is freed when its connection closes, which on a
    // loaded machine may come a moment after the client has read the answer)
    const batch = until(
      'the batch to be accepted',
      async () => {
        const r = await rawPost(srv.url, JSON.stringify([slowUncached(201), slowUncached(202)]), auth(TOKEN));
        return r.status === 429 ? undefined : r;
      },
      { everyMs: 100 },
    );
    const busy = await until(
      'the batch to hold both slots',
      async () => {
        const r = await rawPost(srv.url, JSON.stringify(quick(203)), auth(TOKEN));
        return r.status === 429 ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(errorMessage(busy.json)).toMatch(/server busy: this client already has 2 calls in flight \(limit 2/);
    // ... while the other token's single call is answered at once, before the batch ends.
    let batchDone = false;
    void batch.then(() => {
      batchDone = true;
    });
    const other = await rawPost(srv.url, JSON.stringify(quick(204)), auth(TOKEN2));
    expect(other.status).toBe(200);
    expect(other.text).toMatch(/"id":204/);
    expect(batchDone).toBe(false);
    const done = await batch;
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/"id":201/);
    expect(done.text).toMatch(/"id":202/);
    // the batch's slots are free again
    expect((await rawPost(srv.url, JSON.stringify(quick(205)), auth(TOKEN))).status).toBe(200);
  });

  it('keeps /healthz open for load balancers', async () => {
    expect((await fetch(`${srv.base}/healthz`)).status).toBe(200);
  });
});

describe('HTTP transport on a non-loopback bind', () => {
  let srv: HttpServerProcess;
  beforeAll(async () => {
    // The later --http wins over the helper's 127.0.0.1:0; 0.0.0.0 needs a token.
    srv = await startHttpProcess({
      args: ['--http', '0.0.0.0:0'],
      env: {
        RED_HEART_MODELS_DIR: FIXTURE_MODELS,
        RED_HEART_AUTH_TOKEN: TOKEN,
        RED_HEART_ALLOWED_ORIGINS: 'https://app.example',
      },
    });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('accepts only the listed origins: loopback origins are refused unless listed', async () => {
    expect(srv.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
    const url = srv.url.replace('0.0.0.0', '127.0.0.1');
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const loop = await rawPost(url, INIT, { ...auth, Origin: 'http://localhost:5173' });
    expect(loop.status).toBe(403);
    expect(errorMessage(loop.json)).toMatch(/accepted: only the allowed origins on a non-loopback bind/);
    expect((await rawPost(url, INIT, { ...auth, Origin: 'https://app.example' })).status).toBe(200);
    expect((await rawPost(url, INIT, auth)).status).toBe(200);
    expect((await rawPost(url, INIT, { Origin: 'https://app.example' })).status).toBe(401);
  });
});

describe('HTTP start-up rules and shutdown', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: serverEnv(env),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });

  it('refuses to listen on a non-loopback address without a token (exit 2, clear message)', async () => {
    const { code, stderr } = await run(['--http', '0.0.0.0:0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/refusing to listen on 0\.0\.0\.0:0 without authentication.*RED_HEART_AUTH_TOKEN/s);
  });

  it('refuses a short token and a token on the command line', async () => {
    const short = await run(['--http', '127.0.0.1:0'], { RED_HEART_AUTH_TOKEN: 'short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 16 characters/);
    const flag = await run(['--http', '127.0.0.1:0', '--auth-token', TOKEN]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/not accepted on the command line/);
  });

  // A generous grace: the call needs ~2 s of CPU quietly but can take over 30 s beside a CPU-heavy job.
  it(
    'on SIGTERM lets an in-flight call finish, refuses new ones, flushes and exits 0',
    { timeout: 330_000 },
    async () => {
      const srv = await startHttpProcess({
        env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_SHUTDOWN_GRACE_MS: '300000' },
      });
      const inflight = streamPost(srv.url, JSON.stringify(slowSurdRequest(9, 'p9')), /notifications\/progress/);
      await inflight.started; // the call is running
      srv.child.kill('SIGTERM');
      const [res, code] = await Promise.all([inflight.done, srv.exited]);
      expect(code).toBe(0);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/"id":9/);
      expect(res.text).toMatch(/SURD of target/);
      expect(srv.stderr()).toMatch(/"finished":1,"cancelled":0/);
      expect(srv.stderr()).toMatch(/shut down cleanly/);
    },
  );

  it('on SIGTERM cancels a call still running after the grace period with a clear error, and exits 0', async () => {
    const srv = await startHttpProcess({
      env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_SHUTDOWN_GRACE_MS: '100' },
    });
    const inflight = streamPost(srv.url, JSON.stringify(slowSurdRequest(10, 'p10')), /notifications\/progress/);
    await inflight.started;
    srv.child.kill('SIGTERM');
    const [res, code] = await Promise.all([inflight.done, srv.exited]);
    expect(code).toBe(0);
    expect(res.text).toMatch(/"id":10/);
    expect(res.text).toMatch(
      /cancelled: the server is shutting down and the call did not finish within the 100 ms grace period \(RED_HEART_SHUTDOWN_GRACE_MS\)/,
    );
    expect(srv.stderr()).toMatch(/"finished":0,"cancelled":1/);
    expect(srv.stderr()).toMatch(/shut down cleanly/);
  });
});
