// Where the suite finds the material that is not in the repository: the data sets (GoEmotions, KOTE, XED, …) and the
// SURD reference vectors. Default: ../shared beside the checkout (the layout CI provides); RED_HEART_DATA points at
// another data folder, RED_HEART_SHARED at another shared folder. Tests reach these paths only through this module
// and `requireData` (test/helpers/data-guard.test.ts checks), so a clone without them skips with a reason locally
// and fails in CI.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { requirement } from './require.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The shared folder (data sets + SURD reference material). */
export const SHARED_DIR = resolve(process.env.RED_HEART_SHARED ?? resolve(ROOT, '..', 'shared'));
/** The data sets folder (`<set>/…` with a SOURCE.md each). */
export const DATA_DIR = resolve(process.env.RED_HEART_DATA ?? resolve(SHARED_DIR, 'data'));

/**
 * null when every path (relative to the data folder) exists; else the skip reason (locally) or a thrown error (CI).
 * `what` names the tests that need them.
 */
export function requireData(what: string, ...paths: string[]): string | null {
  const missing = paths.find((p) => !existsSync(resolve(DATA_DIR, p)));
  return requirement(
    what,
    missing === undefined
      ? null
      : `${resolve(DATA_DIR, missing)} is not there (the data folder: ../shared/data beside the checkout, or RED_HEART_DATA)`,
    'data',
  );
}

/** The same for paths relative to the shared folder (e.g. surd/vectors). */
export function requireShared(what: string, ...paths: string[]): string | null {
  const missing = paths.find((p) => !existsSync(resolve(SHARED_DIR, p)));
  return requirement(
    what,
    missing === undefined
      ? null
      : `${resolve(SHARED_DIR, missing)} is not there (the shared folder: ../shared beside the checkout, or RED_HEART_SHARED)`,
    'data',
  );
}
