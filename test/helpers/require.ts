// One policy for tests that need something outside the repository (redis-server, /proc, ../shared, the shipped
// model): in CI (`CI` set) a missing requirement FAILS the test file, so a green CI run means every test ran;
// locally the dependent tests are skipped with the reason printed. README's Testing section lists what CI needs.

/** null when the requirement is met; otherwise the skip reason locally, and a thrown error when CI is set. */
export function requirement(what: string, missing: string | null): string | null {
  if (missing === null) return null;
  if (process.env.CI) throw new Error(`${what}: ${missing}. CI requires it (README, Testing); unset CI to skip locally.`);
  console.warn(`[skip] ${what}: ${missing}`);
  return missing;
}
