"""Expose the model's pooled sentence representation as an extra ONNX output, `sentence_embedding`.

usage: python training/add_embedding_output.py [--model models/red-heart-v1.int8.onnx] [--texts N]

The pooled vector is the mask-weighted mean of the last encoder layer (training/model.py `pool`), the tensor every
head reads. In the exported graph it is the output of the Div that ends the pooling (`/Div_output_0`), found here
as the one tensor that feeds every head's MatMul (directly, or through its DynamicQuantizeLinear in the int8
model). No node, weight or initializer changes: the graph only lists that tensor as one more output, so the five
(or eight) existing outputs are computed by the same operators. The script checks this on texts from the shipped
test fixtures and the training sets (batch 1, the way the server runs the int8 model): every existing output must
be bit-identical before and after, and the new output must have shape [batch, hidden]. The model is rewritten in
place only when the check passes; running it on a model that already has the output does nothing.
Afterwards, update the manifest's sha256/bytes (training/make_manifest.py writes them and the `sentence_embedding`
entry for a new export; for the shipped model, the same fields are patched here with --manifest).
"""
import argparse, hashlib, json, os, sys, tempfile
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D

OUTPUT = 'sentence_embedding'
HEAD_OUTPUTS = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad']
PROBES = ['I am so happy for you!', 'This is the worst day of my life.', '정말 고마워요, 덕분에 살았어요.', 'ok',
          'Why would anyone do that? I do not understand it at all, and frankly it makes me angry.']


def pooled_tensor(graph):
    """The tensor that every head reads: the pooling Div's output (see the module doc)."""
    producers = {o: n for n in graph.node for o in n.output}
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    # walk back from each head output to the first Div on its path
    found = set()
    for head in HEAD_OUTPUTS:
        stack, seen = [head], set()
        while stack:
            t = stack.pop()
            if t in seen or t not in producers:
                continue
            seen.add(t)
            n = producers[t]
            if n.op_type == 'Div':
                found.add(t)
                continue
            stack.extend(n.input)
    if len(found) != 1:
        sys.exit(f'expected one pooling Div shared by every head, found {sorted(found)}')
    return found.pop()


def run_all(path, names, texts, tok, max_len):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
    out = []
    for t in texts:
        ids = tok.encode(t).ids[:max_len]
        if len(ids) == max_len:
            ids[-1] = 2
        x = np.array([ids], dtype=np.int64)
        out.append(s.run(names, {'input_ids': x, 'attention_mask': np.ones_like(x)}))
    return out


def sha256(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default=os.path.join(D.REPO, 'models', 'red-heart-v1.int8.onnx'))
    ap.add_argument('--manifest', default=None, help='also patch sha256/bytes and add the output entry in this manifest.json')
    ap.add_argument('--texts', type=int, default=300, help='GoEmotions dev texts checked besides the probes')
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    a = ap.parse_args()
    import onnx
    from tokenizers import Tokenizer
    m = onnx.load(a.model)
    names = [o.name for o in m.graph.output]
    if OUTPUT in names:
        print(json.dumps({'model': a.model, 'changed': False, 'reason': f'already has {OUTPUT}'}))
        return
    pooled = pooled_tensor(m.graph)
    hidden = None
    for init in m.graph.initializer:  # the LayerNorm before pooling gives the width
        if init.name.endswith('oln.weight'):
            hidden = int(init.dims[0])
    if not hidden:
        sys.exit('could not find the hidden width (an *oln.weight initializer)')
    m.graph.output.append(onnx.helper.make_tensor_value_info(OUTPUT, onnx.TensorProto.FLOAT, ['batch', hidden]))
    # an Identity names the output without renaming the tensor the heads read
    m.graph.node.append(onnx.helper.make_node('Identity', [pooled], [OUTPUT], name='sentence_embedding_identity'))
    onnx.checker.check_model(m)
    tmp = tempfile.NamedTemporaryFile(suffix='.onnx', delete=False, dir=os.path.dirname(os.path.abspath(a.model))).name
    onnx.save(m, tmp)
    tokp = os.path.join(os.path.dirname(os.path.abspath(a.model)), 'tokenizer.json')
    tok = Tokenizer.from_file(tokp)
    texts = list(PROBES)
    if a.texts:
        rows = [l.split('\t')[0] for l in open(os.path.join(a.data, 'goemotions', 'dev.tsv'), encoding='utf-8')]
        texts += rows[:a.texts]
    before = run_all(a.model, names, texts, tok, 128)
    after = run_all(tmp, names + [OUTPUT], texts, tok, 128)
    diffs = 0
    for b, c in zip(before, after):
        for x, y in zip(b, c[:len(names)]):
            if x.tobytes() != y.tobytes():
                diffs += 1
        if c[-1].shape != (1, hidden) or not np.isfinite(c[-1]).all():
            os.unlink(tmp)
            sys.exit(f'{OUTPUT} has shape {c[-1].shape}, expected (1, {hidden})')
    if diffs:
        os.unlink(tmp)
        sys.exit(f'{diffs} existing outputs changed bits on {len(texts)} texts: the model is left as it was')
    os.replace(tmp, a.model)
    res = {'model': a.model, 'changed': True, 'pooled_tensor': pooled, 'output': OUTPUT, 'hidden': hidden, 'texts_checked': len(texts),
           'existing_outputs_bit_identical': True, 'sha256': sha256(a.model), 'bytes': os.path.getsize(a.model)}
    if a.manifest:
        man = json.load(open(a.manifest, encoding='utf-8'))
        for e in man['models']:
            if e['file'] == os.path.basename(a.model):
                e['sha256'], e['bytes'] = res['sha256'], res['bytes']
                e['outputs'][OUTPUT] = embedding_entry(hidden)
        json.dump(man, open(a.manifest, 'w', encoding='utf-8'), ensure_ascii=False, indent=1)
    print(json.dumps(res, indent=1))


def embedding_entry(hidden):
    """The manifest entry of the output (make_manifest.py writes the same)."""
    return {'dim': hidden, 'activation': 'identity', 'pooling': 'mask-weighted mean of the last encoder layer (the vector every head reads)',
            'note': 'fp32, not normalised; the memory store compares L2-normalised copies by cosine similarity'}


if __name__ == '__main__':
    main()
