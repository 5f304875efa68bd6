import { describe, expect, it } from 'vitest';
import { ConfigError, defaults, helpText, loadConfig } from '../../src/server/config.js';

describe('loadConfig', () => {
  it('uses documented defaults with no flags or environment', () => {
    const { config } = loadConfig([], {});
    expect(config.provider).toBe('cpu');
    expect(config.cache.backend).toBe('file');
    expect(config.cache.path).toMatch(/red-heart-mcp[\\/]cache\.json$/);
    expect(config.limits.maxTextChars).toBe(20_000);
    expect(config.limits.surdMaxSources).toBe(12);
    expect(config.modelsDir).toMatch(/models$/);
  });

  it('reads environment variables and coerces numbers', () => {
    const { config } = loadConfig([], { RED_HEART_CACHE: 'memory', RED_HEART_CACHE_TTL: '60', RED_HEART_THREADS: '2', RED_HEART_PROVIDER: 'auto' });
    expect(config.cache.backend).toBe('memory');
    expect(config.cache.ttlSeconds).toBe(60);
    expect(config.threads).toBe(2);
    expect(config.provider).toBe('auto');
  });

  it('lets CLI flags override the environment, in both --flag value and --flag=value forms', () => {
    const { config } = loadConfig(['--cache', 'none', '--log-level=debug', '--max-text-chars', '500'], { RED_HEART_CACHE: 'memory', RED_HEART_LOG_LEVEL: 'warn' });
    expect(config.cache.backend).toBe('none');
    expect(config.logLevel).toBe('debug');
    expect(config.limits.maxTextChars).toBe(500);
  });

  it('uses XDG_CACHE_HOME for the default cache file', () => {
    expect(defaults({ XDG_CACHE_HOME: '/tmp/xdg' }).cache.path).toBe('/tmp/xdg/red-heart-mcp/cache.json');
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

  it('caps SURD sources at 12', () => {
    expect(() => loadConfig(['--surd-max-sources', '13'], {})).toThrow(/surd-max-sources/);
  });

  it('reports --help and --version without failing', () => {
    expect(loadConfig(['--help'], {}).help).toBe(true);
    expect(loadConfig(['--version'], {}).version).toBe(true);
    expect(helpText()).toContain('RED_HEART_MODELS_DIR');
  });
});
