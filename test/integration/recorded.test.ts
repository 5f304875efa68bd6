// Replays the calls recorded in test/fixtures/recorded-calls.json (scripts/record-calls.mjs) through the built
// stdio server with the shipped model and requires the same results: error texts and codes, summaries and
// structured outputs, ignoring only `elapsed_ms` and `cached` (timing and cache state differ between runs).
// A refactor that must not change behaviour keeps this green; an intended change re-records in its own commit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script shared with the recorder
import { callOnce, startServer } from '../../scripts/record-calls.mjs';
import { ROOT } from './harness.js';

interface Recorded {
  servers: Record<string, Record<string, string>>;
  calls: Array<{ server: string; tool: string; args: Record<string, unknown>; result: unknown }>;
}

const FIXTURE: Recorded = JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/recorded-calls.json'), 'utf8'));

/** Drops the keys that legitimately differ between runs, at any depth. */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'elapsed_ms' && k !== 'cached')
        .map(([k, x]) => [k, stable(x)]),
    );
  }
  return v;
}

describe('recorded tool outputs are unchanged', () => {
  const clients: Record<string, { close(): Promise<void> }> = {};
  beforeAll(async () => {
    for (const [name, env] of Object.entries(FIXTURE.servers)) clients[name] = await startServer(env);
  }, 60_000);
  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close();
  });

  it('has at least 60 calls covering the five single-text and data tools, and the conversation tool', () => {
    expect(FIXTURE.calls.length).toBeGreaterThanOrEqual(60);
    expect(new Set(FIXTURE.calls.map((c) => c.tool))).toEqual(
      new Set([
        'analyze_emotion',
        'bentham_score',
        'regret_forecast',
        'surd_decompose',
        'full_analysis',
        'analyze_conversation',
      ]),
    );
  });

  it.each(FIXTURE.calls.map((c, i) => [i, c.tool, c] as const))(
    'call %i (%s)',
    async (_i, _tool, c) => {
      const got = await callOnce(clients[c.server], c.tool, c.args);
      expect(stable(got)).toEqual(stable(c.result));
    },
    60_000,
  );
});
