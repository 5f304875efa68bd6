// How far the scenario probabilities must move before a choice changes (docs/regret.md, "Probability sensitivity").
// A criterion that is linear in p — expected utility Σ p·u, and the regret-averse value Σ p·(u − penalty(r)) because
// regrets do not depend on p — picks argmax_i W[i]·p. The distance is total variation, TV(p, q) = ½ Σ |p_s − q_s|:
// the probability mass that has to be moved from some scenarios to others.
//
// For the current (unique) choice i and a rival j let d = W[j] − W[i] and g = d·p < 0. Moving mass t from scenario a
// to scenario b changes d·p by t·(d_b − d_a), so the cheapest way to close the gap is to move mass into the scenario
// b* with the largest d_b, taking it first from the scenarios with the smallest d_a (a fractional knapsack, solved
// exactly by this greedy order). The smallest such mass over all rivals is the threshold: any q with TV(p, q) below
// it keeps i best, and at it i ties with the rival(s) named.
import { upperEnvelope } from './envelope.js';
import { argmaxAll } from './ties.js';

export interface ProbabilityMove {
  /** Scenario that receives the moved mass. */
  to: number;
  /** Scenarios the mass is taken from, with the amount taken from each (they sum to the threshold). */
  from: { scenario: number; amount: number }[];
}

export interface ProbabilitySensitivity {
  /** The choice (indices) at the given probabilities. */
  choice: number[];
  /**
   * Smallest total-variation distance to probabilities at which the choice is no longer the unique best: 0 when the
   * choice is already a tie; null when no probability vector changes it (one scenario, or the choice is at least as
   * good as every rival in every scenario).
   */
  threshold: number | null;
  /** The rival(s) that tie with the choice at the threshold. */
  rivals: number[];
  move: ProbabilityMove | null;
  /** p after the move: the nearest probabilities at which the choice ties with `rivals`. */
  probabilitiesAtThreshold: number[] | null;
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, k) => s + x * b[k], 0);

/** The cheapest move (greedy above) making rival j tie with i, or null when j can never overtake i. */
export function closingMove(
  values: readonly (readonly number[])[],
  p: readonly number[],
  i: number,
  j: number,
): { mass: number; move: ProbabilityMove } | null {
  const d = values[j].map((v, s) => v - values[i][s]);
  let to = 0;
  for (let s = 1; s < d.length; s++) if (d[s] > d[to]) to = s;
  if (!(d[to] > 0)) return null; // j is nowhere better than i: it can tie at most, never overtake
  let need = -dot(d, p);
  if (need <= 0) return { mass: 0, move: { to, from: [] } };
  const sources = d
    .map((_, s) => s)
    .filter((s) => s !== to && p[s] > 0 && d[s] < d[to])
    .sort((a, b) => d[a] - d[b] || a - b);
  const from: { scenario: number; amount: number }[] = [];
  let mass = 0;
  for (const s of sources) {
    const gain = d[to] - d[s];
    const amount = need <= p[s] * gain ? need / gain : p[s];
    from.push({ scenario: s, amount });
    mass += amount;
    need -= amount * gain;
    if (amount < p[s] || need <= 0) return { mass, move: { to, from } };
  }
  // Unreachable in exact arithmetic (moving all mass to `to` gives d_to > 0); kept so rounding cannot loop or lie.
  return need <= 1e-12 * Math.abs(dot(d, p)) ? { mass, move: { to, from } } : null;
}

export function probabilitySensitivity(
  values: readonly (readonly number[])[],
  p: readonly number[],
): ProbabilitySensitivity {
  const choice = argmaxAll(values.map((row) => dot(row, p)));
  if (choice.length > 1)
    return { choice, threshold: 0, rivals: choice.slice(1), move: null, probabilitiesAtThreshold: [...p] };
  const i = choice[0];
  let best: { mass: number; move: ProbabilityMove } | null = null;
  let rivals: number[] = [];
  for (let j = 0; j < values.length; j++) {
    if (j === i) continue;
    const m = closingMove(values, p, i, j);
    if (m === null) continue;
    if (best === null || m.mass < best.mass) {
      best = m;
      rivals = [j];
    } else if (m.mass === best.mass) rivals.push(j);
  }
  if (best === null) return { choice, threshold: null, rivals: [], move: null, probabilitiesAtThreshold: null };
  const q = [...p];
  for (const { scenario, amount } of best.move.from) q[scenario] -= amount;
  q[best.move.to] += best.mass;
  return { choice, threshold: best.mass, rivals, move: best.move, probabilitiesAtThreshold: q };
}

export interface TwoScenarioThreshold {
  /** Intervals of the first scenario's probability q = p_1 (p_2 = 1 − q) with the chosen option(s) on each. */
  intervals: { from: number; to: number; winners: number[] }[];
  /** The nearest breakpoints below and above the given q at which the choice changes (null: none on that side). */
  below: number | null;
  above: number | null;
}

/**
 * Two scenarios: every W[i]·p is a line in q = p_1, so the choice on all of [0, 1] is the lines' upper envelope and the
 * thresholds are its breakpoints, exact: q* = (a_i − a_j)/(b_j − b_i) with a = W[·][1], b = W[·][0] − W[·][1].
 */
export function twoScenarioThreshold(
  values: readonly (readonly number[])[],
  p: readonly number[],
): TwoScenarioThreshold {
  if (p.length !== 2) throw new RangeError(`twoScenarioThreshold needs exactly 2 scenarios, got ${p.length}`);
  const intervals = upperEnvelope(values.map((row) => ({ intercept: row[1], slope: row[0] - row[1] })));
  const q = p[0];
  const cuts = intervals.slice(1).map((iv) => iv.from);
  const lower = cuts.filter((b) => b <= q);
  const upper = cuts.filter((b) => b >= q);
  return {
    intervals,
    below: lower.length ? lower[lower.length - 1] : null,
    above: upper.length ? upper[0] : null,
  };
}
