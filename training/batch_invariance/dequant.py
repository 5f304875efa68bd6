"""Rebuild an fp32 graph from the dynamically quantised one: each DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul
chain becomes MatMul with the dequantised weight (w_int8 * w_scale), and DequantizeLinear'd tables become fp32 tables.
The weights are then exactly what the int8 model multiplies with (int8-rounded)."""
import sys, numpy as np, onnx
from onnx import helper, numpy_helper
m = onnx.load(sys.argv[1]); g = m.graph
inits = {i.name: i for i in g.initializer}
prod = {o: n for n in g.node for o in n.output}
cons = {}
for n in g.node:
    for i in n.input: cons.setdefault(i, []).append(n)
drop = set(); new = []; add_inits = []
for n in g.node:
    if n.op_type == 'MatMulInteger':
        dql = prod[n.input[0]]; assert dql.op_type == 'DynamicQuantizeLinear'
        x = dql.input[0]
        w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
        cast = cons[n.output[0]][0]; mul = cons[cast.output[0]][0]
        smul = prod[mul.input[1]]  # x_scale * w_scale
        ws = numpy_helper.to_array(inits[smul.input[1]]).astype(np.float32)
        wname = n.input[1] + '_fp32'
        add_inits.append(numpy_helper.from_array(w * ws, wname))
        new.append(helper.make_node('MatMul', [x, wname], [mul.output[0]], name=n.name + '_fp32'))
        drop.update([id(cast), id(mul), id(smul)])
    elif n.op_type == 'DynamicQuantizeLinear':
        continue
    elif id(n) in drop:
        continue
    elif n.op_type == 'DequantizeLinear' and n.input[0] in inits:
        q = numpy_helper.to_array(inits[n.input[0]]).astype(np.float32)
        s = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
        z = numpy_helper.to_array(inits[n.input[2]]).astype(np.float32) if len(n.input) > 2 else 0
        add_inits.append(numpy_helper.from_array((q - z) * s, n.output[0]))
    else:
        new.append(n)
# drop the Mul nodes (scales) that got queued before their MatMulInteger
new = [n for n in new if id(n) not in drop]
g.ClearField('node'); g.node.extend(new); g.initializer.extend(add_inits)
used = {i for n in g.node for i in n.input}
keep = [i for i in g.initializer if i.name in used]
g.ClearField('initializer'); g.initializer.extend(keep)
onnx.checker.check_model(m); onnx.save(m, sys.argv[2]); print('ok', len(g.node), 'nodes')
