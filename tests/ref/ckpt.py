"""ckpt.py — read and write seq2seq checkpoints (format version 1) from Python.

The format is the one documented in model/checkpoint.h; all integers and
floats are little-endian:

    "S2SCKPT\\0"  u32 version (1)  u32 header bytes (40)
    config:     u32 V, E, H, L; f32 dropout; u32 attention; u32 epoch;
                f32 val_loss; u64 seed
    vocabulary: V x { u16 byte length, UTF-8 bytes }
    tensors:    u32 count, then { u16 name length, name, u32 ndim,
                ndim x u32 dims, f32 data }
    trailer:    u32 CRC-32 (zlib.crc32) of every byte before it

Only numpy and the standard library are needed, so this runs without torch:

    config, vocab, meta, tensors = ckpt.load("runs/best.ckpt")
    ckpt.save("copy.ckpt", config, vocab, meta, tensors)

config = {vocab, embed, hidden, layers, dropout, attention}   (attention: int,
         an index into ATTENTION_NAMES: 0 bahdanau, 1 luong, 2 none, 3 location)
meta   = {epoch, val_loss, seed}
tensors: an ordered dict name -> numpy float32 array of the stored shape.

The tensors are those of layout(config), in that order (model/model.h's
table, the PyTorch state_dict). A location model has, after the Bahdanau
trio W_h, W_s, v:
    decoder.attention.loc_conv.weight  (H, 3)  PyTorch's Conv1d(1, H, 3) weight,
                                                (H, 1, 3) there; same floats
    decoder.attention.loc_conv.bias    (H)

The reader is strict: any inconsistency raises CheckpointError saying what
and where, so it doubles as a check of the C writer. The writer checks the
same, so a file it writes is one the C reader accepts.
"""
import math
import struct
import zlib
from collections import OrderedDict

import numpy as np

MAGIC = b"S2SCKPT\0"
VERSION = 1
ATTENTION_NAMES = ("bahdanau", "luong", "none", "location")
BAHDANAU, LUONG, NONE, LOCATION = range(4)
LOC_KERNEL = 3  # width of location attention's convolution
_CONFIG = struct.Struct("<IIIIfIIfQ")  # the 40-byte config block


class CheckpointError(ValueError):
    pass


def layout(config):
    """[(name, shape)] of the tensors a model with this config has, in file order."""
    V, E, H, L = config["vocab"], config["embed"], config["hidden"], config["layers"]
    attn = config.get("attention", BAHDANAU)
    if isinstance(attn, str):
        attn = ATTENTION_NAMES.index(attn)

    def gru(prefix, first_in):
        out = []
        for k in range(L):
            out += [(f"{prefix}.weight_ih_l{k}", (3 * H, first_in if k == 0 else H)),
                    (f"{prefix}.weight_hh_l{k}", (3 * H, H)),
                    (f"{prefix}.bias_ih_l{k}", (3 * H,)),
                    (f"{prefix}.bias_hh_l{k}", (3 * H,))]
        return out

    out = [("encoder.embedding.weight", (V, E))] + gru("encoder.gru", E)
    out.append(("decoder.embedding.weight", (V, E)))
    if attn in (BAHDANAU, LOCATION):
        out += [("decoder.attention.W_h.weight", (H, H)),
                ("decoder.attention.W_s.weight", (H, H)),
                ("decoder.attention.v.weight", (1, H))]
    if attn == LOCATION:
        out += [("decoder.attention.loc_conv.weight", (H, LOC_KERNEL)),
                ("decoder.attention.loc_conv.bias", (H,))]
    out += gru("decoder.gru", E if attn == NONE else E + H)
    out += [("decoder.fc.weight", (V, H)), ("decoder.fc.bias", (V,))]
    return out


def check_layout(config, tensors, where):
    """Raises CheckpointError unless tensors (name -> array) are layout(config), in order."""
    want = layout(config)
    have = [(n, tuple(a.shape)) for n, a in tensors.items()]
    if have == want:
        return
    for i, (w, h) in enumerate(zip(want, have)):
        if w != h:
            raise CheckpointError(f"{where}: tensor {i} is {h[0]} {h[1]}, expected {w[0]} {w[1]} "
                                  f"({ATTENTION_NAMES[config['attention']]} attention)")
    raise CheckpointError(f"{where}: {len(have)} tensors, expected {len(want)} "
                          f"({ATTENTION_NAMES[config['attention']]} attention)")


class _Reader:
    def __init__(self, data, path):
        self.data, self.pos, self.path = data, 0, path

    def take(self, n, what):
        if self.pos + n > len(self.data):
            raise CheckpointError(f"{self.path}: truncated reading {what} at byte {self.pos} "
                                  f"(need {n}, file has {len(self.data) - self.pos} left)")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def unpack(self, fmt, what):
        s = struct.Struct("<" + fmt)
        return s.unpack(self.take(s.size, what))


def loads(data, path="<bytes>"):
    """Parses checkpoint bytes; returns (config, vocab, meta, tensors)."""
    if len(data) < len(MAGIC) + 12:
        raise CheckpointError(f"{path}: too short ({len(data)} bytes) to be a checkpoint")
    stored_crc = struct.unpack("<I", data[-4:])[0]
    actual_crc = zlib.crc32(data[:-4]) & 0xFFFFFFFF
    r = _Reader(data[:-4], path)
    if r.take(8, "magic") != MAGIC:
        raise CheckpointError(f"{path}: bad magic (not a seq2seq checkpoint)")
    (version,) = r.unpack("I", "format version")
    if version != VERSION:
        raise CheckpointError(f"{path}: format version {version}, expected {VERSION}")
    (hdr,) = r.unpack("I", "header size")
    if hdr != _CONFIG.size:
        raise CheckpointError(f"{path}: header size {hdr}, expected {_CONFIG.size}")
    if stored_crc != actual_crc:
        raise CheckpointError(f"{path}: CRC-32 mismatch (stored {stored_crc:08x}, "
                              f"computed {actual_crc:08x})")
    V, E, H, L, dropout, attn, epoch, val_loss, seed = _CONFIG.unpack(r.take(_CONFIG.size, "config"))
    if attn >= len(ATTENTION_NAMES):
        raise CheckpointError(f"{path}: attention kind {attn} unknown")
    config = dict(vocab=V, embed=E, hidden=H, layers=L, dropout=dropout, attention=attn)
    meta = dict(epoch=epoch, val_loss=val_loss, seed=seed)

    vocab = []
    for i in range(V):
        (n,) = r.unpack("H", f"vocabulary entry {i} length")
        vocab.append(r.take(n, f"vocabulary entry {i}").decode("utf-8"))

    tensors = OrderedDict()
    (count,) = r.unpack("I", "tensor count")
    for i in range(count):
        (n,) = r.unpack("H", f"tensor {i} name length")
        name = r.take(n, f"tensor {i} name").decode("utf-8")
        (ndim,) = r.unpack("I", f"tensor {name} ndim")
        if ndim not in (1, 2):
            raise CheckpointError(f"{path}: tensor {name} has ndim {ndim}, expected 1 or 2")
        dims = r.unpack("I" * ndim, f"tensor {name} dims")
        numel = int(np.prod(dims))
        raw = r.take(4 * numel, f"tensor {name} data ({numel} floats)")
        if name in tensors:
            raise CheckpointError(f"{path}: tensor {name} appears twice")
        tensors[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(dims)
    if r.pos != len(r.data):
        raise CheckpointError(f"{path}: {len(r.data) - r.pos} unexpected bytes before the CRC")
    check_layout(config, tensors, path)
    return config, vocab, meta, tensors


def load(path):
    with open(path, "rb") as f:
        return loads(f.read(), path)


def dumps(config, vocab, meta, tensors):
    """Serialises to checkpoint bytes (tensors: name -> array, in order)."""
    if len(vocab) != config["vocab"]:
        raise ValueError(f"vocabulary has {len(vocab)} words, config says {config['vocab']}")
    attn = config.get("attention", 0)
    if isinstance(attn, str):
        attn = ATTENTION_NAMES.index(attn)
    if not 0 <= attn < len(ATTENTION_NAMES):
        raise ValueError(f"attention kind {attn} unknown")
    check_layout(dict(config, attention=attn), tensors, "ckpt.dumps")
    val_loss = meta.get("val_loss", math.nan)
    out = bytearray(MAGIC)
    out += struct.pack("<II", VERSION, _CONFIG.size)
    out += _CONFIG.pack(config["vocab"], config["embed"], config["hidden"], config["layers"],
                        float(config.get("dropout", 0.0)), attn, int(meta.get("epoch", 0)),
                        math.nan if val_loss is None else float(val_loss),
                        int(meta.get("seed", 0)))
    for w in vocab:
        b = w.encode("utf-8")
        out += struct.pack("<H", len(b)) + b
    out += struct.pack("<I", len(tensors))
    for name, arr in tensors.items():
        a = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
        if a.ndim not in (1, 2):
            raise ValueError(f"tensor {name} has ndim {a.ndim}")
        nb = name.encode("utf-8")
        out += struct.pack("<H", len(nb)) + nb
        out += struct.pack("<I", a.ndim) + struct.pack("<" + "I" * a.ndim, *a.shape)
        out += a.tobytes()
    out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xFFFFFFFF)
    return bytes(out)


def save(path, config, vocab, meta, tensors):
    """Writes PATH.tmp and renames it over PATH, as the C side does."""
    import os
    data = dumps(config, vocab, meta, tensors)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
