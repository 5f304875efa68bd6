// Upper envelope of straight lines on [0, 1]: which line is highest for each x, with exact breakpoints (the crossing
// x = (a_i − a_j)/(b_j − b_i) of two lines a + b·x). Used for Hurwicz's α (H_i(α) = pess_i + α·(opt_i − pess_i)) and,
// with two scenarios, for the probability of the first scenario (EU_i(q) = u_i2 + q·(u_i1 − u_i2)).
import { TIE_RTOL } from './ties.js';

export interface Line {
  intercept: number;
  slope: number;
}

export interface EnvelopeInterval {
  from: number;
  to: number;
  /** Indices of the highest line(s) on the open interval; identical lines are listed together, in input order. */
  winners: number[];
}

const at = (l: Line, x: number): number => l.intercept + l.slope * x;

/** Index of the highest line at x, ties (within the tie tolerance) broken towards the steepest: the one that wins just right of x. */
function leaderAt(lines: readonly Line[], x: number, candidates: readonly number[]): number {
  const values = candidates.map((i) => at(lines[i], x));
  const top = Math.max(...values);
  const tol = TIE_RTOL * Math.max(1, ...values.map(Math.abs));
  let best = -1;
  candidates.forEach((i, k) => {
    if (top - values[k] <= tol && (best < 0 || lines[i].slope > lines[best].slope)) best = i;
  });
  return best;
}

/**
 * The envelope as consecutive intervals covering [0, 1]. Each step moves to a strictly steeper line, so there are at
 * most as many intervals as distinct slopes.
 */
export function upperEnvelope(lines: readonly Line[]): EnvelopeInterval[] {
  if (lines.length === 0) return [];
  const all = lines.map((_, i) => i);
  const twins = (c: number) =>
    all.filter((i) => lines[i].intercept === lines[c].intercept && lines[i].slope === lines[c].slope);
  const out: EnvelopeInterval[] = [];
  let x = 0;
  let current = leaderAt(lines, 0, all);
  for (;;) {
    const cur = lines[current];
    let next = Infinity;
    for (const l of lines) {
      if (l.slope <= cur.slope) continue;
      // l is below (or level with) the current line at x and rises faster: they cross at x_c ≥ x.
      const xc = Math.max(x, (cur.intercept - l.intercept) / (l.slope - cur.slope));
      if (xc < next) next = xc;
    }
    if (next >= 1) {
      out.push({ from: x, to: 1, winners: twins(current) });
      return out;
    }
    if (next > x) out.push({ from: x, to: next, winners: twins(current) });
    x = next;
    current = leaderAt(
      lines,
      x,
      all.filter((i) => lines[i].slope > cur.slope),
    );
  }
}

/** The winners of the interval containing x (an interior point); at a breakpoint, the interval to its right. */
export function envelopeWinnersAt(intervals: readonly EnvelopeInterval[], x: number): number[] {
  for (const iv of intervals) if (x < iv.to || iv.to === 1) return iv.winners;
  return [];
}
