// The Node evaluation's metrics and parsers (eval/), hand-checked.
import { describe, expect, it } from 'vitest';
import { nsmcBucket, nsmcSplitOf, parseCsv, pyStrip } from '../../eval/data.js';
import { accuracy, macroF1, pearson } from '../../eval/metrics.js';

describe('eval metrics', () => {
  it('macro-F1 with zero_division = 0', () => {
    const gold = [[true, false, false], [true, true, false], [false, true, false]];
    const pred = [[true, true, false], [false, true, false], [false, true, false]];
    // label 0: tp1 fn1 → 2/3; label 1: tp2 fp1 → 4/5; label 2: nothing → 0
    const { macro, perLabel } = macroF1(gold, pred, 3);
    expect(perLabel[0]).toBeCloseTo(2 / 3, 12);
    expect(perLabel[1]).toBeCloseTo(4 / 5, 12);
    expect(perLabel[2]).toBe(0);
    expect(macro).toBeCloseTo((2 / 3 + 4 / 5) / 3, 12);
  });
  it('pearson and accuracy', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(accuracy([true, false, true, true])).toBe(0.75);
  });
  it('CSV like Python csv.reader', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\n\nlast,"multi\nline"')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      [''],
      ['last', 'multi\nline'],
    ]);
  });
  it('NSMC split rule and Python-style strip', () => {
    // sha256("2114") mod 1000, checked with Python: int(hashlib.sha256(b"2114").hexdigest(), 16) % 1000
    expect(nsmcBucket('2114')).toBe(36); // a test-split negative in training/data.py
    expect(nsmcSplitOf(0, 39)).toBe('test');
    expect(nsmcSplitOf(0, 40)).toBe('dev');
    expect(nsmcSplitOf(0, 60)).toBe('train');
    expect(nsmcSplitOf(1, 12)).toBe('test');
    expect(nsmcSplitOf(1, 13)).toBe('dev');
    expect(nsmcSplitOf(1, 19)).toBe('train');
    expect(pyStrip('\u3000 a b \x1f')).toBe('a b');
    expect(pyStrip('\ufeffa')).toBe('\ufeffa'); // Python does not strip a BOM
  });
});
