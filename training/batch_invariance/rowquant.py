"""Rewrite a dynamically quantised ONNX graph so that every activation is quantised per row (per token)
instead of per tensor: DynamicQuantizeLinear computes one scale over the whole batch, which makes a text's
scores depend on the other texts in the batch. Per-row scales make each row's result depend only on that row.
usage: python rowquant.py IN.onnx OUT.onnx
"""
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


SYM = False  # symmetric int8 activations (no zero point): measured worse and slower, kept for the record

def main(src, dst):
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    new_nodes = []
    extra_inits = [
        numpy_helper.from_array(np.array(0.0, np.float32), 'rq_zero'),
        numpy_helper.from_array(np.array(255.0, np.float32), 'rq_255'),
        numpy_helper.from_array(np.array(127.0, np.float32), 'rq_127'),
        numpy_helper.from_array(np.array(1e-30, np.float32), 'rq_tiny'),
    ]
    replaced = 0
    pending = {}
    for n in g.node:
        if n.op_type != 'DynamicQuantizeLinear':
            new_nodes.append(n)
            continue
        x = n.input[0]
        q_out, s_out, zp_out = n.output
        p = x + '_rq'
        add = lambda op, ins, outs, **kw: new_nodes.append(helper.make_node(op, ins, outs, **kw))
        if SYM:
            add('Abs', [x], [p + '_abs'])
            add('ReduceMax', [p + '_abs'], [p + '_amax'], axes=[-1], keepdims=1)
            add('Div', [p + '_amax', 'rq_127'], [p + '_s0'])
            add('Max', [p + '_s0', 'rq_tiny'], [s_out])
            add('Div', [x, s_out], [p + '_xs'])
            add('Round', [p + '_xs'], [p + '_xr'])
            add('Cast', [p + '_xr'], [q_out], to=TensorProto.INT8)
            replaced += 1
            for c in consumers.get(zp_out, []):
                c_inputs = [c.input[0], c.input[1]]
                c.ClearField('input'); c.input.extend(c_inputs)
            continue
        add('ReduceMin', [x], [p + '_min'], axes=[-1], keepdims=1)
        add('ReduceMax', [x], [p + '_max'], axes=[-1], keepdims=1)
        add('Min', [p + '_min', 'rq_zero'], [p + '_lo'])
        add('Max', [p + '_max', 'rq_zero'], [p + '_hi'])
        add('Sub', [p + '_hi', p + '_lo'], [p + '_range'])
        add('Div', [p + '_range', 'rq_255'], [p + '_s0'])
        add('Max', [p + '_s0', 'rq_tiny'], [s_out])  # all-zero rows: any positive scale quantises them to zero
        add('Neg', [p + '_lo'], [p + '_nlo'])
        add('Div', [p + '_nlo', s_out], [p + '_zr'])
        add('Round', [p + '_zr'], [p + '_zround'])
        add('Clip', [p + '_zround', 'rq_zero', 'rq_255'], [p + '_zpf'])
        add('Div', [x, s_out], [p + '_xs'])
        add('Round', [p + '_xs'], [p + '_xr'])
        add('Add', [p + '_xr', p + '_zpf'], [p + '_xz'])
        add('Clip', [p + '_xz', 'rq_zero', 'rq_255'], [p + '_xc'])
        add('Cast', [p + '_xc'], [q_out], to=TensorProto.UINT8)
        add('Cast', [p + '_zpf'], [p + '_zpi'], to=TensorProto.INT32)
        replaced += 1
        # Each MatMulInteger that used the per-tensor zero point: drop it and subtract zp_row * colsum(W) in int32.
        for c in consumers.get(zp_out, []):
            assert c.op_type == 'MatMulInteger', c.op_type
            w = numpy_helper.to_array(inits[c.input[1]]).astype(np.int64)
            wzp = numpy_helper.to_array(inits[c.input[3]]) if len(c.input) > 3 and c.input[3] else 0
            assert np.all(wzp == 0), 'weights must be symmetric (zero point 0)'
            colsum = w.sum(axis=0).astype(np.int32)
            cs_name = c.name + '_colsum'
            extra_inits.append(numpy_helper.from_array(colsum, cs_name))
            raw = c.output[0] + '_nozp'
            corr = c.name + '_zpcorr'
            c_inputs = [c.input[0], c.input[1]]
            c.ClearField('input'); c.input.extend(c_inputs)
            old_out = c.output[0]
            c.output[0] = raw
            # the Sub is appended after the MatMulInteger below (topological order fixed at the end)
            pending[c.name] = (raw, corr, p + '_zpi', cs_name, old_out)
    # second pass: insert zp corrections right after their MatMulInteger
    out_nodes = []
    for n in new_nodes:
        out_nodes.append(n)
        if n.op_type == 'MatMulInteger' and n.name in pending:
            raw, corr, zpi, cs, old_out = pending[n.name]
            out_nodes.append(helper.make_node('Mul', [zpi, cs], [corr]))
            out_nodes.append(helper.make_node('Sub', [raw, corr], [old_out]))
    g.ClearField('node'); g.node.extend(out_nodes)
    g.initializer.extend(extra_inits)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    print(f'replaced {replaced} DynamicQuantizeLinear nodes')


if __name__ == '__main__':
    SYM = len(sys.argv) > 3 and sys.argv[3] == 'sym'
    main(sys.argv[1], sys.argv[2])
