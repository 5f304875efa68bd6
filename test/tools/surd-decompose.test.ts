// surd_decompose handler, called in-process with a minimal context (no server, no engine).
import { describe, expect, it } from 'vitest';
import { recordingContext } from '../helpers/tool-context.js';
import { surdDecomposeTool, surdInput, surdOutput } from '../../src/tools/surd-decompose.js';
import { ToolError } from '../../src/core/errors.js';
import { toToolError } from '../../src/tools/errors.js';
import { loadVector, SKIP_REASON, VECTORS_PRESENT } from '../analysis/surd/vectors.js';

type Args = Parameters<typeof surdDecomposeTool.handler>[0];

const makeCtx = recordingContext;

const call = (args: unknown, options?: Parameters<typeof makeCtx>[0]) =>
  surdDecomposeTool.handler(args as Args, makeCtx(options).ctx);

/** Arguments the input schema refuses before any handler runs (the SDK answers with the zod issue), naming the field. */
function schemaRejects(args: unknown, field: string): void {
  const r = surdInput.safeParse(args);
  expect(r.success, `expected the schema to refuse ${field}`).toBe(false);
  expect(r.error?.issues[0].path[0]).toBe(field);
}

/** The handler's refusal as the registry answers it (domain errors mapped by src/tools/errors.ts). */
async function rejects(
  args: unknown,
  code: string,
  pattern: RegExp,
  options?: Parameters<typeof makeCtx>[0],
): Promise<void> {
  const err = await call(args, options).then(
    () => null,
    (e: unknown) => toToolError(e) ?? e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(ToolError);
  expect((err as ToolError).code).toBe(code);
  expect((err as ToolError).message).toMatch(pattern);
}

const bits = (list: { sources: string[]; bits: number }[], ...names: string[]) =>
  list.find((c) => c.sources.join(',') === names.join(','))?.bits ?? NaN;

const xorCounts = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [0, 1],
    [1, 0],
  ],
];

describe('surd_decompose definition', () => {
  it('has the contract fields', () => {
    expect(surdDecomposeTool.name).toBe('surd_decompose');
    expect(surdDecomposeTool.cache).toBe('args');
    expect(surdDecomposeTool.title.length).toBeGreaterThan(0);
    expect(surdDecomposeTool.description).toMatch(/synerg/i);
  });

  it('the zod schema rejects NaN, Infinity and bins < 2, naming the field', () => {
    const nan = surdInput.safeParse({ target: [0, Number.NaN], sources: [[0, 1]] });
    expect(nan.success).toBe(false);
    expect(nan.error?.issues[0].path).toEqual(['target', 1]);
    const inf = surdInput.safeParse({ target: [0, 1], sources: [[0, Infinity]] });
    expect(inf.success).toBe(false);
    expect(inf.error?.issues[0].path.slice(0, 1)).toEqual(['sources']);
    const bins = surdInput.safeParse({ target: [0, 1], sources: [[0, 1]], bins: 1 });
    expect(bins.success).toBe(false);
    expect(bins.error?.issues[0].path).toEqual(['bins']);
  });
});

describe('surd_decompose handler: histogram form', () => {
  it('XOR counts → 1 bit of synergy, leak ≈ 0, output matches the schema', async () => {
    const { structured, summary } = await call({ histogram: xorCounts, names: ['A', 'B'], include_subset_mi: true });
    expect(surdOutput.parse(structured)).toBeTruthy();
    expect(structured.method).toBe('surd');
    expect(bits(structured.synergistic, 'A', 'B')).toBeCloseTo(1, 9);
    expect(structured.synergistic[0].normalized).toBeCloseTo(1, 9);
    expect(structured.leak).toBeLessThan(1e-9);
    expect(structured.causal_clarity).toBeCloseTo(1, 9);
    expect(structured.n_samples).toBeNull();
    expect(structured.lag).toBeNull();
    expect(structured.bins_used).toEqual([2, 2, 2]);
    expect(structured.mutual_information_by_subset?.map((m) => m.sources.join(','))).toEqual(['A', 'B', 'A,B']);
    expect(summary).toMatch(/S\(A,B\)/);
  });

  it('all-zero histogram: uniform after the floor, MI 0, leak 1, normalized null', async () => {
    const { structured } = await call({
      histogram: [
        [
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
    });
    expect(structured.leak).toBe(1);
    expect(structured.causal_clarity).toBe(0);
    expect(Math.abs(structured.mutual_information)).toBeLessThan(1e-12);
    expect(structured.unique.every((c) => c.normalized === null)).toBe(true);
    expect(structured.warnings.join(' ')).toMatch(/all zeros/);
  });

  it('rejects bad histograms with the position named', async () => {
    await rejects({ histogram: [[1, 2], [3]] }, 'invalid_input', /histogram\[1\].*rectangular/);
    await rejects(
      {
        histogram: [
          [1, -2],
          [3, 4],
        ],
      },
      'invalid_input',
      /histogram\[0\]\[1\] is -2/,
    );
    await rejects(
      {
        histogram: [
          [1, Number.NaN],
          [3, 4],
        ],
      },
      'invalid_input',
      /histogram\[0\]\[1\] is NaN/,
    );
    await rejects({ histogram: [1, 2, 3] }, 'invalid_input', /two deep/);
    await rejects(
      {
        histogram: [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      },
      'invalid_input',
      /target\) has 1 state/,
    );
    await rejects({ histogram: xorCounts, lag: 2 }, 'invalid_input', /lag applies only to the samples form/);
    await rejects({ histogram: xorCounts, names: ['a'] }, 'invalid_input', /names must list 2/);
    await rejects({ histogram: xorCounts }, 'limit_exceeded', /surdMaxCells = 4/, { limits: { surdMaxCells: 4 } });
  });
});

describe('surd_decompose handler: samples form', () => {
  const x = [0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1];
  const y = x.map((_, i) => (i === 0 ? 0 : x[i - 1]));

  it('finds a lagged copy as unique information; sources as an object name the output', async () => {
    const { structured } = await call({ target: y, sources: { x, y }, bins: 2 });
    expect(structured.sources).toEqual(['x', 'y']);
    expect(structured.unique[0].sources).toEqual(['x']);
    expect(structured.n_samples).toBe(11);
    expect(structured.lag).toBe(1);
    expect(structured.bins_used).toEqual([2, 2, 2]);
    expect(structured.leak).toBeLessThan(1e-9);
    expect(surdOutput.parse(structured)).toBeTruthy();
  });

  it('constant target: leak and normalized values are null with a reason', async () => {
    const { structured } = await call({ target: new Array(12).fill(3), sources: [x], bins: 4 });
    expect(structured.leak).toBeNull();
    expect(structured.causal_clarity).toBeNull();
    expect(structured.leak_reason).toMatch(/constant/);
    expect(structured.unique[0].normalized).toBeNull();
    expect(Math.abs(structured.mutual_information)).toBeLessThan(1e-9);
  });

  it('reports monotone progress ending at 100', async () => {
    const { ctx, progress } = makeCtx();
    await surdDecomposeTool.handler({ target: y, sources: [x], bins: 2 } as Args, ctx);
    const values = progress.map((p) => p[0]);
    expect(values[0]).toBe(0);
    expect(values[values.length - 1]).toBe(100);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
  });

  it('honours cancellation, before and during the run', async () => {
    const controller = new AbortController();
    controller.abort();
    await rejects({ target: y, sources: [x], bins: 2 }, 'cancelled', /cancel/, { signal: controller.signal });

    const midway = new AbortController();
    const { ctx } = makeCtx({ signal: midway.signal });
    const seen: number[] = [];
    ctx.progress = async (done) => {
      seen.push(done);
      if (done > 0) midway.abort();
    };
    const err = await surdDecomposeTool
      .handler({ target: y, sources: [x, y], bins: 2 } as Args, ctx)
      .catch((e: unknown) => e);
    expect((err as ToolError).code).toBe('cancelled');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).not.toContain(100);
  });

  it('rejects invalid inputs with the field named', async () => {
    await rejects({}, 'invalid_input', /either target \+ sources/);
    await rejects({ target: y, sources: [x], histogram: xorCounts }, 'invalid_input', /not both/);
    await rejects({ target: y }, 'invalid_input', /sources is missing/);
    await rejects({ sources: [x] }, 'invalid_input', /target is missing/);
    schemaRejects({ target: [0, 1, Number.NaN, 2], sources: [[0, 1, 2, 3]] }, 'target');
    schemaRejects({ target: [0, 1, 2, 3], sources: [[0, Infinity, 2, 3]] }, 'sources');
    schemaRejects({ target: [0, 1, 2, 3], sources: { a: [0, 1, -Infinity, 3] } }, 'sources');
    await rejects({ target: [0, 1, 2, 3], sources: [[0, 1, 2]] }, 'invalid_input', /3 samples but target has 4/);
    await rejects(
      { target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], lag: 4 },
      'invalid_input',
      /lag 4 must be smaller than the series length 4/,
    );
    await rejects({ target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], lag: 3 }, 'invalid_input', /only 1 usable/);
    schemaRejects({ target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], lag: 0 }, 'lag');
    schemaRejects({ target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], lag: 1.5 }, 'lag');
    schemaRejects({ target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], bins: 1 }, 'bins');
    await rejects(
      { target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], bins: [4, 4, 4] },
      'invalid_input',
      /bins has 3 entries; give one number or 2/,
    );
    await rejects({ target: [0, 1, 2, 3], sources: [] }, 'invalid_input', /sources is empty/);
    await rejects(
      { target: [0, 1, 2, 3], sources: [[0, 1, 2, 3]], names: ['a', 'b'] },
      'invalid_input',
      /names must list 1/,
    );
  });

  it('enforces the configured limits, naming the limit, its value and the fix', async () => {
    const s = [0, 1, 2, 3, 4, 5];
    await rejects({ target: s, sources: [s, s, s] }, 'limit_exceeded', /surdMaxSources = 2/, {
      limits: { surdMaxSources: 2 },
    });
    await rejects({ target: s, sources: [s] }, 'limit_exceeded', /surdMaxSamples = 5/, {
      limits: { surdMaxSamples: 5 },
    });
    await rejects(
      { target: s, sources: [s, s, s], bins: 64 },
      'limit_exceeded',
      /16777216 cells.*surdMaxCells = 16777215.*fewer bins.*max_order/,
      {
        limits: { surdMaxCells: 16_777_215 },
      },
    );
    await rejects(
      { target: s, sources: [s, s, s], bins: 64, max_order: 3 },
      'limit_exceeded',
      /surdMaxCells = 16777215/,
      { limits: { surdMaxCells: 16_777_215 } },
    );
    const ok = await call(
      { target: s, sources: [s, s, s], bins: 64, max_order: 2 },
      { limits: { surdMaxCells: 16_777_215 } },
    );
    expect(ok.structured.method).toBe('surd_high_dimensional');
    expect(ok.structured.max_order).toBe(2);
  });
});

describe.skipIf(!VECTORS_PRESENT)('surd_decompose handler on the reference vectors', () => {
  it('mediator, target Q1: every component and the leak to 1e-9', async () => {
    const file = loadVector('mediator.json');
    const d = file.decompositions[0];
    const series = file.series!;
    const { structured } = await call({
      target: series[d.target_row! - 1],
      sources: d.source_rows!.map((r) => series[r - 1]),
      names: ['Q1', 'Q2', 'Q3'],
      lag: d.lag,
      bins: d.nbins,
      target_name: 'Q1+',
    });
    const names = (key: string) => key.split(',').map((k) => `Q${k}`);
    for (const [k, v] of Object.entries(d.expected.unique))
      expect(Math.abs(bits(structured.unique, ...names(k)) - v)).toBeLessThanOrEqual(1e-9);
    for (const [k, v] of Object.entries(d.expected.redundant))
      expect(Math.abs(bits(structured.redundant, ...names(k)) - v)).toBeLessThanOrEqual(1e-9);
    for (const [k, v] of Object.entries(d.expected.synergistic))
      expect(Math.abs(bits(structured.synergistic, ...names(k)) - v)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(structured.mutual_information - d.expected.mi_total)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs((structured.leak as number) - d.expected.info_leak)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs((structured.causal_clarity as number) - (1 - d.expected.info_leak))).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(structured.entropy_target - d.expected.entropy_target)).toBeLessThanOrEqual(1e-9);
    expect(structured.n_samples).toBe(d.n_pairs);
    expect(structured.bins_used).toEqual(d.histogram_shape);
    const nu = d.expected.normalised_by_mi_max!.unique['2'];
    expect(
      Math.abs((structured.unique.find((c) => c.sources[0] === 'Q2')!.normalized as number) - nu),
    ).toBeLessThanOrEqual(1e-9);
    for (let i = 1; i < structured.redundant.length; i++)
      expect(structured.redundant[i].bits).toBeLessThanOrEqual(structured.redundant[i - 1].bits);
  });

  it('max_order gives the high-dimensional variant (five_sources, target Q4, max_combs 2)', async () => {
    const file = loadVector('five_sources.json');
    const hd = file.high_dimensional_variant![0];
    const series = file.series!;
    const { structured } = await call({
      target: series[hd.target_row - 1],
      sources: hd.source_rows.map((r) => series[r - 1]),
      bins: hd.nbins,
      max_order: hd.max_combs,
      include_subset_mi: true,
    });
    expect(structured.method).toBe('surd_high_dimensional');
    for (const [k, v] of Object.entries(hd.expected.synergistic))
      expect(Math.abs(bits(structured.synergistic, ...k.split(',').map((m) => `X${m}`)) - v)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs((structured.leak as number) - hd.expected.info_leak)).toBeLessThanOrEqual(1e-9);
    expect(structured.mutual_information_by_subset).toHaveLength(15);
  });

  it('edge_cases.json error_cases are rejected with clear errors (or accepted as documented)', async () => {
    const file = loadVector('edge_cases.json');
    const series0 = (file.error_cases![0] as { series: (number | null)[][] }).series;
    const finite = series0.map((row) => row.map((v) => v ?? 0));
    for (const c of file.error_cases as {
      label: string;
      series?: (number | null)[][];
      target_row?: number;
      source_rows?: number[];
      nbins?: number;
      lag?: number;
    }[]) {
      if (/NaN|inf/i.test(c.label)) {
        const bad = /NaN/.test(c.label) ? Number.NaN : Infinity;
        const rows = c.series!.map((row) => row.map((v) => (v === null ? bad : v)));
        schemaRejects(
          {
            target: rows[c.target_row! - 1],
            sources: c.source_rows!.map((r) => rows[r - 1]),
            lag: c.lag,
            bins: c.nbins,
          },
          'target',
        );
      } else if (/lag 0/.test(c.label)) {
        schemaRejects({ target: finite[0], sources: finite, lag: 0 }, 'lag');
      } else if (/integer-typed histogram/.test(c.label)) {
        // Documented: accepted and treated as float64 (JSON has no integer type anyway).
        const { structured } = await call({ histogram: xorCounts });
        expect(bits(structured.synergistic, 'X1', 'X2')).toBeCloseTo(1, 9);
      } else if (/single state/.test(c.label)) {
        await rejects(
          {
            histogram: [
              [
                [1, 2, 3],
                [4, 5, 6],
                [7, 8, 9],
              ],
            ],
          },
          'invalid_input',
          /at least 2 target states/,
        );
      } else if (/nbins = 1/.test(c.label)) {
        schemaRejects({ target: finite[0], sources: finite, bins: 1 }, 'bins');
      } else {
        throw new Error(`unmapped error case: ${c.label}`);
      }
    }
  });
});

if (!VECTORS_PRESENT) {
  describe('surd_decompose handler on the reference vectors', () => {
    it.skip(SKIP_REASON, () => {});
  });
}
