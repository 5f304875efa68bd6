// SURD from a joint table (SPEC §5–§12): floor and normalise, marginals for every source combination,
// specific information, leak, and the per-state ladder.
import { canonicalCombos, lowestMissing } from './combos.js';
import { SurdInputError } from './errors.js';
import { fullResult, type SurdResult } from './result.js';
import { sparseDecomposeSteps } from './sparse.js';
import { STEP_WORK, type Steps } from './steps.js';
import {
  entropy,
  FLOOR,
  floorAndNormalise,
  sourceMarginal,
  specificInformation,
  sumAxis,
  targetMarginal,
} from './table.js';

export type { SurdResult } from './result.js';

export const MAX_SOURCES = 20;

/** Checks an (n+1)-D table of finite non-negative numbers, target on axis 0. */
export function validateTable(raw: ArrayLike<number>, shape: readonly number[]): void {
  validateShape(raw, shape);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (!(v >= 0 && v < Infinity)) throw badCell(i, v);
  }
}

const badCell = (i: number, v: number) =>
  new SurdInputError(`cell ${i} (C order) is ${String(v)}; cells must be finite and non-negative`, 'histogram');

/** Sparse when at most this fraction of the cells is occupied (the sparse walk costs a few dense cells per entry). */
const SPARSE_FRACTION = 1 / 8;
/** The sparse path needs FLOOR/Σ to stay a normal number with room for products by table sizes. */
const SPARSE_MIN_FLOOR = 1e-280;

/**
 * Validates every cell and returns the flat indices of the non-zero ones when the table is sparse enough for
 * sparse.ts, else null.
 */
function scanTable(raw: Float64Array): Int32Array | null {
  const limit = Math.floor(raw.length * SPARSE_FRACTION);
  let idx = new Int32Array(Math.min(limit, 1024));
  let count = 0;
  let sum = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (v === 0) continue;
    if (!(v > 0 && v < Infinity)) throw badCell(i, v);
    sum += v;
    if (count < limit) {
      if (count === idx.length) {
        const grown = new Int32Array(Math.min(limit, 2 * idx.length));
        grown.set(idx);
        idx = grown;
      }
      idx[count] = i;
    }
    count++;
  }
  if (count > limit || !(FLOOR / (sum + raw.length * FLOOR) >= SPARSE_MIN_FLOOR)) return null;
  return idx.subarray(0, count);
}

/** The given occupied cells when they pass scanTable's tests, else null. */
function sparseEnough(raw: Float64Array, occupied: Int32Array): Int32Array | null {
  if (occupied.length > Math.floor(raw.length * SPARSE_FRACTION)) return null;
  let sum = 0;
  for (let e = 0; e < occupied.length; e++) sum += raw[occupied[e]];
  // Ascending, as scanTable gives them: the same summation order, so both routes give the same bits.
  return FLOOR / (sum + raw.length * FLOOR) >= SPARSE_MIN_FLOOR ? occupied.slice().sort() : null;
}

function validateShape(raw: ArrayLike<number>, shape: readonly number[]): void {
  if (shape.length < 2)
    throw new SurdInputError('the table needs a target axis and at least one source axis', 'histogram');
  // Source sets are bit masks in 32-bit integers, and 2^n − 1 combinations must stay enumerable.
  if (shape.length - 1 > MAX_SOURCES)
    throw new SurdInputError(`${shape.length - 1} sources; at most ${MAX_SOURCES} are supported`, 'histogram');
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1)
      throw new SurdInputError(`invalid table shape [${shape.join(', ')}]`, 'histogram');
  }
  if (shape[0] < 2) {
    throw new SurdInputError(
      `the target axis (axis 0) has ${shape[0]} state; at least 2 target states are needed`,
      'histogram',
    );
  }
  const cells = shape.reduce((a, b) => a * b, 1);
  if (cells !== raw.length)
    throw new SurdInputError(
      `table has ${raw.length} cells but shape [${shape.join(', ')}] needs ${cells}`,
      'histogram',
    );
}

function occupiedTargetStates(raw: ArrayLike<number>, nt: number): number {
  const a = raw.length / nt;
  let occupied = 0;
  for (let t = 0; t < nt; t++) {
    for (let i = 0; i < a; i++) {
      if (raw[t * a + i] > 0) {
        occupied++;
        break;
      }
    }
  }
  return occupied;
}

export interface DecomposeOptions {
  /** Floor and normalise `raw` in place instead of copying it (saves memory for large binned tables). */
  inPlace?: boolean;
  /** Force the dense walk even for a sparse table (tests compare the two). */
  dense?: boolean;
  /**
   * Flat indices of every non-zero cell, once each (JointCounts.occupied). The table is then trusted to be a
   * valid table of counts and not scanned again.
   */
  occupied?: Int32Array;
}

/** The full SURD decomposition of a raw table (counts or the caller's numbers, unscaled). */
export function* decomposeSteps(
  raw: Float64Array,
  shape: readonly number[],
  options: DecomposeOptions = {},
): Steps<SurdResult> {
  validateShape(raw, shape);
  const nonZero = options.occupied ? sparseEnough(raw, options.occupied) : scanTable(raw);
  if (nonZero && !options.dense) return yield* sparseDecomposeSteps(raw, shape, nonZero);
  return yield* denseDecomposeSteps(raw, shape, options);
}

/** The dense walk over every cell (raw is validated). */
function* denseDecomposeSteps(
  raw: Float64Array,
  shape: readonly number[],
  options: DecomposeOptions,
): Steps<SurdResult> {
  const nt = shape[0];
  const n = shape.length - 1;
  const combos = canonicalCombos(n);
  // A progress point after about STEP_WORK cells of work: every pass below is over at most one full table,
  // so a caller driving this asynchronously regains control at least once per pass.
  let work = 0;
  let done = 0;
  function* pace(cells: number): Steps<void> {
    work += cells;
    if (work >= STEP_WORK) {
      work = 0;
      yield { stage: 'marginals', done, total: combos.length };
    }
  }

  yield* pace(raw.length);
  const occupied = occupiedTargetStates(raw, nt);
  const p = options.inPlace ? raw : Float64Array.from(raw);
  floorAndNormalise(p);
  yield* pace(2 * p.length);
  const pt = targetMarginal(p, nt);
  const hT = entropy(pt);
  const hTA = entropy(p);
  yield* pace(2 * p.length);
  let hA = 0;

  const indexOfMask = new Int32Array(1 << n);
  for (const c of combos) indexOfMask[c.mask] = c.index;
  const si = new Float64Array(combos.length * nt);
  const full = (1 << n) - 1;

  // Marginals by a walk over the subset tree: each combination's table is its parent's summed over one
  // axis (parent = the set plus its smallest missing source), so tables shrink geometrically and only one
  // root-to-leaf path is alive at a time.
  function* visit(mask: number, table: Float64Array, dims: number[]): Steps<void> {
    const pa = sourceMarginal(table, nt, new Float64Array(table.length / nt));
    yield* pace(table.length);
    specificInformation(table, pa, pt, si, indexOfMask[mask] * nt);
    if (mask === full) hA = entropy(pa);
    done++;
    yield* pace(table.length);
    const below = lowestMissing(mask, n);
    let pos = 0; // axis position of source k in this table (axis 0 is the target)
    for (let k = 1; k < below; k++) {
      if (!(mask & (1 << (k - 1)))) continue;
      pos++;
      const childMask = mask & ~(1 << (k - 1));
      if (childMask === 0) continue;
      const childDims = dims.slice(0, pos).concat(dims.slice(pos + 1));
      const child = sumAxis(table, dims, pos);
      yield* pace(table.length);
      yield* visit(childMask, child, childDims);
    }
  }
  yield* visit(full, p, shape.slice());

  const result = fullResult(combos, n, si, pt, { hT, hTA, hA, occupied, shape });
  yield { stage: 'decompose', done: 1, total: 1 };
  return result;
}
