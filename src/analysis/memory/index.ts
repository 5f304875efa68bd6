// The math of the experience memory: how a sentence vector is stored, how two are compared, how neighbours vote
// for labels, how their vote is blended with the model's reading, and the Dirichlet posterior of scenario
// probabilities from recorded outcomes. Pure functions of numbers (the store is src/server/memory/).
import { EKMAN, GOEMOTIONS_EKMAN, KOTE_EKMAN, NONE_LABEL, type Ekman } from '../../core/labels.js';

/** Stored vectors: the L2-normalised embedding times this scale, rounded to int8 (|error| ≤ 0.5/127 per element). */
export const INT8_SCALE = 127;

/** The int8 form a vector is stored and searched in. A zero vector has no direction: refused. */
export function quantize(v: ArrayLike<number>): Int8Array {
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += v[i] * v[i];
  const norm = Math.sqrt(ss);
  if (!(norm > 0) || !Number.isFinite(norm))
    throw new RangeError('a vector with norm 0 (or not finite) has no direction to compare');
  const out = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++)
    out[i] = Math.max(-INT8_SCALE, Math.min(INT8_SCALE, Math.round((v[i] / norm) * INT8_SCALE)));
  return out;
}

/** Cosine similarity of two stored (int8) vectors, in [-1, 1]. */
export function cosineInt8(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) throw new RangeError(`vectors of ${a.length} and ${b.length} dimensions`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export interface Neighbour {
  similarity: number;
  labels: readonly string[];
}

/**
 * The neighbours' vote for each label: Σ wᵢ·[label ∈ labelsᵢ] / Σ wᵢ with wᵢ = max(similarityᵢ, 0), i.e. the
 * similarity-weighted share of neighbours carrying the label (0..1). Neighbours without labels do not vote; with
 * no positive weight every vote is 0.
 */
export function labelVotes(neighbours: readonly Neighbour[], labels: readonly string[]): number[] {
  const votes = labels.map(() => 0);
  let total = 0;
  const index = new Map(labels.map((l, i) => [l, i]));
  for (const n of neighbours) {
    if (n.labels.length === 0) continue;
    const w = Math.max(n.similarity, 0);
    total += w;
    for (const l of new Set(n.labels)) {
      const i = index.get(l);
      if (i !== undefined) votes[i] += w;
    }
  }
  return total > 0 ? votes.map((v) => v / total) : votes;
}

/** The blended score of each label: (1 − weight)·model + weight·vote (weight in [0, 1]). */
export function blendScores(model: ArrayLike<number>, votes: ArrayLike<number>, weight: number): number[] {
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`blend weight ${weight} is not in [0, 1]`);
  if (model.length !== votes.length) throw new RangeError(`${model.length} model scores and ${votes.length} votes`);
  return Array.from(model, (m, i) => (1 - weight) * m + weight * votes[i]);
}

/**
 * Posterior mean of scenario probabilities under a Dirichlet prior centred on the caller's probabilities:
 * α = strength · prior, posterior mean = (α + counts) / (strength + Σ counts). `strength` is the prior's weight in
 * pseudo-observations (how many recorded outcomes the caller's probabilities count for).
 */
export function dirichletPosterior(prior: readonly number[], counts: readonly number[], strength: number): number[] {
  if (prior.length !== counts.length)
    throw new RangeError(`${prior.length} prior probabilities and ${counts.length} counts`);
  if (!(strength > 0)) throw new RangeError('prior strength must be > 0');
  const n = counts.reduce((s, c) => s + c, 0);
  return prior.map((p, i) => (strength * p + counts[i]) / (strength + n));
}

/**
 * Regret realised by a decision: the best outcome in the scenario that happened minus the chosen option's outcome
 * there (0 when the chosen option was the best), from an options × scenarios outcome matrix.
 */
export function realisedRegret(outcomes: readonly (readonly number[])[], chosen: number, happened: number): number {
  const column = outcomes.map((row) => row[happened]);
  if (column.some((x) => !Number.isFinite(x))) throw new RangeError('outcomes must be finite numbers');
  return Math.max(...column) - column[chosen];
}

/**
 * The Ekman groups a labelled case stands for: its own Ekman labels, plus the group of each GoEmotions label
 * (GoEmotions' published grouping; neutral → neutral) and of each KOTE label (docs/emotion.md; 없음 → neutral).
 */
export function ekmanOfLabels(labels: {
  goemotions?: readonly string[];
  kote?: readonly string[];
  ekman?: readonly string[];
}): Ekman[] {
  const out = new Set<Ekman>((labels.ekman ?? []).filter((l): l is Ekman => (EKMAN as readonly string[]).includes(l)));
  const add = (names: readonly string[] | undefined, groups: Record<string, readonly string[]>, none: string) => {
    for (const n of names ?? []) {
      if (n === none) out.add('neutral');
      for (const [g, members] of Object.entries(groups)) if (members.includes(n)) out.add(g as Ekman);
    }
  };
  add(labels.goemotions, GOEMOTIONS_EKMAN, NONE_LABEL.goemotions);
  add(labels.kote, KOTE_EKMAN, NONE_LABEL.kote);
  return EKMAN.filter((e) => out.has(e));
}
