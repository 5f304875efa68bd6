"""Baselines on the CPED split by TV series (training/data.py: cped_series_split): the majority class and a
character n-gram logistic regression (one-vs-rest, liblinear), for the 13-way emotion (macro-F1 over all 13 labels, zero_division 0)
and the 3-way sentiment (accuracy). Hyper-parameters are chosen on dev; test is evaluated once with a
percentile bootstrap 95 % interval (1,000 resamples of the test utterances, seed 0).
Needs scikit-learn (not in requirements.txt; any recent version):
  python3 -m venv /tmp/cped && /tmp/cped/bin/pip install scikit-learn numpy
  /tmp/cped/bin/python training/baselines_cped.py [DATA_DIR] [--out FILE.json]
"""
import json, sys
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.metrics import accuracy_score, f1_score

sys.path.insert(0, __import__('os').path.dirname(__file__))
import data as D

argv = sys.argv[1:]
out = argv[argv.index('--out') + 1] if '--out' in argv else None
pos = [a for i, a in enumerate(argv) if not a.startswith('--') and (i == 0 or argv[i - 1] != '--out')]
d = pos[0] if pos else D.DEFAULT_DATA
split = {s: D.load_cped(d, s) for s in ('train', 'dev', 'test')}
texts = {s: [r[0] for r in rows] for s, rows in split.items()}
EMO = list(range(len(D.CPED_EMOTIONS)))
tasks = {
    'emotion': (1, lambda y, p: f1_score(y, p, labels=EMO, average='macro', zero_division=0), 'macro_f1'),
    'sentiment': (2, accuracy_score, 'accuracy'),
}


def bootstrap(y, p, metric, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    y, p = np.asarray(y), np.asarray(p)
    vals = [metric(y[i], p[i]) for i in (rng.integers(0, len(y), len(y)) for _ in range(n))]
    return [round(float(np.percentile(vals, 2.5)), 4), round(float(np.percentile(vals, 97.5)), 4)]


vec = TfidfVectorizer(analyzer='char', ngram_range=(1, 3), min_df=2, sublinear_tf=True)
X = {'train': vec.fit_transform(texts['train'])}
X['dev'], X['test'] = vec.transform(texts['dev']), vec.transform(texts['test'])
report = {'split': {s: {'utterances': len(rows), 'series': sorted({r[3] for r in rows}, key=int)} for s, rows in split.items()},
          'features': 'tf-idf of character 1-3-grams (min_df 2, sublinear tf), fitted on train', 'tasks': {}}
for task, (col, metric, name) in tasks.items():
    y = {s: [r[col] for r in rows] for s, rows in split.items()}
    maj = max(set(y['train']), key=y['train'].count)
    res = {'majority': {'predicts': (D.CPED_EMOTIONS if task == 'emotion' else D.CPED_SENTIMENTS)[maj]}}
    for s in ('dev', 'test'):
        res['majority'][s] = round(float(metric(y[s], [maj] * len(y[s]))), 4)
    res['majority']['test_ci95'] = bootstrap(y['test'], [maj] * len(y['test']), metric)
    grid = []
    for C in (0.3, 1.0, 3.0, 10.0):
        for cw in (None, 'balanced'):
            m = OneVsRestClassifier(LogisticRegression(C=C, class_weight=cw, solver='liblinear', max_iter=1000)).fit(X['train'], y['train'])
            grid.append((float(metric(y['dev'], m.predict(X['dev']))), C, cw, m))
            print(task, 'C', C, 'class_weight', cw, 'dev', round(grid[-1][0], 4), file=sys.stderr)
    best = max(grid, key=lambda g: g[0])
    p = best[3].predict(X['test'])
    res['char_ngram_logreg'] = {'C': best[1], 'class_weight': best[2], 'dev': round(best[0], 4),
                                'test': round(float(metric(y['test'], p)), 4), 'test_ci95': bootstrap(y['test'], p, metric),
                                'dev_grid': [{'C': g[1], 'class_weight': g[2], 'dev': round(g[0], 4)} for g in grid]}
    report['tasks'][f'{task}_{name}'] = res
js = json.dumps(report, indent=1, ensure_ascii=False)
print(js)
if out:
    open(out, 'w', encoding='utf-8').write(js + '\n')
