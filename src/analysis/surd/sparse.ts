// The full SURD decomposition of a mostly empty table (SPEC §5–§12, same definition as decompose.ts). A binned
// table is sparse: 1–6 % of the cells of the benchmark cases hold a count. After the 1e-14 floor every empty cell
// of a marginal table over (target, J) holds the same value g_J = m_J·FLOOR/z (m_J full cells summed), and every
// empty column the same P(a) = N_t·g_J, so their share of each sum is a count times one term. Work is then
// proportional to the occupied cells instead of all cells; results differ from the dense walk by rounding only
// (sums in another order; measured ≤ 1e-13 bits on the reference vectors and the benchmark cases).
import { canonicalCombos, lowestMissing } from './combos.js';
import { fullResult, type SurdResult } from './result.js';
import { STEP_WORK, type Steps } from './steps.js';
import { entropy, FLOOR, lg } from './table.js';

/** Occupied cells of a table over (target, J): flat C-order keys (target first) and their raw sums. */
interface SparseTable {
  keys: Int32Array;
  vals: Float64Array;
  /** Axis sizes, target first. */
  dims: number[];
}

/** What the whole floored table gives before the subset walk: its normaliser, the target marginal and H(T, A). */
interface Totals {
  /** Raw values of the occupied cells, in `nonZero` order. */
  vals: Float64Array;
  /** Σ raw + cells · FLOOR: the normaliser after the floor. */
  z: number;
  /** FLOOR / z: the probability of an empty cell of the full table. */
  f: number;
  hTA: number;
  hT: number;
  pt: Float64Array;
  /** lg p(t). */
  lpt: Float64Array;
  /** Target states with raw mass. */
  occupied: number;
}

function totals(raw: Float64Array, shape: readonly number[], nonZero: Int32Array): Totals {
  const nt = shape[0];
  const cells = raw.length;
  const A = cells / nt;
  const nnz = nonZero.length;
  const vals = new Float64Array(nnz);
  let sumRaw = 0;
  for (let e = 0; e < nnz; e++) {
    const v = raw[nonZero[e]];
    vals[e] = v;
    sumRaw += v;
  }
  const z = sumRaw + cells * FLOOR;
  const f = FLOOR / z;
  const rowRaw = new Float64Array(nt);
  let hTA = 0;
  for (let e = 0; e < nnz; e++) {
    const t = (nonZero[e] / A) | 0;
    rowRaw[t] += vals[e];
    const p = (vals[e] + FLOOR) / z;
    hTA -= p * lg(p);
  }
  hTA -= (cells - nnz) * f * lg(f);
  let occupied = 0;
  const pt = new Float64Array(nt);
  const lpt = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    if (rowRaw[t] > 0) occupied++;
    pt[t] = (rowRaw[t] + A * FLOOR) / z;
    lpt[t] = lg(pt[t]);
  }
  return { vals, z, f, hTA, hT: entropy(pt), pt, lpt, occupied };
}

/**
 * The subset-tree walk over sparse tables (the dense path's walk in decompose.ts): each child drops one source
 * from its parent; every table's specific information goes into `si`, the full set's column entropy into `hA`.
 */
class SparseWalk {
  readonly si: Float64Array;
  hA = 0;
  private readonly nt: number;
  private readonly n: number;
  private readonly A: number;
  private readonly full: number;
  private readonly total: number;
  private readonly indexOfMask: Int32Array;
  // Scratch indexed by a table key or a column; every entry is returned to 0 after use (values are > 0).
  private readonly cellScratch: Float64Array;
  private readonly colSum: Float64Array;
  private readonly colLogG: Float64Array;
  private readonly acc: Float64Array;
  private readonly lRow: Float64Array;
  private readonly occRow: Float64Array;
  private work = 0;
  private done = 0;

  constructor(
    shape: readonly number[],
    private readonly t: Totals,
  ) {
    const nt = shape[0];
    const n = shape.length - 1;
    const cells = shape.reduce((x, y) => x * y, 1);
    const combos = canonicalCombos(n);
    this.nt = nt;
    this.n = n;
    this.A = cells / nt;
    this.full = (1 << n) - 1;
    this.total = combos.length;
    this.indexOfMask = new Int32Array(1 << n);
    for (const c of combos) this.indexOfMask[c.mask] = c.index;
    this.si = new Float64Array(combos.length * nt);
    let largestChild = 0;
    for (let k = 1; k <= n; k++) largestChild = Math.max(largestChild, cells / shape[k]);
    this.cellScratch = new Float64Array(n > 1 ? largestChild : 0);
    this.colSum = new Float64Array(this.A);
    this.colLogG = new Float64Array(this.A);
    this.acc = new Float64Array(nt);
    this.lRow = new Float64Array(nt);
    this.occRow = new Float64Array(nt);
  }

  *visit(mask: number, table: SparseTable): Steps<void> {
    this.specific(table, mask);
    this.done++;
    if (this.work >= STEP_WORK) {
      this.work = 0;
      yield { stage: 'marginals', done: this.done, total: this.total };
    }
    const below = lowestMissing(mask, this.n);
    let pos = 0;
    for (let k = 1; k < below; k++) {
      if (!(mask & (1 << (k - 1)))) continue;
      pos++;
      const childMask = mask & ~(1 << (k - 1));
      if (childMask === 0) continue;
      yield* this.visit(childMask, this.project(table, pos));
    }
  }

  /** Specific information i_J(t) of one table over (target, J) into si (and H(A) for the full set). */
  private specific(table: SparseTable, mask: number): void {
    const { nt, A } = this;
    const { z, f, pt, lpt } = this.t;
    const { colSum, colLogG, acc, lRow, occRow } = this;
    const { keys, vals: c } = table;
    const aJ = table.dims.reduce((x, y) => x * y, 1) / nt;
    const mJ = A / aJ;
    const g = mJ * f;
    const colFloor = nt * mJ * FLOOR;
    const cellFloor = mJ * FLOOR;
    const cols: number[] = [];
    for (let e = 0; e < keys.length; e++) {
      const a = keys[e] % aJ;
      if (colSum[a] === 0) cols.push(a);
      colSum[a] += c[e];
    }
    let lOcc = 0;
    let hCols = 0;
    for (const a of cols) {
      const pa = (colSum[a] + colFloor) / z;
      colSum[a] = pa;
      const l = lg(g / pa);
      colLogG[a] = l;
      lOcc += l;
      if (mask === this.full) hCols -= pa * lg(pa);
    }
    acc.fill(0);
    lRow.fill(0);
    occRow.fill(0);
    for (let e = 0; e < keys.length; e++) {
      const key = keys[e];
      const t = (key / aJ) | 0;
      const a = key - t * aJ;
      const p = (c[e] + cellFloor) / z;
      acc[t] += p * (lg(p / colSum[a]) - lpt[t]);
      lRow[t] += colLogG[a];
      occRow[t]++;
    }
    // Columns with no occupied cell: P(t, a) = g and P(a) = N_t·g, so lg(g / P(a)) = −lg N_t.
    const lAll = (aJ - cols.length) * -Math.log2(nt) + lOcc;
    const base = this.indexOfMask[mask] * nt;
    for (let t = 0; t < nt; t++) {
      this.si[base + t] = (acc[t] + g * (lAll - lRow[t] - (aJ - occRow[t]) * lpt[t])) / pt[t];
    }
    if (mask === this.full) {
      const pEmpty = nt * f;
      this.hA = hCols - (aJ - cols.length) * pEmpty * lg(pEmpty);
    }
    for (const a of cols) colSum[a] = 0;
    this.work += keys.length + cols.length;
  }

  /** The table summed over axis `pos` (1-based source position in dims). */
  private project(table: SparseTable, pos: number): SparseTable {
    const { keys, vals: c, dims } = table;
    const scratch = this.cellScratch;
    let inner = 1;
    for (let i = pos + 1; i < dims.length; i++) inner *= dims[i];
    const span = dims[pos] * inner;
    const out: number[] = [];
    for (let e = 0; e < keys.length; e++) {
      const key = keys[e];
      const hi = (key / span) | 0;
      const j = hi * inner + ((key - hi * span) % inner);
      if (scratch[j] === 0) out.push(j);
      scratch[j] += c[e];
    }
    const childKeys = Int32Array.from(out);
    const childVals = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) {
      childVals[i] = scratch[out[i]];
      scratch[out[i]] = 0;
    }
    this.work += keys.length;
    return { keys: childKeys, vals: childVals, dims: dims.slice(0, pos).concat(dims.slice(pos + 1)) };
  }
}

/**
 * Decomposes `raw` (validated: finite, ≥ 0; shape target first) given the flat indices of its non-zero cells in
 * ascending order. The caller chooses this path for sparse tables whose floor value FLOOR/Σ stays a normal number.
 */
export function* sparseDecomposeSteps(
  raw: Float64Array,
  shape: readonly number[],
  nonZero: Int32Array,
): Steps<SurdResult> {
  const n = shape.length - 1;
  const t = totals(raw, shape, nonZero);
  const walk = new SparseWalk(shape, t);
  yield* walk.visit((1 << n) - 1, { keys: nonZero, vals: t.vals, dims: shape.slice() });
  const result = fullResult(canonicalCombos(n), n, walk.si, t.pt, {
    hT: t.hT,
    hTA: t.hTA,
    hA: walk.hA,
    occupied: t.occupied,
    shape,
  });
  yield { stage: 'decompose', done: 1, total: 1 };
  return result;
}
