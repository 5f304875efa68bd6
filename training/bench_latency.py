"""p50 latency of one forward pass (batch 1) at 32 and 128 tokens, Python onnxruntime CPU,
intra_op_num_threads=2.
usage: python training/bench_latency.py models/red-heart-v1.int8.onnx [runs=100] [allow_spinning=0|1]"""
import json, sys, time
import numpy as np
import onnxruntime as ort

model = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 100
spin = (sys.argv[3] if len(sys.argv) > 3 else '0')
so = ort.SessionOptions(); so.intra_op_num_threads = 2; so.inter_op_num_threads = 1
so.add_session_config_entry('session.intra_op.allow_spinning', spin)
s = ort.InferenceSession(model, so, providers=['CPUExecutionProvider'])
rng = np.random.default_rng(0)
res = {'model': model, 'threads': 2, 'batch': 1, 'runs': runs, 'allow_spinning': spin}
for L in (32, 128):
    ids = rng.integers(4, 20000, size=(1, L)).astype(np.int64); ids[0, 0] = 0; ids[0, -1] = 2
    am = np.ones_like(ids)
    for _ in range(10):
        s.run(None, {'input_ids': ids, 'attention_mask': am})
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); s.run(None, {'input_ids': ids, 'attention_mask': am}); ts.append(time.perf_counter() - t)
    res['p50_ms_%d_tokens' % L] = round(float(np.median(ts)) * 1000, 2)
    res['p90_ms_%d_tokens' % L] = round(float(np.percentile(ts, 90)) * 1000, 2)
print(json.dumps(res, indent=1))
