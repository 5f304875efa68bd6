import { describe, expect, it } from 'vitest';
import { bucketOf, parseTime } from '../../../src/analysis/corpus/time.js';
import { rowHash, sampleRows } from '../../../src/analysis/corpus/sample.js';

describe('parseTime', () => {
  it('reads ISO dates and date-times; no offset means UTC', () => {
    expect(parseTime('2024-03-05')).toBe(Date.UTC(2024, 2, 5));
    expect(parseTime('2024-03-05T10:20')).toBe(Date.UTC(2024, 2, 5, 10, 20));
    expect(parseTime('2024-03-05 10:20:30.5')).toBe(Date.UTC(2024, 2, 5, 10, 20, 30, 500));
    expect(parseTime('2024-03-05T23:30:00Z')).toBe(Date.UTC(2024, 2, 5, 23, 30));
    expect(parseTime('2024-03-05T01:30:00+02:00')).toBe(Date.UTC(2024, 2, 4, 23, 30));
    expect(parseTime('2024-03-05T01:30:00-0130')).toBe(Date.UTC(2024, 2, 5, 3, 0));
  });
  it('refuses what is not a valid date', () => {
    for (const v of [
      '',
      'yesterday',
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-1-5',
      '1709600000',
      '2024-03-05T25:00',
    ])
      expect(parseTime(v)).toBeNull();
    expect(parseTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});

describe('bucketOf', () => {
  it('days and months in UTC', () => {
    const t = Date.UTC(2024, 0, 31, 23, 59);
    expect(bucketOf(t, 'day')).toBe('2024-01-31');
    expect(bucketOf(t, 'month')).toBe('2024-01');
  });
  // ISO weeks checked against the calendar: 2021-01-03 (Sunday) is in 2020-W53; 2024-12-30 (Monday) is 2025-W01;
  // 2024-01-01 (Monday) is 2024-W01; 2023-01-01 (Sunday) is 2022-W52; 2024-03-05 (Tuesday) is 2024-W10.
  it.each([
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'],
    ['2024-01-01', '2024-W01'],
    ['2023-01-01', '2022-W52'],
    ['2024-03-05', '2024-W10'],
    ['2026-12-31', '2026-W53'],
  ])('%s is in ISO week %s', (day, week) => {
    expect(bucketOf(parseTime(day) as number, 'week')).toBe(week);
  });
});

describe('sampleRows', () => {
  it('is deterministic, of the asked size, sorted, within 1..total, and changes with the seed', () => {
    const a = sampleRows(1000, 50, 7);
    expect(a).toEqual(sampleRows(1000, 50, 7));
    expect(a.length).toBe(50);
    expect(new Set(a).size).toBe(50);
    expect([...a]).toEqual([...a].sort((x, y) => x - y));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...a)).toBeLessThanOrEqual(1000);
    expect([...sampleRows(1000, 50, 8)]).not.toEqual([...a]);
  });
  it('picks exactly the rows with the smallest hashes (independent brute force)', () => {
    const total = 300,
      size = 40,
      seed = 123;
    const expected = Array.from({ length: total }, (_, i) => i + 1)
      .sort((x, y) => rowHash(seed, x) - rowHash(seed, y) || x - y)
      .slice(0, size)
      .sort((x, y) => x - y);
    expect([...sampleRows(total, size, seed)]).toEqual(expected);
  });
  it('returns every row when the sample is as large as the file', () => {
    expect([...sampleRows(5, 10, 1)]).toEqual([1, 2, 3, 4, 5]);
  });
  it('spreads over the file (each decile gets some rows)', () => {
    const s = sampleRows(10_000, 1000, 42);
    const deciles = new Array(10).fill(0);
    for (const r of s) deciles[Math.floor((r - 1) / 1000)]++;
    for (const d of deciles) expect(d).toBeGreaterThan(60);
  });
});
