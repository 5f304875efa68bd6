// Streamable HTTP transport, stateless: every POST /mcp gets a fresh McpServer + transport (built by
// `createMcp`, which shares one engine and one cache), so replicas can sit behind a load balancer with
// no session affinity. In front of the MCP transport, in this order:
//   503 while shutting down · 405 for anything but POST · 403 Host/Origin not allowed (DNS rebinding; on a
//   loopback bind, loopback origins are accepted by default)
//   · 401 missing/wrong bearer token · 413 body over the limit · 400 body that is not JSON
//   · 400 batch with more calls than the per-client limit · 429 client over its limit (every call of a batch counts).
// Every refusal is a JSON-RPC error object whose message names the limit and its setting.
// GET /healthz answers without auth (for load balancers): 200 while serving, 503 while draining or failing
// (the engine's workers crashed too often: see `health`).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import { TokenVerifier } from './auth.js';
import { ConfigError, isLoopbackHost, type AppConfig } from './config.js';
import { InFlightTracker } from './shutdown.js';

export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/healthz';

export interface HttpServerDeps {
  config: AppConfig;
  logger: Logger;
  /** A fresh McpServer for one request (tools and status resource registered, engine and cache shared). */
  createMcp: () => McpServer;
  /** Bearer tokens (see auth.ts `loadTokens`); empty = no auth, allowed on loopback only. */
  tokens: readonly string[];
  /** Extra fields for /healthz (keep it small: it answers without auth); `healthy: false` makes it answer 503. */
  health?: () => Record<string, unknown> & { healthy?: boolean };
}

export interface RunningHttpServer {
  /** e.g. http://127.0.0.1:8723/mcp */
  url: string;
  host: string;
  port: number;
  /** Stops accepting, lets in-flight calls finish for graceMs, cancels the rest, closes every connection. */
  close(graceMs: number): Promise<{ finished: number; cancelled: number }>;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly code = -32000,
  ) {
    super(message);
  }
}

function sendJsonRpcError(req: IncomingMessage, res: ServerResponse, err: HttpRefusal, id: unknown = null): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({
    jsonrpc: '2.0',
    error: { code: err.code, message: err.message, data: { http_status: err.status } },
    id,
  });
  // A refusal sent before the request body has fully arrived closes the connection: the client must
  // not reuse a socket whose unread body the server would otherwise have to drain first.
  const close = req.complete ? {} : { Connection: 'close' };
  res.writeHead(err.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...close,
    ...err.headers,
  });
  res.end(body);
}

const normalizeOrigin = (o: string) => o.trim().replace(/\/+$/, '').toLowerCase();

/** True for an Origin that is exactly scheme://host[:port] with http(s) and a loopback host (any port).
 * A page served from this machine cannot be a DNS-rebinding attacker: the attacker's page carries its own
 * domain in Origin, and `null`, paths and user info are refused. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin.trim());
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const bare =
    url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !origin.trim().endsWith('/');
  return bare && isLoopbackHost(url.hostname);
}

/** The Origin rule: no Origin (not a browser) passes; a listed one passes; on a loopback bind a loopback
 * origin passes too; everything else is refused. A non-loopback bind accepts only the listed origins. */
export function originAllowed(
  origin: string | undefined,
  rule: { loopbackBind: boolean; allowed: ReadonlySet<string> },
): boolean {
  if (origin === undefined) return true;
  if (rule.allowed.has(normalizeOrigin(origin))) return true;
  return rule.loopbackBind && isLoopbackOrigin(origin);
}

/** Splits a Host header into name and port ("[::1]:80" → "::1", "80"). */
function splitHost(host: string): { name: string; port: string | null } {
  const h = host.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(h);
  if (v6) return { name: v6[1], port: v6[2] ?? null };
  const i = h.lastIndexOf(':');
  if (i > 0 && h.indexOf(':') === i) return { name: h.slice(0, i), port: h.slice(i + 1) };
  return { name: h, port: null };
}

/** Reads the body up to `limit` bytes; past it, rejects with a 413 refusal. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    const fail = (why: string) => {
      if (!done) {
        done = true;
        reject(new HttpRefusal(400, `the request body could not be read (${why})`, { Connection: 'close' }));
      }
    };
    req.on('error', (err) => fail(err.message));
    req.on('aborted', () => fail('the client aborted the upload'));
  });
}

const tooLarge = (limit: number) =>
  new HttpRefusal(
    413,
    `request body exceeds the limit of ${limit} bytes (max body bytes, --max-body-bytes / RED_HEART_MAX_BODY_BYTES)`,
    { Connection: 'close' },
  );

/** Per-client count of calls in flight: a JSON-RPC batch takes one slot per call, so a batch cannot get around the limit. */
export class ClientSlots {
  private readonly active = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes `calls` slots for `client` or throws the refusal; the returned function gives them back (once). */
  acquire(client: string, calls: number): () => void {
    const setting = '--max-client-concurrency / RED_HEART_MAX_CLIENT_CONCURRENCY';
    if (calls > this.limit) {
      throw new HttpRefusal(
        400,
        `a batch of ${calls} calls exceeds the limit of ${this.limit} calls in flight per client (${setting}); ` +
          `send at most ${this.limit} calls per batch`,
        {},
        -32600,
      );
    }
    const active = this.active.get(client) ?? 0;
    if (active + calls > this.limit) {
      const what = calls === 1 ? '' : ` (this batch holds ${calls} calls)`;
      throw new HttpRefusal(
        429,
        `server busy: this client already has ${active} calls in flight${what} (limit ${this.limit}, ${setting}); retry shortly`,
        { 'Retry-After': '1' },
      );
    }
    this.active.set(client, active + calls);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.active.get(client) ?? calls) - calls;
      if (n <= 0) this.active.delete(client);
      else this.active.set(client, n);
    };
  }
}

/** Calls in a parsed body (requests with an id); a notification-only body counts as one, so it still takes a slot. */
export function countCalls(parsed: unknown): number {
  const msgs = Array.isArray(parsed) ? parsed : [parsed];
  const calls = msgs.filter(
    (m) => m !== null && typeof m === 'object' && 'method' in m && 'id' in m && (m as { id: unknown }).id !== null,
  ).length;
  return Math.max(1, calls);
}

const shuttingDown = () =>
  new HttpRefusal(503, 'server is shutting down; retry on another replica or after restart', {
    Connection: 'close',
    'Retry-After': '1',
  });

/** A non-loopback bind without tokens is refused before listening. */
function checkExposure(listen: { host: string; port: number }, loopback: boolean, verifier: TokenVerifier): void {
  if (!loopback && !verifier.required) {
    throw new ConfigError(
      `refusing to listen on ${listen.host}:${listen.port} without authentication: a non-loopback address needs a bearer token ` +
        '(set RED_HEART_AUTH_TOKEN or --auth-token-file; generate one with `openssl rand -hex 32`), or bind 127.0.0.1',
    );
  }
}

/** Host header check: configured list, else loopback names (on the bound port) when bound to loopback, else anything. */
function hostChecker(
  allowedHosts: readonly string[],
  loopback: boolean,
  port: () => number,
): (hostHeader: string | undefined) => boolean {
  return (hostHeader) => {
    if (!hostHeader) return false;
    const { name, port: p } = splitHost(hostHeader);
    if (allowedHosts.length > 0) {
      return allowedHosts.some((entry) => {
        const e = splitHost(entry);
        return e.name === name && (e.port === null || e.port === p);
      });
    }
    if (!loopback) return true;
    return isLoopbackHost(name) && (p === null || p === String(port()));
  };
}

/** Identifies the caller: its token's id when tokens are configured (401 without a valid one), else its address. */
function identify(req: IncomingMessage, verifier: TokenVerifier): string {
  if (!verifier.required) return req.socket.remoteAddress ?? 'unknown';
  const id = verifier.identify(req.headers.authorization);
  if (id) return id;
  const reason = req.headers.authorization
    ? 'invalid bearer token'
    : 'missing bearer token (Authorization: Bearer <token>)';
  throw new HttpRefusal(401, `unauthorized: ${reason}`, { 'WWW-Authenticate': 'Bearer realm="red-heart-mcp"' });
}

/** Reads and parses the body (413 past the limit, 400 for JSON that does not parse). */
async function readJson(req: IncomingMessage, maxBody: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBody) throw tooLarge(maxBody);
  const body = await readBody(req, maxBody);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpRefusal(400, `parse error: the body is not valid JSON (${(err as Error).message})`, {}, -32700);
  }
}

/** Routes `notifications/cancelled` in a body to the call it names, which may run on another request's transport. */
function forwardCancellations(parsed: unknown, client: string, tracker: InFlightTracker, logger: Logger): void {
  for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
    const m = msg as { method?: unknown; params?: { requestId?: unknown; reason?: unknown } } | null;
    const id = m?.params?.requestId;
    if (m?.method === 'notifications/cancelled' && (typeof id === 'string' || typeof id === 'number')) {
      if (tracker.cancel(client, id, typeof m.params?.reason === 'string' ? m.params.reason : undefined))
        logger.info({ requestId: id }, 'call cancelled by the client');
    }
  }
}

interface HttpState {
  draining: boolean;
  port: number;
  readonly startedAt: number;
  readonly tracker: InFlightTracker;
  readonly openRequests: Set<{ res: ServerResponse; closed: Promise<void> }>;
}

/** The POST /mcp handler: the checks in the order the file header lists, then the MCP transport. */
function mcpHandler(
  deps: HttpServerDeps,
  state: HttpState,
  loopback: boolean,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { config, logger } = deps;
  const verifier = new TokenVerifier(deps.tokens);
  const slots = new ClientSlots(config.http.maxClientConcurrency);
  const allowedOrigins = new Set(config.http.allowedOrigins.map(normalizeOrigin));
  const hostAllowed = hostChecker(config.http.allowedHosts, loopback, () => state.port);
  return async (req, res) => {
    if (state.draining) throw shuttingDown();
    if (req.method !== 'POST') {
      throw new HttpRefusal(
        405,
        `method ${req.method} not allowed: this server is stateless, send JSON-RPC with POST ${MCP_PATH}`,
        { Allow: 'POST' },
      );
    }
    if (!hostAllowed(req.headers.host)) {
      throw new HttpRefusal(
        403,
        `Host '${String(req.headers.host ?? '')}' is not allowed (allowed hosts, --allowed-hosts / RED_HEART_ALLOWED_HOSTS)`,
      );
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin, { loopbackBind: loopback, allowed: allowedOrigins })) {
      const scope = loopback
        ? 'loopback origins and the allowed origins'
        : 'only the allowed origins on a non-loopback bind';
      throw new HttpRefusal(
        403,
        `Origin '${String(origin)}' is not allowed (accepted: ${scope}, --allowed-origins / RED_HEART_ALLOWED_ORIGINS)`,
      );
    }
    const client = identify(req, verifier);
    // One slot from the headers on (a slow upload counts too), then one per call once the body shows the calls.
    let release = slots.acquire(client, 1);
    // Freed once the answer is handed to the socket ('finish'), or when the connection closes before that: on a
    // loaded machine 'close' can come after the client has read the answer and sent its next request.
    res.once('finish', () => release());
    res.once('close', () => release());
    let parsed: unknown;
    try {
      parsed = await readJson(req, config.http.maxBodyBytes);
      if (state.draining) throw shuttingDown();
    } catch (err) {
      release();
      throw err;
    }
    const calls = countCalls(parsed);
    if (calls > 1) {
      release(); // swapped for `calls` slots in the same tick: no other request can slip in between
      release = slots.acquire(client, calls);
    }
    // A fresh McpServer per request: the SDK keeps about 28 KB per reconnect of a reused server, so reuse grows
    // RSS linearly under load (test/integration/http-load.test.ts checks the growth).
    const mcp = deps.createMcp();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.once('close', () => {
      state.tracker.forget(transport);
      void transport.close().catch(() => {});
      void mcp.close().catch(() => {});
    });
    await mcp.connect(transport);
    state.tracker.track(transport, client);
    forwardCancellations(parsed, client, state.tracker, logger);
    await transport.handleRequest(req, res, parsed);
  };
}

/** GET/HEAD /healthz: 503 while draining or when `health` reports `healthy: false` (e.g. a failed engine). */
function serveHealth(req: IncomingMessage, res: ServerResponse, deps: HttpServerDeps, state: HttpState): void {
  const { healthy = true, ...extra } = deps.health?.() ?? {};
  const ok = !state.draining && healthy !== false;
  const body = JSON.stringify({
    status: state.draining ? 'draining' : ok ? 'ok' : 'failing',
    transport: 'streamable-http',
    uptime_s: Math.round((Date.now() - state.startedAt) / 1000),
    in_flight: state.tracker.size,
    ...extra,
  });
  res.writeHead(ok ? 200 : 503, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function requestListener(
  deps: HttpServerDeps,
  state: HttpState,
  handleMcp: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const entry = { res, closed: new Promise<void>((r) => res.once('close', () => r())) };
    state.openRequests.add(entry);
    void entry.closed.then(() => state.openRequests.delete(entry));
    const path = (req.url ?? '/').split('?')[0];
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD'))
      return serveHealth(req, res, deps, state);
    if (path !== MCP_PATH) {
      sendJsonRpcError(
        req,
        res,
        new HttpRefusal(404, `not found: the MCP endpoint is ${MCP_PATH} (health check: ${HEALTH_PATH})`),
      );
      return;
    }
    handleMcp(req, res).catch((err: unknown) => {
      if (err instanceof HttpRefusal) {
        deps.logger.info(
          { status: err.status, remote: req.socket.remoteAddress, reason: err.message },
          'http request refused',
        );
        sendJsonRpcError(req, res, err);
        if (err.status === 413 || err.status === 503) res.once('finish', () => req.socket.destroySoon?.());
        return;
      }
      deps.logger.error({ err }, 'http request failed');
      sendJsonRpcError(req, res, new HttpRefusal(500, 'internal server error (details in the server log)', {}, -32603));
    });
  };
}

async function listenOn(server: Server, listen: { host: string; port: number }): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops accepting, lets in-flight calls finish for graceMs, cancels the rest, then drops every connection. */
async function drainAndClose(
  server: Server,
  state: HttpState,
  graceMs: number,
): Promise<{ finished: number; cancelled: number }> {
  state.draining = true;
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const result = await state.tracker.drain(graceMs);
  // Let the answered (or cancelled) responses flush, then drop every connection.
  const flushed = Promise.all([...state.openRequests].map((e) => e.closed));
  await Promise.race([flushed, new Promise((r) => setTimeout(r, 1000).unref())]);
  server.closeAllConnections();
  await stopped;
  return result;
}

export async function startHttpServer(deps: HttpServerDeps): Promise<RunningHttpServer> {
  const { config, logger } = deps;
  const listen = config.http.listen;
  if (!listen) throw new ConfigError('HTTP transport requested without an address (--http [host:]port)');
  const loopback = isLoopbackHost(listen.host);
  checkExposure(listen, loopback, new TokenVerifier(deps.tokens));
  const state: HttpState = {
    draining: false,
    port: listen.port,
    startedAt: Date.now(),
    tracker: new InFlightTracker(),
    openRequests: new Set(),
  };
  const server: Server = createHttpServer(requestListener(deps, state, mcpHandler(deps, state, loopback)));
  server.headersTimeout = 30_000;
  // Receiving a request (headers and body) must finish within a minute; the time to answer it is
  // bounded by the per-call timeout instead.
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  state.port = await listenOn(server, listen);
  const shownHost = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const url = `http://${shownHost}:${state.port}${MCP_PATH}`;
  const auth = deps.tokens.length > 0 ? `${deps.tokens.length} token(s)` : 'none (loopback only)';
  logger.info(
    { url, auth, maxBodyBytes: config.http.maxBodyBytes, maxClientConcurrency: config.http.maxClientConcurrency },
    'red-heart-mcp listening on Streamable HTTP',
  );
  return { url, host: listen.host, port: state.port, close: (graceMs) => drainAndClose(server, state, graceMs) };
}
