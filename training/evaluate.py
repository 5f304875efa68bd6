"""Evaluate an exported ONNX model on the dev or test splits and print JSON metrics.

  python training/evaluate.py --model models/red-heart-v1.int8.onnx [--data ../shared/data]
      -> test metrics, thresholds read from models/manifest.json (entry whose "file" is the model's
         basename) or from --thresholds FILE
  python training/evaluate.py --model X.onnx --tune thresholds.json [--dev-half]
      -> tunes per-label thresholds on the dev splits and writes them (no test data is read).
         --dev-half: thresholds are tuned on the even rows (0, 2, 4, ...) of each dev split and the dev scores are
         reported on the odd rows (scores on the rows the thresholds were fitted to flatter the model).
         A model with the zh heads (v2; give --tokenizer training/work/tokenizer_v2.json) also reports CPED on the dev
         series: 13-emotion macro-F1 over all 13 labels (argmax; F1 0 for a label never predicted correctly) and
         3-class sentiment accuracy (argmax); no thresholds are involved, so these use all dev rows, and with
         --dev-half also the odd rows.

Exact procedure (the Node `npm run eval` must do the same):
 * tokenisation: models/tokenizer.json (HF tokenizers); ids = <s> pieces </s>; if longer than
   max_length (128) keep the first 127 ids and append </s> (id 2).  Each text is run ALONE
   (batch 1, no padding; attention_mask all ones) - int8 dynamic quantisation computes activation
   scales per input tensor, so padding/batching changes int8 outputs slightly.
 * multi-label heads: p = sigmoid(logit); label predicted iff p >= threshold[label].
 * GoEmotions macro-F1: mean over the 28 labels of per-label F1 on goemotions/test.tsv (F1 = 0 when
   a label has no gold and no predicted positive... i.e. sklearn zero_division=0).
 * Ekman-7: 6 groups from goemotions/ekman_mapping.json + neutral.  Gold group = any member label
   gold; gold neutral = label 'neutral' gold.  Predicted group = max(member probabilities) >=
   ekman_threshold[group]; predicted neutral = p(neutral) >= ekman_threshold['neutral'].  The 7
   thresholds are tuned on dev (same grid).  Macro-F1 over the 7 classes.
 * KOTE: thresholds tuned on the dev part of kote/val.tsv (int(ID) % 5 == 0); test = kote/test.tsv.
 * NSMC: argmax of polarity_logits vs label (training/data.py split rule); accuracy.
 * ETHICS util: pair correct iff utility(first) > utility(second); util_test.csv, util_test_hard.csv.
 * EmoBank: Pearson r between vad[:,k] and V/A/D of rows with split == 'test' in emobank.csv.
 * Threshold grid: 0.01..0.99 step 0.01, maximise per-label F1 on dev, ties -> lowest threshold;
   a label with no positive in dev gets 0.5.
"""
import argparse, json, os, sys, time
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D

GRID = np.round(np.arange(0.01, 1.0, 0.01), 2)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype(np.float64)))


class Runner:
    def __init__(self, model, threads=2, max_len=128, batch=1, tokenizer=None):
        import onnxruntime as ort
        from tokenizers import Tokenizer
        so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
        so.add_session_config_entry('session.intra_op.allow_spinning', '0')  # friendlier on a busy 2-core box
        self.sess = ort.InferenceSession(model, so, providers=['CPUExecutionProvider'])
        self.tok = Tokenizer.from_file(tokenizer or os.path.join(D.REPO, 'models', 'tokenizer.json'))
        self.out = [o.name for o in self.sess.get_outputs()]  # 5 (v1) or 8 (v2: + the zh heads)
        self.max_len, self.batch = max_len, batch

    def ids(self, texts):
        out = []
        for e in self.tok.encode_batch(texts):
            x = e.ids
            if len(x) > self.max_len:
                x = x[:self.max_len - 1] + [2]
            out.append(x)
        return out

    def run(self, texts):
        uniq = sorted(set(texts))
        if len(uniq) < len(texts):  # identical texts give identical outputs (batch 1): run each once
            r = self.run(uniq)
            pos = {t: i for i, t in enumerate(uniq)}
            sel = np.array([pos[t] for t in texts])
            return {n: v[sel] for n, v in r.items()}
        seqs = self.ids(texts)
        res = [None] * len(seqs)
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        for s in range(0, len(order), self.batch):
            idx = order[s:s + self.batch]
            L = max(len(seqs[i]) for i in idx)
            ids = np.full((len(idx), L), 1, dtype=np.int64); am = np.zeros((len(idx), L), dtype=np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(seqs[i])] = seqs[i]; am[r, :len(seqs[i])] = 1
            o = self.sess.run(self.out, {'input_ids': ids, 'attention_mask': am})
            for r, i in enumerate(idx):
                res[i] = [x[r] for x in o]
        return {n: np.stack([r[j] for r in res]) for j, n in enumerate(self.out)}


def f1(y, p):
    tp = float((y & p).sum()); fp = float((~y & p).sum()); fn = float((y & ~p).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


ANGER_LIKE_GOEMOTIONS = ['anger', 'annoyance', 'disgust', 'disapproval']
ANGER_LIKE_KOTE = ['화남/분노', '짜증', '불평/불만']


def macro_f1(Y, P):
    return float(np.mean([f1(Y[:, k], P[:, k]) for k in range(Y.shape[1])]))


def tune(Y, S):
    th = []
    for k in range(Y.shape[1]):
        if not Y[:, k].any():
            th.append(0.5); continue
        best, bt = -1, 0.5
        for t in GRID:
            v = f1(Y[:, k], S[:, k] >= t)
            if v > best + 1e-12:
                best, bt = v, float(t)
        th.append(bt)
    return th


def multi_hot(rows, n):
    Y = np.zeros((len(rows), n), dtype=bool)
    for i, (_, labs) in enumerate(rows):
        Y[i, labs] = True
    return Y


def ekman(d, Y, S):
    names = D.goemotions_labels(d)
    groups = D.ekman_groups(d)
    gnames = list(groups) + ['neutral']
    Yg = np.zeros((Y.shape[0], 7), dtype=bool); Sg = np.zeros((Y.shape[0], 7))
    for g, gn in enumerate(gnames):
        mem = [names.index(x) for x in (groups[gn] if gn != 'neutral' else ['neutral'])]
        Yg[:, g] = Y[:, mem].any(1); Sg[:, g] = S[:, mem].max(1)
    return gnames, Yg, Sg


def cped_scores(y_emo, y_sent, emo_logits, sent_logits):
    """13-emotion macro-F1 over ALL 13 labels (a label never predicted correctly counts 0) and sentiment accuracy,
    both from the argmax (as baselines_cped.py with sklearn f1_score(labels=all 13, average='macro', zero_division=0))."""
    pe, ps = emo_logits.argmax(1), sent_logits.argmax(1)
    n = len(D.CPED_EMOTIONS)
    Y = np.zeros((len(y_emo), n), dtype=bool); Y[np.arange(len(y_emo)), y_emo] = True
    P = np.zeros_like(Y); P[np.arange(len(pe)), pe] = True
    return {'cped_emotion_macro_f1': macro_f1(Y, P), 'cped_sentiment_acc': float((ps == np.asarray(y_sent)).mean()),
            'n': int(len(y_emo))}


def halves(rows, on):
    """(rows to tune on, rows to report on): even/odd row index with --dev-half, else all rows twice."""
    return (rows[0::2], rows[1::2]) if on else (rows, rows)


def pearson(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--manifest', default=os.path.join(D.REPO, 'models', 'manifest.json'))
    ap.add_argument('--thresholds', default=None)
    ap.add_argument('--tune', default=None, help='write thresholds tuned on dev to this file')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--max-len', type=int, default=128)
    ap.add_argument('--limit', type=int, default=0, help='debug: first N rows of each split')
    ap.add_argument('--nsmc-split', choices=['review', 'movie'], default='review', help='NSMC split scheme (training/data.py)')
    ap.add_argument('--tokenizer', default=None, help='default models/tokenizer.json; v2 models: training/work/tokenizer_v2.json')
    ap.add_argument('--dev-half', action='store_true',
                    help='--tune: fit thresholds on even dev rows, report dev scores on odd dev rows')
    a = ap.parse_args()
    R = Runner(a.model, a.threads, a.max_len, a.batch, a.tokenizer)
    lim = (lambda x: x[:a.limit]) if a.limit else (lambda x: x)
    d = a.data
    t0 = time.time()
    if a.tune:
        ge = lim(D.load_goemotions(d, 'dev', 'en')); kd = lim(D.load_kote(d, 'dev'))
        Y = multi_hot(ge, 28); S = sigmoid(R.run([t for t, _ in ge])['goemotions_logits'])
        gnames, Yg, Sg = ekman(d, Y, S)
        Yk = multi_hot(kd, 44); Sk = sigmoid(R.run([t for t, _ in kd])['kote_logits'])
        (Yt, Yr), (St, Sr) = halves(Y, a.dev_half), halves(S, a.dev_half)
        (Ygt, Ygr), (Sgt, Sgr) = halves(Yg, a.dev_half), halves(Sg, a.dev_half)
        (Ykt, Ykr), (Skt, Skr) = halves(Yk, a.dev_half), halves(Sk, a.dev_half)
        th, eth, kth = tune(Yt, St), tune(Ygt, Sgt), tune(Ykt, Skt)
        out = {'goemotions': th, 'ekman_groups': gnames, 'ekman': eth, 'kote': kth,
               'dev': {'goemotions_macro_f1': macro_f1(Yr, Sr >= np.array(th)),
                       'goemotions_macro_f1_at_0.5': macro_f1(Yr, Sr >= 0.5),
                       'ekman_macro_f1': macro_f1(Ygr, Sgr >= np.array(eth)),
                       'kote_macro_f1': macro_f1(Ykr, Skr >= np.array(kth)),
                       'n_goemotions_dev': len(Yr), 'n_kote_dev': len(Ykr)}}
        if a.dev_half:
            out['dev']['rows'] = 'thresholds tuned on the even rows of each dev split, scores on the odd rows'
            out['dev']['n_tuned_on'] = {'goemotions': len(Yt), 'kote': len(Ykt)}
        # dev scores of the single-answer heads (no thresholds: the --dev-half rows are the odd ones, like the others)
        nd = lim(D.load_nsmc(d, 'dev', scheme=a.nsmc_split))
        pl = R.run([t for t, _ in nd])['polarity_logits']
        ok = (pl.argmax(1) == np.array([y for _, y in nd]))
        out['dev']['nsmc_dev_acc'] = float(halves(ok, a.dev_half)[1].mean())
        out['dev']['nsmc_split'] = a.nsmc_split
        ed = lim(D.load_emobank(d, 'dev'))
        v, yv = R.run([t for t, _ in ed])['vad'], np.array([y for _, y in ed])
        v, yv = halves(v, a.dev_half)[1], halves(yv, a.dev_half)[1]
        out['dev']['emobank_dev_pearson'] = {k: pearson(v[:, i], yv[:, i]) for i, k in enumerate('vad')}
        out['dev']['n_nsmc_dev'], out['dev']['n_emobank_dev'] = len(halves(ok, a.dev_half)[1]), len(v)
        if 'cped_emotion_logits' in R.out:
            cp = lim(D.load_cped(d, 'dev'))
            o = R.run([r[0] for r in cp])
            ye, ys = np.array([r[1] for r in cp]), np.array([r[2] for r in cp])
            out['dev']['cped_dev_series'] = cped_scores(ye, ys, o['cped_emotion_logits'], o['cped_sentiment_logits'])
            if a.dev_half:
                out['dev']['cped_dev_series_odd_rows'] = cped_scores(ye[1::2], ys[1::2], o['cped_emotion_logits'][1::2],
                                                                     o['cped_sentiment_logits'][1::2])
        json.dump(out, open(a.tune, 'w'), indent=1)
        print(json.dumps(out['dev'], indent=1))
        return
    if a.thresholds:
        T = json.load(open(a.thresholds))
        th, eth, kth = T['goemotions'], T['ekman'], T['kote']
    else:
        man = json.load(open(a.manifest))
        ent = [m for m in man['models'] if m['file'] == os.path.basename(a.model)][0]
        th = ent['outputs']['goemotions_logits']['thresholds']
        kth = ent['outputs']['kote_logits']['thresholds']
        eth = ent['ekman']['thresholds']
    th, eth, kth = np.array(th), np.array(eth), np.array(kth)
    res = {'model': os.path.basename(a.model)}
    ge = lim(D.load_goemotions(d, 'test', 'en'))
    Y = multi_hot(ge, 28); S = sigmoid(R.run([t for t, _ in ge])['goemotions_logits'])
    res['goemotions_macro_f1'] = macro_f1(Y, S >= th)
    res['goemotions_macro_f1_at_0.5'] = macro_f1(Y, S >= 0.5)
    gnames, Yg, Sg = ekman(d, Y, S)
    res['goemotions_ekman_macro_f1'] = macro_f1(Yg, Sg >= eth)
    gk = lim(D.load_goemotions(d, 'test', 'ko'))
    Sko = sigmoid(R.run([t for t, _ in gk])['goemotions_logits'])
    res['goemotions_ko_macro_f1'] = macro_f1(multi_hot(gk, 28), Sko >= th)
    kt = lim(D.load_kote(d, 'test'))
    Yk, Pk = multi_hot(kt, 44), sigmoid(R.run([t for t, _ in kt])['kote_logits']) >= kth
    res['kote_test_macro_f1'] = macro_f1(Yk, Pk)
    # the confusions users notice most (anger vs annoyance vs disgust; Korean anger vs irritation vs complaint)
    gl, kl = D.goemotions_labels(d), D.kote_labels(d)
    P = S >= th
    res['per_class_f1'] = {
        'goemotions': {n: f1(Y[:, gl.index(n)], P[:, gl.index(n)]) for n in ANGER_LIKE_GOEMOTIONS},
        'kote': {n: f1(Yk[:, kl.index(n)], Pk[:, kl.index(n)]) for n in ANGER_LIKE_KOTE},
    }
    ns = lim(D.load_nsmc(d, 'test', scheme=a.nsmc_split))
    pl = R.run([t for t, _ in ns])['polarity_logits']
    res['nsmc_test_acc'] = float((pl.argmax(1) == np.array([y for _, y in ns])).mean())
    for split, key in (('test', 'ethics_util_test_acc'), ('test_hard', 'ethics_util_hard_test_acc')):
        pr = lim(D.load_ethics_util(d, split))
        ua = R.run([x for x, _ in pr])['utility'][:, 0]; ub = R.run([y for _, y in pr])['utility'][:, 0]
        res[key] = float((ua > ub).mean())
    eb = lim(D.load_emobank(d, 'test'))
    v = R.run([t for t, _ in eb])['vad']; yv = np.array([y for _, y in eb])
    res['emobank_test_pearson'] = {k: pearson(v[:, i], yv[:, i]) for i, k in enumerate('vad')}
    res['n'] = {'goemotions_test': len(ge), 'goemotions_ko_test': len(gk), 'kote_test': len(kt), 'nsmc_test': len(ns),
                'emobank_test': len(eb)}
    if 'cped_emotion_logits' in R.out:  # the CPED test series (split by TV series, training/data.py), argmax
        cp = lim(D.load_cped(d, 'test'))
        o = R.run([r[0] for r in cp])
        res['cped_test_series'] = cped_scores(np.array([r[1] for r in cp]), np.array([r[2] for r in cp]),
                                              o['cped_emotion_logits'], o['cped_sentiment_logits'])
    res['eval_seconds'] = round(time.time() - t0, 1)
    print(json.dumps(res, indent=1, ensure_ascii=False))


if __name__ == '__main__':
    main()
