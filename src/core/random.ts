// The project's seeded generators, in one place: every p-value, bootstrap interval, Dirichlet draw and sampled
// evaluation set depends on their exact sequences, so a seed gives the same numbers on every platform and release.
// Two generators because two sets of published numbers already rest on them:
//   - xoshiro128** (Blackman & Vigna), state expanded from a 32-bit seed by splitmix32: SURD surrogates, regret
//     Dirichlet draws, the SURD benchmark;
//   - mulberry32: conversation permutation tests, bootstrap intervals, explanation samples, language-ID sets.

/** The four-word xoshiro128** state of a 32-bit seed: golden-ratio increments through the MurmurHash3 finaliser. */
export function splitmix32State(seed: number): [number, number, number, number] {
  let z = seed >>> 0;
  const mix = (): number => {
    z = (z + 0x9e3779b9) >>> 0;
    let x = z;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  };
  return [mix(), mix(), mix(), mix()];
}

/** xoshiro128** on a 4-word state (not all zero); each call returns the next 32-bit output as an unsigned integer. */
export function xoshiro128ss(state: readonly [number, number, number, number]): () => number {
  const s = state.map((x) => x >>> 0);
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

/** xoshiro128** seeded by splitmix32, with the draws the callers need. */
export class Rng {
  readonly next: () => number;

  constructor(seed: number) {
    const state = splitmix32State(seed);
    // An all-zero state would stay zero forever; splitmix32 never gives four zeros, but be explicit.
    if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
    this.next = xoshiro128ss(state);
  }

  /** Uniform in (0, 1): the 32-bit output shifted by half a step, so neither end (log(0)) can occur. */
  uniform(): number {
    return (this.next() + 0.5) / 4294967296;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2³², without modulo bias (rejection of the uneven top). */
  below(n: number): number {
    if (!(n >= 1 && n <= 2 ** 32 && Number.isInteger(n)))
      throw new RangeError(`below(${n}): n must be an integer in 1..2^32`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.next();
      if (x < limit) return x % n;
    }
  }
}

/** mulberry32: uniform in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
