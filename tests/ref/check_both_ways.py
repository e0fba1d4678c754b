#!/usr/bin/env python3
"""check_both_ways.py — a model trained by our C program loads into the seed's
PyTorch network and predicts the same sentences, and back.

  (a) CKPT (written by `seq2seq train`) is read with ckpt.py (and must write
      back byte for byte), loaded into torch_model.Seq2Seq, and greedy-decodes
      a list of sentences; `seq2seq reverse --model CKPT` must print the same
      lines.
  (b) For each attention kind (--kinds; default all four: bahdanau, luong,
      none, location), a small PyTorch model is initialised and trained a
      little here, saved with ckpt.py, and `seq2seq reverse` on that file must
      print what PyTorch's greedy decoding gives.
  (c) Two vocabularies, format version 2: a PyTorch model with a source
      vocabulary of the seed's words and a smaller target vocabulary of their
      first letters (the task: each word's initial), saved with ckpt.py as
      version 2; `seq2seq reverse` (which decodes any model) must print what
      PyTorch gives. Then the C program reads it and writes it back (`train
      --model` for one epoch at a learning rate too small to move any weight),
      and that file, read here, must be version 2 with the same vocabularies
      and bit-identical tensors, and predict the same in both programs.

Greedy decoding (both sides): from <SOS>, feed each step's argmax, stop at
<EOS> or after 2*words+2 steps; print the tokens before <EOS> joined by single
spaces; each unknown source word is written at the step attending to it most
among the steps whose attention peaks on it, and a step writing <UNK> writes the
source word under its peak
(as `seq2seq reverse` does: model/decode.c, decode_copy_rule). A location model
puts <SOS> before the source itself, so its attention rows have words + 2
columns, column 0 the marker; a peak on the marker or on the last column
(<EOS>) copies nothing. Float32 on both sides, so an argmax can only flip
on a near-tie (top-two logits within --tie); such a line is reported as a tie,
not a failure.

usage: check_both_ways.py --bin build/seq2seq CKPT [--workdir DIR]
Exit status 0 when every line matches, 1 otherwise.
"""
import argparse
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ckpt  # noqa: E402
import torch_model as tm  # noqa: E402


def copy_rule(toks, alphas, src_ids, prefix):
    """model/decode.c's decode_copy_rule: for each output step t, the source column whose
    word the step writes instead of its token, or -1. alphas: per step, the attention
    row over prefix + words + 1 columns; src_ids: the words' ids (<UNK> if unknown)."""
    def peak(t):  # the first largest weight, as row_peak
        row = alphas[t]
        return max(range(len(row)), key=lambda j: (row[j], -j))

    out = []
    for t, tok in enumerate(toks):
        j = peak(t)
        n_src = len(alphas[t])
        if j < prefix or j >= n_src - 1:  # on the start marker or <EOS>
            out.append(-1)
            continue
        take = tok == tm.UNK
        if src_ids[j - prefix] == tm.UNK:
            take = True  # unless another step holds this word more strongly
            for u in range(len(toks)):
                if u == t or peak(u) != j:
                    continue
                a_u, a_t = alphas[u][j], alphas[t][j]
                if a_u > a_t or (a_u == a_t and u < t):
                    take = tok == tm.UNK
        out.append(j if take else -1)
    return out


def decode(model, vocab, w2i, words):
    """Greedy decode of one sentence -> (output line, top-two logit gap per step).
    w2i: the source vocabulary's ids; vocab: the target vocabulary's words."""
    ids = [w2i.get(w, tm.UNK) for w in words] + [tm.EOS]
    model.eval()
    with torch.no_grad():
        src = torch.tensor([ids])
        enc_out, hidden, keys, pad_mask = model.encode(src, torch.tensor([len(ids)]))
        alpha = model.initial_alpha(enc_out, pad_mask)
        x = torch.tensor([tm.SOS])
        toks, alphas, gaps = [], [], []
        for _ in range(2 * len(words) + 2):
            logits, hidden, alpha = model.decoder.step(x, hidden, enc_out, keys, pad_mask,
                                                       alpha)
            top = torch.topk(logits[0], 2).values
            gaps.append(float(top[0] - top[1]))
            x = logits.argmax(1)
            tok = int(x[0])
            if tok == tm.EOS:
                break
            toks.append(tok)
            if alpha is not None:
                alphas.append([float(a) for a in alpha[0]])
        # copy-through, as model/decode.c: each unknown source word is written at
        # the step that attends to it most among the steps peaking on it, and
        # a step writing <UNK> writes the word under its peak
        pre = model.src_prefix()
        copy = copy_rule(toks, alphas, ids[:-1], pre) if alphas else [-1] * len(toks)
        out = [words[j - pre] if j >= 0 else vocab[tok] for tok, j in zip(toks, copy)]
    return " ".join(out), gaps


def run_c(binary, path, sentences, device, cmd="reverse"):
    """`seq2seq reverse` (or `predict`, for a model of another task) on sentences."""
    r = subprocess.run([binary, cmd, "--model", path, "--device", device],
                       input="".join(" ".join(s) + "\n" for s in sentences),
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"{binary} {cmd} --model {path} exited {r.returncode}:\n{r.stderr}")
    lines = r.stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(sentences):
        raise RuntimeError(f"{binary} {cmd} printed {len(lines)} lines for "
                           f"{len(sentences)} sentences")
    return lines


def compare(label, model, vocab, sentences, c_lines, tie):
    """vocab: as ckpt.load returns it (one list, or source and target)."""
    src, tgt, _ = ckpt.vocab_sides(vocab)
    w2i = {w: i for i, w in enumerate(src)}
    same = ties = 0
    bad = []
    for words, c in zip(sentences, c_lines):
        py, gaps = decode(model, tgt, w2i, words)
        if py == c:
            same += 1
            continue
        a, b = py.split(), c.split()
        j = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        if j < len(gaps) and gaps[j] < tie:
            ties += 1
            print(f"  tie  {' '.join(words)!r}: step {j} top-two gap {gaps[j]:.2e}")
        else:
            bad.append((words, py, c, j, gaps[j] if j < len(gaps) else math.nan))
    print(f"{label}: {same}/{len(sentences)} identical" + (f", {ties} near-ties" if ties else "")
          + (f", {len(bad)} DIFFER" if bad else ""))
    for words, py, c, j, gap in bad[:10]:
        print(f"  input:   {' '.join(words)}\n  torch:   {py}\n  seq2seq: {c}\n"
              f"  (first difference at step {j}, torch's top-two gap there {gap:.3g})")
    return not bad


def sentences_for(vocab, n, seed):
    words = [w for w in vocab[len(tm.SPECIALS):]]
    rng = random.Random(seed)
    out = [[rng.choice(words) for _ in range(rng.randint(1, 10))] for _ in range(n)]
    # unknown words: the <UNK> path and its copy-through on both sides
    out += [[words[0], "zebra", words[1]], ["qwerty"], ["xylophone"] + words[2:6]]
    return out


def part_a(args):
    with open(args.ckpt, "rb") as f:
        raw = f.read()
    cfg, vocab, meta, tensors = ckpt.loads(raw, args.ckpt)
    if ckpt.dumps(cfg, vocab, meta, tensors) != raw:
        print(f"(a) FAIL: ckpt.py does not write {args.ckpt} back byte for byte")
        return False
    model, cfg, vocab, meta = tm.from_checkpoint(args.ckpt)
    print(f"(a) {args.ckpt}: V={cfg['vocab']} E={cfg['embed']} H={cfg['hidden']} "
          f"L={cfg['layers']} {ckpt.ATTENTION_NAMES[cfg['attention']]}, epoch {meta['epoch']}, "
          f"val_loss {meta['val_loss']:.4f}; reads and writes back byte for byte")
    sents = sentences_for(vocab, args.sentences, 1)
    c_lines = run_c(args.bin, args.ckpt, sents, args.device)
    return compare("(a) C-trained model: PyTorch vs seq2seq reverse", model, vocab, sents,
                   c_lines, args.tie)


def part_b(args, workdir):
    ok = True
    vocab = tm.SPECIALS + tm.SEED_WORDS
    w2i = {w: i for i, w in enumerate(vocab)}
    data = tm.random_sentences(2000, random.Random(5))
    for kind, name in enumerate(ckpt.ATTENTION_NAMES):
        if name not in args.kinds:
            continue
        torch.manual_seed(100 + kind)
        model = tm.Seq2Seq(len(vocab), 16, 32, 2, dropout=0.1, attention=kind)
        loss = tm.train_steps(model, data, w2i, args.train_steps, seed=kind, lr=5e-3)
        path = os.path.join(workdir, f"torch_{name}.ckpt")
        tm.to_checkpoint(path, model, vocab, dict(epoch=1, val_loss=math.nan, seed=100 + kind))
        sents = sentences_for(vocab, args.sentences, 2 + kind)
        c_lines = run_c(args.bin, path, sents, args.device)
        ok &= compare(f"(b) PyTorch-trained {name} model ({args.train_steps} steps, loss "
                      f"{loss:.3f}): PyTorch vs seq2seq reverse", model, vocab, sents, c_lines,
                      args.tie)
    return ok


def initials_data(n, rng):
    """(c)'s pairs: sentences of the seed's words, each with its words' first letters."""
    return [(s, [w[0] for w in s]) for s in tm.random_sentences(n, rng)]


def same_tensors(a, b):
    """Whether two name -> array dicts hold the same names, in order, with the same bits."""
    return list(a) == list(b) and all(
        a[k].shape == b[k].shape and
        (np.asarray(a[k], "<f4").view("<u4") == np.asarray(b[k], "<f4").view("<u4")).all()
        for k in a)


UNSEEN = ["zebra", "apple", "river", "stone", "cloud", "green", "lamp", "door", "wolf", "moon"]


def c_writes_back(args, path, workdir):
    """The C program reads path and writes it again (one epoch of `train --model` on a
    few pairs at --lr 1e-30: every update is far below half a unit in the last place
    of any weight, so none moves, and zero stays zero); returns the file it wrote. The
    pairs are of words neither vocabulary holds, so that source and target are all
    <UNK>, ids every vocabulary has."""
    data = os.path.join(workdir, "pairs.tsv")
    with open(data, "w") as f:
        for s in tm.random_sentences(20, random.Random(11), words=UNSEEN):
            f.write(" ".join(s) + "\t" + " ".join(reversed(s)) + "\n")
    out = os.path.join(workdir, "c_run")
    r = subprocess.run([args.bin, "train", "--model", path, "--epochs", "1", "--lr", "1e-30",
                        "--pairs", data, "--out", out, "--device", args.device, "--threads", "1",
                        "--quiet"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"{args.bin} train --model {path} exited {r.returncode}:\n{r.stderr}")
    return os.path.join(out, "last.ckpt")


def part_c(args, workdir):
    src = tm.SPECIALS + tm.SEED_WORDS
    tgt = tm.SPECIALS + sorted({w[0] for w in tm.SEED_WORDS})
    vocab = dict(src=src, tgt=tgt)
    src_w2i = {w: i for i, w in enumerate(src)}
    tgt_w2i = {w: i for i, w in enumerate(tgt)}
    torch.manual_seed(200)
    model = tm.Seq2Seq(len(src), 16, 32, 2, dropout=0.1, attention=tm.BAHDANAU,
                       tgt_vocab=len(tgt))
    loss = tm.train_steps(model, initials_data(2000, random.Random(7)), src_w2i,
                          args.train_steps, seed=7, lr=5e-3, tgt_w2i=tgt_w2i)
    path = os.path.join(workdir, "torch_pairs.ckpt")
    pairs = ckpt.TASK_NAMES.index("pairs")
    tm.to_checkpoint(path, model, vocab, dict(epoch=1, val_loss=math.nan, seed=200, task=pairs,
                                              tokens=0))
    with open(path, "rb") as f:
        raw = f.read()
    cfg, vocab_r, meta, tensors = ckpt.loads(raw, path)
    if meta["version"] != 2 or vocab_r != vocab or ckpt.dumps(cfg, vocab_r, meta, tensors) != raw:
        print(f"(c) FAIL: {path} is not version 2 with the two vocabularies, or does not "
              f"write back byte for byte")
        return False
    sents = sentences_for(src, args.sentences, 20)
    label = (f"(c) PyTorch-trained model, {len(src)} source and {len(tgt)} target words, "
             f"format version 2 ({args.train_steps} steps, loss {loss:.3f})")
    ok = compare(label + ": PyTorch vs seq2seq predict", model, vocab, sents,
                 run_c(args.bin, path, sents, args.device, "predict"), args.tie)

    c_path = c_writes_back(args, path, workdir)
    with open(c_path, "rb") as f:
        c_raw = f.read()
    c_cfg, c_vocab, c_meta, c_tensors = ckpt.loads(c_raw, c_path)
    same = (c_meta["version"] == 2 and c_vocab == vocab and c_cfg["vocab"] == len(src)
            and c_cfg["tgt_vocab"] == len(tgt) and same_tensors(c_tensors, tensors))
    print(f"(c) {c_path} (written by seq2seq from {os.path.basename(path)}): version "
          f"{c_meta['version']}, " + ("the same vocabularies and bit-identical tensors"
                                      if same else "DIFFERS from what PyTorch wrote"))
    if not same or ckpt.dumps(c_cfg, c_vocab, c_meta, c_tensors) != c_raw:
        print(f"(c) FAIL: {c_path} does not hold the model that was read, or ckpt.py does "
              f"not write it back byte for byte")
        return False
    c_model, _, _, _ = tm.from_checkpoint(c_path)
    return ok and compare("(c) the same model as seq2seq wrote it: PyTorch vs seq2seq predict",
                          c_model, c_vocab, sents,
                          run_c(args.bin, c_path, sents, args.device, "predict"), args.tie)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ckpt", help="a checkpoint written by seq2seq train")
    ap.add_argument("--bin", default="build/seq2seq")
    ap.add_argument("--device", default="cpu", help="seq2seq --device (default cpu)")
    ap.add_argument("--workdir", help="where (b) writes its checkpoints (default: a temp dir)")
    ap.add_argument("--sentences", type=int, default=60, help="random sentences per model")
    ap.add_argument("--train-steps", type=int, default=300, help="(b): PyTorch training steps")
    ap.add_argument("--kinds", default=",".join(ckpt.ATTENTION_NAMES),
                    help="(b): attention kinds to check, comma-separated (default: %(default)s)")
    ap.add_argument("--tie", type=float, default=1e-4,
                    help="top-two logit gap below which a differing argmax is a tie")
    args = ap.parse_args()
    args.kinds = args.kinds.split(",")
    for k in args.kinds:
        if k not in ckpt.ATTENTION_NAMES:
            ap.error(f"--kinds: unknown attention kind {k!r} (one of "
                     f"{', '.join(ckpt.ATTENTION_NAMES)})")
    torch.set_num_threads(1)
    ok = part_a(args)
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        ok &= part_b(args, args.workdir)
        ok &= part_c(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory() as d:
            ok &= part_b(args, d)
            ok &= part_c(args, d)
    print("check_both_ways: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
