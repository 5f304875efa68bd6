"""Data loading for every task. All splits are deterministic functions of the files in the
data dir (default ../shared/data relative to the repo root). Nothing here downloads anything.

NSMC split rule (also in training/README.md and models/manifest.json):
  keep reviews whose text (after .strip()) is non-empty and shorter than 140 characters and
  whose rating is <= 4 (label 0 = negative) or >= 9 (label 1 = positive);
  b = int(sha256(review_id as UTF-8 string).hexdigest(), 16) % 1000
  negative: test if b < 40, dev if 40 <= b < 60, else train
  positive: test if b < 13, dev if 13 <= b < 19, else train
  (negatives are ~24% of the pool, so this gives a roughly balanced test set of ~5k per class)
  Training uses a balanced subsample of the train part: per class the N reviews with the
  smallest sha256(review_id) (N = --nsmc-per-class).
  This per-review split ('review', models 1.0-1.3) puts reviews of one movie in every split and
  leaves exact duplicate texts across splits.

NSMC split by movie ('movie', from v2; same rule in eval/ for the Node evaluation):
  same pool; m = int(sha256(movie_id as UTF-8 string).hexdigest(), 16) % 1000;
  test if m < 50, dev if 50 <= m < 80, else train (5 % / 3 % / 92 % of the movies);
  then exact duplicates across splits are removed: a dev review whose text occurs in train is
  dropped, a test review whose text occurs in train or dev is dropped;
  then dev and test are balanced: all reviews of the smaller class, and of the larger class the
  same number with the smallest sha256(review_id). Train keeps every review (the per-class
  subsample above applies).
"""
import csv, hashlib, io, json, os, tarfile, sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO, '..', 'shared', 'data'))
WORK = os.path.join(REPO, 'training', 'work')


def read_lines(p):
    with open(p, encoding='utf-8') as f:
        return [l.rstrip('\n') for l in f if l.strip() != '']


def goemotions_labels(d):
    return read_lines(os.path.join(d, 'goemotions', 'emotions.txt'))


def kote_labels(d):
    return read_lines(os.path.join(d, 'kote', 'labels.txt'))


def load_goemotions(d, split, lang='en'):
    """returns list of (text, [label idx])"""
    sub = 'goemotions' if lang == 'en' else 'goemotions_ko'
    out = []
    with open(os.path.join(d, sub, f'{split}.tsv'), encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                continue
            parts = line.split('\t')
            out.append((parts[0], [int(x) for x in parts[1].split(',')]))
    return out


def ekman_groups(d):
    with open(os.path.join(d, 'goemotions', 'ekman_mapping.json'), encoding='utf-8') as f:
        m = json.load(f)
    return m  # dict group -> list of goemotions label names (neutral implicit)


def load_kote(d, split):
    """split in {'train','dev','test'}: train/dev are carved out of val.tsv:
    dev = rows whose int(ID) % 5 == 0, train = the other val rows. test = test.tsv."""
    fn = 'test.tsv' if split == 'test' else 'val.tsv'
    out = []
    with open(os.path.join(d, 'kote', fn), encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                continue
            i, text, labs = line.split('\t')
            if split != 'test':
                is_dev = int(i) % 5 == 0
                if (split == 'dev') != is_dev:
                    continue
            out.append((text, [int(x) for x in labs.split(',')] if labs else []))
    return out


def load_ethics_util(d, split):
    """split in {'train','test','test_hard'}; returns list of (more_pleasant, less_pleasant)"""
    fn = {'train': 'util_train.csv', 'test': 'util_test.csv', 'test_hard': 'util_test_hard.csv'}[split]
    with open(os.path.join(d, 'ethics', 'utilitarianism', fn), encoding='utf-8', newline='') as f:
        return [(r[0], r[1]) for r in csv.reader(f)]


def load_emobank(d, split):
    """split column of emobank.csv; returns (text, [V, A, D])"""
    out = []
    with open(os.path.join(d, 'emobank', 'emobank.csv'), encoding='utf-8', newline='') as f:
        for r in csv.DictReader(f):
            if r['split'] == split:
                out.append((r['text'], [float(r['V']), float(r['A']), float(r['D'])]))
    return out


def nsmc_bucket(review_id):
    return int(hashlib.sha256(str(review_id).encode('utf-8')).hexdigest(), 16) % 1000


def nsmc_split_of(label, b):
    if label == 0:
        return 'test' if b < 40 else ('dev' if b < 60 else 'train')
    return 'test' if b < 13 else ('dev' if b < 19 else 'train')


def _nsmc_all(d):
    cache = os.path.join(WORK, 'nsmc_all_v2.jsonl')  # v2: rows carry movie_id
    if os.path.exists(cache):
        with open(cache, encoding='utf-8') as f:
            return [json.loads(l) for l in f]
    rows = []
    with tarfile.open(os.path.join(d, 'nsmc_raw', 'nsmc_raw.tar.xz'), 'r:xz') as tf:
        for m in tf:
            if not (m.isfile() and m.name.endswith('.json') and '/raw/' in '/' + m.name):
                continue
            for r in json.load(tf.extractfile(m)):
                text = r['review'].strip()
                rating = int(r['rating'])
                if not text or len(text) >= 140 or 5 <= rating <= 8:
                    continue
                label = 0 if rating <= 4 else 1
                rows.append({'id': str(r['review_id']), 'movie': str(r['movie_id']), 'text': text, 'label': label})
    rows.sort(key=lambda r: int(r['id']))
    os.makedirs(WORK, exist_ok=True)
    with open(cache, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    return rows


def nsmc_movie_split_of(movie_id):
    m = nsmc_bucket(movie_id)
    return 'test' if m < 50 else ('dev' if m < 80 else 'train')


def _sha(s):
    return hashlib.sha256(s.encode('utf-8')).hexdigest()


def nsmc_by_movie(d):
    """{'train','dev','test'} -> rows of the split by movie (deduplicated, dev/test balanced), plus removal counts."""
    parts = {'train': [], 'dev': [], 'test': []}
    for r in _nsmc_all(d):
        parts[nsmc_movie_split_of(r['movie'])].append(r)
    seen = {r['text'] for r in parts['train']}
    removed = {}
    dev = [r for r in parts['dev'] if r['text'] not in seen]
    removed['dev_in_train'] = len(parts['dev']) - len(dev)
    seen |= {r['text'] for r in dev}
    test = [r for r in parts['test'] if r['text'] not in seen]
    removed['test_in_train_or_dev'] = len(parts['test']) - len(test)

    def balance(rows):
        by = {0: [r for r in rows if r['label'] == 0], 1: [r for r in rows if r['label'] == 1]}
        n = min(len(by[0]), len(by[1]))
        keep = {r['id'] for c in (0, 1) for r in sorted(by[c], key=lambda r: _sha(r['id']))[:n]}
        return [r for r in rows if r['id'] in keep]

    return {'train': parts['train'], 'dev': balance(dev), 'test': balance(test)}, removed


def load_nsmc(d, split, per_class=None, scheme='review'):
    """returns list of (text, label) for split in {'train','dev','test'}; text is review.strip().
    scheme 'review' = the per-review split of models 1.0-1.3; 'movie' = the split by movie (v2)."""
    if scheme == 'movie':
        out = nsmc_by_movie(d)[0][split]
    elif scheme == 'review':
        out = [r for r in _nsmc_all(d) if nsmc_split_of(r['label'], nsmc_bucket(r['id'])) == split]
    else:
        raise ValueError(f"unknown NSMC split scheme '{scheme}' (review, movie)")
    if split == 'train' and per_class:
        keyed = sorted(out, key=lambda r: hashlib.sha256(r['id'].encode()).hexdigest())
        sel = {0: [], 1: []}
        for r in keyed:
            if len(sel[r['label']]) < per_class:
                sel[r['label']].append(r)
        out = sel[0] + sel[1]
    return [(r['text'], r['label']) for r in out]



# ---- CPED (Chinese; only its validation and test files are here) ----
CPED_EMOTIONS = ['happy', 'grateful', 'relaxed', 'positive-other', 'neutral', 'anger', 'sadness', 'fear',
                 'depress', 'disgust', 'astonished', 'worried', 'negative-other']
CPED_SENTIMENTS = ['negative', 'neutral', 'positive']
CPED_SHARE = 0.15


def _cped_rows(d):
    rows = []
    for fn in ('valid_split.csv', 'test_split.csv'):
        with open(os.path.join(d, 'cped', fn), encoding='utf-8-sig', newline='') as f:
            rows += list(csv.DictReader(f))
    return rows


def cped_series_split(d):
    """TV_ID -> 'train'|'dev'|'test'. Both upstream files are pooled; the series are ordered by
    sha256(TV_ID) and taken into test until it holds >= 15 % of the utterances, then into dev until it
    holds >= 15 %; the remaining series are train. A series is never split."""
    count = {}
    for r in _cped_rows(d):
        count[r['TV_ID']] = count.get(r['TV_ID'], 0) + 1
    total = sum(count.values())
    out, filled = {}, {'test': 0, 'dev': 0}
    for tv in sorted(count, key=_sha):
        part = 'test' if filled['test'] < CPED_SHARE * total else ('dev' if filled['dev'] < CPED_SHARE * total else 'train')
        out[tv] = part
        if part != 'train':
            filled[part] += count[tv]
    return out


def load_cped(d, split):
    """(utterance, emotion index in CPED_EMOTIONS, sentiment index in CPED_SENTIMENTS, TV_ID) of one split."""
    parts = cped_series_split(d)
    return [(r['Utterance'].strip(), CPED_EMOTIONS.index(r['Emotion']), CPED_SENTIMENTS.index(r['Sentiment']), r['TV_ID'])
            for r in _cped_rows(d) if parts[r['TV_ID']] == split]


# ---- XED Chinese projections (Plutchik-8, multi-label; no upstream split) ----
XED_LABELS = ['anger', 'anticipation', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'trust']  # upstream ids 1..8
XED_ZH = ('cn', 'zh', 'tw')


def xed_lines(d, code):
    """(text, [label index]) of Projections/<code>-projections.tsv. Lines without exactly 2 tab-separated fields are
    dropped (xed/SOURCE.md: zh has 48 six-field OPUS metadata lines and 1 one-field line); the files end lines with
    CRLF. Labels are '1, 4, 7' -> indices into XED_LABELS; any other label is an error, not a silent skip."""
    out = []
    with open(os.path.join(d, 'xed', 'Projections', f'{code}-projections.tsv'), encoding='utf-8') as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            if len(parts) != 2:
                continue
            labs = sorted({int(x) - 1 for x in parts[1].strip().split(',') if x.strip()})
            if not labs or labs[0] < 0 or labs[-1] >= len(XED_LABELS):
                raise ValueError(f'XED {code}: unexpected labels {parts[1]!r}')
            out.append((parts[0].strip(), labs))
    return out


def load_xed_zh(d):
    """The XED Chinese projections cn + zh + tw (all training material for the xed head; XED has no split and the
    Japanese lines are evaluation only)."""
    return [r for code in XED_ZH for r in xed_lines(d, code)]


if __name__ == '__main__':
    d = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA
    for scheme in ['review', 'movie']:
        for s in ['train', 'dev', 'test']:
            rows = load_nsmc(d, s, scheme=scheme)
            print('nsmc', scheme, s, len(rows), 'neg', sum(1 for r in rows if r[1] == 0))
    print('nsmc movie removed', nsmc_by_movie(d)[1])
    print('cped series', cped_series_split(d), {s: len(load_cped(d, s)) for s in ['train', 'dev', 'test']})
    print('xed zh', {c: len(xed_lines(d, c)) for c in XED_ZH}, 'ja', len(xed_lines(d, 'ja')))
    print('kote', {s: len(load_kote(d, s)) for s in ['train', 'dev', 'test']})
    print('ethics', {s: len(load_ethics_util(d, s)) for s in ['train', 'test', 'test_hard']})
    print('emobank', {s: len(load_emobank(d, s)) for s in ['train', 'dev', 'test']})
    print('goemo', {s: len(load_goemotions(d, s)) for s in ['train', 'dev', 'test']},
          {s: len(load_goemotions(d, s, 'ko')) for s in ['train', 'dev', 'test']})
