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

export /**
 * A Redis to connect to: its redis:// or rediss:// URL, and its password (an environment-only secret) or a file
 * holding it (read at start-up).
 */
const redisConnection = {
  url: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  password: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
};

const configSchema = z.object({
  modelsDir: z.string().min(1),
  extraModelsDir: z.string().min(1).optional(),
  /** Model id from the manifest; default: the manifest's default_model. */
  model: z.string().min(1).optional(),
  provider: z.enum(PROVIDERS),
  /** Intra-op threads for ONNX Runtime; 0 = all cores. */
  threads: intFrom(0, 1024),
  loadMode: z.enum(['lazy', 'eager']),
  /**
   * A model that fails to load under `--load eager`: 'serve' = report it and keep serving the tools that need no model;
   * 'exit' = stop start-up.
   */
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
      /** For the redis backend (set by `--cache redis://…`); password RED_HEART_REDIS_PASSWORD or a file. */
      ...redisConnection,
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
    /**
     * Origins allowed in the Origin header (browsers), added to the loopback origins a loopback bind accepts; any other
     * Origin gets 403.
     */
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
    /** The queue's Redis (unset = the server reads the rows itself); password RED_HEART_QUEUE_PASSWORD or a file. */
    ...redisConnection,
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
  /** `RED_HEART_` and the flag in upper snake case (`--cache-ttl`: `RED_HEART_CACHE_TTL`), except where named. */
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

type Convert = (value: string) => unknown;

/** A setting stored at `path` (dotted: 'cache.ttlSeconds') as given, or as `convert` makes it; zod checks it. */
function setting(flag: string, path: string, help: string, convert?: Convert): Setting {
  const at = path.split('.');
  const env = `RED_HEART_${flag.slice(2).toUpperCase().replaceAll('-', '_')}`;
  return { flag, env, path: at, help, ...(convert && { apply: (raw, value) => setPath(raw, at, convert(value)) }) };
}

/** Comma- or space-separated values. */
const splitList: Convert = (value) =>
  value
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * A secret: environment only (a flag would show in the process list), or read at start-up from the file that
 * `<flag>-file` names.
 */
function secret(flag: string, path: string, help: string, file: { path: string; help: string }, convert?: Convert) {
  const fileFlag = `${flag}-file`;
  return [{ ...setting(flag, path, help, convert), envOnly: true, fileFlag }, setting(fileFlag, file.path, file.help)];
}

/** Redis URL flags and the secret that carries their password instead of the URL. */
const URL_PASSWORD_SETTING: Record<string, string> = { '--cache': '--redis-password', '--queue': '--queue-password' };

const SETTINGS: ReadonlyArray<Setting> = [
  setting('--models-dir', 'modelsDir', 'directory with manifest.json and the ONNX models'),
  setting('--extra-models-dir', 'extraModelsDir', 'optional second directory with its own manifest.json'),
  setting('--model', 'model', 'model or ensemble id from the manifest (default: its default_model)'),
  setting('--provider', 'provider', `execution provider: ${PROVIDERS.join(' | ')}`),
  setting(
    '--threads',
    'threads',
    'ONNX Runtime intra-op threads (0 = all cores: one single-threaded session per core, at most 4, ' +
      'for a model whose windows run alone; else one session)',
  ),
  setting('--load', 'loadMode', 'lazy | eager model loading'),
  setting(
    '--on-model-error',
    'onModelError',
    'serve | exit: with --load eager, a model that fails to load is reported and the tools that need no model ' +
      'keep serving (serve), or start-up stops (exit)',
  ),
  setting(
    '--max-message-bytes',
    'maxMessageBytes',
    'largest JSON-RPC message on stdio, in bytes (longer: answered with an error, skipped)',
  ),
  setting('--batch-window-ms', 'batchWindowMs', 'micro-batching window in ms'),
  setting('--max-batch', 'maxBatch', 'largest inference batch'),
  setting('--batching', 'batching', 'auto | dynamic | exact (auto: exact for batch-dependent int8 models)'),
  {
    ...setting('--cache', 'cache.backend', 'file | memory | none | redis://host:port[/db]'),
    apply: (raw, value) => {
      if (/^rediss?:\/\//i.test(value)) {
        setPath(raw, ['cache', 'backend'], 'redis');
        setPath(raw, ['cache', 'url'], value);
      } else setPath(raw, ['cache', 'backend'], value);
    },
  },
  setting('--cache-path', 'cache.path', 'cache file for the file backend'),
  setting('--cache-ttl', 'cache.ttlSeconds', 'seconds a cached result lives (0 = forever)'),
  setting(
    '--cache-max-entries',
    'cache.maxEntries',
    'most cached results kept (file: in the shared file; memory/redis: per process)',
  ),
  setting('--cache-max-bytes', 'cache.maxBytes', 'most bytes of cached results kept (file and memory backends)'),
  ...secret(
    '--cache-secret',
    'cache.secret',
    'secret (≥ 16 characters) keying the MAC of cached values and state tokens; replicas sharing a cache share it',
    {
      path: 'cache.secretFile',
      help: 'file holding the cache secret (default: cache.secret next to the cache file, generated once)',
    },
  ),
  ...secret(
    '--redis-password',
    'cache.password',
    'password for the redis cache (or put it in a file: --redis-password-file)',
    { path: 'cache.passwordFile', help: 'file holding the redis password (first line)' },
  ),
  setting(
    '--cache-timeout-ms',
    'cache.timeoutMs',
    'longest a Redis cache operation may take before the call is served uncached',
  ),
  setting('--log-level', 'logLevel', LOG_LEVELS.join(' | ')),
  setting('--max-text-chars', 'limits.maxTextChars', 'longest text accepted'),
  setting('--max-batch-texts', 'limits.maxBatchTexts', 'most texts in one call'),
  setting('--surd-max-samples', 'limits.surdMaxSamples', 'most samples per SURD variable'),
  setting('--surd-max-cells', 'limits.surdMaxCells', 'largest joint histogram (cells)'),
  setting('--surd-max-sources', 'limits.surdMaxSources', `most SURD sources (≤ ${SURD_MAX_SOURCES})`),
  setting('--regret-max-cells', 'limits.regretMaxCells', 'largest options × scenarios matrix'),
  setting('--timeout-ms', 'limits.callTimeoutMs', 'per-call timeout in ms (0 = none)'),
  {
    ...setting(
      '--http',
      'http.listen',
      `serve Streamable HTTP on [host:]port instead of stdio (bare --http: ${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT})`,
      parseListen,
    ),
    implicit: `${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT}`,
  },
  ...secret(
    '--auth-token',
    'http.authTokens',
    'bearer token(s) for HTTP, comma-separated, ≥ 16 characters each',
    { path: 'http.authTokenFile', help: 'file with one bearer token per line' },
    splitList,
  ),
  setting(
    '--allowed-origins',
    'http.allowedOrigins',
    'comma-separated Origin values browsers may call from, besides the loopback origins a loopback bind accepts ' +
      '(default: none)',
    splitList,
  ),
  setting(
    '--allowed-hosts',
    'http.allowedHosts',
    'comma-separated Host header values accepted (default: loopback names on loopback)',
    splitList,
  ),
  setting('--max-body-bytes', 'http.maxBodyBytes', 'largest HTTP request body (413 past it)'),
  setting(
    '--max-client-concurrency',
    'http.maxClientConcurrency',
    'HTTP calls one client may have in flight, each call of a batch counted (429 past it)',
  ),
  {
    ...setting(
      '--data-dir',
      'dataDirs',
      'directory analyze_corpus may read and write (repeat the flag for more; ' +
        `the variable takes a '${delimiter}'-separated list; default: none)`,
    ),
    env: 'RED_HEART_DATA_DIRS',
    apply: (raw, value) => {
      const dirs = value
        .split(delimiter)
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => resolve(d));
      (raw.dataDirs as string[]).push(...dirs);
    },
  },
  setting(
    '--memory',
    'memory',
    'experience memory file (SQLite): turns on remember / recall / forget and memory: true ' +
      '(default: off, nothing stored)',
    (value) => (/^(|off|false|no)$/i.test(value.trim()) ? undefined : resolve(value)),
  ),
  setting(
    '--queue',
    'queue.url',
    'redis://host:port[/db]: analyze_corpus hands its rows to `red-heart-mcp worker` processes on this Redis ' +
      '(default: off, the server reads them)',
    (value) => (/^(|off|false|no)$/i.test(value.trim()) ? undefined : value),
  ),
  ...secret(
    '--queue-password',
    'queue.password',
    "password for the queue's Redis (or put it in a file: --queue-password-file)",
    { path: 'queue.passwordFile', help: "file holding the queue's Redis password (first line)" },
  ),
  setting('--queue-name', 'queue.name', 'queue name: servers and workers with the same name share the work'),
  setting('--queue-chunk-rows', 'queue.chunkRows', 'rows per chunk (one job) of analyze_corpus on the queue'),
  setting(
    '--queue-lock-ms',
    'queue.lockMs',
    "a worker's lock on a chunk; a killed worker's chunk is read again by another worker after it",
  ),
  setting(
    '--queue-timeout-ms',
    'queue.timeoutMs',
    'how long an analyze_corpus call waits for an unreachable queue Redis, or for a worker when none is connected',
  ),
  setting(
    '--shutdown-grace-ms',
    'shutdownGraceMs',
    'on SIGTERM/SIGINT, time in-flight calls get to finish before they are cancelled',
  ),
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

/** A ConfigError ends the process with status 2 and its message on stderr; anything else is rethrown. */
export function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`red-heart-mcp: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
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
        `option '${flag}' is not accepted on the command line (it would show in the process list): set ` +
          `${setting.env} or use ${setting.fileFlag}`,
      );
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (setting.implicit !== undefined && (next === undefined || next.startsWith('-'))) value = setting.implicit;
      else value = argv[++i];
    }
    if (value === undefined) throw new ConfigError(`option '${flag}' needs a value (${setting.help})`);
    if (setting.flag in URL_PASSWORD_SETTING && /^rediss?:\/\/[^/@]*:[^/@]+@/i.test(value)) {
      const password = SETTINGS.find((s) => s.flag === URL_PASSWORD_SETTING[setting.flag])!;
      throw new ConfigError(
        `option '${flag}' must not carry a password in its URL (it would show in the process list): set ` +
          `${password.env} or use ${password.fileFlag}`,
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
    'red-heart-mcp worker --queue redis://host:port [options]: read analyze_corpus chunks from the queue ' +
      'with this model (docs/deployment.md)',
  ].join('\n');
}

export const CONFIG_SETTINGS = SETTINGS;
