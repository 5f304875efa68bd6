// A model's files as the manifest promises them: present, and with the sha256 it lists.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { EngineLoadError } from './errors.js';
import { INSTALL_HINT } from './manifest.js';

export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** The file's bytes; file_missing when absent, checksum_mismatch when its sha256 is not `expected` (unless `skip`). */
export function readVerified(path: string, expected: string | undefined, what: string, skip: boolean): Buffer {
  if (!existsSync(path))
    throw new EngineLoadError('file_missing', `${path} not found (${what}) — ${INSTALL_HINT}`, path);
  const buf = readFileSync(path);
  if (expected && !skip) {
    const got = sha256(buf);
    if (got !== expected.toLowerCase()) {
      throw new EngineLoadError(
        'checksum_mismatch',
        `${path} (${what}) has sha256 ${got.slice(0, 16)}…, but the manifest expects ` +
          `${expected.slice(0, 16)}…: the file is damaged or belongs to another model version — ${INSTALL_HINT}`,
        path,
      );
    }
  }
  return buf;
}
