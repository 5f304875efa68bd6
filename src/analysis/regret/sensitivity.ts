// Sensitivity and robustness of a regret analysis (docs/regret.md, "Sensitivity and robustness"): dominance, the
// Laplace choice, how far the probabilities must move to change the choice, Hurwicz's α intervals, where the
// regret-averse choice changes with k, optional Dirichlet probability uncertainty, and a `fragile` flag.
// Pure; the inputs are those of computeRegret plus its regret matrix and regret unit.
import { aversionBreakpointsSteps, type AversionBreakpoints, type DecisionMatrices } from './aversion.js';
import { drain, probabilityOfBestSteps, type ProbabilityOfBest, type SamplingProgress } from './dirichlet.js';
import { upperEnvelope, type EnvelopeInterval } from './envelope.js';
import {
  probabilitySensitivity,
  twoScenarioThreshold,
  type ProbabilitySensitivity,
  type TwoScenarioThreshold,
} from './probability.js';
import { regretPenalty } from './scale.js';
import { TIE_RTOL, argmaxAll } from './ties.js';
import { RegretOverflowError } from './calculus.js';

/** Fragile when less than this much probability mass (total variation) must move to displace the choice. */
export const FRAGILE_MASS = 0.1;
/** Fragile when, under probability_concentration, the choice is best in fewer than this share of the draws. */
export const FRAGILE_SHARE = 0.8;
/** Fragile when the regret-averse choice changes for some k in [k/2, 2k]. */
export const FRAGILE_K_FACTOR = 2;

export interface Domination {
  option: number;
  /** The options that dominate it: strictly (better in every scenario) or weakly (never worse, better in one). */
  by: { option: number; strict: boolean }[];
}

export interface CriterionSensitivity extends ProbabilitySensitivity {
  /** Two scenarios only: the exact thresholds of the first scenario's probability. */
  twoScenario?: TwoScenarioThreshold;
}

export type FragileReason =
  | { code: 'tie'; options: number[] }
  | { code: 'probability_shift'; threshold: number }
  | { code: 'sampled_share'; share: number }
  | { code: 'regret_aversion'; k: number };

export interface Sensitivity {
  dominated: Domination[];
  laplace: number[];
  probability: { maxExpectedUtility: CriterionSensitivity; regretAverse: CriterionSensitivity };
  hurwicz: EnvelopeInterval[];
  regretAversion: AversionBreakpoints;
  uncertainty?: { concentration: number } & ProbabilityOfBest & {
      maxExpectedUtility: number[];
      regretAverse: number[];
    };
  fragile: { value: boolean; reasons: FragileReason[] };
}

export interface SensitivityProblem extends DecisionMatrices {
  regretUnit: number;
  regretAversion: number;
  /** Dirichlet concentration c > 0; omitted = no sampling. */
  concentration?: number;
}

export function dominance(u: readonly (readonly number[])[]): Domination[] {
  const out: Domination[] = [];
  u.forEach((row, i) => {
    const by: Domination['by'] = [];
    u.forEach((other, j) => {
      if (j === i) return;
      const never = other.every((v, s) => v >= row[s]);
      const somewhere = other.some((v, s) => v > row[s]);
      if (never && somewhere) by.push({ option: j, strict: other.every((v, s) => v > row[s]) });
    });
    if (by.length) out.push({ option: i, by });
  });
  return out;
}

export function laplaceChoice(u: readonly (readonly number[])[]): number[] {
  return argmaxAll(u.map((row) => row.reduce((a, b) => a + b, 0) / row.length));
}

/** Hurwicz H_i(α) = pess_i + α·(opt_i − pess_i): the winners over α ∈ [0, 1] with exact breakpoints. */
export function hurwiczIntervals(u: readonly (readonly number[])[]): EnvelopeInterval[] {
  return upperEnvelope(
    u.map((row) => {
      const pess = Math.min(...row);
      return { intercept: pess, slope: Math.max(...row) - pess };
    }),
  );
}

/** W[i][s] = u[i][s] − R·(e^{k·r[i][s]/R} − 1)/k, so that V_i = Σ_s p_s W[i][s] is linear in p. */
export function regretAverseValues(
  problem: Pick<SensitivityProblem, 'utilities' | 'regret' | 'regretUnit' | 'regretAversion'>,
): number[][] {
  return problem.utilities.map((row, i) =>
    row.map((v, s) => v - regretPenalty(problem.regret[i][s], problem.regretAversion, problem.regretUnit)),
  );
}

function criterion(values: readonly (readonly number[])[], p: readonly number[]): CriterionSensitivity {
  const base = probabilitySensitivity(values, p);
  return p.length === 2 ? { ...base, twoScenario: twoScenarioThreshold(values, p) } : base;
}

export function sensitivity(problem: SensitivityProblem): Sensitivity {
  return drain(sensitivitySteps(problem));
}

/** The same as a generator that yields progress during the k scan and the sampling (see aversion.ts, dirichlet.ts). */
export function* sensitivitySteps(problem: SensitivityProblem): Generator<SamplingProgress, Sensitivity, void> {
  const { utilities: u, probabilities: p } = problem;
  const ra = regretAverseValues(problem);
  // The probability thresholds subtract differences of these values; refuse rather than let Infinity/NaN through.
  for (const W of [u, ra]) {
    const flat = W.flat();
    if (!Number.isFinite(2 * (Math.max(...flat) - Math.min(...flat)))) {
      throw new RegretOverflowError(
        'the outcomes (or their regret-averse values) are too large in magnitude for the sensitivity analysis; ' +
          'rescale them (e.g. divide by 1e6)',
      );
    }
  }
  const probability = { maxExpectedUtility: criterion(u, p), regretAverse: criterion(ra, p) };
  const scan = aversionBreakpointsSteps({
    utilities: u,
    probabilities: p,
    regret: problem.regret,
    unit: problem.regretUnit,
    k: problem.regretAversion,
  });
  let step = scan.next();
  for (; !step.done; step = scan.next()) yield { stage: 'regret_aversion', ...step.value };
  const regretAversion = step.value;

  let uncertainty: Sensitivity['uncertainty'];
  if (problem.concentration !== undefined) {
    const sampled = yield* probabilityOfBestSteps([u, ra], p, problem.concentration);
    uncertainty = {
      concentration: problem.concentration,
      ...sampled,
      maxExpectedUtility: sampled.shares[0],
      regretAverse: sampled.shares[1],
    };
  }

  // The flag is about the headline recommendation, the regret-averse choice.
  const choice = probability.regretAverse.choice;
  const reasons: FragileReason[] = [];
  if (choice.length > 1) reasons.push({ code: 'tie', options: choice });
  const t = probability.regretAverse.threshold;
  // The tie tolerance keeps a threshold that is 0.1 in exact arithmetic (e.g. 0.09999999999999998) on the robust side.
  if (t !== null && choice.length === 1 && t < FRAGILE_MASS * (1 - TIE_RTOL))
    reasons.push({ code: 'probability_shift', threshold: t });
  if (uncertainty && choice.length === 1 && uncertainty.regretAverse[choice[0]] < FRAGILE_SHARE) {
    reasons.push({ code: 'sampled_share', share: uncertainty.regretAverse[choice[0]] });
  }
  const k = problem.regretAversion;
  const near = regretAversion.changes.find((c) => c.k >= k / FRAGILE_K_FACTOR && c.k <= k * FRAGILE_K_FACTOR && k > 0);
  if (near) reasons.push({ code: 'regret_aversion', k: near.k });

  return {
    dominated: dominance(u),
    laplace: laplaceChoice(u),
    probability,
    hurwicz: hurwiczIntervals(u),
    regretAversion,
    ...(uncertainty ? { uncertainty } : {}),
    fragile: { value: reasons.length > 0, reasons },
  };
}
