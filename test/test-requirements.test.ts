// The suite's own rules for material outside the repository: only test/helpers/data.ts builds paths to the shared
// folder, and every test file that uses those paths also states the requirement (requireData / requireShared, or the
// SURD vectors' VECTORS_PRESENT), so a clone without ../shared skips those tests with a reason and CI fails instead.
// Also checks the one-line skip summary that ends every run.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipSummary } from './helpers/skip-reporter.js';

const TEST = resolve(import.meta.dirname);
const HOME = join(TEST, 'helpers', 'data.ts');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'fixtures'
        ? []
        : testFiles(join(dir, e.name))
      : /\.(ts|mjs)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

const code = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** Why a test source breaks the rule, or null. */
export function dataGuardViolation(src: string): string | null {
  const c = code(src);
  if (/['"`](\.\.\/)+shared\b|['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/.test(c))
    return 'builds a path to the shared folder itself (use DATA_DIR / SHARED_DIR from test/helpers/data.ts)';
  if (/\b(DATA_DIR|SHARED_DIR|VECTORS_DIR)\b/.test(c) && !/\b(requireData|requireShared|VECTORS_PRESENT)\b/.test(c))
    return 'uses the data folder without requireData / requireShared';
  return null;
}

describe('tests and the data folder', () => {
  it('the check itself flags both kinds of violation and passes a guarded file', () => {
    expect(dataGuardViolation("const D = resolve(ROOT, '..', 'shared', 'data');")).toMatch(/builds a path/);
    expect(dataGuardViolation("const D = resolve(ROOT, '../shared/data/goemotions');")).toMatch(/builds a path/);
    expect(
      dataGuardViolation("import { DATA_DIR } from '../helpers/data.js';\nreadFileSync(join(DATA_DIR, 'x'));"),
    ).toMatch(/without requireData/);
    expect(
      dataGuardViolation(
        "import { DATA_DIR, requireData } from '../helpers/data.js';\nconst skip = requireData('x', 'goemotions/dev.tsv');",
      ),
    ).toBeNull();
    expect(dataGuardViolation('// reads ../shared/data when present\nconst x = 1;')).toBeNull();
  });

  it('every test file reaches ../shared only through test/helpers/data.ts, with the requirement stated', () => {
    const bad = testFiles(TEST)
      .filter((f) => f !== HOME && f !== join(TEST, 'test-requirements.test.ts'))
      .map((f) => [relative(TEST, f), dataGuardViolation(readFileSync(f, 'utf8'))] as const)
      .filter(([, why]) => why !== null);
    expect(bad).toEqual([]);
  });
});

describe('skip summary line', () => {
  it('counts skipped tests by the first unmet need of their file', () => {
    const skipped = new Map([
      ['/r/a.test.ts', 3],
      ['/r/b.test.ts', 2],
      ['/r/c.test.ts', 0],
      ['/r/d.test.ts', 1],
    ]);
    const line = skipSummary(skipped, [
      { file: '/r/a.test.ts', need: 'data' },
      { file: '/r/b.test.ts', need: 'chromium' },
      { file: '/r/b.test.ts', need: 'data' },
      { file: '/r/c.test.ts', need: 'redis' },
    ]);
    expect(line).toBe(
      'Skipped 6 tests: 3 need the data folder (../shared/data beside the checkout, or RED_HEART_DATA); 2 need chromium (Debian package chromium, or CHROMIUM_PATH); 1 need no recorded requirement (skipped in the test itself).',
    );
    expect(skipSummary(new Map([['/r/a.test.ts', 0]]), [])).toBe('Skipped 0 tests.');
  });
});
