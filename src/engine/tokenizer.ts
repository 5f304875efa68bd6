// Tokenization through @huggingface/tokenizers (the model's own tokenizer.json). The text is encoded once
// without special tokens; the engine cuts the ids into windows and wraps each window in the special tokens
// the tokenizer's post-processor adds (found by encoding a probe with and without them).
import { Tokenizer } from '@huggingface/tokenizers';

export interface TextTokenizer {
  /** Content token ids (no special tokens). */
  encode(text: string): number[];
  /** Special ids placed before / after each window's content (e.g. [<s>] / [</s>]). */
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
  readonly unkId: number | undefined;
  /** True for a piece that carries text: not the unknown token, not a bare word-boundary marker such as "▁". */
  isContent(id: number): boolean;
}

function indexOfSeq(hay: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function createTokenizer(tokenizerJson: unknown, tokenizerConfig: Record<string, unknown>): TextTokenizer {
  const tok = new Tokenizer(tokenizerJson as object, tokenizerConfig);
  const unkToken = typeof tokenizerConfig.unk_token === 'string' ? tokenizerConfig.unk_token : undefined;
  const unkId = (unkToken !== undefined ? tok.token_to_id(unkToken) : undefined) ?? findUnk(tokenizerJson);

  let prefix: number[] = [];
  let suffix: number[] = [];
  for (const probe of ['a', 'hello', 'x y', '1']) {
    const plain = tok.encode(probe, { add_special_tokens: false }).ids as Array<number | undefined>;
    if (plain.length === 0 || plain.some((id) => id === undefined)) continue;
    const withSpecial = tok.encode(probe, { add_special_tokens: true }).ids as number[];
    const at = indexOfSeq(withSpecial, plain as number[]);
    if (at < 0) continue;
    prefix = withSpecial.slice(0, at);
    suffix = withSpecial.slice(at + plain.length);
    break;
  }

  // tokenizers fuses a run of unknown characters into one <unk> (its token string is the run); a model trained on
  // sentencepiece ids (USE) saw one <unk> per character, which `unknown_per_character: true` restores.
  const perCharUnknown = tokenizerConfig.unknown_per_character === true;
  if (perCharUnknown && unkId === undefined) throw new Error('unknown_per_character needs an unk token');
  // `unknown_characters`: characters sentencepiece keeps (each one <unk>) that the JS Precompiled normaliser, an
  // approximation of the charsmap, would delete or turn into spaces; they become U+E000 (outside the vocabulary: one
  // <unk>) before encoding. training/use/build_use.py lists them.
  const unknownChars =
    typeof tokenizerConfig.unknown_characters === 'string' && tokenizerConfig.unknown_characters.length > 0
      ? new RegExp(
          `[${Array.from(tokenizerConfig.unknown_characters, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('')}]`,
          'gu',
        )
      : null;
  const content = new Map<number, boolean>();
  return {
    prefix,
    suffix,
    unkId,
    isContent(id: number): boolean {
      let v = content.get(id);
      if (v === undefined) {
        const piece = tok.id_to_token(id) as string | undefined;
        v = id !== unkId && piece !== undefined && !/^[\s\u2581\u0120]*$/u.test(piece); // ▁ (SentencePiece), Ġ (byte BPE)
        content.set(id, v);
      }
      return v;
    },
    encode(text: string): number[] {
      // U+FEFF (BOM) is dropped everywhere: @huggingface/tokenizers trims it at the ends of a text (JS trim() counts it
      // as whitespace) while Python `tokenizers` turns it into ▁ <unk>; without it both agree
      // (test/fixtures/make_tokenizer_parity.py applies the same rule).
      const clean = text.replace(/\uFEFF/g, '');
      const enc = tok.encode(unknownChars ? clean.replace(unknownChars, '\uE000') : clean, {
        add_special_tokens: false,
      });
      const ids = (perCharUnknown ? splitUnknown(enc.ids, enc.tokens, unkId) : enc.ids) as Array<number | undefined>;
      // tokenizers.js leaves an id undefined for a piece missing from the vocabulary in some models; that is <unk>.
      if (ids.some((id) => id === undefined)) {
        if (unkId === undefined)
          throw new Error('the tokenizer produced a token outside its vocabulary and defines no unk token');
        return ids.map((id) => (id === undefined ? unkId : id));
      }
      return ids as number[];
    },
  };
}

/** One unk id per character (code point) of each unk token's string. */
export function splitUnknown(
  ids: ArrayLike<number | undefined>,
  tokens: readonly string[],
  unkId: number | undefined,
): Array<number | undefined> {
  const out: Array<number | undefined> = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === unkId || ids[i] === undefined) {
      for (let k = Array.from(tokens[i] ?? '').length || 1; k > 0; k--) out.push(unkId);
    } else out.push(ids[i]);
  }
  return out;
}

function findUnk(tokenizerJson: unknown): number | undefined {
  const model = (tokenizerJson as { model?: { unk_id?: unknown; unk_token?: unknown; vocab?: unknown } }).model;
  if (typeof model?.unk_id === 'number') return model.unk_id;
  if (
    typeof model?.unk_token === 'string' &&
    model.vocab &&
    typeof model.vocab === 'object' &&
    !Array.isArray(model.vocab)
  ) {
    const id = (model.vocab as Record<string, unknown>)[model.unk_token];
    if (typeof id === 'number') return id;
  }
  return undefined;
}
