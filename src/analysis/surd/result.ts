// The SURD result record and its assembly from the specific information (SPEC §9–§12), shared by the dense walk
// (decompose.ts), the sparse walk (sparse.ts) and the high-dimensional variant (highdim.ts).
import { canonicalCombos, type Combo } from './combos.js';
import { Ladder } from './ladder.js';

export interface SurdResult {
  variant: 'full' | 'high_dimensional';
  nSources: number;
  /** Largest combination size that took part (n for the full variant). */
  maxOrder: number;
  /** Keys "i,j,…" (1-based, ascending), every combination of size ≥ 2 up to n, canonical order. */
  redundant: Record<string, number>;
  /** Keys "1".."n". */
  unique: Record<string, number>;
  /** Every combination of size 2..maxOrder. */
  synergistic: Record<string, number>;
  /** MI between the target and each combination of size ≤ maxOrder, bits. */
  mutualInformation: Record<string, number>;
  /** MI of the full source set; null when the high-dimensional variant did not reach it. */
  miTotal: number | null;
  /** Σ redundant + Σ unique + Σ synergistic. */
  sumOfComponents: number;
  entropyTarget: number;
  /** H(T | all sources) (full variant only). */
  condEntropyTarget: number | null;
  /** Full: H(T|A)/H(T). High-dimensional: 1 − Σ parts / H(T). */
  infoLeak: number;
  /** p(t) after the floor. */
  targetMarginal: Float64Array;
  /** Specific information i_J(t) per combination key. */
  specificInformation: Record<string, Float64Array>;
  /** Target states with non-zero raw mass (before the floor). */
  targetStatesOccupied: number;
  /** Table shape (target first); per-axis bins in the high-dimensional variant. */
  shape: number[];
}

/** The full-order result from the specific information and the target's entropies (dense and sparse paths alike). */
export function fullResult(
  combos: Combo[],
  n: number,
  si: Float64Array,
  pt: Float64Array,
  e: { hT: number; hTA: number; hA: number; occupied: number; shape: readonly number[] },
): SurdResult {
  const parts = assemble(combos, n, si, pt);
  const hTgivenA = e.hTA - e.hA;
  return {
    variant: 'full',
    nSources: n,
    maxOrder: n,
    ...parts,
    miTotal: parts.mutualInformation[combos[combos.length - 1].key],
    entropyTarget: e.hT,
    condEntropyTarget: hTgivenA,
    infoLeak: hTgivenA / e.hT,
    targetMarginal: pt,
    targetStatesOccupied: e.occupied,
    shape: e.shape.slice(),
  };
}

/** Shared result assembly: ladder over every state, records in canonical key order. */
export function assemble(
  combos: Combo[],
  n: number,
  si: Float64Array,
  pt: Float64Array,
): Pick<
  SurdResult,
  'redundant' | 'unique' | 'synergistic' | 'mutualInformation' | 'sumOfComponents' | 'specificInformation'
> {
  const nt = pt.length;
  const ru = new Float64Array(1 << n);
  const s = new Float64Array(1 << n);
  const ladder = new Ladder(combos, n);
  for (let t = 0; t < nt; t++) ladder.step(si, nt, t, pt[t], ru, s);

  const mutualInformation: Record<string, number> = {};
  const specific: Record<string, Float64Array> = {};
  for (const c of combos) {
    let mi = 0;
    for (let t = 0; t < nt; t++) mi += si[c.index * nt + t] * pt[t];
    mutualInformation[c.key] = mi;
    specific[c.key] = si.slice(c.index * nt, (c.index + 1) * nt);
  }
  const unique: Record<string, number> = {};
  const redundant: Record<string, number> = {};
  let sum = 0;
  for (const c of canonicalCombos(n)) {
    if (c.size === 1) unique[c.key] = ru[c.mask];
    else redundant[c.key] = ru[c.mask];
    sum += ru[c.mask];
  }
  const synergistic: Record<string, number> = {};
  for (const c of combos) {
    if (c.size < 2) continue;
    synergistic[c.key] = s[c.mask];
    sum += s[c.mask];
  }
  return { redundant, unique, synergistic, mutualInformation, sumOfComponents: sum, specificInformation: specific };
}
