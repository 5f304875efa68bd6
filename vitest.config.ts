import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn real server processes; keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    minWorkers: 1,
    // A test that makes no assertion fails (a `return` before any expect cannot pass silently).
    expect: { requireAssertions: true },
    // The default output, then one line counting skipped tests by cause (test/helpers/skip-reporter.ts).
    reporters: ['default', './test/helpers/skip-reporter.ts'],
  },
});
