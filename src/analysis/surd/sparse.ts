// The full SURD decomposition of a mostly empty table (SPEC §5–§12, same definition as decompose.ts). A binned
// table is sparse: 1–6 % of the cells of the benchmark cases hold a count. After the 1e-14 floor every empty cell
// of a marginal table over (target, J) holds the same value g_J = m_J·FLOOR/z (m_J full cells summed), and every
// empty column the same P(a) = N_t·g_J, so their share of each sum is a count times one term. Work is then
// proportional to the occupied cells instead of all cells; results differ from the dense walk by rounding only
// (sums in another order; measured ≤ 1e-13 bits on the reference vectors and the benchmark cases).
import { canonicalCombos } from './combos.js';
import { fullResult, type SurdResult } from './decompose.js';
import { STEP_WORK, type Steps } from './steps.js';
import { entropy, FLOOR, lg } from './table.js';

/** Occupied cells of a table over (target, J): flat C-order keys (target first) and their raw sums. */
interface SparseTable {
  keys: Int32Array;
  vals: Float64Array;
  /** Axis sizes, target first. */
  dims: number[];
}

/**
 * Decomposes `raw` (validated: finite, ≥ 0; shape target first) given the flat indices of its non-zero cells in
 * ascending order. The caller chooses this path for sparse tables whose floor value FLOOR/Σ stays a normal number.
 */
export function* sparseDecomposeSteps(raw: Float64Array, shape: readonly number[], nonZero: Int32Array): Steps<SurdResult> {
  const nt = shape[0];
  const n = shape.length - 1;
  const cells = raw.length;
  const A = cells / nt;
  const nnz = nonZero.length;
  const combos = canonicalCombos(n);
  const indexOfMask = new Int32Array(1 << n);
  for (const c of combos) indexOfMask[c.mask] = c.index;
  const full = (1 << n) - 1;

  const vals = new Float64Array(nnz);
  let sumRaw = 0;
  for (let e = 0; e < nnz; e++) {
    const v = raw[nonZero[e]];
    vals[e] = v;
    sumRaw += v;
  }
  const z = sumRaw + cells * FLOOR;
  const f = FLOOR / z;

  // Target marginal and H(T, A).
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
  const hT = entropy(pt);

  const si = new Float64Array(combos.length * nt);
  let hA = 0;
  // Scratch indexed by a table key or a column; every entry is returned to 0 after use (values are > 0).
  let largestChild = 0;
  for (let k = 1; k <= n; k++) largestChild = Math.max(largestChild, cells / shape[k]);
  const cellScratch = new Float64Array(n > 1 ? largestChild : 0);
  const colSum = new Float64Array(A);
  const colLogG = new Float64Array(A);
  const acc = new Float64Array(nt);
  const lRow = new Float64Array(nt);
  const occRow = new Float64Array(nt);
  let work = 0;
  let done = 0;

  function specific(table: SparseTable, mask: number): void {
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
      if (mask === full) hCols -= pa * lg(pa);
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
    const base = indexOfMask[mask] * nt;
    for (let t = 0; t < nt; t++) {
      si[base + t] = (acc[t] + g * (lAll - lRow[t] - (aJ - occRow[t]) * lpt[t])) / pt[t];
    }
    if (mask === full) {
      const pEmpty = nt * f;
      hA = hCols - (aJ - cols.length) * pEmpty * lg(pEmpty);
    }
    for (const a of cols) colSum[a] = 0;
    work += keys.length + cols.length;
  }

  /** The table summed over axis `pos` (1-based source position in dims). */
  function project(table: SparseTable, pos: number): SparseTable {
    const { keys, vals: c, dims } = table;
    let inner = 1;
    for (let i = pos + 1; i < dims.length; i++) inner *= dims[i];
    const span = dims[pos] * inner;
    const out: number[] = [];
    for (let e = 0; e < keys.length; e++) {
      const key = keys[e];
      const hi = (key / span) | 0;
      const j = hi * inner + (key - hi * span) % inner;
      if (cellScratch[j] === 0) out.push(j);
      cellScratch[j] += c[e];
    }
    const childKeys = Int32Array.from(out);
    const childVals = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) {
      childVals[i] = cellScratch[out[i]];
      cellScratch[out[i]] = 0;
    }
    work += keys.length;
    return { keys: childKeys, vals: childVals, dims: dims.slice(0, pos).concat(dims.slice(pos + 1)) };
  }

  // Same subset-tree walk as the dense path: each child drops one source from its parent.
  function* visit(mask: number, table: SparseTable): Steps<void> {
    specific(table, mask);
    done++;
    if (work >= STEP_WORK) {
      work = 0;
      yield { stage: 'marginals', done, total: combos.length };
    }
    let lowestMissing = n + 1;
    for (let k = 1; k <= n; k++) {
      if (!(mask & (1 << (k - 1)))) {
        lowestMissing = k;
        break;
      }
    }
    let pos = 0;
    for (let k = 1; k < lowestMissing; k++) {
      if (!(mask & (1 << (k - 1)))) continue;
      pos++;
      const childMask = mask & ~(1 << (k - 1));
      if (childMask === 0) continue;
      yield* visit(childMask, project(table, pos));
    }
  }
  yield* visit(full, { keys: nonZero, vals, dims: shape.slice() });

  const result = fullResult(combos, n, si, pt, { hT, hTA, hA, occupied, shape });
  yield { stage: 'decompose', done: 1, total: 1 };
  return result;
}
