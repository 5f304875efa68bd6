// The cheap exact call the cache, transport and shutdown tests make, and how they read whether a result was cached.

/** regret_forecast on two options × two scenarios (exact, no model); another matrix is another cache entry. */
export function regretCall(
  outcomes: number[][] = [
    [1, 0],
    [0, 1],
  ],
) {
  return {
    name: 'regret_forecast',
    arguments: { options: [{ name: 'a' }, { name: 'b' }], scenarios: [{ name: 'x' }, { name: 'y' }], outcomes },
  };
}

/** The `cached` flag of a tool result (undefined for an error without structured content). */
export const cachedFlag = (r: { structuredContent?: unknown }) =>
  (r.structuredContent as { cached?: boolean } | undefined)?.cached;
