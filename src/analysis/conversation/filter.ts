// Local-level Kalman filter over a vector observation with one shared gain (CONVERSATION_PARAMS.filter).
// Variances are kept in units of the observation noise Var(v), so only the signal-to-noise ratio enters.

export interface LevelState {
  mean: number[];
  /** Posterior variance of the level / Var(v). */
  variance: number;
}

/** First observation under a diffuse prior: the level is the observation, variance 1 (= Var(v)). */
export function initLevel(y: readonly number[]): LevelState {
  return { mean: [...y], variance: 1 };
}

/**
 * One predict + update step. `q` is Var(w) / Var(v) for this step. Returns the new state and the gain
 * K = P⁻ / (P⁻ + 1) with P⁻ = P + q; the posterior variance (1 − K) P⁻ equals K in these units.
 */
export function stepLevel(s: LevelState, y: readonly number[], q: number): { state: LevelState; gain: number } {
  const prior = s.variance + q;
  const gain = prior / (prior + 1);
  return { state: { mean: s.mean.map((m, i) => m + gain * (y[i] - m)), variance: gain }, gain };
}

/** Var(w) / Var(v) between two turns of one speaker: snr, scaled up by the time gap when both times are known. */
export function processNoise(snr: number, gapSeconds: number, dt: number | null): number {
  return dt === null ? snr : snr * (1 + Math.max(0, dt) / gapSeconds);
}
