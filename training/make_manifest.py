"""Copy the exported model(s) into models/ and write models/manifest.json.

usage: python training/make_manifest.py --export training/work/export [--version X.Y.Z] [--ship-fp32]
          [--tokenizer training/work/tokenizer_v2.json] [--languages en,ko,zh,ja] [--models-dir models]
reads thresholds.int8.json / metrics.int8.json (and the fp32 ones) from the export directory.
outputs: read from the ONNX graph; `sentence_embedding` (the pooled vector, added by training/add_embedding_output.py)
is written with its width when the graph has it. The five v1 outputs are required; a v2 model's zh heads (cped_emotion_logits,
cped_sentiment_logits, xed_logits; all three or none) are written with their labels (training/data.py's
CPED_EMOTIONS, CPED_SENTIMENTS, XED_LABELS). languages: default en,ko, plus zh,ja when the model has the zh heads
(ja is served by cross-lingual transfer of the shared heads; docs/emotion.md). zh needs the zh heads, and every
zh/ja listed needs a tokenizer that reads a probe sentence of that language without <unk> (the v1 tokenizer does
not: give the v2 one with --tokenizer, which is copied to models/tokenizer.json).
parameters: counted from the ONNX initializers.  fp32: elements of all initializers.
int8: elements of all initializers EXCEPT the quantisation scale / zero-point tensors
(names ending in _scale or _zero_point), i.e. the int8 weight tensors plus the fp32 tensors
that stay unquantised (biases, LayerNorm, position embeddings...).
"""
import argparse, hashlib, json, os, shutil, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from add_embedding_output import OUTPUT as EMBEDDING_OUTPUT, embedding_entry

MODELS = os.path.join(D.REPO, 'models')
V1_OUTPUTS = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad']
ZH_OUTPUTS = ['cped_emotion_logits', 'cped_sentiment_logits', 'xed_logits']
# one ordinary sentence per language; the tokenizer must read each without <unk> for the language to be served
PROBES = {'zh': '我今天非常开心！', 'ja': '今日はとても楽しかったです。'}


def sha256(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()


def count_params(path):
    import onnx
    m = onnx.load(path)
    total = q = 0
    for t in m.graph.initializer:
        n = int(np.prod(t.dims)) if len(t.dims) else 1
        if t.name.endswith('_scale') or t.name.endswith('_zero_point'):
            continue
        total += n
        if t.data_type in (onnx.TensorProto.INT8, onnx.TensorProto.UINT8):
            q += n
    return total, q


def output_names(path):
    import onnx
    names = [o.name for o in onnx.load(path, load_external_data=False).graph.output]
    missing = [n for n in V1_OUTPUTS if n not in names]
    zh = [n for n in ZH_OUTPUTS if n in names]
    if missing:
        sys.exit(f'{path}: missing outputs {missing} (has {names})')
    if zh and len(zh) != len(ZH_OUTPUTS):
        sys.exit(f'{path}: has {zh} but not all of {ZH_OUTPUTS}')
    return names


def embedding_dim(path):
    import onnx
    for o in onnx.load(path, load_external_data=False).graph.output:
        if o.name == EMBEDDING_OUTPUT:
            return int(o.type.tensor_type.shape.dim[1].dim_value)
    sys.exit(f'{path}: no {EMBEDDING_OUTPUT} output')


def check_languages(languages, names, tokp, unk='<unk>'):
    from tokenizers import Tokenizer
    if 'zh' in languages and not all(n in names for n in ZH_OUTPUTS):
        sys.exit(f'--languages lists zh, but the model has no zh heads ({", ".join(ZH_OUTPUTS)})')
    tok = Tokenizer.from_file(tokp)
    unk_id = tok.token_to_id(unk)
    for lang, text in PROBES.items():
        if lang in languages and unk_id in tok.encode(text, add_special_tokens=False).ids:
            sys.exit(f'{tokp} reads the {lang} probe {text!r} with <unk>: it cannot serve {lang} (give the v2 tokenizer with --tokenizer)')


def entry(d, models, file, precision, th, metrics, version, parity, languages):
    p = os.path.join(models, file)
    params, qparams = count_params(p)
    names = output_names(p)
    cfg = json.load(open(os.path.join(models, 'tokenizer_config.json')))
    tokp = os.path.join(models, 'tokenizer.json')
    check_languages(languages, names, tokp, cfg.get('unk_token', '<unk>'))
    e = {
        'id': 'red-heart-v1-' + precision, 'version': version, 'file': file, 'sha256': sha256(p),
        'bytes': os.path.getsize(p), 'precision': precision, 'parameters': params,
        'parameters_note': ('elements of all ONNX initializers' if precision == 'fp32' else
                            'elements of all ONNX initializers except *_scale/*_zero_point; %d of them are 8-bit quantised weight elements (int8 MatMul weights, uint8 embedding tables)' % qparams),
        'tokenizer': 'tokenizer.json', 'tokenizer_sha256': sha256(tokp), 'tokenizer_config': cfg,
        'max_length': 128,
        'languages': languages,  # what the server serves; the engine refuses the rest
        'truncation': 'encode with special tokens (<s> ... </s>); if more than max_length ids, keep the first max_length-1 and append </s> (id 2)',
        'inputs': ['input_ids', 'attention_mask'], 'pad_token_id': 1,
        'padding_note': 'pad id 1 (<pad>) with attention_mask 0; outputs use mask-weighted mean pooling. Evaluation runs one text per call (batch 1, no padding), because int8 dynamic quantisation scales depend on the whole input tensor.',
        'outputs': {
            'goemotions_logits': {'labels': D.goemotions_labels(d), 'activation': 'sigmoid', 'thresholds': th['goemotions'],
                                  'decision': 'label on iff sigmoid(logit) >= threshold'},
            'kote_logits': {'labels': D.kote_labels(d), 'activation': 'sigmoid', 'thresholds': th['kote'],
                            'decision': 'label on iff sigmoid(logit) >= threshold'},
            'polarity_logits': {'labels': ['negative', 'positive'], 'activation': 'softmax'},
            'utility': {'activation': 'identity', 'note': 'unbounded scalar, higher = more pleasant (ETHICS utilitarianism ranking)'},
            'vad': {'labels': ['valence', 'arousal', 'dominance'], 'scale': [1, 5], 'activation': 'identity'},
            **({
                'cped_emotion_logits': {'labels': D.CPED_EMOTIONS, 'activation': 'softmax',
                                        'decision': 'single-label: the argmax (no thresholds)'},
                'cped_sentiment_logits': {'labels': D.CPED_SENTIMENTS, 'activation': 'softmax',
                                          'decision': 'single-label: the argmax (no thresholds)'},
                'xed_logits': {'labels': D.XED_LABELS, 'activation': 'sigmoid',
                               'note': 'Plutchik-8 probabilities; no thresholds (XED has no dev split to tune them on)'},
            } if 'cped_emotion_logits' in names else {}),
            # the pooled sentence representation (training/add_embedding_output.py adds it to an export without it)
            **({EMBEDDING_OUTPUT: embedding_entry(embedding_dim(p))} if EMBEDDING_OUTPUT in names else {}),
        },
        'ekman': {
            'labels': th['ekman_groups'],
            'members': {**D.ekman_groups(d), 'neutral': ['neutral']},
            'rule': 'group score = max of sigmoid(goemotions_logits) over its member labels; group on iff score >= threshold',
            'thresholds': th['ekman'],
        },
        'training_data': [
            'GoEmotions train (en, Apache-2.0)', 'GoEmotions-Korean train (machine translation, Apache-2.0)',
            'KOTE val.tsv rows with int(ID) % 5 != 0 (MIT)', 'NSMC raw (CC0 1.0): balanced 20k+20k subsample of our train split',
            'ETHICS utilitarianism util_train.csv (MIT)', 'EmoBank emobank.csv split=train (CC BY-SA 4.0)']
            + (['CPED train series (split by TV series: training/data.py cped_series_split)',
                'XED Chinese projections cn + zh + tw, 2-field lines'] if 'cped_emotion_logits' in names else []),
        'threshold_tuning': 'per label on dev only: goemotions/dev.tsv (en) for the 28 labels and the 7 Ekman groups; KOTE dev = val.tsv rows with int(ID) % 5 == 0; grid 0.01..0.99 step 0.01, max F1, ties -> lowest',
        'splits': {
            'goemotions': 'goemotions/test.tsv (5427 rows)', 'goemotions_ko': 'goemotions_ko/test.tsv (5427 rows)',
            'kote': 'kote/test.tsv (5000 rows)',
            'nsmc': 'nsmc_raw.tar.xz raw/*.json reviews; text=review.strip(); keep 0<len(text)<140 and rating<=4 (negative) or >=9 (positive); b=int(sha256(review_id).hexdigest(),16)%1000; negative: test b<40, dev 40<=b<60; positive: test b<13, dev 13<=b<19; else train',
            'ethics_util': 'utilitarianism/util_test.csv and util_test_hard.csv (no header; pair correct iff utility(col1) > utility(col2))',
            'emobank': "emobank.csv rows with split == 'test'"},
        'metrics': metrics,
    }
    if parity:
        e['parity'] = parity
    return e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--export', default=os.path.join(D.WORK, 'export'))
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--ship-fp32', action='store_true')
    ap.add_argument('--models-dir', default=MODELS, help='where the model, manifest.json and tokenizer.json go')
    ap.add_argument('--tokenizer', default=None, help='copy this tokenizer.json into --models-dir (v2: training/work/tokenizer_v2.json)')
    ap.add_argument('--languages', default=None, help='comma-separated; default en,ko (+ zh,ja for a model with the zh heads)')
    a = ap.parse_args()
    ex = a.export
    models_dir = a.models_dir
    if a.tokenizer:
        shutil.copy(a.tokenizer, os.path.join(models_dir, 'tokenizer.json'))
    int8_src = os.path.join(ex, 'red-heart-v1.int8.onnx')
    languages = (a.languages.split(',') if a.languages else
                 ['en', 'ko'] + (['zh', 'ja'] if 'cped_emotion_logits' in output_names(int8_src) else []))
    load = lambda n: json.load(open(os.path.join(ex, n))) if os.path.exists(os.path.join(ex, n)) else None
    parity = load('parity.json')
    models = []
    shutil.copy(int8_src, os.path.join(models_dir, 'red-heart-v1.int8.onnx'))
    models.append(entry(a.data, models_dir, 'red-heart-v1.int8.onnx', 'int8', load('thresholds.int8.json'), load('metrics.int8.json') or {}, a.version, parity, languages))
    if not a.ship_fp32 and load('metrics.fp32.json'):
        models[0]['fp32_reference_metrics'] = {
            'note': 'measured on the unshipped fp32 export of the same checkpoint (thresholds tuned on its own dev outputs); regenerate with training/export.py',
            **load('metrics.fp32.json')}
    if a.ship_fp32:
        shutil.copy(os.path.join(ex, 'red-heart-v1.fp32.onnx'), os.path.join(models_dir, 'red-heart-v1.fp32.onnx'))
        models.append(entry(a.data, models_dir, 'red-heart-v1.fp32.onnx', 'fp32', load('thresholds.fp32.json'), load('metrics.fp32.json') or {}, a.version, parity, languages))
    # a new main model is the default until training/use/make_member.py --default joins the ensemble member to it
    # again (the ensemble entry is rebuilt there, from that model's outputs)
    man = {'schema_version': 1, 'default_model': 'red-heart-v1-int8', 'models': models}
    json.dump(man, open(os.path.join(models_dir, 'manifest.json'), 'w'), ensure_ascii=False, indent=1)
    print(json.dumps([{k: m[k] for k in ('id', 'file', 'bytes', 'sha256', 'parameters')} for m in models], indent=1))


if __name__ == '__main__':
    main()
