// Choosing the lag: the same decomposition at every lag 1..K on one common window, each lag's total information
// tested against target-shifted surrogates, the K p-values corrected for the family of K tests (Holm 1979, which
// controls the family-wise error rate under any dependence between the tests).

/** Holm's step-down adjusted p-values, in the input order: p̃(i) = max over j ≤ i of min(1, (m − j + 1)·p(j)). */
export function holmAdjust(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([v, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * v));
    out[i] = running;
  });
  return out;
}

export interface LagEvidence {
  lag: number;
  /** Observed total information, bits. */
  mutualInformation: number;
  /** Mean of the target-shifted surrogates: the bias alone. */
  surrogateMean: number;
  /** Holm-adjusted p-value of the total. */
  pAdjusted: number;
}

/**
 * The best-supported lag: among the lags significant at `alpha` after the correction, the one whose information
 * exceeds its surrogate mean the most (bits above bias); the smaller lag on a tie. null when none is significant.
 */
export function bestSupportedLag(lags: readonly LagEvidence[], alpha = 0.05): number | null {
  let best: LagEvidence | null = null;
  for (const l of lags) {
    if (!(l.pAdjusted < alpha)) continue;
    const excess = l.mutualInformation - l.surrogateMean;
    if (best === null || excess > best.mutualInformation - best.surrogateMean) best = l;
  }
  return best === null ? null : best.lag;
}
