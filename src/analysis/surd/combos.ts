// Source combinations in the reference's canonical order (SPEC §2): all subsets of size 1, then size 2, …,
// lexicographic within a size (itertools.combinations order). Ties in the ladder are broken by this order,
// so it must never change.

export interface Combo {
  /** Index in canonical order. */
  index: number;
  /** Bit k-1 set for source k. */
  mask: number;
  /** 1-based source numbers, ascending. */
  members: number[];
  size: number;
  /** Members joined by "," (the vectors' key format, e.g. "1,3"). */
  key: string;
}

/** Combinations of sizes 1..maxSize of sources 1..n in canonical order. */
export function canonicalCombos(n: number, maxSize: number = n): Combo[] {
  const out: Combo[] = [];
  for (let k = 1; k <= Math.min(maxSize, n); k++) {
    // Lexicographic k-subsets of 1..n.
    const c = Array.from({ length: k }, (_, i) => i + 1);
    for (;;) {
      const members = c.slice();
      let mask = 0;
      for (const m of members) mask |= 1 << (m - 1);
      out.push({ index: out.length, mask, members, size: k, key: members.join(',') });
      let i = k - 1;
      while (i >= 0 && c[i] === n - k + i + 1) i--;
      if (i < 0) break;
      c[i]++;
      for (let j = i + 1; j < k; j++) c[j] = c[j - 1] + 1;
    }
  }
  return out;
}

/** Key string of a mask ("1,2,4"). */
export function maskKey(mask: number): string {
  const parts: number[] = [];
  for (let b = 0; 1 << b <= mask; b++) if (mask & (1 << b)) parts.push(b + 1);
  return parts.join(',');
}

/** The smallest source number (1-based) not in `mask`, or n + 1 when the mask holds all n sources. */
export function lowestMissing(mask: number, n: number): number {
  for (let k = 1; k <= n; k++) if (!(mask & (1 << (k - 1)))) return k;
  return n + 1;
}
