/* checkpoint.h — the model file.
 *
 * Format, all integers and floats little-endian. Version 2 is version 1
 * with four more config fields and, for a model with two vocabularies, a
 * second vocabulary list; everything else is the same:
 *
 *   offset  size  field
 *   0       8     magic "S2SCKPT\0"
 *   8       4     u32 format version (1 or 2)
 *   12      4     u32 header bytes that follow (the config block: 40 in
 *                 version 1, 56 in version 2)
 *   config block:
 *   16      4     u32 source vocab size V (version 1: the one vocabulary)
 *   20      4     u32 embed E
 *   24      4     u32 hidden H
 *   28      4     u32 layers L
 *   32      4     f32 dropout
 *   36      4     u32 attention (0 bahdanau, 1 luong, 2 none, 3 location)
 *   40      4     u32 epoch at which it was saved (0 = untrained)
 *   44      4     f32 validation loss at that epoch (NaN if none)
 *   48      8     u64 training seed
 *   version 2 only:
 *   56      4     u32 task (s2s_task: 0 reverse, 1 copy, 2 sort, 3 dates, 4 pairs)
 *   60      4     u32 tokens (s2s_tokens: 0 words, 1 chars)
 *   64      4     u32 shared (1: one vocabulary for both sides, 0: two)
 *   68      4     u32 target vocab size V' (equal to V when shared)
 *   vocabulary: V entries of { u16 byte length, bytes (no NUL) }: the
 *               source vocabulary (or the shared one); then, in version 2
 *               when shared is 0, the V' entries of the target vocabulary
 *   tensors:    u32 count, then per tensor:
 *               u16 name length, name bytes, u32 ndim (1 or 2),
 *               ndim x u32 dims, prod(dims) x f32 data
 *               (encoder.embedding.weight has V rows; decoder.embedding.weight,
 *               decoder.fc.weight and decoder.fc.bias have V')
 *   trailer:    u32 CRC-32 (IEEE, as zlib) of every byte before it
 *
 * A version-1 file is a reversal model over one vocabulary of words (task
 * 0, tokens 0, shared, V' = V). Saving writes such a model as version 1,
 * byte for byte as before version 2 existed, and every other model as
 * version 2; loading reads both.
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
#define S2S_CKPT_VERSION 2u /* the newest format version; 1 is still written (above) */

typedef struct {
    int epoch;         /* 0 = untrained */
    float val_loss;    /* NaN if unknown */
    uint64_t seed;
    int task;          /* s2s_task (task.h); version-1 files: reverse */
    int tokens;        /* s2s_tokens; version-1 files: words */
} s2s_ckpt_meta;

uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

/* Writes the model's parameters, configuration and vocabularies (v's sizes
 * must be the model's; meta may be NULL: epoch 0, NaN loss, seed 0, a
 * reversal model of words). */
int checkpoint_save(const char *path, s2s_model *m, const s2s_vocabs *v,
                    const s2s_ckpt_meta *meta, s2s_error *err);

/* Reads a checkpoint of format version 1 or 2: makes a model on be with the
 * file's configuration and parameters, and the file's vocabularies (vocab
 * must not be initialised; the caller frees it with vocabs_free). Every
 * field is checked; the message says which one is wrong and where. meta may
 * be NULL. */
int checkpoint_load(const char *path, s2s_backend *be, s2s_model **model, s2s_vocabs *vocab,
                    s2s_ckpt_meta *meta, s2s_error *err);

#endif
