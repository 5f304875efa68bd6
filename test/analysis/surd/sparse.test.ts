// The sparse walk (sparse.ts) against the dense walk over every cell: same definition, so the two may differ
// only by rounding. Checked on every reference vector table that is sparse enough to take the sparse path and on
// random sparse tables (fast-check), and against the reference numbers themselves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decomposeSteps, type SurdResult } from '../../../src/analysis/surd/decompose.js';
import { jointCounts, runSync } from '../../../src/analysis/surd/index.js';
import { flatten, loadVector, vectorFileNames, VECTORS_PRESENT } from './vectors.js';

const run = (table: ArrayLike<number>, shape: number[], dense: boolean): SurdResult =>
  runSync(decomposeSteps(Float64Array.from(table), shape, { dense }));

/**
 * Largest difference over every number the decomposition reports: absolute, except relative to the size for the
 * specific information (an empty target state's is tens of bits, from floor cells only).
 */
function maxDiff(a: SurdResult, b: SurdResult, perKey = true): number {
  let worst = 0;
  const cmp = (x: number, y: number, scale = 1) => {
    worst = Math.max(worst, Math.abs(x - y) / scale);
  };
  for (const part of ['redundant', 'unique', 'synergistic', 'mutualInformation'] as const) {
    expect(Object.keys(a[part])).toEqual(Object.keys(b[part]));
    if (perKey || part === 'mutualInformation') for (const k of Object.keys(a[part])) cmp(a[part][k], b[part][k]);
  }
  cmp(a.sumOfComponents, b.sumOfComponents);
  for (const k of Object.keys(a.specificInformation))
    a.specificInformation[k].forEach((v, t) => cmp(v, b.specificInformation[k][t], Math.max(1, Math.abs(v))));
  a.targetMarginal.forEach((v, t) => cmp(v, b.targetMarginal[t]));
  cmp(a.entropyTarget, b.entropyTarget);
  cmp(a.condEntropyTarget as number, b.condEntropyTarget as number);
  cmp(a.infoLeak, b.infoLeak);
  expect(a.targetStatesOccupied).toBe(b.targetStatesOccupied);
  return worst;
}

/**
 * True when two combinations' specific informations for some target state lie within 1e-9 of each other: the
 * ladder's order between them is then decided by rounding, and only sums over them are defined (SPEC §15.7).
 */
function nearTie(r: SurdResult): boolean {
  const lists = Object.values(r.specificInformation);
  for (let t = 0; t < r.targetMarginal.length; t++) {
    const v = lists.map((l) => l[t]).sort((x, y) => x - y);
    for (let i = 1; i < v.length; i++) if (v[i] - v[i - 1] < 1e-9 * Math.max(1, Math.abs(v[i]))) return true;
  }
  return false;
}

function occupiedFraction(table: ArrayLike<number>): number {
  let nz = 0;
  for (let i = 0; i < table.length; i++) if (table[i] !== 0) nz++;
  return nz / table.length;
}

describe('sparse decomposition', () => {
  it.skipIf(!VECTORS_PRESENT)(
    'equals the dense walk on every sparse reference table (vectors.test.ts checks it against the reference)',
    () => {
      let sparseTables = 0;
      let worstDense = 0;
      for (const name of vectorFileNames()) {
        const file = loadVector(name);
        for (const d of file.decompositions) {
          let table: ArrayLike<number>;
          let shape: number[];
          if (d.histogram) ({ data: table, shape } = flatten(d.histogram));
          else {
            const series = d.series ?? file.series!;
            const j = jointCounts({
              target: series[d.target_row! - 1],
              sources: d.source_rows!.map((r) => series[r - 1]),
              lag: d.lag,
              bins: d.nbins!,
            });
            table = j.counts;
            shape = j.shape;
          }
          if (occupiedFraction(table) > 1 / 8 || /constant target/i.test(d.label)) continue;
          sparseTables++;
          const sparse = run(table, shape, false);
          worstDense = Math.max(worstDense, maxDiff(sparse, run(table, shape, true)));
        }
      }
      // The vectors include sparse binned tables (energy cascade, mediator, …); make sure they were exercised.
      expect(sparseTables).toBeGreaterThanOrEqual(10);
      expect(worstDense).toBeLessThanOrEqual(1e-11);
    },
  );

  it('equals the dense walk on random sparse tables', () => {
    let generic = 0;
    let sparseDraws = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(1, 1000, 1e-6),
        (n, bins, seed, scale) => {
          const shape = new Array<number>(n + 1).fill(bins);
          const cells = bins ** (n + 1);
          let a = seed;
          const rnd = () => {
            a = (Math.imul(a, 1103515245) + 12345) >>> 0;
            return a / 2 ** 32;
          };
          const table = new Float64Array(cells);
          // Occupy fewer than 1/8 of the cells, sometimes leaving whole target states empty, but at least two target
          // states (with one, H(T) and the leak are ratios of rounding residues: SPEC §14).
          const perState = cells / bins;
          table[Math.floor(rnd() * perState)] = Math.ceil(rnd() * 50) * scale;
          table[perState + Math.floor(rnd() * perState)] = Math.ceil(rnd() * 50) * scale;
          const k = Math.floor((rnd() * cells) / 8) - 2;
          for (let i = 0; i < k; i++) table[Math.floor(rnd() * cells)] = Math.ceil(rnd() * 50) * scale;
          const dense = run(table, shape, true);
          const tie = nearTie(dense);
          if (occupiedFraction(table) > 1 / 8) return; // both calls took the dense walk
          sparseDraws++;
          if (!tie) generic++;
          const diff = maxDiff(run(table, shape, false), dense, !tie);
          // Specific information of an empty target state is of order lg(cells) bits; allow relative rounding.
          expect(diff).toBeLessThanOrEqual(1e-11);
        },
      ),
      { numRuns: 300 },
    );
    // Most draws are generic, so the per-component comparison ran on them.
    expect(sparseDraws).toBeGreaterThan(150);
    expect(generic).toBeGreaterThan(100);
  });
});
