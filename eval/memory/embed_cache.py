"""Embeds the evaluation sets of the memory measurement once and caches them (eval/memory.ts reads the cache).

usage: training/.venv/bin/python eval/memory/embed_cache.py --out /tmp/red-heart-memory-cache [--sets goemotions_train,...]

Per set it writes <set>.emb.f32 (n x 384 fp32 `sentence_embedding`), <set>.ge.f32 (n x 28 sigmoid GoEmotions
probabilities) and <set>.jsonl (one {"text", "labels"} per row, labels as the set's names). It runs the shipped
model (models/red-heart-v1.int8.onnx) with Python onnxruntime, one text per run (batch 1, the way the server
runs the int8 model), truncating to 128 tokens as the evaluation does (training/data.py conventions). The texts
are encoded by the same tokenizer.json (training/check_tokenizer_node.py: Python and Node ids identical).
Sets: goemotions_train / goemotions_dev (GoEmotions train.tsv / dev.tsv, label names), xed_en (XED
en-annotated.tsv with Plutchik names, plus neu_en.txt lines labelled neutral; see docs/memory.md for the Ekman
mapping). A set whose files exist with the right row count is skipped (the cache is reused).
"""
import argparse, json, os, sys, time
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.normpath(os.path.join(REPO, '..', 'shared', 'data'))
PLUTCHIK = ['anger', 'anticipation', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'trust']


def goemotions(split):
    names = [l.strip() for l in open(os.path.join(DATA, 'goemotions', 'emotions.txt'), encoding='utf-8')]
    rows = []
    for line in open(os.path.join(DATA, 'goemotions', f'{split}.tsv'), encoding='utf-8'):
        text, labels, _ = line.rstrip('\n').split('\t')
        rows.append({'text': text, 'labels': [names[int(i)] for i in labels.split(',')]})
    return rows


def xed_en():
    rows = []
    for line in open(os.path.join(DATA, 'xed', 'AnnotatedData', 'en-annotated.tsv'), encoding='utf-8'):
        f = line.rstrip('\n').split('\t')
        if len(f) != 2 or not f[0].strip():
            continue
        rows.append({'text': f[0], 'labels': [PLUTCHIK[int(x) - 1] for x in f[1].split(',')]})
    for line in open(os.path.join(DATA, 'xed', 'AnnotatedData', 'neu_en.txt'), encoding='utf-8'):
        f = line.rstrip('\n').split('\t')
        if len(f) != 2 or not f[1].strip():
            continue
        rows.append({'text': f[1], 'labels': ['neutral']})
    return rows


SETS = {'goemotions_train': lambda: goemotions('train'), 'goemotions_dev': lambda: goemotions('dev'), 'xed_en': xed_en}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='/tmp/red-heart-memory-cache')
    ap.add_argument('--sets', default='goemotions_dev,xed_en,goemotions_train')
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    import onnxruntime as ort
    from tokenizers import Tokenizer
    os.makedirs(a.out, exist_ok=True)
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    model = os.path.join(REPO, 'models', 'red-heart-v1.int8.onnx')
    s = ort.InferenceSession(model, so, providers=['CPUExecutionProvider'])
    tok = Tokenizer.from_file(os.path.join(REPO, 'models', 'tokenizer.json'))
    for name in a.sets.split(','):
        rows = SETS[name]()
        emb_p, ge_p, meta_p = (os.path.join(a.out, f'{name}.{x}') for x in ('emb.f32', 'ge.f32', 'jsonl'))
        if os.path.exists(emb_p) and os.path.getsize(emb_p) == len(rows) * 384 * 4 and os.path.exists(ge_p) and os.path.getsize(ge_p) == len(rows) * 28 * 4:
            print(json.dumps({'set': name, 'rows': len(rows), 'cached': True}), flush=True)
            continue
        emb = np.zeros((len(rows), 384), np.float32)
        ge = np.zeros((len(rows), 28), np.float32)
        t0 = time.time()
        for i, r in enumerate(rows):
            ids = tok.encode(r['text']).ids[:128]
            if len(ids) == 128:
                ids[-1] = 2
            x = np.array([ids], dtype=np.int64)
            g, e = s.run(['goemotions_logits', 'sentence_embedding'], {'input_ids': x, 'attention_mask': np.ones_like(x)})
            emb[i] = e[0]
            ge[i] = 1 / (1 + np.exp(-g[0]))
            if i % 5000 == 0:
                print(json.dumps({'set': name, 'done': i, 'of': len(rows), 's': round(time.time() - t0, 1)}), flush=True)
        with open(meta_p, 'w', encoding='utf-8') as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + '\n')
        ge.tofile(ge_p)
        emb.tofile(emb_p)
        print(json.dumps({'set': name, 'rows': len(rows), 'seconds': round(time.time() - t0, 1)}), flush=True)


if __name__ == '__main__':
    sys.exit(main())
