// Shared by test/helpers/require.ts (in the test workers) and test/helpers/skip-reporter.ts (in the main process,
// where vitest's test API cannot be imported): what a test needs, and where unmet needs are recorded.

/** What a test needs from outside the repository; the skip summary groups skipped tests by it. */
export type Need = 'data' | 'chromium' | 'redis' | 'proc' | 'model' | 'root' | 'download';

/** Environment variable naming the file that skip records go to (set by the reporter before workers start). */
export const SKIP_LOG_ENV = 'RED_HEART_TEST_SKIP_LOG';
