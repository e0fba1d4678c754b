/* checkpoint.c — the model file (format in checkpoint.h).
 *
 * Every multi-byte field is written and read byte by byte in little-endian
 * order, so the file is the same on every host. Saving builds the whole file
 * in memory (a few MB for the seed's model), then writes PATH.tmp, syncs it
 * and renames it over PATH. Loading reads the whole file, checks magic and
 * version, then the CRC, then parses every field against a model made from
 * the file's own configuration.
 */
#include "checkpoint.h"

#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_BYTES 8         /* "S2SCKPT\0" */
#define CONFIG_BYTES 40       /* the version-1 config block */
#define PREAMBLE_BYTES 16     /* magic, version, header size */
#define MAX_FILE_BYTES (2ull << 30)
#define MAX_TENSOR_DIM (1u << 28)

static const char *const SPECIALS[S2S_NUM_SPECIAL] = {"<PAD>", "<SOS>", "<EOS>", "<UNK>"};

uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
    /* The reflected IEEE table, built on the stack: 2K operations against
     * megabytes of data, and no mutable global state. */
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    const unsigned char *p = data;
    uint32_t c = crc ^ 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ------------------------------------------------------------------ */
/* little-endian encoding                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wbuf;

static void wb_bytes(wbuf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->cap - b->n < n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->n < n) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void wb_u16(wbuf *b, uint32_t x)
{
    const unsigned char c[2] = {(unsigned char)x, (unsigned char)(x >> 8)};
    wb_bytes(b, c, 2);
}

static void wb_u32(wbuf *b, uint32_t x)
{
    const unsigned char c[4] = {(unsigned char)x, (unsigned char)(x >> 8),
                                (unsigned char)(x >> 16), (unsigned char)(x >> 24)};
    wb_bytes(b, c, 4);
}

static void wb_u64(wbuf *b, uint64_t x)
{
    wb_u32(b, (uint32_t)x);
    wb_u32(b, (uint32_t)(x >> 32));
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------------ */
/* saving                                                               */
/* ------------------------------------------------------------------ */

/* Writes buf to PATH.tmp, syncs it, renames it over path. */
static int write_atomic(const char *path, const unsigned char *buf, size_t n, s2s_error *err)
{
    s2s_atomic out;
    int rc = atomic_open(&out, path, "wb", err);
    if (rc) return rc;
    if (fwrite(buf, 1, n, out.f) != n) {
        int e = errno ? errno : EIO;
        atomic_abort(&out);
        return s2s_fail(err, S2S_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    return atomic_commit(&out, 1, err);
}

int checkpoint_save(const char *path, s2s_model *m, const s2s_vocab *v,
                    const s2s_ckpt_meta *meta, s2s_error *err)
{
    if (!path || !*path || !m || !v)
        return s2s_fail(err, S2S_ERR_ARG, "checkpoint_save: missing path, model or vocabulary");
    const s2s_config *cfg = model_config(m);
    if (v->size != cfg->vocab)
        return s2s_fail(err, S2S_ERR_ARG,
                        "cannot save %s: the vocabulary has %d words but the model %d", path,
                        v->size, cfg->vocab);
    const int epoch = meta ? meta->epoch : 0;
    const float val_loss = meta ? meta->val_loss : NAN;
    const uint64_t seed = meta ? meta->seed : 0;
    if (epoch < 0) return s2s_fail(err, S2S_ERR_ARG, "cannot save %s: epoch %d", path, epoch);

    const size_t np = model_num_params(m);
    float *host = malloc((np ? np : 1) * sizeof *host);
    if (!host) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory saving %s", path);
    int rc = model_get_params(m, host, err);
    if (rc) {
        free(host);
        return rc;
    }

    wbuf b = {0};
    wb_bytes(&b, S2S_CKPT_MAGIC, MAGIC_BYTES); /* includes the NUL */
    wb_u32(&b, S2S_CKPT_VERSION);
    wb_u32(&b, CONFIG_BYTES);
    wb_u32(&b, (uint32_t)cfg->vocab);
    wb_u32(&b, (uint32_t)cfg->embed);
    wb_u32(&b, (uint32_t)cfg->hidden);
    wb_u32(&b, (uint32_t)cfg->layers);
    wb_u32(&b, f32_bits(cfg->dropout));
    wb_u32(&b, (uint32_t)cfg->attention);
    wb_u32(&b, (uint32_t)epoch);
    wb_u32(&b, f32_bits(val_loss));
    wb_u64(&b, seed);
    for (int i = 0; i < v->size; i++) {
        const size_t len = strlen(v->word[i]);
        if (len == 0 || len > 0xFFFF) {
            rc = s2s_fail(err, S2S_ERR_ARG, "cannot save %s: vocabulary word %d is %zu bytes",
                          path, i, len);
            goto out;
        }
        wb_u16(&b, (uint32_t)len);
        wb_bytes(&b, v->word[i], len);
    }
    const int nt = model_num_tensors(m);
    wb_u32(&b, (uint32_t)nt);
    for (int t = 0; t < nt; t++) {
        const s2s_tensor_info *ti = model_tensor(m, t);
        const size_t len = strlen(ti->name);
        wb_u16(&b, (uint32_t)len);
        wb_bytes(&b, ti->name, len);
        wb_u32(&b, (uint32_t)ti->ndim);
        for (int d = 0; d < ti->ndim; d++) wb_u32(&b, (uint32_t)ti->dims[d]);
        const float *x = host + ti->offset;
        for (size_t i = 0; i < ti->numel; i++) {
            /* A file we would refuse to load must not replace a good one. */
            if (!isfinite(x[i])) {
                rc = s2s_fail(err, S2S_ERR_ARG,
                              "cannot save %s: parameter %s[%zu] is not finite (%g); training "
                              "has diverged",
                              path, ti->name, i, (double)x[i]);
                goto out;
            }
            wb_u32(&b, f32_bits(x[i]));
        }
    }
    if (!b.oom) wb_u32(&b, crc32_update(0, b.p, b.n));
    if (b.oom) {
        rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory saving %s", path);
        goto out;
    }
    if (b.n > MAX_FILE_BYTES) {
        rc = s2s_fail(err, S2S_ERR_ARG, "cannot save %s: the model needs %zu bytes, over 2 GiB",
                      path, b.n);
        goto out;
    }
    rc = write_atomic(path, b.p, b.n, err);
out:
    free(b.p);
    free(host);
    return rc;
}

/* ------------------------------------------------------------------ */
/* loading                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *path;
    const unsigned char *p;
    size_t n;        /* bytes the parser may read: the body, or all when diagnosing */
    size_t pos;
    int truncated;   /* the last failure was running out of bytes */
} reader;

/* A format error about the file at r->path. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int bad(const reader *r, s2s_error *err, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return s2s_fail(err, S2S_ERR_FORMAT, "%s: %s", r->path, what);
}

/* Succeeds if k more bytes are there; else reports where the file ends. */
static int need(reader *r, size_t k, const char *what, s2s_error *err)
{
    if (r->n - r->pos >= k) return 0;
    r->truncated = 1;
    return bad(r, err, "truncated at byte %zu while reading %s", r->n, what);
}

static int get_u16(reader *r, uint32_t *x, const char *what, s2s_error *err)
{
    int rc = need(r, 2, what, err);
    if (rc) return rc;
    *x = (uint32_t)r->p[r->pos] | (uint32_t)r->p[r->pos + 1] << 8;
    r->pos += 2;
    return 0;
}

static int get_u32(reader *r, uint32_t *x, const char *what, s2s_error *err)
{
    int rc = need(r, 4, what, err);
    if (rc) return rc;
    *x = le32(r->p + r->pos);
    r->pos += 4;
    return 0;
}

static int valid_word_byte(unsigned char c)
{
    return c != 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n';
}

static int valid_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_';
}

static void shape_str(char *s, size_t n, uint32_t ndim, const uint32_t *dims)
{
    if (ndim == 1) snprintf(s, n, "(%u)", dims[0]);
    else snprintf(s, n, "(%u, %u)", dims[0], dims[1]);
}

/* The tensor section read from its own lengths alone, no model: used only to
 * tell a truncated file from a damaged configuration. */
static int walk_tensors(reader *r, s2s_error *err)
{
    uint32_t count;
    int rc = get_u32(r, &count, "the tensor count", err);
    if (rc) return rc;
    if (count == 0 || count > 4096) return bad(r, err, "implausible tensor count %u", count);
    for (uint32_t t = 0; t < count; t++) {
        char what[96];
        snprintf(what, sizeof what, "tensor %u of %u", t + 1, count);
        uint32_t len, ndim, dims[2] = {1, 1};
        if ((rc = get_u16(r, &len, what, err))) return rc;
        if (len == 0 || len > 63) return bad(r, err, "implausible tensor name length");
        if ((rc = need(r, len, what, err))) return rc;
        for (uint32_t i = 0; i < len; i++)
            if (!valid_name_byte(r->p[r->pos + i])) return bad(r, err, "implausible name");
        snprintf(what, sizeof what, "tensor '%.*s'", (int)len, (const char *)r->p + r->pos);
        r->pos += len;
        if ((rc = get_u32(r, &ndim, what, err))) return rc;
        if (ndim != 1 && ndim != 2) return bad(r, err, "implausible ndim");
        for (uint32_t d = 0; d < ndim; d++) {
            if ((rc = get_u32(r, &dims[d], what, err))) return rc;
            if (dims[d] == 0 || dims[d] > MAX_TENSOR_DIM) return bad(r, err, "implausible dim");
        }
        const uint64_t bytes = 4ull * dims[0] * dims[1];
        if (bytes > MAX_FILE_BYTES) return bad(r, err, "implausible size");
        if ((rc = need(r, (size_t)bytes, what, err))) return rc;
        r->pos += (size_t)bytes;
    }
    return 0;
}

/* Parses everything between the preamble's version and the trailer.
 * On success *model holds the file's parameters, vocab its vocabulary and
 * r->pos the end of the last tensor. On failure nothing is left allocated.
 * With diagnose set the parse only has to decide between "truncated" and
 * "damaged", so a configuration the file cannot possibly hold is walked
 * without building (a possibly huge) model. */
static int parse_body(reader *r, s2s_backend *be, int diagnose, s2s_model **model,
                      s2s_vocab *vocab, s2s_ckpt_meta *meta, s2s_error *err)
{
    s2s_model *m = NULL;
    float *host = NULL;
    unsigned char *seen = NULL;
    const char *cfgwhat = "the configuration";
    int rc;

    *model = NULL;
    memset(vocab, 0, sizeof *vocab);
    r->pos = MAGIC_BYTES + 4;
    r->truncated = 0;

    uint32_t hdr;
    if ((rc = get_u32(r, &hdr, "the header size", err))) goto fail;
    if (hdr != CONFIG_BYTES) {
        rc = bad(r, err, "header size is %u bytes; format version 1 has %u", hdr,
                 (unsigned)CONFIG_BYTES);
        goto fail;
    }
    uint32_t V, E, H, L, dropout_bits, att, epoch, loss_bits, seed_lo, seed_hi;
    if ((rc = get_u32(r, &V, cfgwhat, err)) || (rc = get_u32(r, &E, cfgwhat, err)) ||
        (rc = get_u32(r, &H, cfgwhat, err)) || (rc = get_u32(r, &L, cfgwhat, err)) ||
        (rc = get_u32(r, &dropout_bits, cfgwhat, err)) || (rc = get_u32(r, &att, cfgwhat, err)) ||
        (rc = get_u32(r, &epoch, cfgwhat, err)) || (rc = get_u32(r, &loss_bits, cfgwhat, err)) ||
        (rc = get_u32(r, &seed_lo, cfgwhat, err)) || (rc = get_u32(r, &seed_hi, cfgwhat, err)))
        goto fail;
    if (V > INT_MAX || E > INT_MAX || H > INT_MAX || L > INT_MAX || att > INT_MAX) {
        rc = bad(r, err, "bad configuration: a size is out of range (V=%u E=%u H=%u L=%u "
                         "attention=%u)", V, E, H, L, att);
        goto fail;
    }
    const s2s_config cfg = {.vocab = (int)V, .embed = (int)E, .hidden = (int)H,
                            .layers = (int)L, .dropout = bits_f32(dropout_bits),
                            .attention = (int)att};
    {
        s2s_error sub = {0};
        if (config_validate(&cfg, &sub)) {
            rc = bad(r, err, "bad configuration: %s", sub.msg);
            goto fail;
        }
    }
    if (epoch > INT_MAX) {
        rc = bad(r, err, "bad epoch %u", epoch);
        goto fail;
    }

    /* ---- vocabulary ---- */
    if ((rc = vocab_init(vocab, err))) goto fail;
    for (uint32_t i = 0; i < V; i++) {
        char what[64], word[S2S_MAX_WORD_BYTES + 1];
        snprintf(what, sizeof what, "vocabulary word %u of %u", i, V);
        uint32_t len;
        if ((rc = get_u16(r, &len, what, err))) goto fail;
        if (len == 0 || len > S2S_MAX_WORD_BYTES) {
            rc = bad(r, err, "vocabulary word %u is %u bytes long (must be 1..%d)", i, len,
                     S2S_MAX_WORD_BYTES);
            goto fail;
        }
        if ((rc = need(r, len, what, err))) goto fail;
        memcpy(word, r->p + r->pos, len);
        word[len] = '\0';
        r->pos += len;
        for (uint32_t k = 0; k < len; k++)
            if (!valid_word_byte((unsigned char)word[k])) {
                rc = bad(r, err, "vocabulary word %u contains a space, control character or "
                                 "NUL byte", i);
                goto fail;
            }
        if (i < S2S_NUM_SPECIAL) {
            if (strcmp(word, SPECIALS[i]) != 0) {
                rc = bad(r, err, "vocabulary entry %u is \"%s\"; it must be %s", i, word,
                         SPECIALS[i]);
                goto fail;
            }
            continue;
        }
        int id;
        if ((rc = vocab_add(vocab, word, &id, err))) goto fail;
        if (id != (int)i) {
            rc = bad(r, err, "vocabulary word %u \"%s\" duplicates word %d", i, word, id);
            goto fail;
        }
    }

    /* ---- tensors ---- */
    {
        /* Every layout in model.h has both embeddings, fc.weight and a
         * (3H, H) weight_hh per GRU layer: a lower bound on the bytes the
         * tensors need, checked before allocating a model that big. */
        const double min_params = 2.0 * V * E + 6.0 * L * H * H + (double)V * H;
        if (4.0 * min_params > (double)(r->n - r->pos)) {
            if (diagnose) {
                rc = walk_tensors(r, err);
                if (!rc) rc = bad(r, err, "configuration does not match the tensors");
                goto fail;
            }
            r->truncated = 1;
            rc = bad(r, err,
                     "truncated at byte %zu while reading the tensors (the configuration needs "
                     "at least %.0f bytes of them, %zu remain)",
                     r->n, 4.0 * min_params, r->n - r->pos);
            goto fail;
        }
    }
    uint32_t count;
    if ((rc = get_u32(r, &count, "the tensor count", err))) goto fail;
    {
        s2s_error sub = {0};
        rc = model_create(&m, &cfg, be, &sub);
        if (rc) {
            rc = s2s_fail(err, sub.code ? sub.code : (s2s_code)rc, "%s: %s", r->path, sub.msg);
            goto fail;
        }
    }
    const int nt = model_num_tensors(m);
    if (count != (uint32_t)nt) {
        rc = bad(r, err, "the file has %u tensors; a %s model with this configuration has %d",
                 count, attention_name(cfg.attention), nt);
        goto fail;
    }
    const size_t np = model_num_params(m);
    host = calloc(np ? np : 1, sizeof *host);
    seen = calloc((size_t)nt, 1);
    if (!host || !seen) {
        rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory loading %s", r->path);
        goto fail;
    }
    for (uint32_t t = 0; t < count; t++) {
        char what[128], name[64];
        snprintf(what, sizeof what, "the name of tensor %u of %u", t + 1, count);
        uint32_t len;
        if ((rc = get_u16(r, &len, what, err))) goto fail;
        if (len == 0 || len >= sizeof name) {
            rc = bad(r, err, "tensor %u has a name of %u bytes (must be 1..%zu)", t + 1, len,
                     sizeof name - 1);
            goto fail;
        }
        if ((rc = need(r, len, what, err))) goto fail;
        memcpy(name, r->p + r->pos, len);
        name[len] = '\0';
        r->pos += len;
        for (uint32_t k = 0; k < len; k++)
            if (!valid_name_byte((unsigned char)name[k])) {
                rc = bad(r, err, "tensor %u has a malformed name", t + 1);
                goto fail;
            }
        const int idx = model_find_tensor(m, name);
        if (idx < 0) {
            rc = bad(r, err, "unknown tensor '%s' (not part of a %s model)", name,
                     attention_name(cfg.attention));
            goto fail;
        }
        if (seen[idx]) {
            rc = bad(r, err, "tensor '%s' appears twice", name);
            goto fail;
        }
        seen[idx] = 1;
        const s2s_tensor_info *ti = model_tensor(m, idx);

        snprintf(what, sizeof what, "the shape of tensor '%s'", name);
        uint32_t ndim, dims[2] = {0, 0};
        if ((rc = get_u32(r, &ndim, what, err))) goto fail;
        if (ndim != 1 && ndim != 2) {
            rc = bad(r, err, "tensor '%s' has %u dimensions (must be 1 or 2)", name, ndim);
            goto fail;
        }
        for (uint32_t d = 0; d < ndim; d++)
            if ((rc = get_u32(r, &dims[d], what, err))) goto fail;
        const uint32_t want[2] = {(uint32_t)ti->dims[0], (uint32_t)ti->dims[1]};
        if (ndim != (uint32_t)ti->ndim || dims[0] != want[0] || (ndim == 2 && dims[1] != want[1])) {
            char got_s[48], want_s[48];
            shape_str(got_s, sizeof got_s, ndim, dims);
            shape_str(want_s, sizeof want_s, (uint32_t)ti->ndim, want);
            rc = bad(r, err, "tensor '%s' has shape %s; this configuration needs %s", name,
                     got_s, want_s);
            goto fail;
        }
        snprintf(what, sizeof what, "the values of tensor '%s'", name);
        if ((rc = need(r, ti->numel * 4, what, err))) goto fail;
        float *dst = host + ti->offset;
        for (size_t i = 0; i < ti->numel; i++) {
            dst[i] = bits_f32(le32(r->p + r->pos + 4 * i));
            if (!isfinite(dst[i])) {
                rc = bad(r, err, "tensor '%s' element %zu is not finite (%g)", name, i,
                         (double)dst[i]);
                goto fail;
            }
        }
        r->pos += ti->numel * 4;
    }
    for (int i = 0; i < nt; i++)
        if (!seen[i]) { /* unreachable with count == nt and no duplicates; kept as a guard */
            rc = bad(r, err, "tensor '%s' is missing", model_tensor(m, i)->name);
            goto fail;
        }
    if (!diagnose && (rc = model_set_params(m, host, err))) goto fail;
    if (meta) {
        meta->epoch = (int)epoch;
        meta->val_loss = bits_f32(loss_bits);
        meta->seed = (uint64_t)seed_hi << 32 | seed_lo;
    }
    free(host);
    free(seen);
    *model = m;
    return 0;

fail:
    free(host);
    free(seen);
    model_free(m);
    vocab_free(vocab);
    return rc;
}

/* Reads all of path into *buf (*size bytes, > 0). */
static int read_file(const char *path, unsigned char **buf, size_t *size, s2s_error *err)
{
    *buf = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return s2s_fail(err, S2S_ERR_IO, "cannot open checkpoint %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        const int e = errno;
        fclose(f);
        return s2s_fail(err, S2S_ERR_IO, "cannot read checkpoint %s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        fclose(f);
        return s2s_fail(err, S2S_ERR_IO, "cannot read checkpoint %s: it is a directory", path);
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        return s2s_fail(err, S2S_ERR_IO, "cannot read checkpoint %s: not a regular file", path);
    }
    if (st.st_size == 0) {
        fclose(f);
        return s2s_fail(err, S2S_ERR_FORMAT, "%s is empty (0 bytes), not a seq2seq checkpoint",
                        path);
    }
    if ((unsigned long long)st.st_size > MAX_FILE_BYTES) {
        fclose(f);
        return s2s_fail(err, S2S_ERR_FORMAT,
                        "%s is %lld bytes; a checkpoint is at most 2 GiB", path,
                        (long long)st.st_size);
    }
    const size_t want = (size_t)st.st_size;
    unsigned char *p = malloc(want);
    if (!p) {
        fclose(f);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory reading %s (%zu bytes)", path, want);
    }
    const size_t got = fread(p, 1, want, f);
    if (got != want && ferror(f)) {
        const int e = errno ? errno : EIO;
        fclose(f);
        free(p);
        return s2s_fail(err, S2S_ERR_IO, "cannot read checkpoint %s: %s", path, strerror(e));
    }
    fclose(f);
    if (got == 0) { /* shrank to nothing while we looked */
        free(p);
        return s2s_fail(err, S2S_ERR_FORMAT, "%s is empty (0 bytes), not a seq2seq checkpoint",
                        path);
    }
    *buf = p;
    *size = got;
    return 0;
}

/* The CRC failed: say "truncated" when the file ends where its own structure
 * says more must follow, otherwise "damaged". */
static int diagnose_crc(reader *r, size_t size, s2s_backend *be, s2s_error *err)
{
    s2s_model *m = NULL;
    s2s_vocab v;
    s2s_error sub = {0};
    r->n = size; /* the last four bytes may not be a trailer at all */
    int rc = parse_body(r, be, 1, &m, &v, NULL, &sub);
    model_free(m);
    vocab_free(&v);
    if (rc) {
        if (r->truncated) return s2s_fail(err, S2S_ERR_FORMAT, "%s", sub.msg);
        if (rc != S2S_ERR_FORMAT) return s2s_fail(err, (s2s_code)rc, "%s", sub.msg);
    } else {
        const size_t rem = size - r->pos;
        if (rem < 4)
            return bad(r, err, "truncated at byte %zu while reading the checksum", size);
        if (rem > 4 && le32(r->p + r->pos) == crc32_update(0, r->p, r->pos))
            return bad(r, err, "%zu unexpected bytes after the checksum", rem - 4);
    }
    return bad(r, err, "checksum mismatch: file is damaged");
}

int checkpoint_load(const char *path, s2s_backend *be, s2s_model **model, s2s_vocab *vocab,
                    s2s_ckpt_meta *meta, s2s_error *err)
{
    if (model) *model = NULL;
    if (vocab) memset(vocab, 0, sizeof *vocab);
    if (!path || !be || !model || !vocab)
        return s2s_fail(err, S2S_ERR_ARG, "checkpoint_load: missing path, backend or output");

    unsigned char *buf;
    size_t size;
    int rc = read_file(path, &buf, &size, err);
    if (rc) return rc;
    reader r = {.path = path, .p = buf, .n = size, .pos = 0, .truncated = 0};

    /* Magic first, on however many bytes there are, so a foreign file is
     * called foreign rather than damaged or short. */
    const size_t head = size < MAGIC_BYTES ? size : MAGIC_BYTES;
    if (memcmp(buf, S2S_CKPT_MAGIC, head) != 0) {
        rc = bad(&r, err, "not a seq2seq checkpoint (no S2SCKPT magic at the start)");
        goto out;
    }
    if (size < MAGIC_BYTES) {
        rc = bad(&r, err, "truncated at byte %zu while reading the magic number", size);
        goto out;
    }
    if (size < MAGIC_BYTES + 4) {
        rc = bad(&r, err, "truncated at byte %zu while reading the format version", size);
        goto out;
    }
    /* The version before the CRC: another version may lay its trailer out
     * differently, and "newer format" is the useful thing to say. */
    const uint32_t version = le32(buf + MAGIC_BYTES);
    if (version != S2S_CKPT_VERSION) {
        rc = bad(&r, err, "format version %u, this program reads %u", version,
                 (unsigned)S2S_CKPT_VERSION);
        goto out;
    }
    if (size < PREAMBLE_BYTES + 4) {
        rc = bad(&r, err, "truncated at byte %zu while reading %s", size,
                 size < PREAMBLE_BYTES ? "the header size" : "the configuration");
        goto out;
    }
    if (le32(buf + size - 4) != crc32_update(0, buf, size - 4)) {
        rc = diagnose_crc(&r, size, be, err);
        goto out;
    }

    r.n = size - 4;
    s2s_ckpt_meta mt;
    rc = parse_body(&r, be, 0, model, vocab, &mt, err);
    if (rc) goto out;
    if (r.pos != r.n) {
        rc = bad(&r, err, "%zu unexpected bytes after the last tensor", r.n - r.pos);
        model_free(*model);
        *model = NULL;
        vocab_free(vocab);
        goto out;
    }
    if (meta) *meta = mt;
out:
    free(buf);
    return rc;
}
