"""CPED dev-series scores of a v2 model with a decision rule chosen on dev (every choice is made on dev).

The CPED heads are trained with plain cross-entropy on imbalanced labels, so early in a run the argmax is the
majority class everywhere. This reports, on the odd rows of the CPED dev series, the plain argmax and the argmax of
`logits - tau * log(train prior)` with tau (0, 0.25, ..., 2) chosen on the even rows (for emotion macro-F1 and for
sentiment accuracy separately). Never reads the CPED test series.

    training/.venv/bin/python training/cped_dev.py --model E/red-heart-v1.int8.onnx --tokenizer training/work/tokenizer_v2.json
"""
import argparse, json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from evaluate import Runner, cped_scores

TAUS = [i / 4 for i in range(9)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    R = Runner(a.model, a.threads, 128, 1, a.tokenizer)
    if 'cped_emotion_logits' not in R.out:
        raise SystemExit('%s has no CPED heads' % a.model)
    train = D.load_cped(a.data, 'train')
    prior_e = np.bincount([r[1] for r in train], minlength=len(D.CPED_EMOTIONS)) / len(train)
    prior_s = np.bincount([r[2] for r in train], minlength=len(D.CPED_SENTIMENTS)) / len(train)
    dev = D.load_cped(a.data, 'dev')
    o = R.run([r[0] for r in dev])
    ye, ys = np.array([r[1] for r in dev]), np.array([r[2] for r in dev])
    le, ls = o['cped_emotion_logits'], o['cped_sentiment_logits']

    def scores(rows, te, ts):
        return cped_scores(ye[rows], ys[rows], le[rows] - te * np.log(prior_e), ls[rows] - ts * np.log(prior_s))

    even, odd = np.arange(0, len(dev), 2), np.arange(1, len(dev), 2)
    te = max(TAUS, key=lambda t: (scores(even, t, 0)['cped_emotion_macro_f1'], -t))
    ts = max(TAUS, key=lambda t: (scores(even, 0, t)['cped_sentiment_acc'], -t))
    out = {'model': a.model, 'rows': 'tau chosen on the even rows of the CPED dev series, scores on the odd rows',
           'argmax': scores(odd, 0, 0), 'prior_adjusted': scores(odd, te, ts), 'tau_emotion': te, 'tau_sentiment': ts,
           'predicted_emotion_classes_argmax': int(len(np.unique(le[odd].argmax(1))))}
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
