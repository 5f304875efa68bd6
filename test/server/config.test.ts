import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_HTTP_PORT,
  defaults,
  helpText,
  isLoopbackHost,
  loadConfig,
} from '../../src/server/config.js';

describe('loadConfig', () => {
  it('uses documented defaults with no flags or environment', () => {
    const { config } = loadConfig([], {});
    expect(config.provider).toBe('cpu');
    expect(config.cache.backend).toBe('file');
    expect(config.cache.path).toMatch(/red-heart-mcp[\\/]cache\.sqlite$/);
    expect(config.limits.maxTextChars).toBe(20_000);
    expect(config.limits.surdMaxSources).toBe(12);
    expect(config.modelsDir).toMatch(/models$/);
  });

  it('reads environment variables and coerces numbers', () => {
    const { config } = loadConfig([], {
      RED_HEART_CACHE: 'memory',
      RED_HEART_CACHE_TTL: '60',
      RED_HEART_THREADS: '2',
      RED_HEART_PROVIDER: 'auto',
    });
    expect(config.cache.backend).toBe('memory');
    expect(config.cache.ttlSeconds).toBe(60);
    expect(config.threads).toBe(2);
    expect(config.provider).toBe('auto');
  });

  it('lets CLI flags override the environment, in both --flag value and --flag=value forms', () => {
    const { config } = loadConfig(['--cache', 'none', '--log-level=debug', '--max-text-chars', '500'], {
      RED_HEART_CACHE: 'memory',
      RED_HEART_LOG_LEVEL: 'warn',
    });
    expect(config.cache.backend).toBe('none');
    expect(config.logLevel).toBe('debug');
    expect(config.limits.maxTextChars).toBe(500);
  });

  it('uses XDG_CACHE_HOME for the default cache file', () => {
    expect(defaults({ XDG_CACHE_HOME: '/tmp/xdg' }).cache.path).toBe('/tmp/xdg/red-heart-mcp/cache.sqlite');
  });

  it('rejects a bad value with a message naming the flag and the environment variable', () => {
    expect(() => loadConfig(['--provider', 'tpu'], {})).toThrow(ConfigError);
    try {
      loadConfig([], { RED_HEART_CACHE_TTL: '-5' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('--cache-ttl / RED_HEART_CACHE_TTL');
    }
  });

  it('rejects unknown flags and flags without values', () => {
    expect(() => loadConfig(['--nope'], {})).toThrow(/unknown option '--nope'/);
    expect(() => loadConfig(['--threads'], {})).toThrow(/needs a value/);
    expect(() => loadConfig(['--threads', 'many'], {})).toThrow(/--threads/);
  });

  it('takes the batching mode from --batching or RED_HEART_BATCHING (default auto), and refuses others', () => {
    expect(loadConfig([], {}).config.batching).toBe('auto');
    expect(loadConfig([], { RED_HEART_BATCHING: 'exact' }).config.batching).toBe('exact');
    expect(loadConfig(['--batching', 'dynamic'], { RED_HEART_BATCHING: 'exact' }).config.batching).toBe('dynamic');
    expect(() => loadConfig(['--batching', 'sometimes'], {})).toThrow(/--batching \/ RED_HEART_BATCHING/);
  });

  it('caps SURD sources at 12', () => {
    expect(() => loadConfig(['--surd-max-sources', '13'], {})).toThrow(/surd-max-sources/);
  });

  it('reports --help and --version without failing', () => {
    expect(loadConfig(['--help'], {}).help).toBe(true);
    expect(loadConfig(['--version'], {}).version).toBe(true);
    expect(helpText()).toContain('RED_HEART_MODELS_DIR');
  });
});

describe('HTTP, auth, Redis and shutdown settings', () => {
  it('defaults to stdio with safe HTTP limits', () => {
    const { config } = loadConfig([], {});
    expect(config.http.listen).toBeUndefined();
    expect(config.http.authTokens).toEqual([]);
    expect(config.http.maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(config.http.maxClientConcurrency).toBe(16);
    expect(config.shutdownGraceMs).toBe(10_000);
    expect(config.cache.timeoutMs).toBe(250);
  });

  it('parses --http with and without an address', () => {
    expect(loadConfig(['--http'], {}).config.http.listen).toEqual({ host: '127.0.0.1', port: DEFAULT_HTTP_PORT });
    expect(loadConfig(['--http', '--log-level', 'warn'], {}).config.http.listen).toEqual({
      host: '127.0.0.1',
      port: DEFAULT_HTTP_PORT,
    });
    expect(loadConfig(['--http', '9000'], {}).config.http.listen).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(loadConfig(['--http=0.0.0.0:80'], {}).config.http.listen).toEqual({ host: '0.0.0.0', port: 80 });
    expect(loadConfig(['--http', '[::1]:8080'], {}).config.http.listen).toEqual({ host: '::1', port: 8080 });
    expect(loadConfig(['--http', 'localhost'], {}).config.http.listen).toEqual({
      host: 'localhost',
      port: DEFAULT_HTTP_PORT,
    });
    expect(loadConfig(['--http', ':0'], {}).config.http.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(loadConfig([], { RED_HEART_HTTP: 'true' }).config.http.listen).toEqual({
      host: '127.0.0.1',
      port: DEFAULT_HTTP_PORT,
    });
    expect(loadConfig([], { RED_HEART_HTTP: 'off' }).config.http.listen).toBeUndefined();
    expect(() => loadConfig(['--http', '127.0.0.1:99999'], {})).toThrow(/--http \/ RED_HEART_HTTP/);
    expect(() => loadConfig(['--http', 'host:port'], {})).toThrow(ConfigError);
  });

  it('reads tokens from the environment only, and checks their length', () => {
    const { config } = loadConfig([], { RED_HEART_AUTH_TOKEN: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' });
    expect(config.http.authTokens).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    expect(() => loadConfig(['--auth-token', 'aaaaaaaaaaaaaaaa'], {})).toThrow(/not accepted on the command line/);
    try {
      loadConfig([], { RED_HEART_AUTH_TOKEN: 'short' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/RED_HEART_AUTH_TOKEN: a bearer token must have at least 16 characters/);
      expect((err as Error).message).not.toMatch(/\bshort\b/); // never echoes the secret
    }
  });

  it('parses origin and host lists, body and concurrency limits, grace period', () => {
    const { config } = loadConfig(
      [
        '--allowed-origins',
        'https://a.example, https://b.example',
        '--max-body-bytes',
        '65536',
        '--max-client-concurrency',
        '4',
        '--shutdown-grace-ms',
        '500',
      ],
      { RED_HEART_ALLOWED_HOSTS: 'mcp.example.com,mcp.example.com:443' },
    );
    expect(config.http.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.http.allowedHosts).toEqual(['mcp.example.com', 'mcp.example.com:443']);
    expect(config.http.maxBodyBytes).toBe(65536);
    expect(config.http.maxClientConcurrency).toBe(4);
    expect(config.shutdownGraceMs).toBe(500);
    expect(() => loadConfig(['--max-body-bytes', '10'], {})).toThrow(/--max-body-bytes/);
    expect(() => loadConfig(['--max-client-concurrency', '0'], {})).toThrow(/--max-client-concurrency/);
  });

  it('takes a redis:// URL as the cache backend', () => {
    const { config } = loadConfig(['--cache', 'redis://127.0.0.1:6380/2', '--cache-timeout-ms', '100'], {});
    expect(config.cache).toMatchObject({ backend: 'redis', url: 'redis://127.0.0.1:6380/2', timeoutMs: 100 });
    expect(loadConfig([], { RED_HEART_CACHE: 'rediss://cache.internal:6379' }).config.cache.backend).toBe('redis');
    expect(() => loadConfig(['--cache', 'redis'], {})).toThrow(
      /--cache \/ RED_HEART_CACHE: the redis backend needs a URL/,
    );
    expect(() => loadConfig(['--cache', 'memcached://x'], {})).toThrow(/--cache/);
  });

  it('takes the Redis password from the environment or a file, never from a flag (it would show in ps)', () => {
    const env = loadConfig(['--cache', 'redis://127.0.0.1:6380'], { RED_HEART_REDIS_PASSWORD: 's3cret' }).config.cache;
    expect(env).toMatchObject({ backend: 'redis', password: 's3cret' });
    expect(
      loadConfig(['--cache', 'redis://127.0.0.1:6380', '--redis-password-file', '/run/secrets/redis'], {}).config.cache
        .passwordFile,
    ).toBe('/run/secrets/redis');
    expect(() => loadConfig(['--redis-password', 's3cret'], {})).toThrow(
      /not accepted on the command line.*RED_HEART_REDIS_PASSWORD or use --redis-password-file/,
    );
    expect(() => loadConfig(['--cache', 'redis://:s3cret@127.0.0.1:6380/0'], {})).toThrow(/must not carry a password/);
    expect(() => loadConfig(['--cache=redis://user:s3cret@127.0.0.1:6380/0'], {})).toThrow(/must not carry a password/);
    // the environment does not show in ps: a URL with a password stays allowed there
    expect(loadConfig([], { RED_HEART_CACHE: 'redis://:s3cret@127.0.0.1:6380/0' }).config.cache.url).toBe(
      'redis://:s3cret@127.0.0.1:6380/0',
    );
  });

  it('the corpus queue: off by default, a redis URL, its password from the environment or a file only', () => {
    expect(loadConfig([], {}).config.queue).toEqual({
      name: 'red-heart-corpus',
      chunkRows: 128,
      lockMs: 30_000,
      timeoutMs: 60_000,
    });
    const q = loadConfig(['--queue', 'redis://10.0.0.5:6379/1', '--queue-chunk-rows', '64', '--queue-name', 'team-a'], {
      RED_HEART_QUEUE_PASSWORD: 's3cret',
    }).config.queue;
    expect(q).toMatchObject({ url: 'redis://10.0.0.5:6379/1', chunkRows: 64, name: 'team-a', password: 's3cret' });
    expect(loadConfig(['--queue', 'off'], { RED_HEART_QUEUE: 'redis://x:1' }).config.queue.url).toBeUndefined();
    expect(() => loadConfig(['--queue', 'amqp://x'], {})).toThrow(/--queue \/ RED_HEART_QUEUE: must be a redis:\/\//);
    expect(() => loadConfig(['--queue', 'redis://:s3cret@10.0.0.5:6379'], {})).toThrow(
      /'--queue' must not carry a password .*RED_HEART_QUEUE_PASSWORD or use --queue-password-file/,
    );
    expect(() => loadConfig(['--queue-password', 's3cret'], {})).toThrow(/not accepted on the command line/);
    expect(() => loadConfig(['--queue-chunk-rows', '0'], {})).toThrow(/--queue-chunk-rows/);
    expect(() => loadConfig(['--queue-name', 'a b'], {})).toThrow(/--queue-name \/ RED_HEART_QUEUE_NAME/);
  });

  it('stdio message limit and model-error policy: documented defaults, validated values', () => {
    const { config } = loadConfig([], {});
    expect(config.maxMessageBytes).toBe(64 * 1024 * 1024);
    expect(config.onModelError).toBe('serve');
    expect(loadConfig(['--max-message-bytes', '2048', '--on-model-error', 'exit'], {}).config).toMatchObject({
      maxMessageBytes: 2048,
      onModelError: 'exit',
    });
    expect(() => loadConfig(['--max-message-bytes', '10'], {})).toThrow(/--max-message-bytes/);
    expect(() => loadConfig(['--on-model-error', 'ignore'], {})).toThrow(/--on-model-error/);
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('documents every new setting in --help', () => {
    const help = helpText();
    for (const v of [
      'RED_HEART_HTTP',
      'RED_HEART_AUTH_TOKEN',
      'RED_HEART_AUTH_TOKEN_FILE',
      'RED_HEART_ALLOWED_ORIGINS',
      'RED_HEART_ALLOWED_HOSTS',
      'RED_HEART_MAX_BODY_BYTES',
      'RED_HEART_MAX_CLIENT_CONCURRENCY',
      'RED_HEART_SHUTDOWN_GRACE_MS',
      'RED_HEART_CACHE_TIMEOUT_MS',
    ]) {
      expect(help).toContain(v);
    }
  });
});
