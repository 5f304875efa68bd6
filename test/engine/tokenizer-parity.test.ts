// @huggingface/tokenizers (through the engine's wrapper) must give the same ids as Python `tokenizers`, which the
// model was trained and evaluated with. Expected ids: test/fixtures/make_tokenizer_parity.py.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../../src/engine/tokenizer.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOK = resolve(ROOT, 'models/tokenizer.json');
const FIX = JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/tokenizer_parity.json'), 'utf8')) as {
  tokenizer_sha256: string;
  max_length: number;
  rows: Array<{ text: string; ids: number[] }>;
};
const sha = createHash('sha256').update(readFileSync(TOK)).digest('hex');

describe('tokenizer parity with Python', () => {
  // A changed tokenizer fails here until its expected ids are regenerated from Python `tokenizers`:
  //   python test/fixtures/make_tokenizer_parity.py   (writes test/fixtures/tokenizer_parity.json with the new sha256)
  // then review the diff of the ids before committing it.
  it('the expected ids were made from the shipped models/tokenizer.json', () => {
    expect(
      sha,
      'models/tokenizer.json changed since test/fixtures/tokenizer_parity.json was made: run python test/fixtures/make_tokenizer_parity.py',
    ).toBe(FIX.tokenizer_sha256);
  });

  it('same ids (with the engine truncation rule) for English, Korean, emoji, accents, CJK and long texts', () => {
    const cfgPath = resolve(ROOT, 'models/tokenizer_config.json');
    const cfg = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
    const tok = createTokenizer(JSON.parse(readFileSync(TOK, 'utf8')), cfg);
    const W = FIX.max_length - tok.prefix.length - tok.suffix.length;
    expect(FIX.rows.length).toBeGreaterThan(0);
    for (const row of FIX.rows) {
      const ids = [...tok.prefix, ...tok.encode(row.text).slice(0, W), ...tok.suffix];
      expect({ text: row.text, ids }).toEqual({ text: row.text, ids: row.ids });
    }
  });
});
