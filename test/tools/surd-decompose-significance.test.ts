// surd_decompose with `significance`: schema, p-values on every component, progress per surrogate,
// cancellation mid-way, the work bound and the rejected combinations.
import { describe, expect, it } from 'vitest';
import { recordingContext } from '../helpers/tool-context.js';
import { Rng } from '../../src/core/random.js';
import { ToolError } from '../../src/core/errors.js';
import { toToolError } from '../../src/tools/errors.js';
import { surdDecomposeTool, surdInput, surdOutput } from '../../src/tools/surd-decompose.js';

type Args = Parameters<typeof surdDecomposeTool.handler>[0];

const makeCtx = recordingContext;

/** T[m+1] = A[m] xor B[m] flipped with probability 0.1; N independent fair bits. */
function xor(n: number, seed: number) {
  const r = new Rng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const noise: number[] = [];
  for (let m = 0; m < n; m++) {
    a.push(r.next() & 1);
    b.push(r.next() & 1);
    noise.push(r.next() & 1);
  }
  const t = [0];
  for (let m = 1; m < n; m++) t.push(a[m - 1] ^ b[m - 1] ^ (r.next() / 2 ** 32 < 0.1 ? 1 : 0));
  return { target: t, sources: { A: a, B: b, N: noise } };
}

const find = <C extends { sources: string[] }>(list: C[], ...names: string[]) =>
  list.find((c) => c.sources.join(',') === names.join(','));

describe('surd_decompose significance', () => {
  it('adds p-values and bias estimates that pass the output schema', async () => {
    const { ctx, progress } = makeCtx();
    const { structured, summary } = await surdDecomposeTool.handler(
      surdInput.parse({ ...xor(1000, 1), bins: 2, significance: { surrogates: 100, seed: 3 } }),
      ctx,
    );
    expect(surdOutput.safeParse(structured).success).toBe(true);
    const s = structured.significance!;
    expect(s).toMatchObject({ method: 'circular_shift', surrogates: 100, seed: 3, min_shift: 50, decompositions: 400 });
    expect(find(structured.synergistic, 'A', 'B')!.p_value).toBeCloseTo(1 / 101, 12);
    expect(s.mutual_information.p_value).toBeCloseTo(1 / 101, 12);
    expect(s.leak.p_value).toBeCloseTo(1 / 101, 12);
    for (const part of [structured.redundant, structured.unique, structured.synergistic]) {
      for (const c of part) {
        expect(c.p_value).toBeGreaterThanOrEqual(1 / 101);
        expect(c.p_value).toBeLessThanOrEqual(1);
        expect(Number.isFinite(c.surrogate_mean)).toBe(true);
      }
    }
    expect(summary).toMatch(/S\(A,B\) [0-9.]+ \([0-9.]+%\) p=0\.0099/);
    // One notification per surrogate: 400 decompositions, strictly increasing values, ending at 100.
    const surrogateNotes = progress.filter((p) => /^surrogate \d+ of 400$/.test(p[2] ?? ''));
    expect(surrogateNotes.length).toBe(400);
    const values = progress.map((p) => p[0]);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    expect(values.at(-1)).toBe(100);
  });

  it('is cached per arguments: the default seed is 0 and the result is deterministic', async () => {
    const args = surdInput.parse({ ...xor(400, 2), bins: 2, significance: { surrogates: 20 } });
    const a = await surdDecomposeTool.handler(args, makeCtx().ctx);
    const b = await surdDecomposeTool.handler(args, makeCtx().ctx);
    expect(a.structured.significance!.seed).toBe(0);
    expect(a.structured).toEqual(b.structured);
    expect(a.structured.warnings.join(' ')).toMatch(/no p-value can be below 1\/21/);
  });

  it('honours cancellation between surrogates', async () => {
    const controller = new AbortController();
    const { ctx } = makeCtx({ signal: controller.signal });
    let surrogatesSeen = 0;
    ctx.progress = async (_done, _total, message) => {
      if (message?.startsWith('surrogate ') && ++surrogatesSeen === 5) controller.abort();
    };
    const err = await surdDecomposeTool
      .handler(surdInput.parse({ ...xor(1000, 3), bins: 2, significance: { surrogates: 200 } }), ctx)
      .catch((e: unknown) => toToolError(e) ?? e);
    expect((err as ToolError).code).toBe('cancelled');
    expect(surrogatesSeen).toBe(5);
  });

  it('rejects significance with a histogram, bad counts, too short a series, and work above the bound', async () => {
    const fail = async (
      args: unknown,
      code: string,
      pattern: RegExp,
      limits?: NonNullable<Parameters<typeof makeCtx>[0]>['limits'],
    ) => {
      // As the registry answers: domain errors mapped by src/tools/errors.ts.
      const err = await surdDecomposeTool
        .handler(args as Args, makeCtx({ limits }).ctx)
        .catch((e: unknown) => toToolError(e) ?? e);
      expect(err).toBeInstanceOf(ToolError);
      expect((err as ToolError).code).toBe(code);
      expect((err as ToolError).message).toMatch(pattern);
    };
    await fail(
      {
        histogram: [
          [1, 0],
          [0, 1],
        ],
        significance: { surrogates: 10 },
      },
      'invalid_input',
      /significance applies only to the samples form/,
    );
    await fail(
      { ...xor(100, 4), significance: { surrogates: 200 } },
      'invalid_input',
      /allow only 90 distinct circular shifts/,
    );
    // 4 sets × (999 pairs + 2⁴ cells) per surrogate × 500 > 8 × (1000 + 1000).
    await fail(
      { ...xor(1000, 4), bins: 2, significance: { surrogates: 500 } },
      'limit_exceeded',
      /above the bound 8 × \(surdMaxSamples \+ surdMaxCells\).*use at most 3 surrogates/,
      {
        surdMaxSamples: 1000,
        surdMaxCells: 1000,
      },
    );
    // Counts and seeds out of range are refused by the input schema, naming the field.
    for (const significance of [
      { surrogates: 0 },
      { surrogates: 1001 },
      { surrogates: 2.5 },
      { surrogates: 10, seed: -1 },
      { surrogates: 10, seed: 2 ** 32 },
    ]) {
      const r = surdInput.safeParse({ target: [0, 1], sources: [[0, 1]], significance });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0].path[0]).toBe('significance');
    }
  });
});
