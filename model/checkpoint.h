/* checkpoint.h — the model file.
 *
 * Format (version 1), all integers and floats little-endian:
 *
 *   offset  size  field
 *   0       8     magic "S2SCKPT\0"
 *   8       4     u32 format version (1)
 *   12      4     u32 header bytes that follow (the config block, below)
 *   config block:
 *           4     u32 vocab size V
 *           4     u32 embed E
 *           4     u32 hidden H
 *           4     u32 layers L
 *           4     f32 dropout
 *           4     u32 attention (0 bahdanau, 1 luong, 2 none, 3 location)
 *           4     u32 epoch at which it was saved (0 = untrained)
 *           4     f32 validation loss at that epoch (NaN if none)
 *           8     u64 training seed
 *   vocabulary: V entries of { u16 byte length, bytes (no NUL) }
 *   tensors:    u32 count, then per tensor:
 *               u16 name length, name bytes, u32 ndim (1 or 2),
 *               ndim x u32 dims, prod(dims) x f32 data
 *   trailer:    u32 CRC-32 (IEEE, as zlib) of every byte before it
 *
 * Tensor names and shapes are the seed's PyTorch state_dict (see model.h),
 * so `torch.load`-free Python (tests/ref/ckpt.py) reads and writes it.
 * Saving writes PATH.tmp, flushes it to disk and renames it over PATH, so a
 * crash never leaves a half-written model at PATH.
 */
#ifndef S2S_CHECKPOINT_H
#define S2S_CHECKPOINT_H

#include <stdint.h>

#include "data.h"
#include "err.h"
#include "model.h"

#define S2S_CKPT_MAGIC "S2SCKPT"
#define S2S_CKPT_VERSION 1u

typedef struct {
    int epoch;         /* 0 = untrained */
    float val_loss;    /* NaN if unknown */
    uint64_t seed;
    int task;          /* s2s_task (task.h); version-1 files: reverse */
    int tokens;        /* s2s_tokens; version-1 files: words */
} s2s_ckpt_meta;

uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

/* Writes the model's parameters, configuration and vocabulary. */
int checkpoint_save(const char *path, s2s_model *m, const s2s_vocabs *v,
                    const s2s_ckpt_meta *meta, s2s_error *err);

/* Reads a checkpoint: makes a model on be with the file's configuration and
 * parameters, and the file's vocabulary (vocab must not be initialised; the
 * caller frees it with vocab_free). Every field is checked; the message says
 * which one is wrong and where. meta may be NULL. */
int checkpoint_load(const char *path, s2s_backend *be, s2s_model **model, s2s_vocabs *vocab,
                    s2s_ckpt_meta *meta, s2s_error *err);

#endif
