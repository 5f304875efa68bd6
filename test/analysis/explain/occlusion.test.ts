import { describe, expect, it } from 'vitest';
import { contributions, occlude, occlusionUnits, type BatchScorer } from '../../../src/analysis/explain/occlusion.js';

// A bag-of-words "model": label 0 = 0.1 + 0.2 per occurrence of "hate", label 1 = 0.05 per word, capped at 1.
function bagScorer(calls: string[][]): BatchScorer {
  return async (texts) => {
    calls.push(texts);
    return texts.map((t) => {
      const w = t.split(/\s+/).filter(Boolean);
      return [
        Math.min(1, 0.1 + 0.2 * w.filter((x) => x.toLowerCase().startsWith('hate')).length),
        Math.min(1, 0.05 * w.length),
      ];
    });
  };
}

describe('occlusion', () => {
  it('one batch, exact contributions, sorted largest first', async () => {
    const calls: string[][] = [];
    const text = 'I hate Mondays and I hate rain';
    const o = await occlude(text, occlusionUnits(text, 'en'), bagScorer(calls));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1 + 7);
    expect(calls[0][2]).toBe('I Mondays and I hate rain');
    expect(o.base[0]).toBeCloseTo(0.5, 12);
    const c = contributions(o, 0);
    expect(c.slice(0, 2).map((s) => [s.text, s.start, s.end])).toEqual([
      ['hate', 2, 6],
      ['hate', 21, 25],
    ]);
    expect(c[0].contribution).toBeCloseTo(0.2, 12);
    expect(c.slice(2).every((s) => Math.abs(s.contribution) < 1e-12)).toBe(true);
    // label 1: every word carries 0.05
    expect(contributions(o, 1, 3).map((s) => s.contribution)).toEqual(
      [0.05, 0.05, 0.05].map((x) => expect.closeTo(x, 12)),
    );
    expect(contributions(o, 1, 3).map((s) => s.start)).toEqual([0, 2, 7]);
  });

  it('uses a given base instead of scoring the text again', async () => {
    const calls: string[][] = [];
    const o = await occlude('hate it', occlusionUnits('hate it', 'en'), bagScorer(calls), [0.3, 0.1]);
    expect(calls[0]).toEqual(['it', 'hate']);
    expect(o.base).toEqual([0.3, 0.1]);
  });

  it('Korean: eojeol units with offsets, the only unit deleted gives the empty string', async () => {
    const units = occlusionUnits('정말 싫어 😡', 'ko');
    expect(units.map((u) => [u.text, u.start, u.end])).toEqual([
      ['정말', 0, 2],
      ['싫어', 3, 5],
      ['😡', 6, 8],
    ]);
    const calls: string[][] = [];
    await occlude('싫어', occlusionUnits('싫어', 'ko'), bagScorer(calls));
    expect(calls[0]).toEqual(['싫어', '']);
  });

  it('long texts: words grouped into at most maxUnits phrases covering every word', () => {
    const text = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    const units = occlusionUnits(text, 'en', 48);
    expect(units).toHaveLength(Math.ceil(100 / 3));
    expect(units[0]).toEqual({ text: 'w0 w1 w2', start: 0, end: 8 });
    expect(units.every((u) => text.slice(u.start, u.end) === u.text)).toBe(true);
    expect(units.at(-1)!.text).toBe('w99');
  });

  it('refuses a scorer that returns the wrong number of rows', async () => {
    await expect(occlude('a b', occlusionUnits('a b', 'en'), async () => [[1]])).rejects.toThrow(/1 rows for 3 texts/);
  });
});
