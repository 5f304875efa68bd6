"""Heads on frozen USE-m3 features and the ensemble's fusion weights and thresholds, all chosen on dev.

Features: the `embedding` output of the USE ONNX graph (build_use.py without heads) on each text, tokenised as the
server does (tokenizer.json, one <unk> per unknown character, at most 128 ids: the first 127 and </s>). Cached under
training/work/use/feats/.

Heads (trained on train splits only; each head's kind and C chosen on dev, thresholds tuned on the even dev rows and
macro-F1 read on the odd rows):
- goemotions_logits (28): GoEmotions train en (+ GoEmotions-Korean train with --ge-ko), logistic regression per label
  (C in --c-grid) or a one-hidden-layer MLP (sklearn, 256 ReLU units, early stopping on 10 % of train); dev: en dev;
- kote_logits (44): KOTE val rows with int(ID) % 5 != 0, logistic regression per label; dev: rows with % 5 == 0;
- polarity_logits (2): NSMC train (20k + 20k, the shipped model's subsample), logistic regression; dev: NSMC dev acc;
- vad (3): EmoBank train, ridge (alpha in a grid, chosen on EmoBank dev);
- utility (1): ETHICS util_train pairs, logistic regression without intercept on f(a) - f(b) (a ranking score).

Fusion: the main model's outputs on the same dev rows (evaluate.py's Runner, batch 1); per head the USE weight w on
0, 0.05, ..., 1 ((1 - w) * main + w * USE on probabilities / values) with the best score on the EVEN rows (thresholds
tuned there too), reported on the ODD rows. utility keeps weight 0 for USE: ETHICS has no dev split here (the main model
trained on all of util_train), so there is nothing to choose it on. The ensemble's thresholds (served) are then tuned
on the whole dev split for the fused probabilities, as the main model's were.

usage: heads.py --use-onnx work/use/use-m3-embed.onnx --tokenizer work/use/tokenizer.json --out work/use/heads.npz
                --fusion-out work/use/fusion.json [--ge-ko] [--mlp]
"""
import argparse, hashlib, json, os, sys, time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
import evaluate as E  # noqa: E402
from parity import split_unknown  # noqa: E402

WORK = os.path.join(D.WORK, 'use')
GRID_W = [round(x, 2) for x in np.arange(0, 1.0001, 0.05)]
log = lambda m: print(f'[heads] {m}', file=sys.stderr, flush=True)


class UseEncoder:
    def __init__(self, onnx_path, tokenizer, max_len=128, threads=1):
        so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
        so.add_session_config_entry('session.intra_op.allow_spinning', '0')  # friendlier on a busy machine
        self.sess = ort.InferenceSession(onnx_path, so, providers=['CPUExecutionProvider'])
        self.tok = Tokenizer.from_file(tokenizer)
        self.max_len = max_len
        self.key = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()[:12]

    def ids(self, texts):
        out = []
        for e in self.tok.encode_batch(texts):
            x = split_unknown(e)
            out.append(x[:self.max_len - 1] + [2] if len(x) > self.max_len else x)
        return out

    def encode(self, texts, bs=64):
        seqs = self.ids(texts)
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        out = np.zeros((len(seqs), 512), dtype=np.float32)
        for s in range(0, len(order), bs):
            idx = order[s:s + bs]
            L = max(len(seqs[i]) for i in idx)
            ids = np.zeros((len(idx), L), dtype=np.int64); am = np.zeros_like(ids)
            for r, i in enumerate(idx):
                ids[r, :len(seqs[i])] = seqs[i]; am[r, :len(seqs[i])] = 1
            out[idx] = self.sess.run(['embedding'], {'input_ids': ids, 'attention_mask': am})[0]
        return out

    def cached(self, name, texts):
        p = os.path.join(WORK, 'feats', f'{name}.{self.key}.npy')
        if os.path.exists(p):
            return np.load(p)
        t0 = time.time()
        f = self.encode(texts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        np.save(p, f)
        log(f'{name}: {len(texts)} texts encoded in {time.time() - t0:.1f} s')
        return f


def main_outputs(name, texts, runner):
    """The shipped main model's outputs (batch 1, as its evaluation), cached."""
    p = os.path.join(WORK, 'main', f'{name}.npz')
    if os.path.exists(p):
        return dict(np.load(p))
    t0 = time.time()
    o = runner.run(texts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    np.savez(p, **o)
    log(f'main model on {name}: {len(texts)} texts in {time.time() - t0:.1f} s')
    return o


def sig(x):
    return 1 / (1 + np.exp(-x))


def half_f1(Y, S):
    """thresholds tuned on even rows; (macro-F1 on even rows, macro-F1 on odd rows)."""
    th = np.array(E.tune(Y[0::2], S[0::2]))
    return E.macro_f1(Y[0::2], S[0::2] >= th), E.macro_f1(Y[1::2], S[1::2] >= th)


def fit_lr_multilabel(X, Y, C):
    """One logistic regression per label (cached under work/use/fits/ by the data's and C's hash)."""
    key = hashlib.sha256(X.tobytes() + Y.tobytes() + repr(C).encode()).hexdigest()[:16]
    p = os.path.join(WORK, 'fits', f'lr.{key}.npz')
    if os.path.exists(p):
        return dict(np.load(p))
    from sklearn.linear_model import LogisticRegression
    W = np.zeros((X.shape[1], Y.shape[1]), dtype=np.float32); b = np.zeros(Y.shape[1], dtype=np.float32)
    for k in range(Y.shape[1]):
        m = LogisticRegression(C=C, max_iter=1000).fit(X, Y[:, k])
        W[:, k], b[k] = m.coef_[0], m.intercept_[0]
    os.makedirs(os.path.dirname(p), exist_ok=True)
    np.savez(p, W=W, b=b)
    return {'W': W, 'b': b}


def fit_mlp(X, Y, seed=0):
    from sklearn.neural_network import MLPClassifier
    m = MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-4, batch_size=256, learning_rate_init=1e-3, max_iter=60,
                      early_stopping=True, validation_fraction=0.1, n_iter_no_change=4, random_state=seed).fit(X, Y)
    return {'W1': m.coefs_[0].astype(np.float32), 'b1': m.intercepts_[0].astype(np.float32),
            'W': m.coefs_[1].astype(np.float32), 'b': m.intercepts_[1].astype(np.float32)}


def apply(h, X):
    if 'W1' in h:
        X = np.maximum(X @ h['W1'] + h['b1'], 0)
    return X @ h['W'] + h['b']


def choose_multilabel(name, Xtr, Ytr, Xdev, Ydev, c_grid, mlp):
    cands = {}
    for C in c_grid:
        t0 = time.time()
        h = fit_lr_multilabel(Xtr, Ytr, C)
        cands[f'lr C={C}'] = (h, half_f1(Ydev, sig(apply(h, Xdev))))
        log(f'{name} lr C={C}: dev even/odd macro-F1 {cands[f"lr C={C}"][1]} ({time.time() - t0:.0f} s)')
    if mlp:
        t0 = time.time()
        h = fit_mlp(Xtr, Ytr)
        cands['mlp 256'] = (h, half_f1(Ydev, sig(apply(h, Xdev))))
        log(f'{name} mlp: dev even/odd macro-F1 {cands["mlp 256"][1]} ({time.time() - t0:.0f} s)')
    best = max(cands, key=lambda k: cands[k][1][0])  # chosen on the even rows
    return best, cands[best][0], {k: {'even': round(v[1][0], 4), 'odd': round(v[1][1], 4)} for k, v in cands.items()}


def blend_multilabel(Ydev, Pm, Pu):
    scores = {w: half_f1(Ydev, (1 - w) * Pm + w * Pu) for w in GRID_W}
    w = max(GRID_W, key=lambda x: (scores[x][0], -x))
    return w, {'main_alone_odd': round(scores[0.0][1], 4), 'use_alone_odd': round(scores[1.0][1], 4),
               'fused_even': round(scores[w][0], 4), 'fused_odd': round(scores[w][1], 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--use-onnx', required=True, help='build_use.py output without heads (embedding only)')
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--main-onnx', default=os.path.join(D.REPO, 'models', 'red-heart-v1.int8.onnx'))
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--out', required=True)
    ap.add_argument('--fusion-out', required=True)
    ap.add_argument('--c-grid', default='1,4,16')
    ap.add_argument('--ge-ko', action='store_true', help='GoEmotions head also trains on GoEmotions-Korean train')
    ap.add_argument('--mlp', action='store_true', help='also try an MLP for the GoEmotions head')
    a = ap.parse_args()
    d = a.data
    c_grid = [float(c) for c in a.c_grid.split(',')]
    enc = UseEncoder(a.use_onnx, a.tokenizer)
    runner = E.Runner(a.main_onnx, threads=2, max_len=128, batch=1)
    report, heads, weights, thresholds = {}, {}, {}, {}

    # --- GoEmotions 28
    ge_tr = D.load_goemotions(d, 'train', 'en') + (D.load_goemotions(d, 'train', 'ko') if a.ge_ko else [])
    ge_dev = D.load_goemotions(d, 'dev', 'en')
    Xtr = enc.cached('ge_train_en', [t for t, _ in D.load_goemotions(d, 'train', 'en')])
    if a.ge_ko:
        Xtr = np.concatenate([Xtr, enc.cached('ge_train_ko', [t for t, _ in D.load_goemotions(d, 'train', 'ko')])])
    Xdev = enc.cached('ge_dev_en', [t for t, _ in ge_dev])
    Ytr, Ydev = E.multi_hot(ge_tr, 28), E.multi_hot(ge_dev, 28)
    kind, h, cands = choose_multilabel('goemotions', Xtr, Ytr, Xdev, Ydev, c_grid, a.mlp)
    heads['goemotions_logits'] = h
    Pm = sig(main_outputs('ge_dev_en', [t for t, _ in ge_dev], runner)['goemotions_logits'].astype(np.float64))
    Pu = sig(apply(h, Xdev).astype(np.float64))
    w, sc = blend_multilabel(Ydev, Pm, Pu)
    weights['goemotions_logits'] = [round(1 - w, 2), w]
    thresholds['goemotions_logits'] = E.tune(Ydev, (1 - w) * Pm + w * Pu)
    report['goemotions_logits'] = {'head': kind, 'candidates_dev': cands, 'train': 'GoEmotions train en' + (' + ko' if a.ge_ko else ''),
                                   'w_use': w, **sc}
    # Ekman groups of the fused GoEmotions probabilities (thresholds for the evaluation)
    gnames, Yg, Sg = E.ekman(d, Ydev, (1 - w) * Pm + w * Pu)
    thresholds['ekman'] = E.tune(Yg, Sg)

    # --- KOTE 44
    k_tr, k_dev = D.load_kote(d, 'train'), D.load_kote(d, 'dev')
    Xtr, Xdev = enc.cached('kote_train', [t for t, _ in k_tr]), enc.cached('kote_dev', [t for t, _ in k_dev])
    Ytr, Ydev = E.multi_hot(k_tr, 44), E.multi_hot(k_dev, 44)
    kind, h, cands = choose_multilabel('kote', Xtr, Ytr, Xdev, Ydev, c_grid, False)
    heads['kote_logits'] = h
    Pm = sig(main_outputs('kote_dev', [t for t, _ in k_dev], runner)['kote_logits'].astype(np.float64))
    Pu = sig(apply(h, Xdev).astype(np.float64))
    w, sc = blend_multilabel(Ydev, Pm, Pu)
    weights['kote_logits'] = [round(1 - w, 2), w]
    thresholds['kote_logits'] = E.tune(Ydev, (1 - w) * Pm + w * Pu)
    report['kote_logits'] = {'head': kind, 'candidates_dev': cands, 'w_use': w, **sc}

    # --- polarity (NSMC)
    from sklearn.linear_model import LogisticRegression, Ridge
    n_tr, n_dev = D.load_nsmc(d, 'train', per_class=20000), D.load_nsmc(d, 'dev')
    Xtr, Xdev = enc.cached('nsmc_train', [t for t, _ in n_tr]), enc.cached('nsmc_dev', [t for t, _ in n_dev])
    ytr, ydev = np.array([y for _, y in n_tr]), np.array([y for _, y in n_dev])
    best = None
    for C in c_grid:
        m = LogisticRegression(C=C, max_iter=2000).fit(Xtr, ytr)
        acc = float(((Xdev[0::2] @ m.coef_[0] + m.intercept_[0] > 0) == ydev[0::2]).mean())
        if best is None or acc > best[0]:
            best = (acc, C, m)
    _, C, m = best
    heads['polarity_logits'] = {'W': np.stack([np.zeros(512), m.coef_[0]], 1).astype(np.float32),
                                'b': np.array([0, m.intercept_[0]], dtype=np.float32)}
    pu = sig(Xdev @ m.coef_[0] + m.intercept_[0])
    pl = main_outputs('nsmc_dev', [t for t, _ in n_dev], runner)['polarity_logits'].astype(np.float64)
    pm = np.exp(pl[:, 1]) / np.exp(pl).sum(1)
    acc = lambda w, sl: float(((((1 - w) * pm[sl] + w * pu[sl]) >= 0.5) == ydev[sl]).mean())
    w = max(GRID_W, key=lambda x: (acc(x, slice(0, None, 2)), -x))
    weights['polarity_logits'] = [round(1 - w, 2), w]
    report['polarity_logits'] = {'head': f'lr C={C}', 'w_use': w, 'main_alone_odd_acc': round(acc(0, slice(1, None, 2)), 4),
                                 'use_alone_odd_acc': round(acc(1, slice(1, None, 2)), 4),
                                 'fused_odd_acc': round(acc(w, slice(1, None, 2)), 4)}

    # --- VAD (EmoBank)
    e_tr, e_dev = D.load_emobank(d, 'train'), D.load_emobank(d, 'dev')
    Xtr, Xdev = enc.cached('emobank_train', [t for t, _ in e_tr]), enc.cached('emobank_dev', [t for t, _ in e_dev])
    ytr, ydev = np.array([y for _, y in e_tr]), np.array([y for _, y in e_dev])
    mean_r = lambda P, Y: float(np.mean([E.pearson(P[:, i], Y[:, i]) for i in range(3)]))
    best = None
    for alpha in (0.1, 1, 10):
        m = Ridge(alpha=alpha).fit(Xtr, ytr)
        r = mean_r(m.predict(Xdev[0::2]), ydev[0::2])
        if best is None or r > best[0]:
            best = (r, alpha, m)
    _, alpha, m = best
    heads['vad'] = {'W': m.coef_.T.astype(np.float32), 'b': m.intercept_.astype(np.float32)}
    vu = m.predict(Xdev)
    vm = main_outputs('emobank_dev', [t for t, _ in e_dev], runner)['vad'].astype(np.float64)
    w = max(GRID_W, key=lambda x: (mean_r((1 - x) * vm[0::2] + x * vu[0::2], ydev[0::2]), -x))
    weights['vad'] = [round(1 - w, 2), w]
    report['vad'] = {'head': f'ridge alpha={alpha}', 'w_use': w,
                     'main_alone_odd_mean_pearson': round(mean_r(vm[1::2], ydev[1::2]), 4),
                     'use_alone_odd_mean_pearson': round(mean_r(vu[1::2], ydev[1::2]), 4),
                     'fused_odd_mean_pearson': round(mean_r((1 - w) * vm[1::2] + w * vu[1::2], ydev[1::2]), 4)}

    # --- utility (ETHICS ranking)
    u_tr = D.load_ethics_util(d, 'train')
    Fa, Fb = enc.cached('util_train_a', [x for x, _ in u_tr]), enc.cached('util_train_b', [y for _, y in u_tr])
    diff = np.concatenate([Fa - Fb, Fb - Fa]); lab = np.r_[np.ones(len(Fa)), np.zeros(len(Fa))]
    m = LogisticRegression(C=4, fit_intercept=False, max_iter=2000).fit(diff, lab)
    heads['utility'] = {'W': m.coef_.T.astype(np.float32), 'b': np.zeros(1, dtype=np.float32)}
    weights['utility'] = [1.0, 0.0]
    report['utility'] = {'head': 'lr on pair differences, C=4, no intercept', 'w_use': 0.0,
                         'why': 'no ETHICS dev split: nothing to choose a weight on, so the main model alone'}

    flat = {f'{k}_{p}': v for k, h in heads.items() for p, v in h.items()}
    np.savez(a.out, **flat)
    fusion = {'weights': weights, 'thresholds': {k: [round(float(x), 2) for x in v] for k, v in thresholds.items()},
              'dev': report}
    json.dump(fusion, open(a.fusion_out, 'w'), indent=1)
    print(json.dumps(report, indent=1))


if __name__ == '__main__':
    main()
