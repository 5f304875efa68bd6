// The start-up snapshot: a stdio server answers `initialize` and `tools/list` from what the same build, settings and
// model files answered last time, before the MCP SDK, the tools and the engine are loaded (about 0.3 s of module
// loading on a 2-core machine), and hands every message to the real server once it is up.
//
// Hosts such as Claude Desktop start the server on every launch and wait for `initialize`; the answers depend only on
// the build, the settings and the model manifests, so they are recorded by a normal start (the real server's own
// responses, taken off the transport) into the file cache's directory and keyed by all of those. Any change (another
// build, setting or model file) misses the key, and that start answers through the SDK and records the new answers.
// The real server still sees `initialize` (it needs the client's capabilities); its response to a request already
// answered here is dropped.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { AppConfig } from './config.js';
import { replaceFile } from './replace-file.js';
import { SCHEMAS_FILE, VERSION } from './version.js';

export const SNAPSHOT_FILE = 'start-snapshot.json';

/** What the real server answered, minus the client-dependent protocol version. */
export interface StartSnapshot {
  key: string;
  /** The SDK's SUPPORTED_PROTOCOL_VERSIONS and LATEST_PROTOCOL_VERSION, for the same negotiation as its own. */
  protocolVersions: string[];
  latestProtocolVersion: string;
  /** The `initialize` result without `protocolVersion`. */
  initialize: Record<string, unknown>;
  /** The `tools/list` result (no cursor: the server lists every tool at once). */
  toolsList?: Record<string, unknown>;
}

interface RpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** Where the snapshot lives: beside the file cache; null for the other backends (nothing is written for them). */
export function snapshotPath(config: AppConfig): string | null {
  return config.cache.backend === 'file' ? join(dirname(config.cache.path), SNAPSHOT_FILE) : null;
}

/**
 * Everything the two answers depend on: the package version and build (dist/tool-schemas.json is rewritten by every
 * build), the SDK version, the settings, and each file in the model directories (name, size, modification time).
 */
export function snapshotKey(config: AppConfig): string {
  const stamp = (path: string) => {
    try {
      const s = statSync(path);
      return [s.size, s.mtimeMs];
    } catch {
      return null;
    }
  };
  const dirFiles = (dir: string | undefined) => {
    if (!dir) return null;
    try {
      return readdirSync(dir)
        .sort()
        .map((f) => [f, stamp(join(dir, f))]);
    } catch {
      return null;
    }
  };
  const settings = {
    ...config,
    cache: { ...config.cache, password: undefined },
    queue: { ...config.queue, password: undefined },
  };
  return createHash('sha256')
    .update(
      JSON.stringify([
        VERSION,
        stamp(SCHEMAS_FILE),
        sdkVersion(),
        settings,
        dirFiles(config.modelsDir),
        dirFiles(config.extraModelsDir),
      ]),
    )
    .digest('hex');
}

/** The installed MCP SDK's version, wherever npm put it (its package.json is not exported, so found from an entry). */
function sdkVersion(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('@modelcontextprotocol/sdk/server/mcp.js');
    const marker = `${sep}@modelcontextprotocol${sep}sdk${sep}`;
    const root = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export function readSnapshot(path: string, key: string): StartSnapshot | null {
  try {
    const snap = JSON.parse(readFileSync(path, 'utf8')) as StartSnapshot;
    return snap.key === key && Array.isArray(snap.protocolVersions) && snap.initialize ? snap : null;
  } catch {
    return null;
  }
}

export function writeSnapshot(path: string, snap: StartSnapshot): void {
  replaceFile(path, JSON.stringify(snap));
}

const isId = (id: unknown): id is string | number => typeof id === 'string' || typeof id === 'number';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An `initialize` request the SDK would accept (its schema's required members), or null. */
function initializeRequest(m: RpcMessage): { id: string | number; protocolVersion: string } | null {
  if (m.method !== 'initialize' || !isId(m.id) || !isObject(m.params)) return null;
  const { protocolVersion, capabilities, clientInfo } = m.params;
  if (typeof protocolVersion !== 'string' || !isObject(capabilities) || !isObject(clientInfo)) return null;
  if (typeof clientInfo.name !== 'string' || typeof clientInfo.version !== 'string') return null;
  return { id: m.id, protocolVersion };
}

const isToolsList = (m: RpcMessage) =>
  m.method === 'tools/list' &&
  isId(m.id) &&
  (m.params === undefined || (isObject(m.params) && m.params.cursor === undefined));

/**
 * Reads stdin from the first moment: answers `initialize` (the first message) and then `tools/list` from the snapshot,
 * and passes every byte on, in order, to `input`, which the real transport reads once the server is up. Lines are
 * looked at only while they are short; anything else (a long line, a malformed one) is simply passed on.
 */
export class EarlyStdio {
  /** What the real transport reads instead of process.stdin. */
  readonly input = new PassThrough();
  /** Requests answered here: the real server's responses to them are dropped. */
  readonly answered = new Map<string | number, string>();
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');
  private initialized = false;
  private listed = false;
  private afterInitialize?: () => void;
  private settle?: () => void;
  private looking: boolean;

  constructor(
    private readonly snap: StartSnapshot | null,
    private readonly maxLookBytes: number,
    stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {
    this.looking = snap !== null;
    // looked at first: a request answered here is in `answered` before the real transport can see it
    stdin.on('data', (chunk: Buffer | string) => {
      if (this.looking) this.look(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
      this.input.write(chunk);
    });
    stdin.on('end', () => this.input.end());
    stdin.on('error', (err: Error) => this.input.destroy(err));
  }

  /** True when the response is to a request answered here (and forgets it: an id may be used again later). */
  dropResponse(message: RpcMessage): boolean {
    if (!isId(message.id) || message.method !== undefined || !this.answered.has(message.id)) return false;
    this.answered.delete(message.id);
    return true;
  }

  /** Stops answering (the real server answers everything from now on, and lines are no longer parsed twice). */
  stop(): void {
    this.looking = false;
    this.pending = '';
    this.settle?.();
  }

  /**
   * Resolves once the handshake has been served from the snapshot (`initialize`, then `tools/list`) or there is
   * nothing to serve: no snapshot, a first message that is not `initialize`, no `initialize` within `firstMs`, or no
   * `tools/list` within `nextMs` after it. The server's modules are imported after this: Node's module loader does not
   * always read stdin while it imports (Node 24 imports the whole graph without serving I/O), so the handshake comes
   * first.
   */
  handshakeServed(firstMs = 100, nextMs = 30): Promise<void> {
    if (!this.looking || this.listed) return Promise.resolve();
    return new Promise((resolve) => {
      // a timeout ends the wait, not the looking: a later request is still answered here if it comes in time
      let timer = setTimeout(() => this.settle?.(), firstMs);
      this.afterInitialize = () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.settle?.(), nextMs);
      };
      this.settle = () => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve();
      };
      if (this.initialized) this.afterInitialize();
    });
  }

  private look(text: string): void {
    this.pending += text;
    for (let nl = this.pending.indexOf('\n'); nl >= 0 && this.looking; nl = this.pending.indexOf('\n')) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      this.answer(line);
    }
    if (this.pending.length > this.maxLookBytes) this.stop();
  }

  private answer(line: string): void {
    if (line.trim() === '') return;
    let m: RpcMessage;
    try {
      m = JSON.parse(line) as RpcMessage;
    } catch {
      return this.stop();
    }
    if (!isObject(m) || m.jsonrpc !== '2.0') return this.stop();
    const snap = this.snap!;
    if (!this.initialized) {
      const init = initializeRequest(m);
      if (!init) return this.stop(); // the real server answers whatever comes first, as it would have
      this.initialized = true;
      const protocolVersion = snap.protocolVersions.includes(init.protocolVersion)
        ? init.protocolVersion
        : snap.latestProtocolVersion;
      this.send(init.id, 'initialize', { protocolVersion, ...snap.initialize });
      if (snap.toolsList) this.afterInitialize?.();
      else this.stop(); // nothing more to serve here
    } else if (isToolsList(m) && snap.toolsList) {
      this.send(m.id as string | number, 'tools/list', snap.toolsList);
      this.listed = true;
      this.stop(); // the handshake is served
    }
  }

  private send(id: string | number, method: string, result: unknown): void {
    if (this.answered.has(id)) return this.stop(); // a repeated id: left to the real server
    this.answered.set(id, method);
    this.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
  }
}

/**
 * Watches the real server's traffic for its first answers to the two requests and writes the snapshot when they
 * differ from the one read at start (none, another key, or one without `tools/list`). The real server answers
 * `initialize` even when the snapshot did, so a snapshot that no longer matches its answer is replaced at once
 * (`log.stale` says so). Once both answers are recorded it looks at nothing more.
 */
export class SnapshotRecorder {
  private requests = new Map<string | number, 'initialize' | 'tools/list'>();
  private snap: StartSnapshot | null = null;
  private written: string | null;
  private done = false;

  constructor(
    private readonly path: string,
    private readonly key: string,
    private readonly protocol: { versions: readonly string[]; latest: string },
    private readonly previous: StartSnapshot | null,
    private readonly log: { stale(): void; error(err: unknown): void },
  ) {
    this.written = previous ? JSON.stringify(previous) : null;
  }

  incoming(m: RpcMessage): void {
    if (this.done) return;
    if (initializeRequest(m)) this.requests.set(m.id as string | number, 'initialize');
    else if (isToolsList(m)) this.requests.set(m.id as string | number, 'tools/list');
  }

  outgoing(m: RpcMessage): void {
    if (this.done || !isId(m.id) || m.method !== undefined) return;
    const what = this.requests.get(m.id);
    if (!what) return;
    this.requests.delete(m.id);
    if (!isObject(m.result)) return;
    const prev = this.previous;
    if (what === 'initialize') {
      const { protocolVersion: _negotiated, ...initialize } = m.result;
      const toolsList = this.snap?.toolsList ?? prev?.toolsList;
      this.snap = {
        key: this.key,
        protocolVersions: [...this.protocol.versions],
        latestProtocolVersion: this.protocol.latest,
        initialize,
        ...(toolsList ? { toolsList } : {}),
      };
      if (prev && JSON.stringify(prev.initialize) !== JSON.stringify(initialize)) this.log.stale();
    } else if (this.snap) {
      if (prev?.toolsList && JSON.stringify(prev.toolsList) !== JSON.stringify(m.result)) this.log.stale();
      this.snap.toolsList = m.result;
      this.done = true;
    } else return;
    const text = JSON.stringify(this.snap);
    if (text === this.written) return;
    try {
      writeSnapshot(this.path, this.snap);
      this.written = text;
    } catch (err) {
      this.log.error(err);
    }
  }
}
