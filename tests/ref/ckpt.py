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

config = {vocab, embed, hidden, layers, dropout, attention}   (attention: int)
meta   = {epoch, val_loss, seed}
tensors: an ordered dict name -> numpy float32 array of the stored shape.
The reader is strict: any inconsistency raises CheckpointError saying what
and where, so it doubles as a check of the C writer.
"""
import math
import struct
import zlib
from collections import OrderedDict

import numpy as np

MAGIC = b"S2SCKPT\0"
VERSION = 1
ATTENTION_NAMES = ("bahdanau", "luong", "none")
_CONFIG = struct.Struct("<IIIIfIIfQ")  # the 40-byte config block


class CheckpointError(ValueError):
    pass


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
