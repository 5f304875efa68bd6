"""Python onnxruntime baseline for bench/engine.ts: the same model file and the SAME token ids (written by the
Node benchmark), timed the same way (session.run on int64 input_ids/attention_mask padded to the batch's longest).

usage: python bench/baseline_ort.py --model models/red-heart-v1.int8.onnx --ids ids.json --threads 2 [--pad 1]
ids.json: {"b1": [[ids...], ...], "b32": [[[ids...] x32], ...], "inputs": ["input_ids","attention_mask"]}
prints one JSON object: p50/p95 ms for batch 1 and batch 32, texts/s at batch 32, versions.
"""
import argparse, json, platform, statistics, time

import numpy as np
import onnxruntime as ort


def feeds(batch, pad, inputs):
    L = max(len(x) for x in batch)
    ids = np.full((len(batch), L), pad, dtype=np.int64)
    am = np.zeros((len(batch), L), dtype=np.int64)
    for i, x in enumerate(batch):
        ids[i, :len(x)] = x
        am[i, :len(x)] = 1
    f = {"input_ids": ids, "attention_mask": am}
    if "token_type_ids" in inputs:
        f["token_type_ids"] = np.zeros_like(ids)
    return {k: v for k, v in f.items() if k in inputs}


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--pad", type=int, default=1)
    ap.add_argument("--dump", default=None, help="write the batch-1 outputs (after activation) here, for a parity check")
    a = ap.parse_args()
    spec = json.load(open(a.ids))
    inputs = spec.get("inputs", ["input_ids", "attention_mask"])
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")  # same as the Node engine
    t0 = time.perf_counter()
    sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    load_ms = (time.perf_counter() - t0) * 1000
    sess.run(None, feeds(spec["b1"][0:1], a.pad, inputs))  # warm-up
    out = {"python": platform.python_version(), "onnxruntime": ort.__version__, "threads": a.threads, "load_ms": round(load_ms, 1)}
    for key, batches in (("b1", [[x] for x in spec["b1"]]), ("b32", spec["b32"])):
        sess.run(None, feeds(batches[0], a.pad, inputs))
        times = []
        for b in batches:
            t = time.perf_counter()
            sess.run(None, feeds(b, a.pad, inputs))
            times.append((time.perf_counter() - t) * 1000)
        n = sum(len(b) for b in batches)
        out[key] = {"runs": len(batches), "p50_ms": round(statistics.median(times), 3), "p95_ms": round(pct(times, 0.95), 3),
                    "min_ms": round(min(times), 3),
                    "texts_per_s": round(n / (sum(times) / 1000), 1)}
    if a.dump:
        rows = []
        for x in spec["b1"]:
            ge, ko, pol, ut, vad = sess.run(["goemotions_logits", "kote_logits", "polarity_logits", "utility", "vad"], feeds([x], a.pad, inputs))
            sig = lambda v: (1 / (1 + np.exp(-v.astype(np.float64)))).tolist()
            p = np.exp(pol[0].astype(np.float64) - pol[0].max()); p = p / p.sum()
            rows.append({"goemotions": sig(ge[0]), "kote": sig(ko[0]), "positive": float(p[1]), "utility": float(ut[0][0]),
                         "vad": vad[0].astype(np.float64).tolist()})
        json.dump(rows, open(a.dump, "w"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
