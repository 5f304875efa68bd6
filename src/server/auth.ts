// Bearer-token authentication for the HTTP transport. Tokens come from RED_HEART_AUTH_TOKEN (comma-
// separated) and/or a token file (one per line); each token identifies one client for the per-client
// concurrency limit. Comparison is constant-time over SHA-256 digests, so neither the content nor the
// length of a configured token leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type AppConfig } from './config.js';

const MIN_TOKEN_CHARS = 16;

/** All configured tokens (environment and file), validated. Throws ConfigError with a clear message. */
export function loadTokens(http: AppConfig['http']): string[] {
  const tokens = [...http.authTokens];
  if (http.authTokenFile) {
    let text: string;
    try {
      text = readFileSync(http.authTokenFile, 'utf8');
    } catch (err) {
      throw new ConfigError(
        'invalid configuration:\n' +
          `  --auth-token-file / RED_HEART_AUTH_TOKEN_FILE: cannot read ${http.authTokenFile}: ` +
          `${(err as Error).message}`,
      );
    }
    const fromFile = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    if (fromFile.length === 0)
      throw new ConfigError(
        `invalid configuration:\n  --auth-token-file / RED_HEART_AUTH_TOKEN_FILE: ${http.authTokenFile} holds no token`,
      );
    tokens.push(...fromFile);
  }
  for (const t of tokens) {
    if (t.length < MIN_TOKEN_CHARS)
      throw new ConfigError(
        'invalid configuration:\n' +
          `  RED_HEART_AUTH_TOKEN / --auth-token-file: a bearer token must have at least ${MIN_TOKEN_CHARS} ` +
          'characters (generate one with: openssl rand -hex 32)',
      );
    if (/\s/.test(t))
      throw new ConfigError(
        'invalid configuration:\n  RED_HEART_AUTH_TOKEN / --auth-token-file: a bearer token cannot contain whitespace',
      );
  }
  return [...new Set(tokens)];
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenVerifier {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  /**
   * The client id (`token-N`) for a valid `Authorization: Bearer …` header, or null. Every configured
   * token is compared (no early exit), each in constant time.
   */
  identify(header: string | undefined): string | null {
    if (!header) return null;
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const presented = digest(m[1]);
    let match = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(presented, this.digests[i]) && match < 0) match = i;
    }
    return match >= 0 ? `token-${match + 1}` : null;
  }
}
