// Where the regret-averse choice changes as k varies (docs/regret.md, "Regret-aversion breakpoints").
// V_i(k) = EU_i − Σ_s p_s · R·(e^{k·r_is/R} − 1)/k is a sum of exponentials in k, so the crossings have no closed form.
// They are located on a uniform grid of KAPPA_STEPS steps of the dimensionless κ = k·(largest regret)/R — so the scan
// covers the same curves in scaled and raw mode — and each change is refined by bisection to machine precision.
// Two changes closer together than one grid step may be missed; the grid step is reported with the result.
import { argmaxAll } from './ties.js';
import { regretPenalty } from './scale.js';

/** κ = k·(largest regret)/R is scanned over [0, max(KAPPA_MIN_RANGE, 2·κ_given)], capped at KAPPA_MAX. */
export const KAPPA_MIN_RANGE = 10;
/** e^{κ} overflows a double just above 709. */
export const KAPPA_MAX = 700;
export const KAPPA_STEPS = 2000;

export interface AversionChange {
  /** k (in the caller's units) at which the choice changes. */
  k: number;
  from: number[];
  to: number[];
}

export interface AversionBreakpoints {
  /** The scanned range of k, in the caller's units (it ends early where the penalty would overflow a double). */
  range: [number, number];
  /** Grid step in k: changes closer together than this may be missed. */
  resolution: number;
  /** The regret-averse choice at k = 0 (= argmax EU − expected regret = the max-EU choice). */
  atZero: number[];
  changes: AversionChange[];
}

/** The options × scenarios matrices every sensitivity question reads. */
export interface DecisionMatrices {
  utilities: readonly (readonly number[])[];
  probabilities: readonly number[];
  regret: readonly (readonly number[])[];
}

export interface AversionProblem extends DecisionMatrices {
  /** R of scale.ts (1 in raw mode). */
  unit: number;
  /** The k the caller asked for (sets the range). */
  k: number;
}

function values(problem: AversionProblem, k: number): number[] {
  const { utilities: u, probabilities: p, regret: r, unit } = problem;
  return u.map((row, i) => {
    let v = 0;
    for (let s = 0; s < p.length; s++) v += p[s] * (row[s] - regretPenalty(r[i][s], k, unit));
    return v;
  });
}

const sameSet = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Grid steps between two progress points of aversionBreakpointsSteps. */
export const KAPPA_CHUNK = 250;

export function aversionBreakpoints(problem: AversionProblem): AversionBreakpoints {
  for (const steps = aversionBreakpointsSteps(problem); ;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The scan as a generator that yields every KAPPA_CHUNK grid steps (progress, cancellation). */
export function* aversionBreakpointsSteps(
  problem: AversionProblem,
): Generator<{ done: number; total: number }, AversionBreakpoints, void> {
  let maxRegret = 0;
  for (const row of problem.regret) for (const x of row) maxRegret = Math.max(maxRegret, x);
  // k per unit of κ: κ = k·maxRegret/unit. With no regret anywhere V = EU for every k; κ = k then.
  const kPerKappa = maxRegret > 0 ? problem.unit / maxRegret : 1;
  const kappaMax = Math.min(KAPPA_MAX, Math.max(KAPPA_MIN_RANGE, (2 * problem.k) / kPerKappa));
  const kMax = kappaMax * kPerKappa;
  const step = kMax / KAPPA_STEPS;
  const choiceAt = (k: number) => argmaxAll(values(problem, k));

  const atZero = choiceAt(0);
  const changes: AversionChange[] = [];
  let prevK = 0;
  let prev = atZero;
  for (let t = 1; t <= KAPPA_STEPS; t++) {
    const k = t === KAPPA_STEPS ? kMax : t * step;
    const v = values(problem, k);
    // With a large R and k near the top of the range the penalty can overflow a double: the scan ends there.
    if (!v.every(Number.isFinite)) return { range: [0, prevK], resolution: step, atZero, changes };
    const now = argmaxAll(v);
    if (!sameSet(now, prev)) {
      changes.push({ k: refine(problem, prevK, k, prev, now), from: prev, to: now });
      prev = now;
    }
    prevK = k;
    if (t % KAPPA_CHUNK === 0 && t < KAPPA_STEPS) yield { done: t, total: KAPPA_STEPS };
  }
  return { range: [0, kMax], resolution: step, atZero, changes };
}

/** Bisection on V_a − V_b between lo (a still at least as good) and hi (b better or level), a = old leader, b = new. */
function refine(problem: AversionProblem, lo: number, hi: number, from: number[], to: number[]): number {
  const a = from.find((i) => !to.includes(i)) ?? from[0];
  const b = to.find((i) => !from.includes(i)) ?? to[0];
  if (a === b) return hi;
  for (let it = 0; it < 200 && hi - lo > Number.EPSILON * hi; it++) {
    const mid = 0.5 * (lo + hi);
    const v = values(problem, mid);
    if (v[a] > v[b]) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
