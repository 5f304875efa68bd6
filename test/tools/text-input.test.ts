// The text checks every text tool shares (src/tools/text-input.ts): emptiness and the length unit.
import { describe, expect, it } from 'vitest';
import { textLength } from '../../src/core/limits.js';
import { checkTexts, isEmptyText } from '../../src/tools/text-input.js';

describe('empty text', () => {
  it('is whitespace, BOMs and zero-width characters only', () => {
    for (const t of [
      '',
      ' ',
      '\t\n\r ',
      '\u00a0\u3000',
      '\ufeff',
      '\ufeff \u200b',
      '\u200b\u200c\u200d\u2060',
      '\u00ad',
    ])
      expect(isEmptyText(t), JSON.stringify(t)).toBe(true);
    for (const t of ['a', ' .', '\u0000', '\u200dx', '😀', '\u0301', '한'])
      expect(isEmptyText(t), JSON.stringify(t)).toBe(false);
  });
});

describe('text length', () => {
  it('counts Unicode code points: an astral emoji is one character, a combining mark or ZWJ one more', () => {
    expect(textLength('abc')).toBe(3);
    expect(textLength('😀')).toBe(1); // 2 UTF-16 units
    expect(textLength('e\u0301')).toBe(2);
    expect(textLength('👨‍👩‍👧')).toBe(5); // 3 emoji + 2 ZWJ
    expect(textLength('\ud800x')).toBe(2); // a lone surrogate counts as one
    expect(textLength('😀'.repeat(10_001))).toBe(10_001);
  });

  it('refuses one past the limit and accepts exactly the limit, in code points', () => {
    const limits = { maxTextChars: 3, maxBatchTexts: 2 };
    expect(() => checkTexts([{ name: 'text 0', text: '😀😀😀' }], limits)).not.toThrow();
    expect(() => checkTexts([{ name: 'text 0', text: '😀😀😀😀' }], limits)).toThrow(
      /text 0 has 4 characters; the limit is 3 \(maxTextChars/,
    );
  });
});
