// One environment policy for every server process a test spawns (stdio harness, raw stdio, HTTP, shutdown,
// start-up checks): the parent's environment WITHOUT any RED_HEART_* variable (a developer's or CI's own
// settings must not change what a test sees), then the test defaults, then what the test sets.

/** Defaults every spawned test server gets unless the test says otherwise. */
export const TEST_SERVER_DEFAULTS = { RED_HEART_CACHE: 'memory', RED_HEART_LOG_LEVEL: 'info' } as const;

export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('RED_HEART_')) env[k] = v;
  return { ...env, ...TEST_SERVER_DEFAULTS, ...extra };
}
