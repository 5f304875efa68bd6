import { describe, expect, it } from 'vitest';
import { CorpusAggregator, type RowFacts } from '../../../src/analysis/corpus/aggregate.js';
import { EKMAN, SENTIMENTS } from '../../../src/core/labels.js';
import { exactQuantile, newcombeDiff, wilson } from '../../../src/analysis/corpus/stats.js';

// A small deterministic set of rows covering two languages, three groups and three buckets.
function rows(): RowFacts[] {
  const out: RowFacts[] = [];
  const ek = ['joy', 'anger', 'sadness', 'neutral', 'joy', 'fear'] as const;
  const se = ['positive', 'negative', 'negative', 'neutral', 'positive', 'ambiguous'] as const;
  for (let i = 1; i <= 37; i++) {
    const ko = i % 7 === 0;
    out.push({
      row: i,
      language: ko ? 'ko' : 'en',
      taxonomy: ko ? 'kote' : 'goemotions',
      detected: ko
        ? [{ label: '기쁨', score: 0.5 + (i % 5) / 10 }]
        : i % 3 === 0
          ? []
          : [
              { label: 'joy', score: (i % 10) / 10 + 0.05 },
              ...(i % 2 ? [{ label: 'anger', score: 0.3 + i / 100 }] : []),
            ],
      ekman: ek[i % 6],
      sentiment: se[i % 6],
      valence: Math.sin(i) * 0.9,
      arousal: (i % 11) / 11,
      group: i % 3 === 0 ? 'A' : i % 3 === 1 ? 'B' : 'C',
      bucket: `2024-0${1 + (i % 3)}`,
      excerpt: `text ${i}`,
    });
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('CorpusAggregator', () => {
  const all = rows();
  const agg = new CorpusAggregator();
  all.forEach((r) => agg.add(r));
  const s = agg.summary();

  it('overall counts, shares and intervals equal a direct computation', () => {
    expect(s.overall.rows).toBe(37);
    expect(s.overall.languages).toEqual({
      en: all.filter((r) => r.language === 'en').length,
      ko: all.filter((r) => r.language === 'ko').length,
    });
    for (const e of EKMAN) {
      const k = all.filter((r) => r.ekman === e).length;
      expect(s.overall.ekman.find((x) => x.label === e)).toEqual({
        label: e,
        count: k,
        share: k / 37,
        ci: wilson(k, 37),
      });
    }
    expect(s.overall.sentiment.map((x) => x.label)).toEqual([...SENTIMENTS]);
    expect(s.overall.sentiment.reduce((t, x) => t + x.share, 0)).toBeCloseTo(1, 12);
    const en = all.filter((r) => r.taxonomy === 'goemotions');
    const joy = en.filter((r) => r.detected.some((d) => d.label === 'joy')).length;
    expect(s.overall.labels.goemotions?.find((l) => l.label === 'joy')).toMatchObject({
      count: joy,
      share: joy / en.length,
    });
    expect(s.overall.labels.kote).toEqual([{ label: '기쁨', count: 5, share: 1, ci: wilson(5, 5) }]);
  });

  it('valence and arousal: mean, sd and quantiles within half a bin of the exact ones', () => {
    const v = all.map((r) => r.valence);
    expect(s.overall.valence?.mean).toBeCloseTo(mean(v), 12);
    const sd = Math.sqrt(v.reduce((t, x) => t + (x - mean(v)) ** 2, 0) / (v.length - 1));
    expect(s.overall.valence?.sd).toBeCloseTo(sd, 12);
    const sorted = [...v].sort((a, b) => a - b);
    const q = s.overall.valence!.quantiles;
    for (const [k, p] of [
      ['p05', 0.05],
      ['p25', 0.25],
      ['p50', 0.5],
      ['p75', 0.75],
      ['p95', 0.95],
    ] as const)
      expect(Math.abs(q[k] - exactQuantile(sorted, p))).toBeLessThanOrEqual(0.0005 + 1e-12);
    expect(s.overall.arousal?.mean).toBeCloseTo(mean(all.map((r) => r.arousal)), 12);
  });

  it('per group and per bucket summaries equal the overall computation restricted to their rows', () => {
    for (const g of s.groups) {
      const mine = all.filter((r) => r.group === g.group);
      expect(g.rows).toBe(mine.length);
      expect(g.valence?.mean).toBeCloseTo(mean(mine.map((r) => r.valence)), 12);
      expect(g.sentiment.find((x) => x.label === 'negative')?.count).toBe(
        mine.filter((r) => r.sentiment === 'negative').length,
      );
    }
    expect(s.groups.map((g) => g.group)).toEqual(['B', 'A', 'C']); // by size (13, 12, 12), ties by name
    expect(s.time.map((b) => [b.bucket, b.rows])).toEqual([
      ['2024-01', 12],
      ['2024-02', 13],
      ['2024-03', 12],
    ]);
    for (const b of s.time)
      expect(b.arousal?.mean).toBeCloseTo(mean(all.filter((r) => r.bucket === b.bucket).map((r) => r.arousal)), 12);
  });

  it('group differences: a − b means and shares, with intervals around them', () => {
    expect(s.group_differences.map((d) => `${d.a}-${d.b}`)).toEqual(['B-A', 'B-C', 'A-C']);
    const d = s.group_differences[0];
    const A = all.filter((r) => r.group === 'B'),
      B = all.filter((r) => r.group === 'A');
    expect(d.valence?.diff).toBeCloseTo(mean(A.map((r) => r.valence)) - mean(B.map((r) => r.valence)), 12);
    const k1 = A.filter((r) => r.sentiment === 'positive').length,
      k2 = B.filter((r) => r.sentiment === 'positive').length;
    expect(d.positive).toEqual({ diff: k1 / A.length - k2 / B.length, ci: newcombeDiff(k1, A.length, k2, B.length) });
    expect(d.valence!.ci[0]).toBeLessThan(d.valence!.diff);
    expect(d.valence!.ci[1]).toBeGreaterThan(d.valence!.diff);
  });

  it('examples: the highest-scoring rows of the most frequent labels, ties to the earlier row', () => {
    const joy = s.examples.find((e) => e.label === 'joy');
    const expected = all
      .flatMap((r) =>
        r.detected.filter((x) => x.label === 'joy').map((x) => ({ row: r.row, score: x.score, excerpt: r.excerpt })),
      )
      .sort((a, b) => b.score - a.score || a.row - b.row)
      .slice(0, 3);
    expect(joy?.rows).toEqual(expected);
    expect(s.examples[0].label).toBe('joy'); // most detected label first
  });

  it('caps distinct groups and counts the rows it could not track', () => {
    const small = new CorpusAggregator({ maxGroups: 2 });
    all.forEach((r) => small.add(r));
    const out = small.summary();
    expect(out.groups).toHaveLength(2);
    expect(out.groups_overflow_rows).toBe(all.filter((r) => r.group === 'A').length); // first seen: B (row 1), C (row 2)
    expect(out.overall.rows).toBe(37);
  });

  it('an empty aggregator gives an empty summary, not made-up numbers', () => {
    const e = new CorpusAggregator().summary();
    expect(e.overall.rows).toBe(0);
    expect(e.overall.valence).toBeNull();
    expect(e.overall.ekman).toEqual([]);
  });
});
