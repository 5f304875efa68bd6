"""Rebuild a RedHeart training checkpoint from the shipped int8 ONNX model, for when the fp32
PyTorch checkpoint is gone (training/runs is not kept across machines).

Every weight the int8 graph multiplies with is dequantised and mapped back to the state_dict key of
training/model.py's RedHeart, by tracing the graph:
  MatMulInteger '/layers.0/q/MatMul_quant' (weight [in, out] int8 x scale)  -> 'layers.0.q.weight' (transposed)
  MatMulInteger '/goemo/Gemm_MatMul_quant' ('goemo.weight_Transposed_...') -> 'goemo.weight' (transposed)
  Gather 'word.weight_quantized' -> DequantizeLinear (uint8, zero point)   -> 'word.weight', 'pos.weight'
  float initializers (biases, LayerNorm, type0, vad_mean/vad_std)         -> keep their names
The values are the int8-rounded weights, not the original fp32 ones. They are written as ONE fp16
safetensors file with metadata naming the source model.

usage: python training/ckpt_from_onnx.py [--onnx models/red-heart-v1.int8.onnx] [--out FILE] [--check]
--check puts the fp16 tensors back into an fp32 ONNX graph and compares the outputs on export.py's
PARITY_TEXTS with the shipped int8 model and with training/batch_invariance/dequant.py's fp32 rebuild.
No torch needed.
"""
import argparse, ast, datetime, json, os, subprocess, sys, tempfile
import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_manifest import sha256  # noqa: E402  (the one file hash of the training tools)
REPO = os.path.dirname(HERE)
# training/work/ (not committed): the committed checkpoint is the latest training run's (training/README.md 3e)
DEFAULT_OUT = os.path.join(HERE, 'work', 'red-heart-1.3.0.fp16.safetensors')


def _arr(init):
    return numpy_helper.to_array(init)


def _module_of(node_name):
    """'/layers.0/q/MatMul_quant' -> 'layers.0.q'; '/goemo/Gemm_MatMul_quant' -> 'goemo'."""
    parts = node_name.strip('/').split('/')
    assert parts[-1] in ('MatMul_quant', 'Gemm_MatMul_quant'), node_name
    return '.'.join(parts[:-1])


def trace(model):
    """Yield (kind, key, node, tensor fp32) for every parameter of the int8 graph.
    kind: 'matmul' (tensor in nn.Linear layout [out, in]), 'table' (embedding) or 'plain'."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    cons = {}
    for n in g.node:
        for i in n.input:
            cons.setdefault(i, []).append(n)
    used = set()
    out = []
    for n in g.node:
        if n.op_type == 'MatMulInteger':
            wq, wz = n.input[1], n.input[3]
            cast = cons[n.output[0]][0]; mul = cons[cast.output[0]][0]
            assert cast.op_type == 'Cast' and mul.op_type == 'Mul', n.name
            smul = prod[mul.input[1]]  # x_scale * w_scale
            ws = smul.input[1]
            assert smul.op_type == 'Mul' and ws in inits and wq in inits and wz in inits, n.name
            w = (_arr(inits[wq]).astype(np.float32) - _arr(inits[wz]).astype(np.float32)) * _arr(inits[ws]).astype(np.float32)
            out.append(('matmul', _module_of(n.name) + '.weight', n, np.ascontiguousarray(w.T)))
            used.update([wq, wz, ws])
        elif n.op_type == 'DequantizeLinear' and n.input[0] in prod and prod[n.input[0]].op_type == 'Gather':
            gat = prod[n.input[0]]
            tq, ts, tz = gat.input[0], n.input[1], n.input[2]
            assert tq.endswith('_quantized') and all(t in inits for t in (tq, ts, tz)), n.name
            t = (_arr(inits[tq]).astype(np.float32) - _arr(inits[tz]).astype(np.float32)) * _arr(inits[ts]).astype(np.float32)
            out.append(('table', tq[:-len('_quantized')], n, t))
            used.update([tq, ts, tz])
    for i in g.initializer:
        if i.name not in used:
            assert i.data_type == onnx.TensorProto.FLOAT and '::' not in i.name and not i.name.startswith('/'), \
                'unmapped initializer %s' % i.name
            out.append(('plain', i.name, None, _arr(i).astype(np.float32)))
    keys = [k for _, k, _, _ in out]
    assert len(keys) == len(set(keys)), 'duplicate keys'
    return out


def manifest_entry(onnx_path):
    man = json.load(open(os.path.join(os.path.dirname(onnx_path), 'manifest.json')))
    base = os.path.basename(onnx_path)
    for e in man['models']:
        if e['file'] == base:
            return e
    raise SystemExit('no manifest entry for %s' % base)


def fp32_graph(int8_model, state):
    """The int8 graph with each MatMulInteger chain -> MatMul(x, state[key].T), each Gather+DequantizeLinear
    -> Gather(state[key]) and every other parameter taken from state."""
    m = onnx.ModelProto(); m.CopyFrom(int8_model); g = m.graph
    prod = {o: n for n in g.node for o in n.output}
    cons = {}
    for n in g.node:
        for i in n.input:
            cons.setdefault(i, []).append(n)
    drop, repl, inits = set(), {}, []  # by node name (unique in the exported graph)
    assert len({n.name for n in g.node}) == len(g.node)
    for kind, key, n, _ in trace(m):
        if kind == 'matmul':
            cast = cons[n.output[0]][0]; mul = cons[cast.output[0]][0]; smul = prod[mul.input[1]]
            wname = key + '__T'
            inits.append(numpy_helper.from_array(np.ascontiguousarray(state[key].T.astype(np.float32)), wname))
            repl[n.name] = helper.make_node('MatMul', [prod[n.input[0]].input[0], wname], [mul.output[0]], name=n.name + '_fp32')
            drop.update([cast.name, mul.name, smul.name])
        elif kind == 'table':
            gat = prod[n.input[0]]
            inits.append(numpy_helper.from_array(state[key].astype(np.float32), key))
            repl[gat.name] = helper.make_node('Gather', [key, gat.input[1]], [n.output[0]], name=gat.name + '_fp32')
            drop.add(n.name)
        else:
            inits.append(numpy_helper.from_array(state[key].astype(np.float32), key))
    nodes = [repl.get(n.name, n) for n in g.node if n.name not in drop and n.op_type != 'DynamicQuantizeLinear']
    g.ClearField('node'); g.node.extend(nodes)
    g.ClearField('initializer'); g.initializer.extend(inits)
    onnx.checker.check_model(m)
    return m


def parity_texts():
    tree = ast.parse(open(os.path.join(HERE, 'export.py')).read())
    for s in tree.body:
        if isinstance(s, ast.Assign) and getattr(s.targets[0], 'id', None) == 'PARITY_TEXTS':
            return ast.literal_eval(s.value)
    raise SystemExit('PARITY_TEXTS not found in export.py')


def run_texts(model_or_path, texts, tok):
    import onnxruntime as ort
    so = ort.SessionOptions(); so.intra_op_num_threads = 1
    src = model_or_path if isinstance(model_or_path, str) else model_or_path.SerializeToString()
    s = ort.InferenceSession(src, so, providers=['CPUExecutionProvider'])
    names = [o.name for o in s.get_outputs()]
    res = []  # one text per call, no padding (as the server evaluates)
    for t in texts:
        ids = np.array([tok.encode(t).ids[:128]], dtype=np.int64)
        res.append(s.run(names, {'input_ids': ids, 'attention_mask': np.ones_like(ids)}))
    return names, res


def max_diff(a, b, names):
    return {n: float(max(np.abs(x[j] - y[j]).max() for x, y in zip(a, b))) for j, n in enumerate(names)}


def check(onnx_path, st_path):
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    int8 = onnx.load(onnx_path)
    ref = {k: t for _, k, _, t in trace(int8)}
    loaded = {k: v.astype(np.float32) for k, v in load_file(st_path).items()}
    assert set(loaded) == set(ref), set(loaded) ^ set(ref)
    rel = {k: float(np.abs(loaded[k] - ref[k]).max() / max(np.abs(ref[k]).max(), 1e-30)) for k in ref}
    worst = max(rel, key=rel.get)
    tok = Tokenizer.from_file(os.path.join(os.path.dirname(onnx_path), 'tokenizer.json'))
    texts = parity_texts()
    with tempfile.TemporaryDirectory() as d:
        rebuilt = os.path.join(d, 'fp32.onnx')
        subprocess.run([sys.executable, os.path.join(HERE, 'batch_invariance', 'dequant.py'), onnx_path, rebuilt], check=True)
        names, o_deq = run_texts(rebuilt, texts, tok)
    _, o_int8 = run_texts(onnx_path, texts, tok)
    _, o_ckpt = run_texts(fp32_graph(int8, loaded), texts, tok)
    _, o_map = run_texts(fp32_graph(int8, ref), texts, tok)  # same graph, fp32 (un-rounded) tensors
    rep = {
        'texts': len(texts),
        'tensors': len(ref),
        'max_rel_tensor_diff_fp16_vs_dequantised_fp32': {'value': rel[worst], 'tensor': worst},
        'mapping_check_fp32_state_vs_dequant_py_rebuild': max_diff(o_map, o_deq, names),
        'ckpt_fp16_vs_dequant_py_fp32_rebuild': max_diff(o_ckpt, o_deq, names),
        'ckpt_fp16_vs_shipped_int8': max_diff(o_ckpt, o_int8, names),
        'dequant_py_fp32_rebuild_vs_shipped_int8': max_diff(o_deq, o_int8, names),
    }
    print(json.dumps(rep, indent=1))
    return rep


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--onnx', default=os.path.join(REPO, 'models', 'red-heart-v1.int8.onnx'))
    ap.add_argument('--out', default=DEFAULT_OUT)
    ap.add_argument('--check', action='store_true', help='only verify an existing --out file')
    a = ap.parse_args()
    if a.check:
        check(a.onnx, a.out)
        return
    from safetensors.numpy import save_file
    entry = manifest_entry(a.onnx)
    sha = sha256(a.onnx)
    if sha != entry['sha256']:
        raise SystemExit('%s sha256 %s differs from the manifest (%s)' % (a.onnx, sha, entry['sha256']))
    state = {}
    for _, key, _, t in trace(onnx.load(a.onnx)):
        h = t.astype(np.float16)
        if not np.isfinite(h).all():
            raise SystemExit('%s overflows fp16' % key)
        state[key] = h
    meta = {
        'format': 'RedHeart state_dict (training/model.py), fp16; load with train.py --init-safetensors',
        'source_model_id': entry['id'], 'source_model_version': entry['version'],
        'source_file': os.path.basename(a.onnx), 'source_sha256': sha,
        'provenance': 'reconstructed from int8: weights are int8-rounded (dynamic quantisation, int8 x scale; '
                      'embeddings uint8 with zero point), then stored as fp16; not the original fp32 training weights',
        'created': datetime.date.today().isoformat(),
        'tool': 'training/ckpt_from_onnx.py',
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    save_file(state, a.out, metadata=meta)
    n = sum(v.size for v in state.values())
    print('wrote %s: %d tensors, %d elements, %d bytes' % (a.out, len(state), n, os.path.getsize(a.out)))


if __name__ == '__main__':
    main()
