// The Node evaluation's metrics and parsers (eval/), hand-checked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nsmcBucket,
  nsmcByMovie,
  nsmcMovieSplitOf,
  nsmcSplitOf,
  nsmcTrainSubsample,
  parseCsv,
  pyStrip,
} from '../../eval/data.js';
import { accuracy, accuracyOn, macroF1, macroF1On, pearson } from '../../eval/metrics.js';

describe('eval metrics', () => {
  it('macro-F1 with zero_division = 0', () => {
    const gold = [
      [true, false, false],
      [true, true, false],
      [false, true, false],
    ];
    const pred = [
      [true, true, false],
      [false, true, false],
      [false, true, false],
    ];
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

describe('NSMC split by movie', () => {
  const pools = fc
    .array(
      fc.record({
        id: fc.integer({ min: 1, max: 1e7 }).map(String),
        movie: fc.integer({ min: 1, max: 400 }).map(String),
        text: fc.constantFrom('굿', '별루', '최고', '재미없다', 'ㅋㅋ', '감동', '지루함', '명작'),
        label: fc.constantFrom(0 as const, 1 as const),
      }),
      { maxLength: 400 },
    )
    .map((rows) => [...new Map(rows.map((r) => [r.id, r])).values()]);

  it('no movie in two splits, no test text in train or dev, no dev text in train, dev and test balanced', () => {
    fc.assert(
      fc.property(pools, (pool) => {
        const { splits, removed } = nsmcByMovie(pool);
        const movies = (s: 'train' | 'dev' | 'test') => new Set(splits[s].map((r) => r.movie));
        for (const [a, b] of [
          ['train', 'dev'],
          ['train', 'test'],
          ['dev', 'test'],
        ] as const)
          for (const mv of movies(a)) expect(movies(b).has(mv)).toBe(false);
        const trainTexts = new Set(splits.train.map((r) => r.text));
        for (const r of splits.dev) expect(trainTexts.has(r.text)).toBe(false);
        const devTexts = new Set(splits.dev.map((r) => r.text));
        for (const r of splits.test) expect(trainTexts.has(r.text) || devTexts.has(r.text)).toBe(false);
        for (const s of ['dev', 'test'] as const)
          expect(splits[s].filter((r) => r.label === 0).length).toBe(splits[s].filter((r) => r.label === 1).length);
        for (const r of pool) expect(nsmcMovieSplitOf(r.movie)).toBe(nsmcMovieSplitOf(r.movie));
        expect(removed.dev_in_train + removed.test_in_train_or_dev).toBeLessThanOrEqual(pool.length);
      }),
      { numRuns: 50 },
    );
  });

  it('the v1 training subsample keeps per class the rows with the smallest sha256(review_id)', () => {
    // sha256 hex prefixes (Python hashlib): '1' 6b86…, '2' d4735e…, '3' 4e0740…, '4' 4b2277…
    const rows = ['1', '2', '3', '4'].map((id, i) => ({ id, movie: 'm', text: id, label: (i % 2) as 0 | 1 }));
    // label 0: ids 1 (6b86) and 3 (4e07) → 3 first; label 1: ids 2 (d473) and 4 (4b22) → 4 first
    expect(nsmcTrainSubsample(rows, 1).map((r) => r.id)).toEqual(['3', '4']);
    expect(nsmcTrainSubsample(rows, 5).map((r) => r.id)).toEqual(['3', '1', '4', '2']);
  });

  it('movie buckets: sha256(movie_id) % 1000 (values from Python hashlib); test < 50, dev < 80, else train', () => {
    expect(nsmcBucket('1')).toBe(315);
    expect(nsmcBucket('10001')).toBe(275);
    expect(nsmcMovieSplitOf('1')).toBe('train');
  });

  it('the subset metrics equal the whole-set metrics on all rows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
            fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (rows) => {
          const gold = rows.map((r) => r[0]);
          const pred = rows.map((r) => r[1]);
          const all = rows.map((_, i) => i);
          expect(macroF1On(gold, pred, 4, all)).toBeCloseTo(macroF1(gold, pred, 4).macro, 12);
          expect(
            accuracyOn(
              gold.map((g) => g[0]),
              all,
            ),
          ).toBeCloseTo(accuracy(gold.map((g) => g[0])), 12);
        },
      ),
    );
  });
});
