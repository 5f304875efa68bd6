// Deterministic seeded sample of rows: each row number gets a 32-bit hash of (seed, row); the sample is the
// `size` rows with the smallest hashes (ties: the smaller row number). The choice depends only on the seed, the
// row numbers and the row count, so the same file, limit and seed always give the same rows, and rows are still
// analysed in file order.

/** A 32-bit mix of (seed, i) (murmur3 finaliser over a golden-ratio step); uniform enough for sampling. */
export function rowHash(seed: number, i: number): number {
  let h = (Math.imul(i, 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Row numbers 1..total in the sample of `size` rows, sorted ascending (all rows when size ≥ total). */
export function sampleRows(total: number, size: number, seed: number): Uint32Array {
  if (size >= total) return Uint32Array.from({ length: total }, (_, i) => i + 1);
  // Max-heap of the `size` smallest (hash, row) pairs seen so far, as parallel arrays.
  const hashes = new Float64Array(size);
  const rows = new Uint32Array(size);
  let n = 0;
  const greater = (a: number, b: number) => hashes[a] > hashes[b] || (hashes[a] === hashes[b] && rows[a] > rows[b]);
  const swap = (a: number, b: number) => {
    [hashes[a], hashes[b]] = [hashes[b], hashes[a]];
    [rows[a], rows[b]] = [rows[b], rows[a]];
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let top = i;
      if (l < n && greater(l, top)) top = l;
      if (r < n && greater(r, top)) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  for (let row = 1; row <= total; row++) {
    const h = rowHash(seed, row);
    if (n < size) {
      hashes[n] = h;
      rows[n] = row;
      for (let i = n++; i > 0;) {
        const p = (i - 1) >> 1;
        if (!greater(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (h < hashes[0]) {
      hashes[0] = h;
      rows[0] = row;
      siftDown(0);
    }
  }
  return rows.slice(0, n).sort();
}
