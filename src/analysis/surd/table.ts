// Probability-table helpers (SPEC §2, §5–§8). Plain left-to-right sums and Math.log2: the spec measured
// this to agree with the reference within ~4e-13, far inside the 1e-9 target.

/** Absolute floor added to every raw cell before normalising (part of the definition, SPEC §15.1). */
export const FLOOR = 1e-14;

/** Guarded base-2 log: 0 for 0, NaN and ±Infinity, as the reference's `mylog`. */
export function lg(x: number): number {
  return x !== 0 && x > -Infinity && x < Infinity ? Math.log2(x) : 0;
}

/** In place: cell += 1e-14, then cell /= (sum of all cells). Returns the sum before division. */
export function floorAndNormalise(table: Float64Array): number {
  let z = 0;
  for (let i = 0; i < table.length; i++) {
    table[i] += FLOOR;
    z += table[i];
  }
  for (let i = 0; i < table.length; i++) table[i] /= z;
  return z;
}

/** −Σ p lg p. Runs of equal cells (the floor-only cells of a sparse table) reuse the last log: same bits. */
export function entropy(p: Float64Array): number {
  let h = 0;
  let lastV = NaN;
  let lastTerm = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (v !== lastV) {
      lastV = v;
      lastTerm = v * lg(v);
    }
    h -= lastTerm;
  }
  return h;
}

/** Sums a C-order table over axis r; returns the smaller table (the caller keeps track of shapes). */
export function sumAxis(src: Float64Array, dims: readonly number[], r: number): Float64Array {
  let outer = 1;
  for (let i = 0; i < r; i++) outer *= dims[i];
  let inner = 1;
  for (let i = r + 1; i < dims.length; i++) inner *= dims[i];
  const mid = dims[r];
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    for (let m = 0; m < mid; m++) {
      const ib = (o * mid + m) * inner;
      for (let i = 0; i < inner; i++) out[ob + i] += src[ib + i];
    }
  }
  return out;
}

/** p(t) = Σ over all source states, from a table whose axis 0 is the target (contiguous slices). */
export function targetMarginal(p: Float64Array, nt: number): Float64Array {
  const a = p.length / nt;
  const pt = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    let s = 0;
    const base = t * a;
    for (let i = 0; i < a; i++) s += p[base + i];
    pt[t] = s;
  }
  return pt;
}

/** Σ over the target axis: p(a) for a table laid out as [Nt, A]. Written into `out` (length A). */
export function sourceMarginal(p: Float64Array, nt: number, out: Float64Array): Float64Array {
  const a = out.length;
  out.fill(0);
  for (let t = 0; t < nt; t++) {
    const base = t * a;
    for (let i = 0; i < a; i++) out[i] += p[base + i];
  }
  return out;
}

/**
 * Specific mutual information (SPEC §8) for every target state:
 *   i(t) = Σ_a [P(t,a)/p(t)] · ( lg(P(t,a)/P(a)) − lg p(t) )
 * `pta` is the [Nt, A] table P(t, a), `pa` the matching P(a), `pt` the target marginal. Result → out[t].
 */
export function specificInformation(
  pta: Float64Array,
  pa: Float64Array,
  pt: Float64Array,
  out: Float64Array,
  outOffset: number,
): void {
  const nt = pt.length;
  const a = pa.length;
  // Per source state, the last cell value and its lg(P(t,a)/P(a)): in sparse tables most cells of a column
  // hold the same floor value, so this skips most logarithms without changing a single bit.
  const lastV = new Float64Array(a).fill(NaN);
  const lastLog = new Float64Array(a);
  for (let t = 0; t < nt; t++) {
    const ptt = pt[t];
    const lpt = lg(ptt);
    const base = t * a;
    let s = 0;
    for (let i = 0; i < a; i++) {
      const v = pta[base + i];
      if (v !== lastV[i]) {
        lastV[i] = v;
        lastLog[i] = lg(v / pa[i]);
      }
      s += (v / ptt) * (lastLog[i] - lpt);
    }
    out[outOffset + t] = s;
  }
}
