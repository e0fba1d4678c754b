#!/usr/bin/env python3
"""make_fixture.py — writes tests/ref/parity_fixture.bin, the PyTorch reference state
that tests/test_parity.c checks our C model against (loss, every gradient, the
gradient norm, and the parameters after clipping + Adam).

Needs torch (Debian's python3-torch); CI does not: the .bin is committed.
Run from anywhere:  python3 tests/ref/make_fixture.py [--out PATH] [--check]
(--check: rebuild in memory and compare with the committed file instead of writing.)

A tiny model (V=11: 4 specials + 7 words, E=6, H=8, L=2, dropout 0, Bahdanau)
with PyTorch's default initialisation (seeded), one batch of B=4 sentences of
2, 5, 3 and 4 words (so sources and targets are padded), and two cases that
each start from the same initial parameters with fresh Adam state:

  case 0: teacher forcing at every step, the seed's Adam (lr 1e-3, betas
          0.9/0.999, eps 1e-8), clip 0.1;
  case 1: feed = 1,1,0,1,0,0,1 (steps 2, 4 and 5 read the previous argmax),
          lr 1e-2, betas 0.8/0.99, eps 1e-4, clip 0.2 — other values, so a
          hard-coded hyper-parameter or a misplaced eps shows (with eps 1e-8
          the first Adam step is nearly lr * sign(g) and hides such slips);

each running two training steps (forward + backward, clipping — the norm is
about 0.4, so it happens — and one Adam step), the second from the first's
parameters and Adam moments. Everything is computed in float64
(model.double()) from float32 initial values, so the reference is exact to
float32 precision; the float32 C run is compared to it.

File format, all little-endian:

    8 bytes  magic "S2SPAR01"
    u32 x 5  V, E, H, L, attention (0 = Bahdanau)
    u32      ntensors; per tensor (state_dict order = our flat layout):
             u16 name length, name bytes, u32 ndim, ndim x u32 dims
    u32      nparams (sum of the tensors' sizes)
    f32      params0[nparams]           initial parameters, flat
    u32      ncases; per case:
      u32 x 4  B, S, T, nsteps
      f32 x 5  Adam lr, beta1, beta2, eps; clip (max global norm)
      i32      src[S*B]   time-major: (t, b) at [t*B + b], <PAD> = 0
      i32      src_len[B] (words + <EOS>)
      i32      tgt[T*B]   time-major, <SOS> + reversed words + <EOS>
      i32      tgt_len[B]
      u8       feed[T]    feed[t] (1 <= t < T-1): step t reads tgt[t] (1) or the
                          argmax of step t-1 (0); feed[0] is unused (<SOS>)
      per step:
        f64    loss (mean cross-entropy over the sum(tgt_len - 1) real tokens)
        f64    global L2 norm of the gradients before clipping
        f32    grads[nparams]   before clipping
        f32    params[nparams]  after clipping and the Adam step
    4 bytes  end marker "END!"
"""
import argparse
import os
import random
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_model as tm  # noqa: E402

V, E, H, L = 11, 6, 8, 2
INIT_SEED = 1234
WORD_LENGTHS = (2, 5, 3, 4)
# (feed, (lr, beta1, beta2, eps, clip)) per case
CASES = (([1, 1, 1, 1, 1, 1, 1], (1e-3, 0.9, 0.999, 1e-8, 0.1)),
         ([1, 1, 0, 1, 0, 0, 1], (1e-2, 0.8, 0.99, 1e-4, 0.2)))
NSTEPS = 2
ARGMAX_MARGIN = 1e-3  # an argmax the reference feeds must not be a near-tie


def make_batch():
    rng = random.Random(7)
    sents = [[rng.randrange(4, V) for _ in range(n)] for n in WORD_LENGTHS]
    srcs = [s + [tm.EOS] for s in sents]
    tgts = [[tm.SOS] + s[::-1] + [tm.EOS] for s in sents]
    B, S, T = len(sents), max(map(len, srcs)), max(map(len, tgts))
    src = torch.zeros(B, S, dtype=torch.long)
    tgt = torch.zeros(B, T, dtype=torch.long)
    for b in range(B):
        src[b, :len(srcs[b])] = torch.tensor(srcs[b])
        tgt[b, :len(tgts[b])] = torch.tensor(tgts[b])
    return src, torch.tensor([len(s) for s in srcs]), tgt, torch.tensor([len(t) for t in tgts])


def initial_model():
    torch.manual_seed(INIT_SEED)
    return tm.Seq2Seq(V, E, H, L, dropout=0.0)  # PyTorch defaults; embedding row 0 zero


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def run_case(params0, src, src_len, tgt, tgt_len, feed, hyper, dtype):
    """Trains NSTEPS steps from params0 in dtype; returns per-step records."""
    model = initial_model().to(dtype)
    with torch.no_grad():
        for p, v in zip(model.parameters(), params0):
            p.copy_(v.to(dtype))
    lr, beta1, beta2, eps, clip = hyper
    opt = tm.Adam(model.parameters(), lr=lr, betas=(beta1, beta2), eps=eps)
    steps = []
    for _ in range(NSTEPS):
        for p in model.parameters():
            p.grad = None
        logits, _ = model(src, src_len, tgt, feed)
        check_margins(logits, tgt_len, feed)
        loss = tm.loss_fn(logits, tgt)
        loss.backward()
        grads = flat(p.grad for p in model.parameters()).clone()
        norm = tm.clip_grads(list(model.parameters()), clip)
        assert norm > clip * 1.5, f"norm {float(norm)} too small: clipping would not happen"
        clipped = flat(p.grad for p in model.parameters())
        opt.step()
        steps.append(dict(loss=float(loss), norm=float(norm), grads=grads, clipped=clipped,
                          params=flat(model.parameters()).clone(), logits=logits.detach()))
    return steps


def check_margins(logits, tgt_len, feed):
    """Where a real step reads the previous argmax, the top two logits must be well apart,
    or float32 rounding on the C side could pick the other token."""
    for t in range(1, logits.shape[1]):
        if feed[t]:
            continue
        for b in range(logits.shape[0]):
            if t < tgt_len[b] - 1:
                top = torch.topk(logits[b, t - 1], 2).values
                gap = float(top[0] - top[1])
                assert gap > ARGMAX_MARGIN, f"near-tie argmax at step {t - 1}, row {b}: {gap}"


def self_check(params0, src, src_len, tgt, tgt_len, feed):
    """Padding must not leak: the batch's loss and gradients equal those of the sentences
    run one at a time without any padding (float64, to rounding)."""
    model = initial_model().double()
    with torch.no_grad():
        for p, v in zip(model.parameters(), params0):
            p.copy_(v.double())

    def run(s, sl, t):
        for p in model.parameters():
            p.grad = None
        logits, _ = model(s, sl, t, feed)
        loss = tm.loss_fn(logits, t)
        loss.backward()
        return float(loss), flat(p.grad for p in model.parameters()).clone()

    loss_b, grad_b = run(src, src_len, tgt)
    ntok = int((tgt_len - 1).sum())
    tot, gsum = 0.0, torch.zeros_like(grad_b)
    for b in range(src.shape[0]):
        n = int(tgt_len[b]) - 1
        lo, go = run(src[b:b + 1, :src_len[b]], src_len[b:b + 1], tgt[b:b + 1, :tgt_len[b]])
        tot += lo * n
        gsum += go * n
    assert abs(tot / ntok - loss_b) < 1e-12, (tot / ntok, loss_b)
    gerr = float((gsum / ntok - grad_b).abs().max())
    assert gerr < 1e-12, f"padding leaks into the gradients: {gerr}"


def build():
    params0 = [p.detach().clone() for p in initial_model().parameters()]  # float32 values
    names = list(initial_model().state_dict().keys())
    shapes = [tuple(p.shape) for p in params0]
    src, src_len, tgt, tgt_len = make_batch()
    out = bytearray(b"S2SPAR01")
    out += struct.pack("<5I", V, E, H, L, tm.BAHDANAU)
    out += struct.pack("<I", len(names))
    for n, s in zip(names, shapes):
        nb = n.encode()
        out += struct.pack("<H", len(nb)) + nb + struct.pack("<I", len(s))
        out += struct.pack(f"<{len(s)}I", *s)
    p0 = flat(params0).numpy().astype("<f4")
    out += struct.pack("<I", p0.size) + p0.tobytes()
    out += struct.pack("<I", len(CASES))
    report = []
    for ci, (feed, hyper) in enumerate(CASES):
        B, S = src.shape
        T = tgt.shape[1]
        assert len(feed) == T
        self_check(params0, src, src_len, tgt, tgt_len, feed)
        # float32 values of the hyper-parameters, as the C test will pass them
        hyper = tuple(float(np.float32(x)) for x in hyper)
        ref = run_case(params0, src, src_len, tgt, tgt_len, feed, hyper, torch.float64)
        f32 = run_case(params0, src, src_len, tgt, tgt_len, feed, hyper, torch.float32)
        out += struct.pack("<4I", B, S, T, NSTEPS) + struct.pack("<5f", *hyper)
        for a in (src.t().reshape(-1), src_len, tgt.t().reshape(-1), tgt_len):
            out += a.numpy().astype("<i4").tobytes()
        out += bytes(feed)
        for k, st in enumerate(ref):
            out += struct.pack("<dd", st["loss"], st["norm"])
            out += st["grads"].numpy().astype("<f4").tobytes()
            out += st["params"].numpy().astype("<f4").tobytes()
            report.append((ci, k, st, f32[k]))
    out += b"END!"
    return bytes(out), report, names, shapes


GRAD_FLOOR, GRAD_TOL = 0.1, 1e-4       # as in tests/test_parity.c
PARAM_ATOL, PARAM_RTOL = 1e-6, 1e-5


def describe(report, names, shapes):
    """How far PyTorch's own float32 run is from the float64 reference, in the C test's
    metrics: the yardstick for what a correct float32 implementation achieves.
    grads: max |a-b| / max(|b|, GRAD_FLOOR * max|b| of the tensor), per tensor;
    params: pass if |a-b| <= PARAM_ATOL or <= PARAM_RTOL |b|; shown: worst |a-b|."""
    sizes = [int(np.prod(s)) for s in shapes]
    for ci, k, ref, f32 in report:
        print(f"case {ci} step {k}: loss {ref['loss']:.12g} (f32 rel err "
              f"{abs(f32['loss'] - ref['loss']) / ref['loss']:.2e}), norm {ref['norm']:.9g} "
              f"(f32 rel err {abs(f32['norm'] - ref['norm']) / ref['norm']:.2e})")
        g64, g32 = ref["grads"].numpy(), f32["grads"].double().numpy()
        p64, p32 = ref["params"].numpy(), f32["params"].double().numpy()
        c64 = ref["clipped"].numpy()
        off, worst_g, worst_p = 0, (0.0, ""), (0.0, "")
        for n, sz in zip(names, sizes):
            g, gg = g64[off:off + sz], g32[off:off + sz]
            eg = (np.abs(gg - g) / np.maximum(np.abs(g), GRAD_FLOOR * np.abs(g).max())).max()
            d = np.abs(p32[off:off + sz] - p64[off:off + sz])
            bad = (d > PARAM_ATOL) & (d > PARAM_RTOL * np.abs(p64[off:off + sz]))
            assert not bad.any(), f"float32 torch fails the parameter check in {n}"
            worst_g = max(worst_g, (eg, n))
            worst_p = max(worst_p, (d.max(), n))
            off += sz
        nz = np.abs(c64[c64 != 0])
        print(f"   float32 torch: worst grad err {worst_g[0]:.2e} ({worst_g[1]}), worst param "
              f"|diff| {worst_p[0]:.2e} ({worst_p[1]}); smallest nonzero clipped |g| "
              f"{nz.min():.2e}, exact zeros {int((c64 == 0).sum())}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "parity_fixture.bin"))
    ap.add_argument("--check", action="store_true",
                    help="compare with the existing file instead of writing it")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data, report, names, shapes = build()
    describe(report, names, shapes)
    if args.check:
        with open(args.out, "rb") as f:
            same = f.read() == data
        print(f"{args.out}: {'identical' if same else 'DIFFERS'}")
        return 0 if same else 1
    with open(args.out, "wb") as f:
        f.write(data)
    print(f"wrote {args.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
