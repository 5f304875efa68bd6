import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokens, TokenVerifier } from '../../src/server/auth.js';
import { defaults } from '../../src/server/config.js';

const http = (over: Partial<ReturnType<typeof defaults>['http']>) => ({ ...defaults({}).http, ...over });

describe('loadTokens', () => {
  it('merges environment tokens and a token file (comments and blank lines ignored, duplicates dropped)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-tokens-')), 'tokens');
    writeFileSync(
      file,
      '# agents\nagent-one-0123456789abcdef\n\n  agent-two-0123456789abcdef  \nenv-token-0123456789abcdef\n',
    );
    expect(loadTokens(http({ authTokens: ['env-token-0123456789abcdef'], authTokenFile: file }))).toEqual([
      'env-token-0123456789abcdef',
      'agent-one-0123456789abcdef',
      'agent-two-0123456789abcdef',
    ]);
  });

  it('refuses an unreadable or empty file and short tokens, without echoing a token', () => {
    expect(() => loadTokens(http({ authTokenFile: '/nonexistent/tokens' }))).toThrow(
      /cannot read \/nonexistent\/tokens/,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'rh-tokens-')), 'tokens');
    writeFileSync(file, '# nothing here\n');
    expect(() => loadTokens(http({ authTokenFile: file }))).toThrow(/holds no token/);
    writeFileSync(file, 'tiny\n');
    try {
      loadTokens(http({ authTokenFile: file }));
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/at least 16 characters/);
      expect((err as Error).message).not.toContain('tiny');
    }
  });
});

describe('TokenVerifier', () => {
  const v = new TokenVerifier(['first-token-0123456789', 'second-token-0123456789']);
  it('identifies each token as its own client', () => {
    expect(v.required).toBe(true);
    expect(v.identify('Bearer first-token-0123456789')).toBe('token-1');
    expect(v.identify('bearer   second-token-0123456789')).toBe('token-2');
  });
  it('rejects missing, malformed, wrong and prefix/suffix tokens', () => {
    for (const h of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic Zmlyc3Q=',
      'first-token-0123456789',
      'Bearer first-token-012345678',
      'Bearer first-token-01234567890',
      'Bearer first-token-0123456789 extra',
    ]) {
      expect(v.identify(h), String(h)).toBeNull();
    }
  });
  it('requires nothing when no token is configured', () => {
    expect(new TokenVerifier([]).required).toBe(false);
    expect(new TokenVerifier([]).identify('Bearer anything-at-all-here')).toBeNull();
  });
});
