"""Export the trained PyTorch model to ONNX (fp32), quantise it dynamically to int8, and run
the parity check (PyTorch vs onnxruntime fp32; fp32 vs int8 raw outputs).

usage: python training/export.py --ckpt training/runs/v1/model.pt --outdir training/work/export
(--ckpt also takes a safetensors state_dict, e.g. the committed training/checkpoints/*.fp16.safetensors)
writes red-heart-v1.fp32.onnx, red-heart-v1.int8.onnx, parity.json in --outdir
A model with the zh heads (v2) has three more outputs (model.ZH_OUTPUT_NAMES) and needs --tokenizer
training/work/tokenizer_v2.json; the parity texts then include a Chinese and a Japanese sentence.
"""
import argparse, json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from model import RedHeart, from_safetensors

PARITY_TEXTS = [
    'I am so happy today, thanks for everything!',
    'This is the worst movie I have ever seen. What a waste of time.',
    '이 영화 정말 최악이다... 시간 아깝네요 ㅠㅠ',
    '아버님 끝까지 진실이 밝혀질때까지 응원합니다.',
    'I got a promotion at work and my family threw me a surprise party.',
    'Why would anyone do that?? I am so confused right now',
    '너무 무서워서 잠을 못 잤어요',
    'ok',
]
ZH_PARITY_TEXTS = ['我今天非常开心！', '今日は本当に嬉しい一日でした。']


def load_model(ckpt):
    if ckpt.endswith('.safetensors'):
        return from_safetensors(ckpt)[0].eval()
    sd = torch.load(ckpt, map_location='cpu')
    m = RedHeart(sd['word.weight'].shape[0], zh_heads='cped_emotion.weight' in sd)
    m.load_state_dict(sd)
    return m.eval()


def encode(tok, texts, max_len=128):
    seqs = []
    for e in tok.encode_batch(texts):
        ids = e.ids
        if len(ids) > max_len:
            ids = ids[:max_len - 1] + [2]
        seqs.append(ids)
    L = max(len(s) for s in seqs)
    ids = np.full((len(seqs), L), 1, dtype=np.int64)
    am = np.zeros((len(seqs), L), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = s; am[i, :len(s)] = 1
    return ids, am


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default=os.path.join(D.REPO, 'training', 'runs', 'v1', 'model.pt'))
    ap.add_argument('--outdir', default=os.path.join(D.WORK, 'export'))
    ap.add_argument('--opset', type=int, default=17)
    ap.add_argument('--tokenizer', default=os.path.join(D.REPO, 'models', 'tokenizer.json'),
                    help='must match the checkpoint vocabulary (v2: training/work/tokenizer_v2.json)')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.outdir, exist_ok=True)
    from tokenizers import Tokenizer
    import onnx, onnxruntime as ort
    from onnxruntime.quantization import quantize_dynamic, QuantType
    tok = Tokenizer.from_file(a.tokenizer)
    m = load_model(a.ckpt)
    if m.word.weight.shape[0] != tok.get_vocab_size():
        raise SystemExit('%s has %d word rows, %s %d pieces' % (a.ckpt, m.word.weight.shape[0], a.tokenizer, tok.get_vocab_size()))
    OUTPUT_NAMES = m.output_names
    texts = PARITY_TEXTS + (ZH_PARITY_TEXTS if m.zh_heads else [])
    ids, am = encode(tok, texts)
    fp32 = os.path.join(a.outdir, 'red-heart-v1.fp32.onnx')
    int8 = os.path.join(a.outdir, 'red-heart-v1.int8.onnx')
    dyn = {'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'seq'}}
    dyn.update({n: {0: 'batch'} for n in OUTPUT_NAMES})
    torch.onnx.export(m, (torch.from_numpy(ids), torch.from_numpy(am)), fp32,
                      input_names=['input_ids', 'attention_mask'], output_names=OUTPUT_NAMES,
                      dynamic_axes=dyn, opset_version=a.opset, do_constant_folding=True, dynamo=False)
    onnx.checker.check_model(fp32)
    quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
    so = ort.SessionOptions(); so.intra_op_num_threads = a.threads
    s32 = ort.InferenceSession(fp32, so, providers=['CPUExecutionProvider'])
    s8 = ort.InferenceSession(int8, so, providers=['CPUExecutionProvider'])
    with torch.no_grad():
        ref = [t.numpy() for t in m(torch.from_numpy(ids), torch.from_numpy(am))]
    o32 = s32.run(OUTPUT_NAMES, {'input_ids': ids, 'attention_mask': am})
    o8 = s8.run(OUTPUT_NAMES, {'input_ids': ids, 'attention_mask': am})
    # also one-at-a-time (no padding) vs padded batch for fp32
    single = [s32.run(OUTPUT_NAMES, {'input_ids': ids[i:i + 1, :am[i].sum()], 'attention_mask': am[i:i + 1, :am[i].sum()]})
              for i in range(len(texts))]
    par = {
        'texts': len(texts), 'opset': a.opset, 'outputs': OUTPUT_NAMES,
        'torch_vs_onnx_fp32_max_abs_diff': {n: float(np.abs(r - o).max()) for n, r, o in zip(OUTPUT_NAMES, ref, o32)},
        'onnx_fp32_padded_batch_vs_unpadded_single_max_abs_diff': {
            n: float(max(np.abs(o32[j][i] - single[i][j][0]).max() for i in range(len(texts)))) for j, n in enumerate(OUTPUT_NAMES)},
        'onnx_int8_vs_fp32_max_abs_diff': {n: float(np.abs(r - o).max()) for n, r, o in zip(OUTPUT_NAMES, o32, o8)},
    }
    par['torch_vs_onnx_fp32_max_abs_diff_all'] = max(par['torch_vs_onnx_fp32_max_abs_diff'].values())
    par['fp32_parity_ok'] = par['torch_vs_onnx_fp32_max_abs_diff_all'] <= 1e-4
    json.dump(par, open(os.path.join(a.outdir, 'parity.json'), 'w'), indent=1)
    print(json.dumps(par, indent=1))
    for f in (fp32, int8):
        print(f, os.path.getsize(f))


if __name__ == '__main__':
    main()
