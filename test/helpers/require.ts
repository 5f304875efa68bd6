// One policy for tests that need something outside the repository (the data folder, redis-server, chromium, /proc,
// the shipped model): in CI (`CI` set) a missing requirement FAILS the test file, so a green CI run means every test
// ran; locally the dependent tests are skipped with the reason printed, and `npm test` ends with one line counting
// the skipped tests by cause (test/helpers/skip-reporter.ts). README's Testing section lists what CI needs.
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';

import { SKIP_LOG_ENV, type Need } from './skip-log.js';

export type { Need };

/** The test file being collected or run in this worker (vitest's own record of it). */
function currentTestFile(): string | null {
  try {
    return expect.getState().testPath ?? null;
  } catch {
    return null;
  }
}

/** null when the requirement is met; otherwise the skip reason locally, and a thrown error when CI is set. */
export function requirement(what: string, missing: string | null, need: Need): string | null {
  if (missing === null) return null;
  if (process.env.CI)
    throw new Error(`${what}: ${missing}. CI requires it (README, Testing); unset CI to skip locally.`);
  console.warn(`[skip] ${what}: ${missing}`);
  const log = process.env[SKIP_LOG_ENV];
  if (log) appendFileSync(log, JSON.stringify({ file: currentTestFile(), need, what, missing }) + '\n');
  return missing;
}
