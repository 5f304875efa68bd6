// surd_decompose through the built server over stdio (MCP client), on the mediator reference vector.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVector, SKIP_REASON, VECTORS_PRESENT } from '../analysis/surd/vectors.js';
import { CLI, startServer, type RunningServer } from './harness.js';

interface CallResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
}
interface Component {
  sources: string[];
  bits: number;
  normalized: number | null;
}

const bitsOf = (list: Component[], key: string) =>
  list.find((c) => c.sources.map((s) => s.slice(1)).join(',') === key)?.bits ?? NaN;

// Only the reference-vector test needs ../shared; the schema and bad-input checks always run.
describe('surd_decompose over MCP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const call = async (
    args: Record<string, unknown>,
    onprogress?: (p: { progress: number }) => void,
  ): Promise<CallResult> =>
    (await server.client.callTool(
      { name: 'surd_decompose', arguments: args },
      undefined,
      onprogress ? { onprogress } : undefined,
    )) as CallResult;

  it('is listed with its input schema', async () => {
    const { tools } = await server.client.listTools();
    const tool = tools.find((t) => t.name === 'surd_decompose');
    expect(tool).toBeDefined();
    expect(Object.keys(tool!.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['target', 'sources', 'lag', 'bins', 'max_order', 'histogram', 'names']),
    );
  });

  it.skipIf(!VECTORS_PRESENT)(
    `reproduces the mediator vector (every target) to 1e-9${VECTORS_PRESENT ? '' : ` — SKIPPED: ${SKIP_REASON}`}`,
    async () => {
      const file = loadVector('mediator.json');
      const series = file.series!;
      for (const d of file.decompositions) {
        const progress: number[] = [];
        const r = await call(
          {
            target: series[d.target_row! - 1],
            sources: Object.fromEntries(d.source_rows!.map((row) => [`Q${row}`, series[row - 1]])),
            lag: d.lag,
            bins: d.nbins,
            include_subset_mi: true,
          },
          (p) => progress.push(p.progress),
        );
        expect(r.isError ?? false, JSON.stringify(r.content)).toBe(false);
        const s = r.structuredContent as Record<string, any>;
        const e = d.expected;
        for (const part of ['redundant', 'unique', 'synergistic'] as const) {
          expect((s[part] as Component[]).length).toBe(Object.keys(e[part]).length);
          for (const [key, v] of Object.entries(e[part]))
            expect(Math.abs(bitsOf(s[part], key) - v), `${d.label} ${part}[${key}]`).toBeLessThanOrEqual(1e-9);
        }
        for (const [key, v] of Object.entries(e.mutual_information))
          expect(Math.abs(bitsOf(s.mutual_information_by_subset, key) - v)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(s.mutual_information - e.mi_total)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(s.leak - e.info_leak)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(s.causal_clarity - (1 - e.info_leak))).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(s.entropy_target - e.entropy_target)).toBeLessThanOrEqual(1e-9);
        expect(s.n_samples).toBe(d.n_pairs);
        expect(s.bins_used).toEqual(d.histogram_shape);
        expect(s.cached).toBe(false);
        // The SDK client dispatches notifications in a microtask but responses synchronously, so notifications that
        // arrive in the same chunk as the result are dropped; only their order and range are checked here
        // (the handler tests check that progress reaches 100).
        for (let i = 0; i < progress.length; i++) {
          expect(progress[i]).toBeGreaterThanOrEqual(0);
          expect(progress[i]).toBeLessThanOrEqual(100);
          if (i > 0) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
        }
        // the reference's 8 bins over 3 sources leave fewer than 10 samples per cell: flagged, with the warning first
        expect(s.reliable).toBe(d.n_pairs! >= 10 * d.histogram_shape.reduce((x, y) => x * y, 1));
        expect(r.content[0].text).toMatch(
          s.reliable
            ? /^SURD of target from 3 source/
            : /^UNRELIABLE: only \d+ samples for \d+ joint cells.* SURD of target from 3 source/,
        );
      }
    },
  );

  it('answers bad input with a clear error, not a crash', async () => {
    const r = await call({ target: [1, 2, 3], sources: [[1, 2]] });
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toMatch(/invalid_input: .*2 samples but target has 3/);
    // Schema violations are caught by the SDK's argument validation, which names the field.
    const bins = await call({ target: [1, 2, 3], sources: [[1, 2, 3]], bins: 1 });
    expect(bins.isError).toBe(true);
    expect(bins.content[0].text).toMatch(/Input validation error.*bins/s);
  });
});

if (!existsSync(CLI)) {
  // startServer() reports the missing build itself; this note only makes the cause obvious in the log.
  console.warn(`${CLI} is missing: run \`npm run build\` before the integration tests`);
}
