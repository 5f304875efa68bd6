import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deleteSpans, sentences, words } from '../../../src/analysis/segment/index.js';

const sliceOk = (input: string, spans: { text: string; start: number; end: number }[]) =>
  spans.every((s) => input.slice(s.start, s.end) === s.text);

describe('sentences', () => {
  it('splits English sentences and the offsets slice the input exactly', () => {
    const input = 'I love this!  It broke on day two. Why?';
    const s = sentences(input, 'en');
    expect(s.map((x) => x.text)).toEqual(['I love this!', 'It broke on day two.', 'Why?']);
    expect(s.map((x) => [x.start, x.end])).toEqual([
      [0, 12],
      [14, 34],
      [35, 39],
    ]);
    expect(sliceOk(input, s)).toBe(true);
  });

  it('counts UTF-16 code units: an astral emoji is 2, a Hangul syllable 1', () => {
    const input = '정말 고마워요 😊. 그런데 왜 늦었어요? 🥲🥲 화나요!';
    const s = sentences(input, 'ko');
    expect(s.map((x) => x.text)).toEqual(['정말 고마워요 😊.', '그런데 왜 늦었어요?', '🥲🥲 화나요!']);
    // '정말 고마워요 😊.' is 8 BMP characters + one surrogate pair (2 units) + '.' = 11 units
    expect(s[0]).toEqual({ text: '정말 고마워요 😊.', start: 0, end: 11 });
    expect(sliceOk(input, s)).toBe(true);
    expect(s[2].end).toBe(input.length);
  });

  it('titles and abbreviations do not end a sentence; an initialism does before a usual sentence opener', () => {
    const letter = 'Dear Mr. Harlow, I wrote to Dr. Kim e.g. about the U.S. office. It is broken.';
    const s = sentences(letter, 'en');
    expect(s.map((x) => x.text)).toEqual([
      'Dear Mr. Harlow, I wrote to Dr. Kim e.g. about the U.S. office.',
      'It is broken.',
    ]);
    expect(sliceOk(letter, s)).toBe(true);
    expect(sentences('Ask Prof. Lee. He knows.', 'en').map((x) => x.text)).toEqual(['Ask Prof. Lee.', 'He knows.']);
    expect(sentences('I moved to the U.S. It was great.', 'en').map((x) => x.text)).toEqual([
      'I moved to the U.S.',
      'It was great.',
    ]);
    expect(sentences('The U.S. Army is big.', 'en').map((x) => x.text)).toEqual(['The U.S. Army is big.']);
  });

  it('Korean polite and formal endings close a sentence without a full stop; ㅋㅋ / ㅠㅠ stay with it', () => {
    const input = '감사합니다요 ㅋㅋ 진짜 화나네요 ㅠㅠ 어떻게 이럴 수가 있죠';
    const s = sentences(input, 'ko');
    expect(s.map((x) => x.text)).toEqual(['감사합니다요 ㅋㅋ', '진짜 화나네요 ㅠㅠ', '어떻게 이럴 수가 있죠']);
    expect(sliceOk(input, s)).toBe(true);
    expect(sentences('왜요 ㅋㅋㅋ', 'ko').map((x) => x.text)).toEqual(['왜요 ㅋㅋㅋ']);
    expect(sentences('박 과장님께서 오셨어요. 회의는 3시입니다.', 'ko').map((x) => x.text)).toEqual([
      '박 과장님께서 오셨어요.',
      '회의는 3시입니다.',
    ]);
  });

  it('Korean: the connective -니까, nouns ending in 요 and a "(?)" hedge do not end a sentence (KOTE dev false splits)', () => {
    const ko = (t: string) => sentences(t, 'ko').map((x) => x.text);
    // -(으)니까 "because / when" joins two clauses; only the formal question -ㅂ니까 / -습니까 ends one
    expect(ko('첫사진 보니까 긁으시는거같잖아요')).toEqual(['첫사진 보니까 긁으시는거같잖아요']);
    expect(ko('근거가 있으니까 그런거 아니였어요?')).toEqual(['근거가 있으니까 그런거 아니였어요?']);
    expect(ko('색깔은 왜 고르게합니까 어차피 빨간색만 보낼거면서')).toEqual([
      '색깔은 왜 고르게합니까',
      '어차피 빨간색만 보낼거면서',
    ]);
    expect(ko('가족분들 되겠습니까 나참')).toEqual(['가족분들 되겠습니까', '나참']);
    // 필요 "need", 중요 "importance" are nouns, not the polite -요
    expect(ko('회사 하고 싸울 필요 없어요')).toEqual(['회사 하고 싸울 필요 없어요']);
    expect(ko('이게 제일 중요 포인트예요 진짜 좋아요')).toEqual(['이게 제일 중요 포인트예요', '진짜 좋아요']);
    // "(?)" hedges the word before it inside the sentence ("깔끔(?) 하게" = "neatly, so to speak")
    expect(ko('롤러 위에 한줄로 깔끔(?) 하게 떨어져요')).toEqual(['롤러 위에 한줄로 깔끔(?) 하게 떨어져요']);
    expect(sentences('He is a genius (?) and he knows it.', 'en').map((x) => x.text)).toEqual([
      'He is a genius (?) and he knows it.',
    ]);
  });

  it('drops whitespace-only input and keeps a sentence without final punctuation', () => {
    expect(sentences('   \n ', 'en')).toEqual([]);
    expect(sentences('  no full stop here ', 'en')).toEqual([{ text: 'no full stop here', start: 2, end: 19 }]);
  });

  it('property: every span slices exactly, spans are ordered, disjoint and cover every non-space character', () => {
    const piece = fc.constantFrom('Hi.', ' ', '😀', '화가 나!', '\n', 'ok?', '👍🏽', 'é', '…', '가나다');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((a) => a.join('')),
        fc.constantFrom('en', 'ko'),
        (input, locale) => {
          const s = sentences(input, locale);
          expect(sliceOk(input, s)).toBe(true);
          for (let i = 1; i < s.length; i++) expect(s[i].start).toBeGreaterThanOrEqual(s[i - 1].end);
          const covered = new Array(input.length).fill(false);
          for (const x of s) for (let k = x.start; k < x.end; k++) covered[k] = true;
          for (let k = 0; k < input.length; k++) if (!/\s/u.test(input[k])) expect(covered[k]).toBe(true);
        },
      ),
    );
  });
});

describe('words', () => {
  it('Korean eojeol, emoji kept as units, punctuation dropped', () => {
    const input = '나는 오늘 정말 화가 났어! 😡 왜?';
    const w = words(input, 'ko');
    expect(w.map((x) => x.text)).toEqual(['나는', '오늘', '정말', '화가', '났어', '😡', '왜']);
    expect(sliceOk(input, w)).toBe(true);
    expect(w[5]).toEqual({ text: '😡', start: 16, end: 18 });
  });

  it('English words with contractions', () => {
    const w = words("I can't stand it, honestly.", 'en');
    expect(w.map((x) => x.text)).toEqual(['I', "can't", 'stand', 'it', 'honestly']);
  });
});

describe('Chinese and Japanese (for the zh/ja models to come)', () => {
  it('ICU splits sentences at 。？ and words by dictionary, whatever the locale', () => {
    const zh = '我很高兴。你呢？今天下雨了。';
    expect(sentences(zh, 'zh').map((s) => s.text)).toEqual(['我很高兴。', '你呢？', '今天下雨了。']);
    expect(words('我很高兴今天', 'zh').map((w) => w.text)).toEqual(['我', '很', '高兴', '今天']);
    expect(words('今日はとても嬉しいです', 'ja').map((w) => w.text)).toEqual([
      '今日',
      'は',
      'とても',
      '嬉しい',
      'です',
    ]);
  });
});

describe('deleteSpans', () => {
  it('removes spans and leaves one space at each seam', () => {
    const input = 'I really hate this movie';
    expect(deleteSpans(input, [{ start: 9, end: 13 }])).toBe('I really this movie');
    expect(
      deleteSpans(input, [
        { start: 0, end: 1 },
        { start: 19, end: 24 },
      ]),
    ).toBe('really hate this');
    expect(deleteSpans('화가 났어!', [{ start: 3, end: 5 }])).toBe('화가 !');
  });
  it('rejects overlapping spans', () => {
    expect(() =>
      deleteSpans('abcdef', [
        { start: 0, end: 3 },
        { start: 2, end: 4 },
      ]),
    ).toThrow(RangeError);
  });
});
