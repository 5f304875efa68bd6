import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  countScripts,
  decideLanguage,
  identifyLanguage,
  loadLanguageDetector,
  scriptRule,
  SERVED_PRIOR,
} from '../../src/engine/language.js';

beforeAll(loadLanguageDetector);

const V1 = ['en', 'ko'] as const;

describe('script rules', () => {
  it.each([
    // [text, language, share of letters in the deciding script, counted by hand]
    ['나는 정말 행복해요', 'ko', 1],
    ['오늘 BTS 콘서트 최고였어요!! LOL', 'ko', 10 / 16], // 10 Hangul (2 + 3 + 5), 6 Latin letters
    ['今日はとても楽しかったです', 'ja', 1],
    ['我今天很高兴', 'zh', 1],
    ['我今天非常开心！', 'zh', 1],
  ] as const)('%s → %s', (text, language, share) => {
    expect(scriptRule(text)).toEqual({ language, share });
  });

  it('leaves Latin, Cyrillic and mixed texts under the shares to the detector', () => {
    expect(scriptRule('I watched 기생충 (Parasite) yesterday and it was amazing, truly a masterpiece')).toBeUndefined(); // 3 of 62 letters Hangul
    expect(scriptRule('Я очень рад тебя видеть.')).toBeUndefined();
    expect(scriptRule('😀😀 123 !!')).toBeUndefined();
  });

  it('Hangul at exactly 20 % of letters is Korean; just under is not', () => {
    expect(scriptRule('가abcd')?.language).toBe('ko'); // 1 of 5
    expect(scriptRule('가abcde')).toBeUndefined(); // 1 of 6
  });

  it('Han with any kana is Japanese; Han without kana is Chinese', () => {
    expect(scriptRule('日本語の本')?.language).toBe('ja');
    expect(scriptRule('日本語本')?.language).toBe('zh');
  });

  it('shares are letter shares: counts add up and the share is in (0, 1]', () => {
    const property = fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
      const d = scriptRule(text);
      if (!d) return true;
      const c = countScripts(text);
      const letters = c.hangul + c.kana + c.han + c.latin + c.other;
      return letters > 0 && d.share > 0 && d.share <= 1;
    });
    expect(() => fc.assert(property)).not.toThrow();
  });
});

describe('identifyLanguage', () => {
  it.each([
    ['Hoy estoy muy feliz con mi familia.', 'es'],
    ['Je suis très en colère.', 'fr'],
    ['Ich habe Angst vor der Prüfung morgen.', 'de'],
    ['Я очень рад тебя видеть.', 'ru'],
    ['I am furious that the landlord kept our deposit', 'en'],
    ['There was a cockroach in my salad. Absolutely revolting.', 'en'],
  ])('%s → %s (detector)', (text, language) => {
    const id = identifyLanguage(text);
    expect(id).toMatchObject({ language, by: 'detector' });
    expect(id.confidence).toBeGreaterThan(0);
    expect(id.confidence).toBeLessThanOrEqual(1);
  });

  it('no letters: und with confidence 0', () => {
    expect(identifyLanguage('😀😀 123 !!')).toEqual({ language: 'und', confidence: 0, by: 'none' });
  });
});

describe('decideLanguage against a model that reads en and ko', () => {
  it('serves en and ko with the identification confidence', () => {
    expect(decideLanguage('나는 정말 행복해요', 'auto', V1)).toEqual({
      ok: true,
      language: 'ko',
      confidence: 1,
      uncertain: false,
    });
    const en = decideLanguage('I am furious that the landlord kept our deposit', undefined, V1);
    expect(en.ok && en.language).toBe('en');
  });

  it('refuses zh, ja and Spanish, naming the detected language and the supported ones', () => {
    for (const [text, detected] of [
      ['我今天非常开心！', 'zh'],
      ['今日はとても楽しかったです', 'ja'],
      ['Hoy estoy muy feliz con mi familia.', 'es'],
    ] as const) {
      const d = decideLanguage(text, 'auto', V1);
      expect(d.ok).toBe(false);
      if (d.ok) return;
      expect(d.detected).toBe(detected);
      expect(d.supported).toEqual(['en', 'ko']);
      expect(d.message).toContain(detected);
      expect(d.message).toContain('en, ko');
    }
  });

  it('a named language is used as given when the model reads it (confidence null), refused otherwise', () => {
    expect(decideLanguage('Hoy estoy muy feliz.', 'en', V1)).toEqual({
      ok: true,
      language: 'en',
      confidence: null,
      uncertain: false,
    });
    const zh = decideLanguage('我今天非常开心！', 'zh', V1);
    expect(zh.ok).toBe(false);
    if (!zh.ok) expect(zh.message).toMatch(/'zh' was requested.*only en, ko/);
  });

  it(`short Latin texts are read as English, marked uncertain; from ${SERVED_PRIOR.minLetters} letters a sure detector refuses`, () => {
    expect(identifyLanguage('Hello').language).not.toBe('en'); // why the rule exists
    const hello = decideLanguage('Hello', 'auto', V1);
    expect(hello).toMatchObject({ ok: true, language: 'en', uncertain: true });
    expect(decideLanguage('Hola amigo', 'auto', V1)).toMatchObject({ ok: true, language: 'en', uncertain: true });
    expect(decideLanguage('Hola amigos, ¿cómo estáis?', 'auto', V1).ok).toBe(false);
    // short Cyrillic is not Latin: the detector decides
    expect(decideLanguage('Привет', 'auto', V1).ok).toBe(false);
  });

  it('English the detector scores as another language with English close behind is read as English, uncertain', () => {
    // GoEmotions test lines the detector alone called Tagalog, Catalan and Dutch (0.54-0.75)
    for (const text of ['FLY EAGLES FLY!!!', 'I love miramar', '*oh god oh fuck*', 'Happy birthday [NAME]!']) {
      expect(identifyLanguage(text).language, text).not.toBe('en');
      const d = decideLanguage(text, 'auto', V1);
      expect(d, text).toMatchObject({ ok: true, language: 'en', uncertain: true });
      if (d.ok) expect(d.confidence).toBeLessThan(0.9);
    }
    // a detected English text is not marked
    expect(decideLanguage('I am furious that the landlord kept our deposit', 'auto', V1)).toMatchObject({
      ok: true,
      uncertain: false,
    });
  });

  it('whole sentences of other languages are still refused', () => {
    for (const text of [
      'Ne iğrenç, çorbada bir sinek var.',
      "Scusi, dov'è la fermata dell'autobus?",
      'Ik word zo boos als niemand luistert.',
      'Der Film war leider ziemlich langweilig.',
    ]) {
      expect(decideLanguage(text, 'auto', V1).ok, text).toBe(false);
    }
  });

  it('a text with some Hangul (under the script share) is read as Korean, uncertain', () => {
    const d = decideLanguage('Shinboner Spirit의 외침', 'auto', V1); // 3 Hangul of 18 letters
    expect(d).toMatchObject({ ok: true, language: 'ko', uncertain: true });
    // without Korean in the model, the same text is not read as Korean
    expect(decideLanguage('Chequen las rolas de talen, amigos míos!!!사랑', 'auto', ['en'] as const).ok).toBe(false);
  });

  it('a Latin text in no language the detector knows is read as English with confidence 0', () => {
    expect(identifyLanguage('a'.repeat(300)).language).toBe('und');
    expect(decideLanguage('a'.repeat(300), 'auto', V1)).toEqual({
      ok: true,
      language: 'en',
      confidence: 0,
      uncertain: true,
    });
  });

  it('texts without letters go to the first model language with confidence 0', () => {
    expect(decideLanguage('😂😂 100', 'auto', V1)).toEqual({
      ok: true,
      language: 'en',
      confidence: 0,
      uncertain: true,
    });
  });

  it('a model that reads only ko refuses short English instead of reading it as English', () => {
    const d = decideLanguage('Hello', 'auto', ['ko'] as const);
    expect(d.ok).toBe(false);
  });
});
