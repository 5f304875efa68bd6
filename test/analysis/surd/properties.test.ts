// Invariants of the decomposition (SPEC §18) and the behaviour on the building blocks: duplicated source →
// redundancy, XOR → synergy, independent source → nothing. fast-check draws shapes and seeds; the table
// values come from a seeded uniform generator so they are generic (no accidental exact ties).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCombos, surdFromSamples, surdFromTable, type SurdResult } from '../../../src/analysis/surd/index.js';
import { mulberry32 } from '../../../src/core/random.js';

/** A random table of counts; `sparsity` of the cells are empty. */
function randomTable(shape: number[], seed: number, sparsity = 0.3): Float64Array {
  const rnd = mulberry32(seed);
  const cells = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(cells);
  for (let i = 0; i < cells; i++) out[i] = rnd() < sparsity ? 0 : Math.floor(rnd() * 1000);
  return out;
}

/** Moves source axes: new source k (1-based) is old source perm[k-1]. */
function permuteTable(table: Float64Array, shape: number[], perm: number[]): { data: Float64Array; shape: number[] } {
  const axes = [0, ...perm];
  const newShape = axes.map((a) => shape[a]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float64Array(table.length);
  const idx = new Array<number>(newShape.length).fill(0);
  for (let f = 0; f < out.length; f++) {
    let src = 0;
    for (let d = 0; d < axes.length; d++) src += idx[d] * strides[axes[d]];
    out[f] = table[src];
    for (let d = newShape.length - 1; d >= 0; d--) {
      if (++idx[d] < newShape[d]) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: newShape };
}

const permKey = (key: string, perm: number[]) =>
  key
    .split(',')
    .map((k) => perm[Number(k) - 1])
    .sort((a, b) => a - b)
    .join(',');

function total(r: SurdResult): number {
  return [r.redundant, r.unique, r.synergistic].reduce(
    (s, part) => s + Object.values(part).reduce((a, b) => a + b, 0),
    0,
  );
}

const shapeArb = fc
  .integer({ min: 1, max: 4 })
  .chain((n) =>
    fc.tuple(
      fc.integer({ min: 2, max: 5 }),
      fc.array(fc.integer({ min: 1, max: n === 4 ? 3 : 5 }), { minLength: n, maxLength: n }),
    ),
  )
  .map(([nt, src]) => [nt, ...src]);

describe('SURD invariants on random tables', () => {
  it('parts sum to the total MI, are non-negative, MI is monotone, leak in [0, 1]', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer(), (shape, seed) => {
        const r = surdFromTable(randomTable(shape, seed), shape);
        expect(Math.abs(total(r) - (r.miTotal as number))).toBeLessThanOrEqual(1e-12);
        for (const part of [r.redundant, r.unique, r.synergistic])
          for (const v of Object.values(part)) expect(v).toBeGreaterThanOrEqual(-1e-12);
        const combos = canonicalCombos(shape.length - 1);
        for (const j of combos)
          for (const k of combos) {
            if ((j.mask & k.mask) === j.mask)
              expect(r.mutualInformation[j.key]).toBeLessThanOrEqual(r.mutualInformation[k.key] + 1e-12);
          }
        if (r.targetStatesOccupied >= 2) {
          expect(r.infoLeak).toBeGreaterThanOrEqual(-1e-12);
          expect(r.infoLeak).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('permuting the sources permutes the output and nothing else', () => {
    const arb = shapeArb
      .filter((s) => s.length >= 3)
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.integer(),
          fc.shuffledSubarray(
            shape.slice(1).map((_, i) => i + 1),
            { minLength: shape.length - 1, maxLength: shape.length - 1 },
          ),
        ),
      );
    fc.assert(
      fc.property(arb, ([shape, seed, perm]) => {
        const table = randomTable(shape, seed);
        const a = surdFromTable(table, shape);
        const p = permuteTable(table, shape, perm);
        const b = surdFromTable(p.data, p.shape);
        for (const part of ['redundant', 'unique', 'synergistic', 'mutualInformation'] as const) {
          for (const [key, v] of Object.entries(b[part]))
            expect(Math.abs(v - a[part][permKey(key, perm)])).toBeLessThanOrEqual(1e-9);
        }
        expect(Math.abs(a.infoLeak - b.infoLeak)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 100 },
    );
  });
});

describe('SURD building blocks', () => {
  const joint = fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), fc.integer());

  it('a duplicated source gives redundancy only', () => {
    fc.assert(
      fc.property(joint, ([nt, nx, seed]) => {
        // p(t, x, x') = p(t, x) δ(x, x').
        const base = randomTable([nt, nx], seed, 0);
        const table = new Float64Array(nt * nx * nx);
        for (let t = 0; t < nt; t++) for (let x = 0; x < nx; x++) table[(t * nx + x) * nx + x] = base[t * nx + x];
        const r = surdFromTable(table, [nt, nx, nx]);
        const mi = r.miTotal as number;
        expect(Math.abs(r.redundant['1,2'] - mi)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(r.unique['1']) + Math.abs(r.unique['2']) + Math.abs(r.synergistic['1,2'])).toBeLessThanOrEqual(
          1e-9,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('XOR (sum modulo k) of two uniform sources gives pure synergy of log2 k bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 10_000 }), (k, count) => {
        const table = new Float64Array(k * k * k);
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) table[((a + b) % k) * k * k + a * k + b] = count;
        const r = surdFromTable(table, [k, k, k]);
        expect(Math.abs(r.synergistic['1,2'] - Math.log2(k))).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(r.unique['1']) + Math.abs(r.unique['2']) + Math.abs(r.redundant['1,2'])).toBeLessThanOrEqual(
          1e-9,
        );
        expect(Math.abs(r.infoLeak)).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 40 },
    );
  });

  it('an independent source gets ~0 and the real cause keeps its unique information', () => {
    fc.assert(
      fc.property(joint, fc.integer({ min: 2, max: 5 }), ([nt, nx, seed], nz) => {
        // p(t, x, z) = p(t, x) q(z).
        const base = randomTable([nt, nx], seed, 0);
        const q = randomTable([nz], seed ^ 0x5bd1e995, 0).map((v) => v + 1);
        const table = new Float64Array(nt * nx * nz);
        for (let t = 0; t < nt; t++)
          for (let x = 0; x < nx; x++)
            for (let z = 0; z < nz; z++) table[(t * nx + x) * nz + z] = base[t * nx + x] * q[z];
        const r = surdFromTable(table, [nt, nx, nz]);
        expect(
          Math.abs(r.unique['2']) + Math.abs(r.redundant['1,2']) + Math.abs(r.synergistic['1,2']),
        ).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(r.unique['1'] - (r.miTotal as number))).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('samples: a lagged copy is found as the unique cause; an unrelated noise source gets almost nothing', () => {
    const rnd = mulberry32(7);
    const n = 20_000;
    const x = Float64Array.from({ length: n }, () => rnd());
    const noise = Float64Array.from({ length: n }, () => rnd());
    const y = new Float64Array(n);
    for (let i = 1; i < n; i++) y[i] = x[i - 1];
    const { result } = surdFromSamples({ target: y, sources: [x, noise], bins: 4 });
    const mi = result.miTotal as number;
    expect(result.unique['1'] / mi).toBeGreaterThan(0.99);
    expect(result.unique['2'] + result.redundant['1,2']).toBeLessThan(0.01 * mi);
  });
});
