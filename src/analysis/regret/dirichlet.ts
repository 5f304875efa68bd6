// Probability uncertainty by sampling (docs/regret.md, "Probability uncertainty"). Probability vectors are drawn from
// Dirichlet(c·p) — mean p, Var q_s = p_s(1 − p_s)/(c + 1), so the concentration c says how many observations the
// given probabilities are worth — and each option's share of the draws in which it is best is reported.
// Everything is deterministic: a fixed seed, a fixed number of draws and a fixed order of random numbers, so the same
// input always gives the same output (and the result cache stays truthful).
//
// Generator: xoshiro128** (Blackman & Vigna 2018; 32-bit state words, period 2^128 − 1) from src/core/random.ts, its
// state filled by splitmix32 from the seed. Uniforms are (x + 0.5)/2^32 ∈ (0, 1), never 0 or 1, so logarithms are finite.
// Normals: Box–Muller. Gamma(a): Marsaglia & Tsang (2000) for a ≥ 1; for a < 1, Gamma(a) = Gamma(a + 1)·U^{1/a},
// kept in logarithms because U^{1/a} underflows to 0 for small a. Dirichlet: independent Gamma(c·p_s), normalised
// (log-sum-exp); a scenario with p_s = 0 has parameter 0 and stays at 0.
import { Rng } from '../../core/random.js';
import { argmaxAll } from './ties.js';

export const DIRICHLET_SEED = 16;
export const DIRICHLET_SAMPLES = 10_000;

/** Uniforms in (0, 1) from the project's xoshiro128** generator (src/core/random.ts). */
export function seededUniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.uniform();
}

export function standardNormal(uniform: () => number): number {
  return Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** log of a Gamma(shape, 1) draw, shape > 0. */
export function logGamma(shape: number, uniform: () => number): number {
  if (shape < 1) return logGamma(shape + 1, uniform) + Math.log(uniform()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(uniform);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(uniform()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return Math.log(d * v);
  }
}

/** One draw from Dirichlet(concentration·p). */
export function dirichlet(p: readonly number[], concentration: number, uniform: () => number): number[] {
  const logs = p.map((ps) => (ps > 0 ? logGamma(concentration * ps, uniform) : -Infinity));
  const top = Math.max(...logs);
  const w = logs.map((l) => Math.exp(l - top));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

export interface ProbabilityOfBest {
  samples: number;
  seed: number;
  /** Per criterion (key as given), per option: share of the draws in which it is best (a k-way tie counts 1/k each). */
  shares: number[][];
}

export interface SamplingProgress {
  /** Which part of the analysis is running (the sensitivity block reports both). */
  stage: 'regret_aversion' | 'sampling';
  done: number;
  total: number;
}

/** Draws between two progress points: the caller yields to the event loop and checks cancellation there. */
export const DIRICHLET_CHUNK = 1000;

/**
 * For each value matrix W (a criterion linear in p), the share of Dirichlet draws q in which each option maximises
 * W[i]·q. A generator that yields after every DIRICHLET_CHUNK draws, so a tool can report progress and stop; the
 * draws do not depend on how it is driven.
 */
export function* probabilityOfBestSteps(
  criteria: readonly (readonly (readonly number[])[])[],
  p: readonly number[],
  concentration: number,
  samples = DIRICHLET_SAMPLES,
  seed = DIRICHLET_SEED,
): Generator<SamplingProgress, ProbabilityOfBest, void> {
  const uniform = seededUniform(seed);
  const shares = criteria.map((W) => W.map(() => 0));
  for (let t = 0; t < samples; t++) {
    const q = dirichlet(p, concentration, uniform);
    criteria.forEach((W, c) => {
      const best = argmaxAll(W.map((row) => row.reduce((s, x, k) => s + x * q[k], 0)));
      for (const i of best) shares[c][i] += 1 / best.length;
    });
    if ((t + 1) % DIRICHLET_CHUNK === 0 && t + 1 < samples) yield { stage: 'sampling', done: t + 1, total: samples };
  }
  return { samples, seed, shares: shares.map((row) => row.map((x) => x / samples)) };
}

/** Runs a step generator to its end (for callers that need no progress). */
export function drain<T>(steps: Generator<unknown, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export function probabilityOfBest(
  criteria: readonly (readonly (readonly number[])[])[],
  p: readonly number[],
  concentration: number,
  samples = DIRICHLET_SAMPLES,
  seed = DIRICHLET_SEED,
): ProbabilityOfBest {
  return drain(probabilityOfBestSteps(criteria, p, concentration, samples, seed));
}
