// The cheap exact call the cache, transport and shutdown tests make, and how they read a result: whether it was
// cached, and its text.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** What the SDK client's callTool resolves to (its type also admits the legacy `toolResult` shape, never sent here). */
export type ClientToolResult = Awaited<ReturnType<Client['callTool']>>;

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
export const cachedFlag = (r: ClientToolResult) => (r.structuredContent as { cached?: boolean } | undefined)?.cached;

/** The text blocks of a tool result, one per line (empty for a result without content). */
export const resultText = (r: ClientToolResult) =>
  ('toolResult' in r ? [] : r.content).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
