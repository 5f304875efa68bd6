import { describe, expect, it } from 'vitest';
import { textHash } from '../../../src/tools/corpus/rows.js';

describe('textHash', () => {
  it('is 16 hex digits, stable, and tells texts apart (no collision among 200,000 near-identical texts)', () => {
    expect(textHash('hello')).toMatch(/^[0-9a-f]{16}$/);
    expect(textHash('hello')).toBe(textHash('hel' + 'lo'));
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      seen.add(textHash(`row ${i}`));
      seen.add(textHash(`row ${i} `));
    }
    expect(seen.size).toBe(200_000);
    expect(textHash('')).not.toBe(textHash('\u0000'));
    expect(textHash('ab')).not.toBe(textHash('ba'));
    expect(textHash('한국어')).not.toBe(textHash('한국아'));
  });
});
