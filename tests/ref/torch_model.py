"""torch_model.py — the seed's PyTorch network, with padding handled correctly.

This is the reference our C model is checked against (tests/ref/make_fixture.py,
tests/ref/check_both_ways.py). It follows seed 000's architecture and
parameter names, so its state_dict is exactly the tensor list of model/model.h,
with two fixes the design asks for:

  * the encoder runs its GRU over packed sequences, so each sentence's final
    state is the one at its last real token (not after the pads);
  * padded source positions are masked out of the attention softmax.

Tensors are batch-first here (the C side is time-major; the fixture writer
transposes). The encoder's embedding has the source vocabulary's rows, the
decoder's embedding and output layer the target's (Seq2Seq's tgt_vocab; the
same vocabulary by default, as the seed's reversal). Attention kinds: 0 Bahdanau (the seed's), 1 Luong (dot product,
no parameters), 2 none (the decoder sees no context), 3 location (Bahdanau
plus a convolution of the previous alignment; see LocationAttention).

A location model puts a start marker, <SOS>, before each source sentence
itself (Seq2Seq.encode): the encoder reads <SOS>, w1..wn, <EOS>, so its
attention rows have n+2 columns, column 0 the marker. Callers pass the same
data (words + <EOS>) to every kind.
"""
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, SOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ["<PAD>", "<SOS>", "<EOS>", "<UNK>"]
BAHDANAU, LUONG, NONE, LOCATION = 0, 1, 2, 3
LOC_KERNEL = 3  # location attention: width of the convolution over the previous alignment


class Encoder(nn.Module):
    def __init__(self, V, E, H, L, dropout):
        super().__init__()
        self.embedding = nn.Embedding(V, E, padding_idx=0)
        self.gru = nn.GRU(E, H, L, batch_first=True, dropout=dropout if L > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)

    def forward(self, src, src_len):
        """src (B,S), src_len (B) -> outputs (B,S,H) zero at pads, hidden (L,B,H)."""
        x = self.dropout(self.embedding(src))
        packed = pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, hidden = self.gru(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return out, hidden


class BahdanauAttention(nn.Module):
    """e_i = v^T tanh(W_h h_i + W_s s); alpha = masked softmax(e); c = sum alpha_i h_i."""

    def __init__(self, H):
        super().__init__()
        self.W_h = nn.Linear(H, H, bias=False)
        self.W_s = nn.Linear(H, H, bias=False)
        self.v = nn.Linear(H, 1, bias=False)

    def keys(self, enc_out):
        # W_h h_i does not depend on the decoder step: computed once per sentence.
        return self.W_h(enc_out)

    def forward(self, s, enc_out, keys, pad_mask):
        scores = self.v(torch.tanh(keys + self.W_s(s).unsqueeze(1))).squeeze(-1)  # (B,S)
        return _masked_context(scores, enc_out, pad_mask)


class LocationAttention(nn.Module):
    """Location-aware attention (Chorowski et al. 2015, with a 3-wide filter):

        f_{t,i,h} = sum_{k=0..2} U[h,k] * alpha_{t-1, i+k-1}   (zero outside the sequence)
        e_{t,i}   = v^T tanh(W_h h_i + W_s s_t + f_{t,i} + b)
        alpha_t   = softmax over the real positions i < src_len' (pads masked)
        c_t       = sum_i alpha_{t,i} h_i

    U and b are loc_conv's weight (a Conv1d(1, H, 3, padding=1): shape (H, 1, 3)
    here, stored (H, 3) in checkpoints and the parity fixture) and bias (H).
    alpha_{-1}, before the first decoder step, is one-hot at each sentence's
    source <EOS> (column src_len' - 1; Seq2Seq.initial_alpha).

    The previous alignment alpha_{t-1} is differentiated like everything else:
    step t's scores send gradient back into step t-1's attention through f
    (into U, b and alpha_{t-1}); alpha_{-1} is a constant.
    """

    def __init__(self, H):
        super().__init__()
        self.W_h = nn.Linear(H, H, bias=False)
        self.W_s = nn.Linear(H, H, bias=False)
        self.v = nn.Linear(H, 1, bias=False)
        self.loc_conv = nn.Conv1d(1, H, LOC_KERNEL, padding=LOC_KERNEL // 2)

    def keys(self, enc_out):
        return self.W_h(enc_out)

    def forward(self, s, enc_out, keys, pad_mask, prev_alpha):
        # Conv1d is a cross-correlation: out[i] = sum_k w[k] * in[i + k - 1], as above.
        f = self.loc_conv(prev_alpha.unsqueeze(1)).transpose(1, 2)  # (B,S,H), + b
        scores = self.v(torch.tanh(keys + self.W_s(s).unsqueeze(1) + f)).squeeze(-1)
        return _masked_context(scores, enc_out, pad_mask)


def _masked_context(scores, enc_out, pad_mask):
    # -inf (not -1e10): a padded position gets exactly zero weight and no gradient.
    alpha = F.softmax(scores.masked_fill(pad_mask, float("-inf")), dim=1)
    return torch.bmm(alpha.unsqueeze(1), enc_out).squeeze(1), alpha


class Decoder(nn.Module):
    def __init__(self, V, E, H, L, dropout, attention=BAHDANAU):
        super().__init__()
        self.vocab_size = V
        self.kind = attention
        self.embedding = nn.Embedding(V, E, padding_idx=0)
        if attention == BAHDANAU:
            self.attention = BahdanauAttention(H)
        elif attention == LOCATION:
            self.attention = LocationAttention(H)
        in_dim = E if attention == NONE else E + H
        self.gru = nn.GRU(in_dim, H, L, batch_first=True, dropout=dropout if L > 1 else 0.0)
        self.fc = nn.Linear(H, V)
        self.dropout = nn.Dropout(dropout)

    def step(self, x, hidden, enc_out, keys, pad_mask, prev_alpha=None):
        """One decoder step: x (B) token ids, hidden (L,B,H) -> logits (B,V), hidden, alpha.
        prev_alpha: the previous step's alpha (location attention only; before the first
        step Seq2Seq.initial_alpha); the other kinds ignore it."""
        emb = self.dropout(self.embedding(x))                 # (B,E)
        s = hidden[-1]                                        # query: top layer of previous state
        if self.kind == BAHDANAU:
            ctx, alpha = self.attention(s, enc_out, keys, pad_mask)
            inp = torch.cat([emb, ctx], dim=1)
        elif self.kind == LOCATION:
            if prev_alpha is None:
                raise ValueError("location attention needs the previous step's alpha")
            ctx, alpha = self.attention(s, enc_out, keys, pad_mask, prev_alpha)
            inp = torch.cat([emb, ctx], dim=1)
        elif self.kind == LUONG:
            scores = torch.bmm(enc_out, s.unsqueeze(2)).squeeze(2)
            ctx, alpha = _masked_context(scores, enc_out, pad_mask)
            inp = torch.cat([emb, ctx], dim=1)
        else:
            alpha = None
            inp = emb
        out, hidden = self.gru(inp.unsqueeze(1), hidden)
        return self.fc(out.squeeze(1)), hidden, alpha


class Seq2Seq(nn.Module):
    def __init__(self, V, E, H, L, dropout=0.1, attention=BAHDANAU, tgt_vocab=None):
        """V: the source vocabulary's size; tgt_vocab: the target's (default V)."""
        super().__init__()
        self.encoder = Encoder(V, E, H, L, dropout)
        self.decoder = Decoder(V if tgt_vocab is None else tgt_vocab, E, H, L, dropout, attention)

    def src_prefix(self):
        """Source positions the model puts before the words: 1 (<SOS>) for location."""
        return 1 if self.decoder.kind == LOCATION else 0

    def encode(self, src, src_len):
        """src (B,S) words + <EOS>, padded; src_len (B). A location model first puts <SOS>
        before each row (S+1 columns, src_len + 1). Returns enc_out (B,S',H), hidden,
        keys (W_h h, or None), pad_mask (B,S') True at pads."""
        if self.src_prefix():
            sos = torch.full((src.shape[0], 1), SOS, dtype=src.dtype, device=src.device)
            src, src_len = torch.cat([sos, src], dim=1), src_len + 1
        enc_out, hidden = self.encoder(src, src_len)
        pos = torch.arange(src.shape[1], device=src.device).unsqueeze(0)
        pad_mask = pos >= src_len.to(src.device).unsqueeze(1)  # (B,S'), True at pads
        keys = (self.decoder.attention.keys(enc_out)
                if self.decoder.kind in (BAHDANAU, LOCATION) else None)
        return enc_out, hidden, keys, pad_mask

    def initial_alpha(self, enc_out, pad_mask):
        """alpha_{-1} for location attention: one-hot at each row's last real column (the
        source <EOS>, src_len' - 1); None for the other kinds."""
        if self.decoder.kind != LOCATION:
            return None
        last = (~pad_mask).sum(1) - 1
        alpha = torch.zeros(pad_mask.shape, dtype=enc_out.dtype, device=enc_out.device)
        alpha[torch.arange(pad_mask.shape[0], device=pad_mask.device), last] = 1.0
        return alpha

    def forward(self, src, src_len, tgt, feed):
        """Runs decoder steps 0..T-2. Step 0 reads tgt[:,0] (<SOS>); step t >= 1 reads
        tgt[:,t] if feed[t] else the argmax of step t-1 (one choice for the batch).
        Returns logits (B, T-1, V) and the attention weights per step."""
        enc_out, hidden, keys, pad_mask = self.encode(src, src_len)
        alpha = self.initial_alpha(enc_out, pad_mask)
        T = tgt.shape[1]
        x = tgt[:, 0]
        logits, alphas = [], []
        for t in range(T - 1):
            if t > 0:
                x = tgt[:, t] if feed[t] else logits[-1].argmax(1)
            out, hidden, alpha = self.decoder.step(x, hidden, enc_out, keys, pad_mask, alpha)
            logits.append(out)
            alphas.append(alpha)
        return torch.stack(logits, dim=1), alphas


def loss_fn(logits, tgt):
    """Cross-entropy of steps 0..T-2 against tgt[:,1:], mean over real tokens."""
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), tgt[:, 1:].reshape(-1),
                           ignore_index=PAD, reduction="mean")


def clip_grads(params, max_norm):
    """The seed's clip_gradients: returns the norm before clipping."""
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.sqrt(sum((g.detach() ** 2).sum() for g in grads))
    coef = max_norm / (norm + 1e-6)
    if coef < 1:
        for g in grads:
            g.mul_(coef)
    return norm


class Adam:
    """The seed's hand-written Adam (bias-corrected)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        self.t += 1
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * g * g
            mhat = self.m[i] / (1 - self.b1 ** self.t)
            vhat = self.v[i] / (1 - self.b2 ** self.t)
            p -= self.lr * mhat / (torch.sqrt(vhat) + self.eps)


# ---- greedy decoding ----

def greedy_decode(model, ids, max_steps=None):
    """ids: one source sentence as word ids + <EOS>. Returns the argmax tokens before
    the first <EOS>, running at most max_steps (default 2*words+2) steps."""
    words = len(ids) - 1
    if max_steps is None:
        max_steps = 2 * words + 2
    model.eval()
    with torch.no_grad():
        src = torch.tensor([ids], dtype=torch.long)
        src_len = torch.tensor([len(ids)])
        enc_out, hidden, keys, pad_mask = model.encode(src, src_len)
        alpha = model.initial_alpha(enc_out, pad_mask)
        x = torch.tensor([SOS])
        out = []
        for _ in range(max_steps):
            logits, hidden, alpha = model.decoder.step(x, hidden, enc_out, keys, pad_mask, alpha)
            x = logits.argmax(1)
            tok = int(x[0])
            if tok == EOS:
                break
            out.append(tok)
    return out


# ---- checkpoints (via ckpt.py) ----

LOC_CONV_WEIGHT = "decoder.attention.loc_conv.weight"


def file_tensors(model):
    """The state_dict as the C side lays it out (checkpoints, the parity fixture): the
    same names in the same order; loc_conv.weight (H,1,3) becomes (H,3) (same floats)."""
    out = {}
    for k, v in model.state_dict().items():
        out[k] = v.reshape(v.shape[0], v.shape[2]) if k == LOC_CONV_WEIGHT else v
    return out


def load_file_tensors(model, tensors, where="checkpoint"):
    """Loads name -> array (the C layout, as file_tensors gives) into model; the names,
    their order and every shape must match."""
    want = file_tensors(model)
    if list(want.keys()) != list(tensors.keys()):
        raise ValueError(f"{where}: tensor names/order differ from the PyTorch state_dict:\n"
                         f"  file:  {list(tensors.keys())}\n  torch: {list(want.keys())}")
    sd = {}
    for name, arr in tensors.items():
        if tuple(want[name].shape) != tuple(arr.shape):
            raise ValueError(f"{where}: {name} has shape {tuple(arr.shape)}, torch expects "
                             f"{tuple(want[name].shape)}")
        t = arr if isinstance(arr, torch.Tensor) else torch.from_numpy(arr.copy())
        sd[name] = t.reshape(model.state_dict()[name].shape)
    model.load_state_dict(sd)


def from_checkpoint(path):
    """Loads a checkpoint written by the C program into a Seq2Seq (float32)."""
    import ckpt
    cfg, vocab, meta, tensors = ckpt.load(path)
    model = Seq2Seq(cfg["vocab"], cfg["embed"], cfg["hidden"], cfg["layers"],
                    cfg["dropout"], cfg["attention"], tgt_vocab=cfg["tgt_vocab"])
    load_file_tensors(model, tensors, path)
    return model, cfg, vocab, meta


def to_checkpoint(path, model, vocab, meta=None, dropout=None):
    """vocab: a list of words (one vocabulary) or {"src": [...], "tgt": [...]}; meta may
    carry task and tokens (ckpt.py: version 2 unless a reversal model of words over one
    vocabulary)."""
    import ckpt
    cfg = model_config(model, dropout)
    tensors = {k: v.detach().cpu().float().numpy() for k, v in file_tensors(model).items()}
    ckpt.save(path, cfg, vocab, meta or dict(epoch=0, val_loss=math.nan, seed=0), tensors)


def model_config(model, dropout=None):
    """ckpt.py's config dict for a Seq2Seq."""
    dec = model.decoder
    gru = model.encoder.gru
    return dict(vocab=model.encoder.embedding.num_embeddings, tgt_vocab=dec.vocab_size,
                embed=model.encoder.embedding.embedding_dim,
                hidden=gru.hidden_size, layers=gru.num_layers,
                dropout=float(model.encoder.dropout.p if dropout is None else dropout),
                attention=dec.kind)


# ---- the seed's synthetic data (Python's random, not our generator) ----

SEED_WORDS = ['the', 'cat', 'sat', 'dog', 'ran', 'big', 'small', 'red', 'blue',
              'on', 'in', 'mat', 'hat', 'house', 'car', 'tree', 'bird', 'fish',
              'quick', 'lazy', 'brown', 'fox', 'jumps', 'over', 'eats', 'drinks',
              'happy', 'sad', 'fast', 'slow', 'old', 'new', 'hot', 'cold']


def random_sentences(n, rng, lo=3, hi=10, words=SEED_WORDS):
    return [[rng.choice(words) for _ in range(rng.randint(lo, hi))] for _ in range(n)]


def make_batch(sentences, w2i, tgt_w2i=None):
    """Batch-first padded (src, src_len, tgt) from word lists (the target: each reversed),
    or, with tgt_w2i (the target vocabulary), from (source, target) pairs of word lists."""
    if tgt_w2i is None:
        pairs, tgt_w2i = [(s, s[::-1]) for s in sentences], w2i
    else:
        pairs = sentences
    srcs = [[w2i.get(w, UNK) for w in s] + [EOS] for s, _ in pairs]
    tgts = [[SOS] + [tgt_w2i.get(w, UNK) for w in t] + [EOS] for _, t in pairs]
    S, T = max(map(len, srcs)), max(map(len, tgts))
    src = torch.zeros(len(srcs), S, dtype=torch.long)
    tgt = torch.zeros(len(tgts), T, dtype=torch.long)
    for i, (a, b) in enumerate(zip(srcs, tgts)):
        src[i, :len(a)] = torch.tensor(a)
        tgt[i, :len(b)] = torch.tensor(b)
    return src, torch.tensor([len(a) for a in srcs]), tgt


def train_steps(model, sentences, w2i, steps, batch=32, tf=0.5, seed=0, clip=1.0, lr=1e-3,
                tgt_w2i=None):
    """A few training steps with the seed's recipe (used to get a non-trivial model);
    sentences and tgt_w2i as make_batch takes them."""
    rng = random.Random(seed)
    opt = Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(steps):
        src, src_len, tgt = make_batch(rng.sample(sentences, batch), w2i, tgt_w2i)
        feed = [1] + [rng.random() < tf for _ in range(tgt.shape[1] - 1)]
        for p in model.parameters():
            p.grad = None
        logits, _ = model(src, src_len, tgt, feed)
        loss = loss_fn(logits, tgt)
        loss.backward()
        clip_grads(model.parameters(), clip)
        opt.step()
    return float(loss)
