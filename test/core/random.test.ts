// The seeded generators every p-value, interval and sampled set rests on. Expected outputs come from a separate
// transcription of the published C reference code into Python with explicit 32-bit masking (not from this module).
import { describe, expect, it } from 'vitest';
import { mulberry32, Rng, splitmix32State, xoshiro128ss } from '../../src/core/random.js';

describe('seeded generators', () => {
  it('mulberry32 reproduces the reference 32-bit outputs', () => {
    const u0 = mulberry32(0);
    expect(Array.from({ length: 5 }, () => u0() * 2 ** 32)).toEqual([
      1144304738, 1416247, 958946056, 627933444, 2007157716,
    ]);
    const u42 = mulberry32(42);
    expect(Array.from({ length: 5 }, () => u42() * 2 ** 32)).toEqual([
      2581720956, 1925393290, 3661312704, 2876485805, 750819978,
    ]);
  });

  it('splitmix32 expands a seed into the reference xoshiro state, and Rng draws the reference sequence', () => {
    expect(splitmix32State(16)).toEqual([863679447, 4076305675, 2297064224, 1611561518]);
    const rng = new Rng(16);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([3229448919, 2618730479, 246375841]);
    const raw = xoshiro128ss(splitmix32State(16));
    expect(raw()).toBe(3229448919);
  });

  it('Rng.uniform is the 32-bit output shifted by half a step, strictly inside (0, 1)', () => {
    const a = new Rng(16);
    expect(a.uniform()).toBe((3229448919 + 0.5) / 2 ** 32);
    const b = new Rng(7);
    for (let i = 0; i < 10_000; i++) {
      const u = b.uniform();
      expect(u > 0 && u < 1).toBe(true);
    }
  });
});
