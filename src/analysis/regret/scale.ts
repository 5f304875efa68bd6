// The unit regret is measured in inside the regret-averse penalty (docs/regret.md, "Regret aversion: scaled and raw").
// Scaled (default): regrets enter e^{k·r/R} with R = the largest regret in the matrix (the range of the regret matrix),
// so k is a pure number and multiplying every outcome by c > 0 multiplies every value by c and changes no ranking.
// R is taken from the regret matrix, not from the outcomes, because regrets do not change when one scenario's outcomes
// are all shifted by the same amount — a common catastrophe in one scenario should not soften regret aversion.
// Raw: R = 1, k has units of 1/utility (the earlier behaviour).

export const REGRET_AVERSION_MODES = ['scaled', 'raw'] as const;
export type RegretAversionMode = (typeof REGRET_AVERSION_MODES)[number];

/** The largest regret in the matrix; 0 when no option is ever beaten. */
export function largestRegret(regret: readonly (readonly number[])[]): number {
  let max = 0;
  for (const row of regret) for (const r of row) if (r > max) max = r;
  return max;
}

/** R: the divisor of r inside the exponential. Scaled with no regret anywhere → 1 (every penalty is 0 anyway). */
export function regretUnit(regret: readonly (readonly number[])[], mode: RegretAversionMode): number {
  if (mode === 'raw') return 1;
  const max = largestRegret(regret);
  return max > 0 ? max : 1;
}

/**
 * R · (e^{k·r/R} − 1)/k, the regret-averse penalty in utility units, with its k → 0 limit r. expm1 keeps precision
 * for small k·r/R; R = 1 gives the raw penalty (e^{k·r} − 1)/k.
 */
export function regretPenalty(r: number, k: number, unit = 1): number {
  return k === 0 ? r : (unit * Math.expm1((k * r) / unit)) / k;
}
