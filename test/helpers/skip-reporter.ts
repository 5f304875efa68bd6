// Ends every vitest run with one line that says how many tests were skipped and why, so a newcomer's `npm test`
// on a clone without the data folder, chromium or redis-server says what did not run. Skip reasons come from
// test/helpers/require.ts, which appends one JSON line per unmet requirement to the file named in SKIP_LOG_ENV.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { SKIP_LOG_ENV, type Need } from './skip-log.js';

const CAUSE: Record<Need | 'other', string> = {
  data: 'the data folder (../shared/data beside the checkout, or RED_HEART_DATA)',
  chromium: 'chromium (Debian package chromium, or CHROMIUM_PATH)',
  redis: 'redis-server (Debian package redis-server)',
  proc: '/proc',
  model: 'the shipped model (models/manifest.json)',
  root: 'root (to mount a small tmpfs)',
  download: 'a large download, opted into with a variable (e.g. RED_HEART_GPU_WHEEL_TEST=1)',
  other: 'no recorded requirement (skipped in the test itself)',
};

interface Entry {
  file: string | null;
  need: Need;
}

/** "Skipped N tests: k1 need <cause>; k2 need <cause>" (or "Skipped 0 tests."). Pure, for the reporter's test. */
export function skipSummary(skippedByFile: ReadonlyMap<string, number>, entries: readonly Entry[]): string {
  const needsOf = new Map<string, Need[]>();
  for (const e of entries) if (e.file) needsOf.set(e.file, [...(needsOf.get(e.file) ?? []), e.need]);
  const byCause = new Map<Need | 'other', number>();
  let total = 0;
  for (const [file, n] of skippedByFile) {
    if (n === 0) continue;
    total += n;
    // A file with several unmet needs is counted under the first one it recorded.
    const need = needsOf.get(file)?.[0] ?? 'other';
    byCause.set(need, (byCause.get(need) ?? 0) + n);
  }
  if (total === 0) return 'Skipped 0 tests.';
  const parts = [...byCause].sort((a, b) => b[1] - a[1]).map(([need, n]) => `${n} need ${CAUSE[need]}`);
  return `Skipped ${total} test${total === 1 ? '' : 's'}: ${parts.join('; ')}.`;
}

export default class SkipReporter implements Reporter {
  private dir = '';
  private log = '';

  onInit(): void {
    this.dir = mkdtempSync(join(tmpdir(), 'red-heart-skips-'));
    this.log = join(this.dir, 'skips.jsonl');
    process.env[SKIP_LOG_ENV] = this.log;
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const skipped = new Map<string, number>();
    for (const m of modules) {
      let n = 0;
      for (const t of m.children.allTests()) if (t.result().state === 'skipped') n++;
      skipped.set(m.moduleId, n);
    }
    let entries: Entry[] = [];
    try {
      entries = readFileSync(this.log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Entry);
    } catch {
      // no test recorded an unmet requirement
    }
    rmSync(this.dir, { recursive: true, force: true });
    // After the default reporter's summary, which it prints in the same tick: this is the run's last line.
    await new Promise((r) => setTimeout(r, 50));
    console.log(skipSummary(skipped, entries));
  }
}
