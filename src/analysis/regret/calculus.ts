// Regret calculus on an options × scenarios utility matrix (Savage regret, expected utility, a regret-averse value,
// three scenario views, Hurwicz, EVPI) — the normative formulas of docs/regret.md. Pure and deterministic; the caller
// validates shapes, finiteness and probabilities first (see validate.ts).
import { TIE_RTOL, argmaxAll, argminAll } from './ties.js';
import { regretPenalty, regretUnit, type RegretAversionMode } from './scale.js';

export interface RegretProblem {
  /** u[i][s]: utility of option i in scenario s. */
  utilities: readonly (readonly number[])[];
  /** p[s] ≥ 0, Σ p = 1. */
  probabilities: readonly number[];
  /** k ≥ 0; 0 means regret enters linearly. */
  regretAversion: number;
  /** α in [0, 1]: weight of the best case in the Hurwicz criterion. */
  hurwiczAlpha: number;
  /** Unit of regret inside the exponential (scale.ts); omitted = 'raw' (R = 1). */
  regretAversionMode?: RegretAversionMode;
}

export interface OptionMetrics {
  expectedUtility: number;
  expectedRegret: number;
  maxRegret: number;
  /** V = EU − Σ p R (e^{k r/R} − 1)/k. */
  regretAverseValue: number;
  optimistic: number;
  base: number;
  pessimistic: number;
  hurwicz: number;
}

export const RECOMMENDATION_KEYS = [
  'minimax_regret',
  'max_expected_utility',
  'regret_averse',
  'maximin',
  'maximax',
  'hurwicz',
] as const;
export type RecommendationKey = (typeof RECOMMENDATION_KEYS)[number];

export interface Counterfactual {
  /** The regret-averse choice this counterfactual is about. */
  forOption: number;
  scenario: number;
  probability: number;
  /** Options that are best in this scenario. */
  betterOptions: number[];
  bestUtility: number;
  utility: number;
  regret: number;
}

export interface RegretResult {
  /** r[i][s] = max_j u[j][s] − u[i][s]. */
  regret: number[][];
  /** max_j u[j][s] per scenario. */
  bestPerScenario: number[];
  metrics: OptionMetrics[];
  /** R, the unit regret is measured in inside the exponential (1 in raw mode). */
  regretUnit: number;
  evpi: number;
  /** Option indices per criterion; ties listed together, in input order. */
  recommendations: Record<RecommendationKey, number[]>;
  counterfactuals: Counterfactual[];
}

/** Raised when e^{k·r} overflows a double; the caller reports it as an input problem (no silent clipping). */
export class RegretOverflowError extends Error {
  override name = 'RegretOverflowError';
}

// Finite inputs can still overflow (e.g. 1e308 − (−1e308)); report it rather than return Infinity/NaN.
function tooLarge(): RegretOverflowError {
  return new RegretOverflowError(
    'the outcomes are too large in magnitude for double-precision sums; rescale them (e.g. divide by 1e6)',
  );
}

function dot(p: readonly number[], row: readonly number[]): number {
  let sum = 0;
  for (let s = 0; s < row.length; s++) sum += p[s] * row[s];
  return sum;
}

export function computeRegret(problem: RegretProblem): RegretResult {
  const { utilities: u, probabilities: p, regretAversion: k, hurwiczAlpha: alpha } = problem;
  const mode = problem.regretAversionMode ?? 'raw';
  const nOptions = u.length;
  const nScenarios = p.length;

  const bestPerScenario: number[] = [];
  for (let s = 0; s < nScenarios; s++) {
    let best = -Infinity;
    for (let i = 0; i < nOptions; i++) if (u[i][s] > best) best = u[i][s];
    bestPerScenario.push(best);
  }
  const regret = u.map((row) => row.map((v, s) => bestPerScenario[s] - v));
  if (!regret.every((row) => row.every(Number.isFinite))) throw tooLarge();
  const unit = regretUnit(regret, mode);

  const metrics: OptionMetrics[] = u.map((row, i) => {
    const r = regret[i];
    const expectedUtility = dot(p, row);
    let penalty = 0;
    for (let s = 0; s < nScenarios; s++) penalty += p[s] * regretPenalty(r[s], k, unit);
    if (!Number.isFinite(penalty)) {
      throw new RegretOverflowError(
        mode === 'raw'
          ? `regret_aversion k = ${k} times a regret of ${Math.max(...r)} overflows e^{k·r} (raw mode); lower ` +
              'regret_aversion, rescale the outcomes or use regret_aversion_mode "scaled"'
          : `regret_aversion k = ${k} makes the penalty R·(e^{k·r/R} − 1)/k overflow a double (scaled mode, R = ` +
              `${unit}, r/R ≤ 1); lower regret_aversion`,
      );
    }
    const optimistic = Math.max(...row);
    const pessimistic = Math.min(...row);
    return {
      expectedUtility,
      expectedRegret: dot(p, r),
      maxRegret: Math.max(...r),
      regretAverseValue: expectedUtility - penalty,
      optimistic,
      base: expectedUtility,
      pessimistic,
      hurwicz: alpha * optimistic + (1 - alpha) * pessimistic,
    };
  });

  const eus = metrics.map((m) => m.expectedUtility);
  const evpi = dot(p, bestPerScenario) - Math.max(...eus);
  if (!Number.isFinite(evpi) || !metrics.every((m) => Object.values(m).every(Number.isFinite))) throw tooLarge();

  const recommendations: Record<RecommendationKey, number[]> = {
    minimax_regret: argminAll(metrics.map((m) => m.maxRegret)),
    max_expected_utility: argmaxAll(eus),
    regret_averse: argmaxAll(metrics.map((m) => m.regretAverseValue)),
    maximin: argmaxAll(metrics.map((m) => m.pessimistic)),
    maximax: argmaxAll(metrics.map((m) => m.optimistic)),
    hurwicz: argmaxAll(metrics.map((m) => m.hurwicz)),
  };

  const counterfactuals: Counterfactual[] = [];
  for (const i of recommendations.regret_averse) {
    for (let s = 0; s < nScenarios; s++) {
      const tol = TIE_RTOL * Math.max(1, Math.abs(bestPerScenario[s]), Math.abs(u[i][s]));
      if (regret[i][s] <= tol) continue;
      counterfactuals.push({
        forOption: i,
        scenario: s,
        probability: p[s],
        betterOptions: argmaxAll(u.map((row) => row[s])),
        bestUtility: bestPerScenario[s],
        utility: u[i][s],
        regret: regret[i][s],
      });
    }
  }
  // Largest regret first; equal regrets by the likelier scenario, then input order (stable and deterministic).
  counterfactuals.sort(
    (a, b) =>
      b.regret - a.regret || b.probability - a.probability || a.forOption - b.forOption || a.scenario - b.scenario,
  );

  return { regret, bestPerScenario, metrics, regretUnit: unit, evpi, recommendations, counterfactuals };
}
