"""Fidelity of int8 variants against the fp32 graph rebuilt from the same weights (dequant.py), on 300 GoEmotions dev
and 150 KOTE val texts run one at a time; batch invariance (max |logit difference| of 32 texts batched vs alone);
latency at batch 1 and throughput at batch 32.
usage: python measure.py DATA_DIR FP32.onnx MODEL.onnx [MODEL.onnx ...]   (tokenizer: models/tokenizer.json)
"""
import os
import numpy as np, onnxruntime as ort, time, sys, random
from tokenizers import Tokenizer
REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
tok = Tokenizer.from_file(os.path.join(REPO, 'models', 'tokenizer.json'))
DATA, FP32, MODELS = sys.argv[1], sys.argv[2], sys.argv[3:]
random.seed(1)
dev=[l.split('\t')[0] for l in open(os.path.join(DATA, 'goemotions', 'dev.tsv'),encoding='utf-8')]
ko=[l.split('\t')[1] for l in open(os.path.join(DATA, 'kote', 'val.tsv'),encoding='utf-8')]
texts=random.sample(dev,300)+random.sample(ko,150)
def enc(ts):
    seqs=[e.ids[:128] for e in tok.encode_batch(ts)]
    L=max(map(len,seqs)); ids=np.ones((len(seqs),L),np.int64); am=np.zeros((len(seqs),L),np.int64)
    for i,s in enumerate(seqs): ids[i,:len(s)]=s; am[i,:len(s)]=1
    return {'input_ids':ids,'attention_mask':am}
so=ort.SessionOptions(); so.intra_op_num_threads=2; so.log_severity_level=3
ref=ort.InferenceSession(FP32,so,providers=['CPUExecutionProvider'])
names=[o.name for o in ref.get_outputs()]
sig=lambda x:1/(1+np.exp(-x))
R=[ref.run(names,enc([t])) for t in texts]
for p in MODELS:
    s=ort.InferenceSession(p,so,providers=['CPUExecutionProvider'])
    O=[s.run(names,enc([t])) for t in texts]
    ge=np.mean([np.abs(sig(O[i][0])-sig(R[i][0])).mean() for i in range(len(texts))])
    gmax=max(np.abs(sig(O[i][0])-sig(R[i][0])).max() for i in range(len(texts)))
    top=np.mean([O[i][0].argmax()==R[i][0].argmax() for i in range(300)])
    kt=np.mean([O[i][1].argmax()==R[i][1].argmax() for i in range(300,450)])
    b=s.run(names,enc(texts[:32])); bi=max(np.abs(b[0][i]-O[i][0][0]).max() for i in range(32))
    t=time.perf_counter()
    for x in texts[:100]: s.run(names,enc([x]))
    t1=(time.perf_counter()-t)/100
    t=time.perf_counter()
    for k in range(0,96,32): s.run(names,enc(texts[k:k+32]))
    t32=(time.perf_counter()-t)/96
    print(p.split('/')[-1], f'mean|dp| {ge:.4f} max|dp| {gmax:.3f} top1-agree-ge {top:.3f} kote {kt:.3f} batchinv {bi:.2e} single {t1*1e3:.2f}ms batch32 {1/t32:.0f}/s')
