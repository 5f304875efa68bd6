// Configuration: defaults < environment variables < CLI flags, validated with zod at start-up.
import { cpus, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const PROVIDERS = ['auto', 'cpu', 'cuda', 'coreml', 'dml', 'webgpu'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Repository / package root (dist/src/server → three levels up; src/server → two). */
export function packageRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes(`${join('dist', 'src')}`) ? resolve(here, '../../..') : resolve(here, '../..');
}

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  modelsDir: z.string().min(1),
  extraModelsDir: z.string().min(1).optional(),
  /** Model id from the manifest; default: the manifest's default_model. */
  model: z.string().min(1).optional(),
  provider: z.enum(PROVIDERS),
  /** Intra-op threads for ONNX Runtime; 0 = all cores. */
  threads: intFrom(0, 1024),
  loadMode: z.enum(['lazy', 'eager']),
  batchWindowMs: intFrom(0, 1000),
  maxBatch: intFrom(1, 1024),
  cache: z.object({
    backend: z.enum(['file', 'memory', 'none']),
    path: z.string().min(1),
    ttlSeconds: intFrom(0, 365 * 24 * 3600), // 0 = never expire
    maxEntries: intFrom(1, 10_000_000),
  }),
  logLevel: z.enum(LOG_LEVELS),
  limits: z.object({
    maxTextChars: intFrom(1, 1_000_000),
    maxBatchTexts: intFrom(1, 1024),
    surdMaxSamples: intFrom(2, 200_000_000),
    surdMaxCells: intFrom(16, 1_000_000_000),
    surdMaxSources: intFrom(1, 12),
    regretMaxCells: intFrom(4, 10_000_000),
    callTimeoutMs: intFrom(0, 3_600_000), // 0 = no timeout
    maxConcurrentInferences: intFrom(1, 1024),
  }),
});
export type AppConfig = z.infer<typeof configSchema>;

export function defaultCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'red-heart-mcp', 'cache.json');
}

/** Each setting: CLI flag, environment variable, path in the config object. */
const SETTINGS: ReadonlyArray<{ flag: string; env: string; path: string[]; help: string }> = [
  { flag: '--models-dir', env: 'RED_HEART_MODELS_DIR', path: ['modelsDir'], help: 'directory with manifest.json and the ONNX models' },
  { flag: '--extra-models-dir', env: 'RED_HEART_EXTRA_MODELS_DIR', path: ['extraModelsDir'], help: 'optional second directory with its own manifest.json' },
  { flag: '--model', env: 'RED_HEART_MODEL', path: ['model'], help: 'model id from the manifest (default: its default_model)' },
  { flag: '--provider', env: 'RED_HEART_PROVIDER', path: ['provider'], help: `execution provider: ${PROVIDERS.join(' | ')}` },
  { flag: '--threads', env: 'RED_HEART_THREADS', path: ['threads'], help: 'ONNX Runtime intra-op threads (0 = all cores)' },
  { flag: '--load', env: 'RED_HEART_LOAD', path: ['loadMode'], help: 'lazy | eager model loading' },
  { flag: '--batch-window-ms', env: 'RED_HEART_BATCH_WINDOW_MS', path: ['batchWindowMs'], help: 'micro-batching window in ms' },
  { flag: '--max-batch', env: 'RED_HEART_MAX_BATCH', path: ['maxBatch'], help: 'largest inference batch' },
  { flag: '--cache', env: 'RED_HEART_CACHE', path: ['cache', 'backend'], help: 'file | memory | none' },
  { flag: '--cache-path', env: 'RED_HEART_CACHE_PATH', path: ['cache', 'path'], help: 'cache file for the file backend' },
  { flag: '--cache-ttl', env: 'RED_HEART_CACHE_TTL', path: ['cache', 'ttlSeconds'], help: 'seconds a cached result lives (0 = forever)' },
  { flag: '--cache-max-entries', env: 'RED_HEART_CACHE_MAX_ENTRIES', path: ['cache', 'maxEntries'], help: 'most cached results kept' },
  { flag: '--log-level', env: 'RED_HEART_LOG_LEVEL', path: ['logLevel'], help: LOG_LEVELS.join(' | ') },
  { flag: '--max-text-chars', env: 'RED_HEART_MAX_TEXT_CHARS', path: ['limits', 'maxTextChars'], help: 'longest text accepted' },
  { flag: '--max-batch-texts', env: 'RED_HEART_MAX_BATCH_TEXTS', path: ['limits', 'maxBatchTexts'], help: 'most texts in one call' },
  { flag: '--surd-max-samples', env: 'RED_HEART_SURD_MAX_SAMPLES', path: ['limits', 'surdMaxSamples'], help: 'most samples per SURD variable' },
  { flag: '--surd-max-cells', env: 'RED_HEART_SURD_MAX_CELLS', path: ['limits', 'surdMaxCells'], help: 'largest joint histogram (cells)' },
  { flag: '--surd-max-sources', env: 'RED_HEART_SURD_MAX_SOURCES', path: ['limits', 'surdMaxSources'], help: 'most SURD sources (≤ 12)' },
  { flag: '--regret-max-cells', env: 'RED_HEART_REGRET_MAX_CELLS', path: ['limits', 'regretMaxCells'], help: 'largest options × scenarios matrix' },
  { flag: '--timeout-ms', env: 'RED_HEART_TIMEOUT_MS', path: ['limits', 'callTimeoutMs'], help: 'per-call timeout in ms (0 = none)' },
  { flag: '--max-concurrent-inferences', env: 'RED_HEART_MAX_CONCURRENT_INFERENCES', path: ['limits', 'maxConcurrentInferences'], help: 'inference batches run at once' },
];

export function defaults(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    modelsDir: join(packageRoot(), 'models'),
    provider: 'cpu',
    threads: 0,
    loadMode: 'lazy',
    batchWindowMs: 3,
    maxBatch: 32,
    cache: { backend: 'file', path: defaultCachePath(env), ttlSeconds: 7 * 24 * 3600, maxEntries: 10_000 },
    logLevel: 'info',
    limits: {
      maxTextChars: 20_000,
      maxBatchTexts: 64,
      surdMaxSamples: 50_000_000,
      surdMaxCells: 16_777_216,
      surdMaxSources: 12,
      regretMaxCells: 2_500,
      callTimeoutMs: 120_000,
      maxConcurrentInferences: Math.max(1, Math.min(4, cpus().length)),
    },
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
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') setPath(raw, s.path, v);
  }
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (arg === '--version' || arg === '-v') { version = true; continue; }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) throw new ConfigError(`unknown option '${flag}' (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`option '${flag}' needs a value (${setting.help})`);
    setPath(raw, setting.path, value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const setting = SETTINGS.find((s) => s.path.join('.') === issue.path.join('.'));
      const where = setting ? `${setting.flag} / ${setting.env}` : issue.path.join('.');
      return `  ${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { config: parsed.data, help, version };
}

export function helpText(): string {
  const rows = SETTINGS.map((s) => `  ${s.flag.padEnd(30)} ${s.env.padEnd(38)} ${s.help}`);
  return [
    'red-heart-mcp — MCP server for emotion, Bentham, regret and SURD analysis (stdio transport)',
    '',
    'Usage: red-heart-mcp [options]',
    '',
    '  flag                           environment variable                   meaning',
    ...rows,
    '  --help, --version',
  ].join('\n');
}

export const CONFIG_SETTINGS = SETTINGS;
