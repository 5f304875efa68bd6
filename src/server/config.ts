// Configuration: defaults < environment variables < CLI flags, validated with zod at start-up.
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS, REGRET_MAX_CELLS, SURD_MAX_SOURCES, type Limits } from '../core/limits.js';

export const PROVIDERS = ['auto', 'cpu', 'cuda', 'coreml', 'dml', 'webgpu'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Repository / package root (dist/src/server → three levels up; src/server → two). */
export function packageRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes(`${join('dist', 'src')}`) ? resolve(here, '../../..') : resolve(here, '../..');
}

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const CACHE_BACKENDS = ['file', 'memory', 'none', 'redis'] as const;
/** Port used by `--http` when none is given. */
export const DEFAULT_HTTP_PORT = 8723;
export const DEFAULT_HTTP_HOST = '127.0.0.1';
/** Rows per chunk on the corpus queue (docs/corpus.md, "Workers on a queue": chosen by measurement). */
export const DEFAULT_QUEUE_CHUNK_ROWS = 128;
/** Largest stdio message by default: 64 MiB (SURD with 4 × 200,000 samples is about 15 MB of JSON). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export const configSchema = z.object({
  modelsDir: z.string().min(1),
  extraModelsDir: z.string().min(1).optional(),
  /** Model id from the manifest; default: the manifest's default_model. */
  model: z.string().min(1).optional(),
  provider: z.enum(PROVIDERS),
  /** Intra-op threads for ONNX Runtime; 0 = all cores. */
  threads: intFrom(0, 1024),
  loadMode: z.enum(['lazy', 'eager']),
  /** A model that fails to load under `--load eager`: 'serve' = report it and keep serving the tools that need no model; 'exit' = stop start-up. */
  onModelError: z.enum(['serve', 'exit']),
  /** Largest JSON-RPC message read from stdin (bytes of one line); a longer one is answered with an error and skipped. */
  maxMessageBytes: intFrom(1024, 1 << 30),
  batchWindowMs: intFrom(0, 1000),
  maxBatch: intFrom(1, 1024),
  /** auto = exact for models whose scores depend on the batch (dynamic int8), dynamic micro-batching otherwise. */
  batching: z.enum(['auto', 'dynamic', 'exact']),
  cache: z
    .object({
      backend: z.enum(CACHE_BACKENDS),
      path: z.string().min(1),
      /** redis:// or rediss:// URL for the redis backend (set by `--cache redis://…`). */
      url: z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .optional(),
      /** Redis password (RED_HEART_REDIS_PASSWORD, environment only) or a file holding it (read at start-up). */
      password: z.string().min(1).optional(),
      passwordFile: z.string().min(1).optional(),
      ttlSeconds: intFrom(0, 365 * 24 * 3600), // 0 = never expire
      maxEntries: intFrom(1, 10_000_000),
      /** Bytes of cached results kept (file and memory backends), least recently used evicted first. */
      maxBytes: intFrom(1024, 2 ** 50),
      /** Upper bound on one remote cache operation; past it the call is served uncached. */
      timeoutMs: intFrom(1, 60_000),
      /** MAC key of cached values and conversation state tokens (src/server/cache/secret.ts); replicas share it. */
      secret: z.string().min(16, 'a cache secret must have at least 16 characters').optional(),
      secretFile: z.string().min(1).optional(),
    })
    .refine((c) => c.backend !== 'redis' || !!c.url, {
      message: 'the redis backend needs a URL: --cache redis://host:port',
      path: ['backend'],
    }),
  logLevel: z.enum(LOG_LEVELS),
  limits: z.object({
    // The tool contracts' ceilings (src/core/limits.ts); these limits can only tighten them, so a larger value is
    // refused rather than silently ignored.
    maxTextChars: intFrom(1, MAX_TEXT_CHARS),
    maxBatchTexts: intFrom(1, MAX_BATCH_TEXTS),
    surdMaxSamples: intFrom(2, 200_000_000),
    surdMaxCells: intFrom(16, 1_000_000_000),
    surdMaxSources: intFrom(1, SURD_MAX_SOURCES),
    regretMaxCells: intFrom(4, REGRET_MAX_CELLS),
    callTimeoutMs: intFrom(0, 3_600_000), // 0 = no timeout
  }) satisfies z.ZodType<Limits>,
  /** Streamable HTTP transport; `listen` unset = stdio. */
  http: z.object({
    listen: z.object({ host: z.string().min(1), port: intFrom(0, 65_535) }).optional(),
    /** Bearer tokens accepted (each one identifies a client). Required when listening on a non-loopback address. */
    authTokens: z.array(z.string().min(16, 'a bearer token must have at least 16 characters')),
    /** File with one token per line (# comments allowed), read at start-up. */
    authTokenFile: z.string().min(1).optional(),
    /** Origins allowed in the Origin header (browsers), added to the loopback origins a loopback bind accepts; any other Origin gets 403. */
    allowedOrigins: z.array(z.string().min(1)),
    /** Host header values allowed; empty = loopback names when bound to loopback, anything otherwise. */
    allowedHosts: z.array(z.string().min(1)),
    maxBodyBytes: intFrom(1024, 1 << 30),
    /** Requests one client (token, or address without auth) may have in flight; more → 429 busy. */
    maxClientConcurrency: intFrom(1, 100_000),
  }),
  /** On SIGTERM/SIGINT: how long in-flight calls may finish before they are cancelled. */
  shutdownGraceMs: intFrom(0, 600_000),
  /** Directories analyze_corpus may read and write (besides the client's MCP roots); default none. */
  dataDirs: z.array(z.string().min(1)),
  /** analyze_corpus on a job queue (docs/corpus.md): set = its rows are read by `red-heart-mcp worker` processes. */
  queue: z.object({
    /** redis:// or rediss:// URL of the queue's Redis; unset = the server reads the rows itself. */
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** Its password (RED_HEART_QUEUE_PASSWORD, environment only) or a file holding it (read at start-up). */
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    /** Servers and workers with the same name (and Redis) share the work. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'),
    /** Rows per chunk (one job). */
    chunkRows: intFrom(1, 100_000),
    /** A worker's lock on a chunk; a killed worker's chunk goes to another worker after it (and the stalled check). */
    lockMs: intFrom(100, 600_000),
    /** How long a call waits for an unreachable Redis, or for a worker when none is connected. */
    timeoutMs: intFrom(100, 3_600_000),
  }),
  /** The experience memory's SQLite file (remember / recall / forget, `memory: true`); unset = memory off. */
  memory: z.string().min(1).optional(),
});
export type AppConfig = z.infer<typeof configSchema>;

export function defaultCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'red-heart-mcp', 'cache.sqlite');
}

/** Each setting: CLI flag, environment variable, path in the config object. */
interface Setting {
  flag: string;
  env: string;
  path: string[];
  help: string;
  /** No command-line flag (secrets: a flag would show in the process list). */
  envOnly?: boolean;
  /** For an envOnly secret: the flag that names a file holding it instead. */
  fileFlag?: string;
  /** Value used when the flag is given without one (`--http`). */
  implicit?: string;
  /** Converts the raw string and stores it; throws ConfigError on a bad value. Default: store as is. */
  apply?: (raw: Record<string, unknown>, value: string) => void;
}

const list = (path: string[]) => (raw: Record<string, unknown>, value: string) =>
  setPath(
    raw,
    path,
    value
      .split(/[,\s]+/)
      .map((v) => v.trim())
      .filter(Boolean),
  );

const SETTINGS: ReadonlyArray<Setting> = [
  {
    flag: '--models-dir',
    env: 'RED_HEART_MODELS_DIR',
    path: ['modelsDir'],
    help: 'directory with manifest.json and the ONNX models',
  },
  {
    flag: '--extra-models-dir',
    env: 'RED_HEART_EXTRA_MODELS_DIR',
    path: ['extraModelsDir'],
    help: 'optional second directory with its own manifest.json',
  },
  {
    flag: '--model',
    env: 'RED_HEART_MODEL',
    path: ['model'],
    help: 'model or ensemble id from the manifest (default: its default_model)',
  },
  {
    flag: '--provider',
    env: 'RED_HEART_PROVIDER',
    path: ['provider'],
    help: `execution provider: ${PROVIDERS.join(' | ')}`,
  },
  {
    flag: '--threads',
    env: 'RED_HEART_THREADS',
    path: ['threads'],
    help: 'ONNX Runtime intra-op threads (0 = all cores)',
  },
  { flag: '--load', env: 'RED_HEART_LOAD', path: ['loadMode'], help: 'lazy | eager model loading' },
  {
    flag: '--on-model-error',
    env: 'RED_HEART_ON_MODEL_ERROR',
    path: ['onModelError'],
    help: 'serve | exit: with --load eager, a model that fails to load is reported and the tools that need no model keep serving (serve), or start-up stops (exit)',
  },
  {
    flag: '--max-message-bytes',
    env: 'RED_HEART_MAX_MESSAGE_BYTES',
    path: ['maxMessageBytes'],
    help: 'largest JSON-RPC message on stdio, in bytes (longer: answered with an error, skipped)',
  },
  {
    flag: '--batch-window-ms',
    env: 'RED_HEART_BATCH_WINDOW_MS',
    path: ['batchWindowMs'],
    help: 'micro-batching window in ms',
  },
  { flag: '--max-batch', env: 'RED_HEART_MAX_BATCH', path: ['maxBatch'], help: 'largest inference batch' },
  {
    flag: '--batching',
    env: 'RED_HEART_BATCHING',
    path: ['batching'],
    help: 'auto | dynamic | exact (auto: exact for batch-dependent int8 models)',
  },
  {
    flag: '--cache',
    env: 'RED_HEART_CACHE',
    path: ['cache', 'backend'],
    help: 'file | memory | none | redis://host:port[/db]',
    apply: (raw, value) => {
      if (/^rediss?:\/\//i.test(value)) {
        setPath(raw, ['cache', 'backend'], 'redis');
        setPath(raw, ['cache', 'url'], value);
      } else setPath(raw, ['cache', 'backend'], value);
    },
  },
  {
    flag: '--cache-path',
    env: 'RED_HEART_CACHE_PATH',
    path: ['cache', 'path'],
    help: 'cache file for the file backend',
  },
  {
    flag: '--cache-ttl',
    env: 'RED_HEART_CACHE_TTL',
    path: ['cache', 'ttlSeconds'],
    help: 'seconds a cached result lives (0 = forever)',
  },
  {
    flag: '--cache-max-entries',
    env: 'RED_HEART_CACHE_MAX_ENTRIES',
    path: ['cache', 'maxEntries'],
    help: 'most cached results kept (file: in the shared file; memory/redis: per process)',
  },
  {
    flag: '--cache-max-bytes',
    env: 'RED_HEART_CACHE_MAX_BYTES',
    path: ['cache', 'maxBytes'],
    help: 'most bytes of cached results kept (file and memory backends)',
  },
  {
    flag: '--cache-secret',
    env: 'RED_HEART_CACHE_SECRET',
    path: ['cache', 'secret'],
    envOnly: true,
    fileFlag: '--cache-secret-file',
    help: 'secret (≥ 16 characters) keying the MAC of cached values and state tokens; replicas sharing a cache share it',
  },
  {
    flag: '--cache-secret-file',
    env: 'RED_HEART_CACHE_SECRET_FILE',
    path: ['cache', 'secretFile'],
    help: 'file holding the cache secret (default: cache.secret next to the cache file, generated once)',
  },
  {
    flag: '--redis-password',
    env: 'RED_HEART_REDIS_PASSWORD',
    path: ['cache', 'password'],
    envOnly: true,
    fileFlag: '--redis-password-file',
    help: 'password for the redis cache (or put it in a file: --redis-password-file)',
  },
  {
    flag: '--redis-password-file',
    env: 'RED_HEART_REDIS_PASSWORD_FILE',
    path: ['cache', 'passwordFile'],
    help: 'file holding the redis password (first line)',
  },
  {
    flag: '--cache-timeout-ms',
    env: 'RED_HEART_CACHE_TIMEOUT_MS',
    path: ['cache', 'timeoutMs'],
    help: 'longest a Redis cache operation may take before the call is served uncached',
  },
  { flag: '--log-level', env: 'RED_HEART_LOG_LEVEL', path: ['logLevel'], help: LOG_LEVELS.join(' | ') },
  {
    flag: '--max-text-chars',
    env: 'RED_HEART_MAX_TEXT_CHARS',
    path: ['limits', 'maxTextChars'],
    help: 'longest text accepted',
  },
  {
    flag: '--max-batch-texts',
    env: 'RED_HEART_MAX_BATCH_TEXTS',
    path: ['limits', 'maxBatchTexts'],
    help: 'most texts in one call',
  },
  {
    flag: '--surd-max-samples',
    env: 'RED_HEART_SURD_MAX_SAMPLES',
    path: ['limits', 'surdMaxSamples'],
    help: 'most samples per SURD variable',
  },
  {
    flag: '--surd-max-cells',
    env: 'RED_HEART_SURD_MAX_CELLS',
    path: ['limits', 'surdMaxCells'],
    help: 'largest joint histogram (cells)',
  },
  {
    flag: '--surd-max-sources',
    env: 'RED_HEART_SURD_MAX_SOURCES',
    path: ['limits', 'surdMaxSources'],
    help: `most SURD sources (≤ ${SURD_MAX_SOURCES})`,
  },
  {
    flag: '--regret-max-cells',
    env: 'RED_HEART_REGRET_MAX_CELLS',
    path: ['limits', 'regretMaxCells'],
    help: 'largest options × scenarios matrix',
  },
  {
    flag: '--timeout-ms',
    env: 'RED_HEART_TIMEOUT_MS',
    path: ['limits', 'callTimeoutMs'],
    help: 'per-call timeout in ms (0 = none)',
  },
  {
    flag: '--http',
    env: 'RED_HEART_HTTP',
    path: ['http', 'listen'],
    implicit: `${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT}`,
    help: `serve Streamable HTTP on [host:]port instead of stdio (bare --http: ${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT})`,
    apply: (raw, value) => setPath(raw, ['http', 'listen'], parseListen(value)),
  },
  {
    flag: '--auth-token',
    env: 'RED_HEART_AUTH_TOKEN',
    path: ['http', 'authTokens'],
    envOnly: true,
    fileFlag: '--auth-token-file',
    help: 'bearer token(s) for HTTP, comma-separated, ≥ 16 characters each',
    apply: list(['http', 'authTokens']),
  },
  {
    flag: '--auth-token-file',
    env: 'RED_HEART_AUTH_TOKEN_FILE',
    path: ['http', 'authTokenFile'],
    help: 'file with one bearer token per line',
  },
  {
    flag: '--allowed-origins',
    env: 'RED_HEART_ALLOWED_ORIGINS',
    path: ['http', 'allowedOrigins'],
    help: 'comma-separated Origin values browsers may call from, besides the loopback origins a loopback bind accepts (default: none)',
    apply: list(['http', 'allowedOrigins']),
  },
  {
    flag: '--allowed-hosts',
    env: 'RED_HEART_ALLOWED_HOSTS',
    path: ['http', 'allowedHosts'],
    help: 'comma-separated Host header values accepted (default: loopback names on loopback)',
    apply: list(['http', 'allowedHosts']),
  },
  {
    flag: '--max-body-bytes',
    env: 'RED_HEART_MAX_BODY_BYTES',
    path: ['http', 'maxBodyBytes'],
    help: 'largest HTTP request body (413 past it)',
  },
  {
    flag: '--max-client-concurrency',
    env: 'RED_HEART_MAX_CLIENT_CONCURRENCY',
    path: ['http', 'maxClientConcurrency'],
    help: 'HTTP calls one client may have in flight, each call of a batch counted (429 past it)',
  },
  {
    flag: '--data-dir',
    env: 'RED_HEART_DATA_DIRS',
    path: ['dataDirs'],
    help: `directory analyze_corpus may read and write (repeat the flag for more; the variable takes a '${delimiter}'-separated list; default: none)`,
    apply: (raw, value) => {
      const dirs = value
        .split(delimiter)
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => resolve(d));
      (raw.dataDirs as string[]).push(...dirs);
    },
  },
  {
    flag: '--memory',
    env: 'RED_HEART_MEMORY',
    path: ['memory'],
    help: 'experience memory file (SQLite): turns on remember / recall / forget and memory: true (default: off, nothing stored)',
    apply: (raw, value) =>
      setPath(raw, ['memory'], /^(|off|false|no)$/i.test(value.trim()) ? undefined : resolve(value)),
  },
  {
    flag: '--queue',
    env: 'RED_HEART_QUEUE',
    path: ['queue', 'url'],
    help: 'redis://host:port[/db]: analyze_corpus hands its rows to `red-heart-mcp worker` processes on this Redis (default: off, the server reads them)',
    apply: (raw, value) => setPath(raw, ['queue', 'url'], /^(|off|false|no)$/i.test(value.trim()) ? undefined : value),
  },
  {
    flag: '--queue-password',
    env: 'RED_HEART_QUEUE_PASSWORD',
    path: ['queue', 'password'],
    envOnly: true,
    fileFlag: '--queue-password-file',
    help: "password for the queue's Redis (or put it in a file: --queue-password-file)",
  },
  {
    flag: '--queue-password-file',
    env: 'RED_HEART_QUEUE_PASSWORD_FILE',
    path: ['queue', 'passwordFile'],
    help: "file holding the queue's Redis password (first line)",
  },
  {
    flag: '--queue-name',
    env: 'RED_HEART_QUEUE_NAME',
    path: ['queue', 'name'],
    help: 'queue name: servers and workers with the same name share the work',
  },
  {
    flag: '--queue-chunk-rows',
    env: 'RED_HEART_QUEUE_CHUNK_ROWS',
    path: ['queue', 'chunkRows'],
    help: 'rows per chunk (one job) of analyze_corpus on the queue',
  },
  {
    flag: '--queue-lock-ms',
    env: 'RED_HEART_QUEUE_LOCK_MS',
    path: ['queue', 'lockMs'],
    help: "a worker's lock on a chunk; a killed worker's chunk is read again by another worker after it",
  },
  {
    flag: '--queue-timeout-ms',
    env: 'RED_HEART_QUEUE_TIMEOUT_MS',
    path: ['queue', 'timeoutMs'],
    help: 'how long an analyze_corpus call waits for an unreachable queue Redis, or for a worker when none is connected',
  },
  {
    flag: '--shutdown-grace-ms',
    env: 'RED_HEART_SHUTDOWN_GRACE_MS',
    path: ['shutdownGraceMs'],
    help: 'on SIGTERM/SIGINT, time in-flight calls get to finish before they are cancelled',
  },
];

const LOOPBACK_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/** `[host:]port`, `host`, `host:port`, `[v6]:port`, `:port`; `true`/`on`/`yes` = the default address. */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const v = value.trim();
  if (/^(false|off|no|)$/i.test(v)) return undefined;
  if (/^(true|on|yes)$/i.test(v)) return { host: DEFAULT_HTTP_HOST, port: DEFAULT_HTTP_PORT };
  let host = DEFAULT_HTTP_HOST;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(v);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else if (/^\d+$/.test(v)) {
    port = v;
  } else if ((v.match(/:/g) ?? []).length > 1) {
    host = v; // bare IPv6 address
  } else if (v.includes(':')) {
    host = v.slice(0, v.indexOf(':')) || DEFAULT_HTTP_HOST;
    port = v.slice(v.indexOf(':') + 1);
  } else {
    host = v;
  }
  const n = port === undefined || port === '' ? DEFAULT_HTTP_PORT : Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new ConfigError(
      `invalid configuration:\n  --http / RED_HEART_HTTP: '${value}' is not [host:]port (port 0..65535)`,
    );
  return { host, port: n };
}

export function defaults(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    modelsDir: join(packageRoot(), 'models'),
    provider: 'cpu',
    threads: 0,
    loadMode: 'lazy',
    onModelError: 'serve',
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    batchWindowMs: 3,
    maxBatch: 32,
    batching: 'auto',
    cache: {
      backend: 'file',
      path: defaultCachePath(env),
      ttlSeconds: 7 * 24 * 3600,
      maxEntries: 100_000,
      maxBytes: 256 * 1024 * 1024,
      timeoutMs: 250,
    },
    logLevel: 'info',
    limits: {
      maxTextChars: MAX_TEXT_CHARS,
      maxBatchTexts: MAX_BATCH_TEXTS,
      surdMaxSamples: 50_000_000,
      surdMaxCells: 16_777_216,
      surdMaxSources: SURD_MAX_SOURCES,
      regretMaxCells: REGRET_MAX_CELLS,
      callTimeoutMs: 120_000,
    },
    http: {
      authTokens: [],
      allowedOrigins: [],
      allowedHosts: [],
      maxBodyBytes: 4 * 1024 * 1024,
      maxClientConcurrency: 16,
    },
    shutdownGraceMs: 10_000,
    dataDirs: [],
    queue: { name: 'red-heart-corpus', chunkRows: DEFAULT_QUEUE_CHUNK_ROWS, lockMs: 30_000, timeoutMs: 60_000 },
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

export interface ParsedArgs {
  config: AppConfig;
  help: boolean;
  version: boolean;
}

/** Parses CLI flags (`--flag value` or `--flag=value`) over environment variables over defaults. */
export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  const raw = structuredClone(defaults(env)) as unknown as Record<string, unknown>;
  const apply = (s: Setting, v: string) => (s.apply ? s.apply(raw, v) : setPath(raw, s.path, v));
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') apply(s, v);
  }
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      version = true;
      continue;
    }
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) throw new ConfigError(`unknown option '${flag}' (see --help)`);
    if (setting.envOnly)
      throw new ConfigError(
        `option '${flag}' is not accepted on the command line (it would show in the process list): set ${setting.env} or use ${setting.fileFlag}`,
      );
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (setting.implicit !== undefined && (next === undefined || next.startsWith('-'))) value = setting.implicit;
      else value = argv[++i];
    }
    if (value === undefined) throw new ConfigError(`option '${flag}' needs a value (${setting.help})`);
    if ((setting.flag === '--cache' || setting.flag === '--queue') && /^rediss?:\/\/[^/@]*:[^/@]+@/i.test(value)) {
      throw new ConfigError(
        setting.flag === '--cache'
          ? `option '--cache' must not carry a password in its URL (it would show in the process list): set RED_HEART_REDIS_PASSWORD or use --redis-password-file`
          : `option '--queue' must not carry a password in its URL (it would show in the process list): set RED_HEART_QUEUE_PASSWORD or use --queue-password-file`,
      );
    }
    apply(setting, value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const setting =
        SETTINGS.find((s) => s.path.join('.') === issue.path.join('.')) ??
        SETTINGS.find((s) => issue.path.join('.').startsWith(`${s.path.join('.')}.`));
      const where = setting ? `${setting.flag} / ${setting.env}` : issue.path.join('.');
      return `  ${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { config: parsed.data, help, version };
}

export function helpText(): string {
  const rows = SETTINGS.map(
    (s) => `  ${(s.envOnly ? '(environment only)' : s.flag).padEnd(30)} ${s.env.padEnd(38)} ${s.help}`,
  );
  return [
    'red-heart-mcp — MCP server for emotion, Bentham, regret and SURD analysis (stdio by default; Streamable HTTP with --http)',
    '',
    'Usage: red-heart-mcp [options]',
    '',
    '  flag                           environment variable                   meaning',
    ...rows,
    '  --help, --version',
    '',
    'red-heart-mcp gpu setup [--dry-run] | gpu status: install or check the CUDA provider (linux/x64; docs/engine.md)',
    'red-heart-mcp worker --queue redis://host:port [options]: read analyze_corpus chunks from the queue with this model (docs/deployment.md)',
  ].join('\n');
}

export const CONFIG_SETTINGS = SETTINGS;
