// Tie-aware arg-max / arg-min. Floating-point sums of the same numbers in a different order can differ in the last
// bits, so two options whose scores agree to within a tiny relative tolerance are reported together rather than one
// being picked arbitrarily.

/** Relative tolerance for ties: |a − b| ≤ TIE_RTOL · max(1, largest |value| compared). */
export const TIE_RTOL = 1e-9;

function tolerance(values: readonly number[]): number {
  let scale = 1;
  for (const v of values) if (Math.abs(v) > scale) scale = Math.abs(v);
  return TIE_RTOL * scale;
}

/** Indices of every entry within the tie tolerance of the maximum, in input order. */
export function argmaxAll(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const best = Math.max(...values);
  const tol = tolerance(values);
  const out: number[] = [];
  values.forEach((v, i) => {
    if (best - v <= tol) out.push(i);
  });
  return out;
}

/** Indices of every entry within the tie tolerance of the minimum, in input order. */
export function argminAll(values: readonly number[]): number[] {
  return argmaxAll(values.map((v) => -v));
}
