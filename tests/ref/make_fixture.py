#!/usr/bin/env python3
"""make_fixture.py — writes the PyTorch reference states that tests/test_parity.c
checks our C model against (loss, every gradient, the gradient norm, and the
parameters after clipping + Adam), one file per model, same format:

    tests/ref/parity_fixture.bin           Bahdanau attention (attention id 0)
    tests/ref/parity_fixture_location.bin  location attention (attention id 3)

Needs torch (Debian's python3-torch); CI does not: the .bin files are committed.
Run from anywhere:
    python3 tests/ref/make_fixture.py [--out PATH] [--location-out PATH] [--check]
(--check: rebuild in memory and compare with the committed files instead of
writing.) A committed file that differs from the rebuilt one only in the last
bits of its float64 losses and norms (PyTorch's float64 sums are ordered by
the machine's vector width) is equivalent: --check accepts it and writing
keeps it, so the committed bytes do not churn from machine to machine.

Before writing, self-checks run (any failure aborts): padding does not leak
(the batch equals the sentences run one at a time, float64, to 1e-12); for
the location model, the batched network equals a loop-by-loop transcription
of the formulas in torch_model.LocationAttention (same loss and gradients to
1e-12), and the fixture sees the likely mistakes (alpha_{t-1} detached, the
kernel flipped, alpha_{-1} elsewhere than on <EOS>: each moves a gradient
beyond 10x test_parity's tolerance); where a step feeds an argmax the top two
logits are well apart; clipping happens.

Each file: a tiny model (V=11: 4 specials + 7 words, E=6, H=8, L=2, dropout 0
— as the C test runs it: no dropout) with PyTorch's default initialisation
(seeded, torch.manual_seed(1234) before constructing it), one batch of B=4
sentences of 2, 5, 3 and 4 words (so sources and targets are padded), and two
cases that each start from the same initial parameters with fresh Adam state:

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
float32 precision; the float32 C run is compared to it. The location file has
the same two cases (same feeds and hyper-parameters) for the location model.

Location attention (see torch_model.LocationAttention): the model puts <SOS>
before each source itself, so the fixture's src/src_len are the data (words +
<EOS>, as the C batch holds them) for both files; the encoder of a location
model reads src_len + 1 positions. Its tensors: the Bahdanau table plus
decoder.attention.loc_conv.weight (H, 3) and decoder.attention.loc_conv.bias
(H) after decoder.attention.v.weight.

File format, all little-endian:

    8 bytes  magic "S2SPAR01"
    u32 x 5  V, E, H, L, attention (0 = Bahdanau, 3 = location)
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
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ckpt  # noqa: E402
import torch_model as tm  # noqa: E402

V, E, H, L = 11, 6, 8, 2
INIT_SEED = 1234
HERE = os.path.dirname(os.path.abspath(__file__))
# (attention, default output) per fixture file; each file holds every case of CASES
FIXTURES = ((tm.BAHDANAU, os.path.join(HERE, "parity_fixture.bin")),
            (tm.LOCATION, os.path.join(HERE, "parity_fixture_location.bin")))
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


def initial_model(attention):
    torch.manual_seed(INIT_SEED)
    # PyTorch defaults; embedding row 0 zero
    return tm.Seq2Seq(V, E, H, L, dropout=0.0, attention=attention)


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def model_from(attention, params0, dtype):
    model = initial_model(attention).to(dtype)
    with torch.no_grad():
        for p, v in zip(model.parameters(), params0):
            p.copy_(v.to(dtype))
    return model


def run_case(attention, params0, src, src_len, tgt, tgt_len, feed, hyper, dtype):
    """Trains NSTEPS steps from params0 in dtype; returns per-step records."""
    model = model_from(attention, params0, dtype)
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


def loss_and_grads(model, fn):
    """fn() -> loss tensor; returns (float loss, flat gradients)."""
    for p in model.parameters():
        p.grad = None
    loss = fn()
    loss.backward()
    return float(loss), flat(p.grad if p.grad is not None else torch.zeros_like(p)
                             for p in model.parameters()).clone()


def self_check(attention, params0, src, src_len, tgt, tgt_len, feed):
    """Padding must not leak: the batch's loss and gradients equal those of the sentences
    run one at a time without any padding (float64, to rounding)."""
    model = model_from(attention, params0, torch.float64)

    def run(s, sl, t):
        return loss_and_grads(model, lambda: tm.loss_fn(model(s, sl, t, feed)[0], t))

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


def location_by_formula(model, src, src_len, tgt, tgt_len, feed, detach=False, flip=False,
                        start=-1):
    """The location model's loss, written out loop by loop from the formulas (one sentence
    at a time, no Conv1d, no packing, no masking) — an independent transcription of
    torch_model.LocationAttention's docstring to check the batched network against:

      source <SOS> w1..wn <EOS> (n+2 positions); alpha_{-1} one-hot at <EOS>;
      f_{t,i,h} = sum_k U[h,k] alpha_{t-1,i+k-1} (zero outside 0..n+1), alpha_{t-1}
      differentiated (detach=True: not); e_{t,i} = v . tanh(W_h h_i + W_s s_t + f_{t,i} + b);
      alpha_t = softmax(e_t); c_t = sum_i alpha_{t,i} h_i; GRU over [emb(y); c]; fc.

    detach=True, flip=True (U[h,2-k] for U[h,k]) and start (the column of alpha_{-1}'s
    one, None for all zero) make the likely mistakes, to show that the fixture sees them.
    """
    enc, dec = model.encoder, model.decoder
    att = dec.attention
    U = att.loc_conv.weight[:, 0, :]          # (H, 3)
    if flip:
        U = U.flip(1)
    bias = att.loc_conv.bias
    total = 0.0
    for b in range(src.shape[0]):
        ids = [tm.SOS] + [int(x) for x in src[b, :src_len[b]]]
        n_src = len(ids)
        h_enc, hidden = enc.gru(enc.embedding(torch.tensor([ids])))   # (1, n_src, H)
        h_enc = h_enc[0]
        alpha = torch.zeros(n_src, dtype=h_enc.dtype)
        if start is not None:
            alpha[start] = 1.0
        x, prev_logits = int(tgt[b, 0]), None
        for t in range(int(tgt_len[b]) - 1):
            if t > 0:
                x = int(tgt[b, t]) if feed[t] else int(prev_logits.argmax())
            prev = alpha.detach() if detach else alpha
            s = hidden[-1, 0]
            e = []
            for i in range(n_src):
                f = bias.clone()
                for k in range(3):
                    j = i + k - 1
                    if 0 <= j < n_src:
                        f = f + U[:, k] * prev[j]
                e.append(att.v.weight[0] @ torch.tanh(att.W_h.weight @ h_enc[i] +
                                                      att.W_s.weight @ s + f))
            alpha = torch.softmax(torch.stack(e), 0)
            ctx = alpha @ h_enc
            inp = torch.cat([dec.embedding(torch.tensor([x]))[0], ctx])
            out, hidden = dec.gru(inp.view(1, 1, -1), hidden)
            logits = dec.fc(out[0, 0])
            total = total + F.cross_entropy(logits.unsqueeze(0), tgt[b, t + 1:t + 2],
                                            reduction="sum")
            prev_logits = logits.detach()
    return total / int((tgt_len - 1).sum())


LOCATION_MISTAKES = (("alpha_{t-1} detached", dict(detach=True)),
                     ("kernel flipped", dict(flip=True)),
                     ("alpha_{-1} on <SOS>", dict(start=0)),
                     ("alpha_{-1} zero", dict(start=None)))


def location_check(params0, src, src_len, tgt, tgt_len, feed):
    """The batched location network is the formulas (loss and gradients to 1e-12), and
    the fixture sees each of LOCATION_MISTAKES: with it the gradients move beyond 10x
    test_parity's tolerance (the loss alone may not: it moves ~1e-5 at this size), so
    a C model making it fails the test. Returns the smallest such gradient error."""
    model = model_from(tm.LOCATION, params0, torch.float64)
    loss_b, grad_b = loss_and_grads(
        model, lambda: tm.loss_fn(model(src, src_len, tgt, feed)[0], tgt))
    loss_f, grad_f = loss_and_grads(
        model, lambda: location_by_formula(model, src, src_len, tgt, tgt_len, feed))
    assert abs(loss_f - loss_b) < 1e-12, f"location: batch loss {loss_b} vs formulas {loss_f}"
    gerr = float((grad_f - grad_b).abs().max())
    assert gerr < 1e-12, f"location: batch gradients differ from the formulas' by {gerr}"
    names, sizes = zip(*[(n, t.numel()) for n, t in tm.file_tensors(model).items()])
    seen = []
    for what, kw in LOCATION_MISTAKES:
        _, grad_m = loss_and_grads(
            model, lambda: location_by_formula(model, src, src_len, tgt, tgt_len, feed, **kw))
        worst = max(zip(grad_errors(grad_m.numpy(), grad_b.numpy(), names, sizes), names))
        assert worst[0] > 10 * GRAD_TOL, f"{what} would pass the test: {worst}"
        seen.append((worst[0], what))
    return min(seen)


def grad_errors(ours, ref, names, sizes):
    """test_parity's gradient metric per tensor: max |a-b| / max(|b|, floor * max|b|)."""
    out, off = [], 0
    for sz in sizes:
        g, gg = ref[off:off + sz], ours[off:off + sz]
        scale = np.abs(g).max()
        out.append(float((np.abs(gg - g) / np.maximum(np.abs(g), GRAD_FLOOR * scale
                                                      if scale > 0 else 1e-30)).max()))
        off += sz
    return out


def build(attention):
    """-> (file bytes, report, names, shapes, byte offsets of the float64 fields)."""
    model0 = initial_model(attention)
    params0 = [p.detach().clone() for p in model0.parameters()]  # float32 values
    file_shapes = tm.file_tensors(model0)                        # the C layout
    names = list(file_shapes.keys())
    shapes = [tuple(t.shape) for t in file_shapes.values()]
    src, src_len, tgt, tgt_len = make_batch()
    out = bytearray(b"S2SPAR01")
    out += struct.pack("<5I", V, E, H, L, attention)
    out += struct.pack("<I", len(names))
    for n, s in zip(names, shapes):
        nb = n.encode()
        out += struct.pack("<H", len(nb)) + nb + struct.pack("<I", len(s))
        out += struct.pack(f"<{len(s)}I", *s)
    p0 = flat(params0).numpy().astype("<f4")
    out += struct.pack("<I", p0.size) + p0.tobytes()
    out += struct.pack("<I", len(CASES))
    report, f64_at = [], []
    for ci, (feed, hyper) in enumerate(CASES):
        B, S = src.shape
        T = tgt.shape[1]
        assert len(feed) == T
        self_check(attention, params0, src, src_len, tgt, tgt_len, feed)
        if attention == tm.LOCATION:
            least = location_check(params0, src, src_len, tgt, tgt_len, feed)
            print(f"location case {ci}: batch = formulas (1e-12); each likely mistake moves "
                  f"a gradient by >= {least[0]:.2e} (least: {least[1]})")
        # float32 values of the hyper-parameters, as the C test will pass them
        hyper = tuple(float(np.float32(x)) for x in hyper)
        ref = run_case(attention, params0, src, src_len, tgt, tgt_len, feed, hyper,
                       torch.float64)
        f32 = run_case(attention, params0, src, src_len, tgt, tgt_len, feed, hyper,
                       torch.float32)
        out += struct.pack("<4I", B, S, T, NSTEPS) + struct.pack("<5f", *hyper)
        for a in (src.t().reshape(-1), src_len, tgt.t().reshape(-1), tgt_len):
            out += a.numpy().astype("<i4").tobytes()
        out += bytes(feed)
        for k, st in enumerate(ref):
            f64_at += [len(out), len(out) + 8]
            out += struct.pack("<dd", st["loss"], st["norm"])
            out += st["grads"].numpy().astype("<f4").tobytes()
            out += st["params"].numpy().astype("<f4").tobytes()
            report.append((ci, k, st, f32[k]))
    out += b"END!"
    return bytes(out), report, names, shapes, f64_at


F64_ULPS = 4  # float64 fields may differ this much between machines (summation order)


def equivalent(old, new, f64_at):
    """old == new, except that the float64 fields at f64_at may differ by F64_ULPS ulps.
    Returns (same, how many float64 fields differ, their largest difference in ulps)."""
    if len(old) != len(new):
        return False, 0, 0
    n, worst, prev = 0, 0, 0
    for at in f64_at:
        if old[prev:at] != new[prev:at]:
            return False, n, worst
        a, b = (struct.unpack_from("<q", x, at)[0] for x in (old, new))
        if a != b:
            if (a < 0) != (b < 0):
                return False, n, worst
            n, worst = n + 1, max(worst, abs(a - b))
        prev = at + 8
    if old[prev:] != new[prev:]:
        return False, n, worst
    return worst <= F64_ULPS, n, worst


GRAD_FLOOR, GRAD_TOL = 0.1, 1e-4       # as in tests/test_parity.c
PARAM_ATOL, PARAM_RTOL = 1e-6, 1e-5


def describe(label, report, names, shapes):
    """How far PyTorch's own float32 run is from the float64 reference, in the C test's
    metrics: the yardstick for what a correct float32 implementation achieves.
    grads: max |a-b| / max(|b|, GRAD_FLOOR * max|b| of the tensor), per tensor;
    params: pass if |a-b| <= PARAM_ATOL or <= PARAM_RTOL |b|; shown: worst |a-b|."""
    sizes = [int(np.prod(s)) for s in shapes]
    for ci, k, ref, f32 in report:
        print(f"{label} case {ci} step {k}: loss {ref['loss']:.17g} (f32 rel err "
              f"{abs(f32['loss'] - ref['loss']) / ref['loss']:.2e}), norm {ref['norm']:.17g} "
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
    ap.add_argument("--out", default=FIXTURES[0][1],
                    help="the Bahdanau fixture (default: %(default)s)")
    ap.add_argument("--location-out", default=FIXTURES[1][1],
                    help="the location fixture (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="compare with the existing files instead of writing them")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ok = True
    for attention, path in ((tm.BAHDANAU, args.out), (tm.LOCATION, args.location_out)):
        label = ckpt.ATTENTION_NAMES[attention]
        data, report, names, shapes, f64_at = build(attention)
        describe(label, report, names, shapes)
        old = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                old = f.read()
        same, n, ulps = equivalent(old, data, f64_at) if old is not None else (False, 0, 0)
        note = (f" ({n} float64 loss/norm values up to {ulps} ulp apart: this machine's "
                f"summation order)" if same and n else "")
        if args.check:
            print(f"{path}: " + (("equivalent" if n else "identical") + note if same else
                                 "missing" if old is None else "DIFFERS"))
            ok &= same
        elif same:
            print(f"{path}: unchanged{note}; kept")
        else:
            with open(path, "wb") as f:
                f.write(data)
            print(f"wrote {path} ({len(data)} bytes)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
