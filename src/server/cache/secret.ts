// The installation secret: the HMAC-SHA256 key of cached values (result-cache.ts) and of the conversation `state`
// tokens the server hands out. Every replica that shares a cache (Redis, or one file) must share the secret:
// RED_HEART_CACHE_SECRET (environment only: a flag would show in the process list) or --cache-secret-file. When
// neither is set it is generated once (32 random bytes, file mode 0600) as `cache.secret` next to the cache file
// and read from there afterwards. A value whose MAC does not verify was not written by a holder of the secret.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';

export interface SecretSettings {
  /** The secret itself (RED_HEART_CACHE_SECRET). */
  secret?: string;
  /** A file holding it (--cache-secret-file). */
  secretFile?: string;
  /** The cache file; the generated secret lives next to it. Empty: no file, a per-process secret. */
  path: string;
}

export interface InstallationSecret {
  key: Buffer;
  /** Where it came from, for status (never the secret). */
  source: 'setting' | 'file' | 'generated' | 'process';
  file?: string;
}

export const MIN_SECRET_CHARS = 16;
const loaded = new Map<string, InstallationSecret>();
/** One per process, for settings that name no file (and when a generated secret cannot be stored). */
let processSecret: InstallationSecret | null = null;
const perProcess = (): InstallationSecret => (processSecret ??= { key: randomBytes(32), source: 'process' });

function readSecretFile(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  if (text.length < MIN_SECRET_CHARS)
    throw new Error(`${file} holds ${text.length} characters; a cache secret needs at least ${MIN_SECRET_CHARS}`);
  return Buffer.from(text, 'utf8');
}

/** Creates `file` with a fresh secret unless it exists; two processes racing both end up reading the same one. */
function generate(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file); // atomic create-if-absent: the file appears whole or not at all
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readSecretFile(file);
}

/**
 * The secret for these settings (read or generated once per process and file). Throws when a configured secret or
 * secret file is unusable: a wrong secret must not silently become another one. A generated secret that cannot be
 * written (read-only directory) becomes a per-process one, with a warning (cached values then live one process).
 */
/** The signer tools use for the tokens they hand out; domain-separated from the cache's MACs by its prefix. */
export function tokenSigner(secret: InstallationSecret | null): {
  sign(data: string): string;
  verify(data: string, signature: string): boolean;
} {
  const key = (secret ?? perProcess()).key;
  return {
    sign: (data) => mac(key, `token\n${data}`),
    verify: (data, signature) => verifyMac(key, `token\n${data}`, signature),
  };
}

export function installationSecret(settings: SecretSettings, logger: Logger): InstallationSecret {
  if (settings.secret !== undefined) {
    if (settings.secret.length < MIN_SECRET_CHARS)
      throw new Error(`RED_HEART_CACHE_SECRET needs at least ${MIN_SECRET_CHARS} characters`);
    return { key: Buffer.from(settings.secret, 'utf8'), source: 'setting' };
  }
  const file = settings.secretFile ?? (settings.path ? join(dirname(settings.path), 'cache.secret') : undefined);
  if (!file) return perProcess();
  const known = loaded.get(file);
  if (known) return known;
  let secret: InstallationSecret;
  if (settings.secretFile) {
    secret = { key: readSecretFile(file), source: 'file', file };
  } else {
    try {
      secret = { key: generate(file), source: 'generated', file };
    } catch (err) {
      logger.warn(
        { file, err: (err as Error).message },
        'cache secret cannot be stored; using a per-process secret (cached values and state tokens last one process)',
      );
      return perProcess();
    }
  }
  loaded.set(file, secret);
  return secret;
}

/** HMAC-SHA256 of `data` under `key`, hex. */
export function mac(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

/** Constant-time comparison of a MAC against the one `data` should have. */
export function verifyMac(key: Buffer, data: string, given: string): boolean {
  const want = Buffer.from(mac(key, data), 'hex');
  const got = Buffer.from(given, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
