// The per-target-state core of SURD (SPEC §10): order the specific informations, zero the combinations
// that do not beat the best of the next-lower size, and hand out the increments along the ladder.
import type { Combo } from './combos.js';

export class Ladder {
  private readonly n: number;
  private readonly combos: readonly Combo[];
  /** [start, end) of each size's block in canonical order; combos come sorted by size. */
  private readonly sizeStart: number[];
  private readonly maxSize: number;
  private readonly val: Float64Array;
  private readonly cur: Float64Array;
  private readonly order: number[];
  private readonly cmp: (a: number, b: number) => number;

  constructor(combos: readonly Combo[], nSources: number) {
    this.n = nSources;
    this.combos = combos;
    this.maxSize = combos.reduce((m, c) => Math.max(m, c.size), 0);
    this.sizeStart = new Array<number>(this.maxSize + 2).fill(combos.length);
    for (let i = combos.length - 1; i >= 0; i--) this.sizeStart[combos[i].size] = i;
    this.val = new Float64Array(combos.length);
    this.cur = new Float64Array(combos.length);
    this.order = combos.map((c) => c.index);
    const { val, cur } = this;
    // Equivalent to two stable ascending sorts with the exclusion in between: value after exclusion,
    // then original value, then canonical position. A total order, so the sort's stability is moot.
    this.cmp = (a, b) => {
      if (cur[a] < cur[b]) return -1;
      if (cur[a] > cur[b]) return 1;
      if (val[a] < val[b]) return -1;
      if (val[a] > val[b]) return 1;
      return a - b;
    };
  }

  /**
   * Adds one target state's contributions. `si` holds specific informations laid out [combo][state];
   * `weight` is p(t). `ru` and `s` are indexed by source mask.
   */
  step(si: Float64Array, nt: number, t: number, weight: number, ru: Float64Array, s: Float64Array): void {
    const { val, cur, order, combos, sizeStart } = this;
    const count = combos.length;
    for (let c = 0; c < count; c++) val[c] = cur[c] = si[c * nt + t];

    // Exclusion, cascading through sizes: the threshold is the size-k maximum after size k's own step.
    for (let k = 1; k < this.maxSize; k++) {
      let m = -Infinity;
      for (let c = sizeStart[k]; c < sizeStart[k + 1]; c++) if (cur[c] > m) m = cur[c];
      for (let c = sizeStart[k + 1]; c < sizeStart[k + 2]; c++) if (cur[c] < m) cur[c] = 0;
    }

    for (let c = 0; c < count; c++) order[c] = c;
    order.sort(this.cmp);

    // Walk: a single source passes its step to every single not yet passed (itself included);
    // a combination takes the step from whatever precedes it.
    let remaining = this.n >= 31 ? -1 : (1 << this.n) - 1;
    let prev = 0;
    for (let i = 0; i < count; i++) {
      const c = order[i];
      const v = cur[c];
      const w = (v - prev) * weight;
      prev = v;
      const combo = combos[c];
      if (combo.size === 1) {
        ru[remaining] += w;
        remaining &= ~combo.mask;
      } else {
        s[combo.mask] += w;
      }
    }
  }
}
