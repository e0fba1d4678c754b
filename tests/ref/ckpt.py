"""ckpt.py — read and write seq2seq checkpoints (format versions 1 and 2) from Python.

The format is the one documented in model/checkpoint.h; all integers and
floats are little-endian:

    "S2SCKPT\\0"  u32 version (1 or 2)  u32 header bytes (40, or 56 in version 2)
    config:     u32 V, E, H, L; f32 dropout; u32 attention; u32 epoch;
                f32 val_loss; u64 seed
                version 2 only: u32 task, tokens, shared, target V'
    vocabulary: V x { u16 byte length, UTF-8 bytes } (the source's, or the
                shared one); version 2 with shared 0: then V' x the same
                (the target's)
    tensors:    u32 count, then { u16 name length, name, u32 ndim,
                ndim x u32 dims, f32 data }
    trailer:    u32 CRC-32 (zlib.crc32) of every byte before it

Only numpy and the standard library are needed, so this runs without torch:

    config, vocab, meta, tensors = ckpt.load("runs/best.ckpt")
    ckpt.save("copy.ckpt", config, vocab, meta, tensors)

config = {vocab, tgt_vocab, embed, hidden, layers, dropout, attention}
         vocab: the source (or shared) vocabulary's size; tgt_vocab: the
         target's (optional when writing: default vocab); attention: int, an
         index into ATTENTION_NAMES: 0 bahdanau, 1 luong, 2 none, 3 location
vocab  = a list of words (one vocabulary for both sides), or
         {"src": [...], "tgt": [...]} (two)
meta   = {epoch, val_loss, seed, task, tokens, version}
         task: an index into TASK_NAMES; tokens: into TOKENS_NAMES (both 0 in
         a version-1 file); version: the file's format version (read only)
tensors: an ordered dict name -> numpy float32 array of the stored shape.

As the C writer, dumps writes version 1 for what version 1 holds (one
vocabulary, task reverse, tokens words), byte for byte as before version 2,
and version 2 for everything else; dumps(..., version=2) forces version 2.
encoder.embedding.weight has vocab rows; decoder.embedding.weight,
decoder.fc.weight and decoder.fc.bias have tgt_vocab rows.

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
VERSIONS = (1, 2)
ATTENTION_NAMES = ("bahdanau", "luong", "none", "location")
BAHDANAU, LUONG, NONE, LOCATION = range(4)
TASK_NAMES = ("reverse", "copy", "sort", "dates", "pairs")  # model/task.h
TOKENS_NAMES = ("words", "chars")  # model/data.h
LOC_KERNEL = 3  # width of location attention's convolution
_CONFIG = struct.Struct("<IIIIfIIfQ")  # version 1's 40-byte config block
_CONFIG_V2 = struct.Struct("<IIII")  # what version 2 adds: task, tokens, shared, V'


class CheckpointError(ValueError):
    pass


def vocab_sides(vocab):
    """(source words, target words, shared) of a vocab as load returns it."""
    if isinstance(vocab, dict):
        return list(vocab["src"]), list(vocab["tgt"]), False
    return list(vocab), list(vocab), True


def layout(config):
    """[(name, shape)] of the tensors a model with this config has, in file order."""
    V, E, H, L = config["vocab"], config["embed"], config["hidden"], config["layers"]
    Vt = config.get("tgt_vocab", V)
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
    out.append(("decoder.embedding.weight", (Vt, E)))
    if attn in (BAHDANAU, LOCATION):
        out += [("decoder.attention.W_h.weight", (H, H)),
                ("decoder.attention.W_s.weight", (H, H)),
                ("decoder.attention.v.weight", (1, H))]
    if attn == LOCATION:
        out += [("decoder.attention.loc_conv.weight", (H, LOC_KERNEL)),
                ("decoder.attention.loc_conv.bias", (H,))]
    out += gru("decoder.gru", E if attn == NONE else E + H)
    out += [("decoder.fc.weight", (Vt, H)), ("decoder.fc.bias", (Vt,))]
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


def _read_words(r, n, side):
    out = []
    for i in range(n):
        (k,) = r.unpack("H", f"{side}vocabulary entry {i} length")
        out.append(r.take(k, f"{side}vocabulary entry {i}").decode("utf-8"))
    return out


def _read_config(r, path, version):
    """The config block -> (config, meta, shared)."""
    (hdr,) = r.unpack("I", "header size")
    want = _CONFIG.size + (_CONFIG_V2.size if version >= 2 else 0)
    if hdr != want:
        raise CheckpointError(f"{path}: header size {hdr}, format version {version} has {want}")
    V, E, H, L, dropout, attn, epoch, val_loss, seed = _CONFIG.unpack(r.take(_CONFIG.size, "config"))
    task, tokens, shared, Vt = 0, 0, 1, V
    if version >= 2:
        task, tokens, shared, Vt = _CONFIG_V2.unpack(r.take(_CONFIG_V2.size, "config"))
    if attn >= len(ATTENTION_NAMES):
        raise CheckpointError(f"{path}: attention kind {attn} unknown")
    if task >= len(TASK_NAMES):
        raise CheckpointError(f"{path}: task {task} unknown")
    if tokens >= len(TOKENS_NAMES):
        raise CheckpointError(f"{path}: tokens {tokens} unknown")
    if shared not in (0, 1):
        raise CheckpointError(f"{path}: shared {shared}, expected 0 or 1")
    if shared and Vt != V:
        raise CheckpointError(f"{path}: one shared vocabulary, but target size {Vt} != {V}")
    config = dict(vocab=V, tgt_vocab=Vt, embed=E, hidden=H, layers=L, dropout=dropout,
                  attention=attn)
    meta = dict(epoch=epoch, val_loss=val_loss, seed=seed, task=task, tokens=tokens,
                version=version)
    return config, meta, bool(shared)


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
    if version not in VERSIONS:
        raise CheckpointError(f"{path}: format version {version}, this reader reads 1 and 2")
    if stored_crc != actual_crc:
        raise CheckpointError(f"{path}: CRC-32 mismatch (stored {stored_crc:08x}, "
                              f"computed {actual_crc:08x})")
    config, meta, shared = _read_config(r, path, version)
    if shared:
        vocab = _read_words(r, config["vocab"], "")
    else:
        vocab = dict(src=_read_words(r, config["vocab"], "source "),
                     tgt=_read_words(r, config["tgt_vocab"], "target "))

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


def _write_words(out, words):
    for w in words:
        b = w.encode("utf-8")
        out += struct.pack("<H", len(b)) + b


def dumps(config, vocab, meta, tensors, version=None):
    """Serialises to checkpoint bytes (tensors: name -> array, in order). version: None
    writes the version the content needs (1 where it can, as the C program does)."""
    src, tgt, shared = vocab_sides(vocab)
    Vt = config.get("tgt_vocab", config["vocab"])
    if len(src) != config["vocab"]:
        raise ValueError(f"vocabulary has {len(src)} words, config says {config['vocab']}")
    if len(tgt) != Vt:
        raise ValueError(f"target vocabulary has {len(tgt)} words, config says {Vt}")
    attn = config.get("attention", 0)
    if isinstance(attn, str):
        attn = ATTENTION_NAMES.index(attn)
    if not 0 <= attn < len(ATTENTION_NAMES):
        raise ValueError(f"attention kind {attn} unknown")
    task, tokens = int(meta.get("task", 0)), int(meta.get("tokens", 0))
    if not 0 <= task < len(TASK_NAMES) or not 0 <= tokens < len(TOKENS_NAMES):
        raise ValueError(f"task {task} or tokens {tokens} unknown")
    fits_v1 = shared and task == 0 and tokens == 0
    if version is None:
        version = 1 if fits_v1 else 2
    if version not in VERSIONS or (version == 1 and not fits_v1):
        raise ValueError(f"format version {version} cannot hold this model")
    check_layout(dict(config, attention=attn, tgt_vocab=Vt), tensors, "ckpt.dumps")
    val_loss = meta.get("val_loss", math.nan)
    out = bytearray(MAGIC)
    out += struct.pack("<II", version, _CONFIG.size + (_CONFIG_V2.size if version >= 2 else 0))
    out += _CONFIG.pack(config["vocab"], config["embed"], config["hidden"], config["layers"],
                        float(config.get("dropout", 0.0)), attn, int(meta.get("epoch", 0)),
                        math.nan if val_loss is None else float(val_loss),
                        int(meta.get("seed", 0)))
    if version >= 2:
        out += _CONFIG_V2.pack(task, tokens, int(shared), Vt)
    _write_words(out, src)
    if not shared:
        _write_words(out, tgt)
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


def save(path, config, vocab, meta, tensors, version=None):
    """Writes PATH.tmp and renames it over PATH, as the C side does."""
    import os
    data = dumps(config, vocab, meta, tensors, version)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
