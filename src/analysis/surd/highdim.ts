// The high-dimensional variant (reference `surd_hd`, SPEC §13): no full joint table. Every table needed —
// the target alone, each combination J of size ≤ maxOrder alone, and the target with J — is counted from
// the samples and floored/normalised on its own. Leak = 1 − Σ parts / H(T).
import type { BinnedAxes } from './binning.js';
import { canonicalCombos } from './combos.js';
import { MAX_SOURCES } from './decompose.js';
import { SurdInputError } from './errors.js';
import { assemble, type SurdResult } from './result.js';
import { STEP_WORK, type Steps } from './steps.js';
import { entropy, floorAndNormalise, specificInformation } from './table.js';

const CHUNK = 1 << 16;

export function* highDimSteps(binned: BinnedAxes, maxOrder: number): Steps<SurdResult> {
  const { index, binnings, nPairs } = binned;
  const n = index.length - 1;
  if (n < 1) throw new SurdInputError('at least one source is needed', 'sources');
  if (n > MAX_SOURCES) throw new SurdInputError(`${n} sources; at most ${MAX_SOURCES} are supported`, 'sources');
  if (!Number.isInteger(maxOrder) || maxOrder < 1)
    throw new SurdInputError(`max_order must be an integer ≥ 1 (got ${maxOrder})`, 'max_order');
  const order = Math.min(maxOrder, n);
  const nt = binnings[0].bins;
  if (nt < 2) throw new SurdInputError('at least 2 target bins are needed', 'bins');

  // Target alone.
  const pt = new Float64Array(nt);
  const tIdx = index[0];
  for (let m = 0; m < nPairs; m++) pt[tIdx[m]] += 1;
  let occupied = 0;
  for (let t = 0; t < nt; t++) if (pt[t] > 0) occupied++;
  floorAndNormalise(pt);

  const combos = canonicalCombos(n, order);
  const si = new Float64Array(combos.length * nt);
  const buf = new Int32Array(Math.min(CHUNK, Math.max(1, nPairs)));
  let work = 0;
  for (const combo of combos) {
    let a = 1;
    for (const k of combo.members) a *= binnings[k].bins;
    // Raw counts of (target, J), C order with the target first.
    const pta = new Float64Array(nt * a);
    for (let start = 0; start < nPairs; start += CHUNK) {
      const len = Math.min(CHUNK, nPairs - start);
      for (let i = 0; i < len; i++) buf[i] = tIdx[start + i];
      for (const k of combo.members) {
        const B = binnings[k].bins;
        const idx = index[k];
        for (let i = 0; i < len; i++) buf[i] = buf[i] * B + idx[start + i];
      }
      for (let i = 0; i < len; i++) pta[buf[i]] += 1;
      work += len * (combo.size + 1);
      if (work >= STEP_WORK) {
        work = 0;
        yield { stage: 'marginals', done: combo.index, total: combos.length };
      }
    }
    // J alone: summing integer counts over the target is exact, so this equals counting J's samples.
    const pa = new Float64Array(a);
    for (let t = 0; t < nt; t++) for (let i = 0; i < a; i++) pa[i] += pta[t * a + i];
    floorAndNormalise(pa);
    floorAndNormalise(pta);
    specificInformation(pta, pa, pt, si, combo.index * nt);
    work += pta.length;
    if (work >= STEP_WORK) {
      work = 0;
      yield { stage: 'marginals', done: combo.index + 1, total: combos.length };
    }
  }

  const parts = assemble(combos, n, si, pt);
  const hT = entropy(pt);
  yield { stage: 'decompose', done: 1, total: 1 };
  return {
    variant: 'high_dimensional',
    nSources: n,
    maxOrder: order,
    ...parts,
    miTotal: order === n ? parts.mutualInformation[combos[combos.length - 1].key] : null,
    entropyTarget: hT,
    condEntropyTarget: null,
    infoLeak: 1 - parts.sumOfComponents / hT,
    targetMarginal: pt,
    targetStatesOccupied: occupied,
    shape: binnings.map((b) => b.bins),
  };
}
