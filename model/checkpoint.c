/* checkpoint.c — the model file (format in checkpoint.h).
 *
 * Every multi-byte field is written and read byte by byte in little-endian
 * order, so the file is the same on every host. Saving builds the whole file
 * in memory (a few MB for the seed's model), then writes PATH.tmp, syncs it
 * and renames it over PATH. Loading reads the whole file, checks magic and
 * version, then the CRC, then parses every field against a model made from
 * the file's own configuration. Versions 1 and 2 share every reader and
 * writer below; they differ only in the config block's length and tail and
 * in whether a target vocabulary follows the source one.
 */
#include "checkpoint.h"

#include "atomic.h"
#include "task.h"

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
#define CONFIG_V1_BYTES 40    /* version 1's config block */
#define CONFIG_V2_BYTES 56    /* version 2's: version 1's + task, tokens, shared, target V */
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

/* A length-prefixed string: u16 byte length, then the bytes (no NUL). */
static void wb_str(wbuf *b, const char *s, size_t len)
{
    wb_u16(b, (uint32_t)len);
    wb_bytes(b, s, len);
}

/* The version a model is written in: 1 for all that version 1 can hold (a
 * reversal model of words over one vocabulary), so such files stay byte for
 * byte what they always were and older programs keep reading them; 2 for
 * everything else. */
static uint32_t save_version(const s2s_vocabs *v, const s2s_ckpt_meta *mt)
{
    return v->shared && mt->task == S2S_TASK_REVERSE && mt->tokens == S2S_TOKENS_WORDS ? 1u : 2u;
}

/* Magic, version, header size and the config block. */
static void wb_config(wbuf *b, uint32_t version, const s2s_config *cfg, const s2s_ckpt_meta *mt,
                      int shared)
{
    wb_bytes(b, S2S_CKPT_MAGIC, MAGIC_BYTES); /* includes the NUL */
    wb_u32(b, version);
    wb_u32(b, version == 1 ? CONFIG_V1_BYTES : CONFIG_V2_BYTES);
    wb_u32(b, (uint32_t)cfg->src_vocab);
    wb_u32(b, (uint32_t)cfg->embed);
    wb_u32(b, (uint32_t)cfg->hidden);
    wb_u32(b, (uint32_t)cfg->layers);
    wb_u32(b, f32_bits(cfg->dropout));
    wb_u32(b, (uint32_t)cfg->attention);
    wb_u32(b, (uint32_t)mt->epoch);
    wb_u32(b, f32_bits(mt->val_loss));
    wb_u64(b, mt->seed);
    if (version < 2) return;
    wb_u32(b, (uint32_t)mt->task);
    wb_u32(b, (uint32_t)mt->tokens);
    wb_u32(b, shared ? 1u : 0u);
    wb_u32(b, (uint32_t)cfg->tgt_vocab);
}

/* One side's words; side is "" (shared), "source " or "target ". */
static int wb_vocab(wbuf *b, const s2s_vocab *v, const char *side, const char *path,
                    s2s_error *err)
{
    for (int i = 0; i < v->size; i++) {
        const size_t len = strlen(v->word[i]);
        if (len == 0 || len > 0xFFFF)
            return s2s_fail(err, S2S_ERR_ARG, "cannot save %s: %svocabulary word %d is %zu bytes",
                            path, side, i, len);
        wb_str(b, v->word[i], len);
    }
    return 0;
}

/* The source (or shared) vocabulary, then the target's when it has its own. */
static int wb_vocabs(wbuf *b, const s2s_vocabs *v, const char *path, s2s_error *err)
{
    int rc = wb_vocab(b, &v->src, v->shared ? "" : "source ", path, err);
    if (!rc && !v->shared) rc = wb_vocab(b, &v->tgt, "target ", path, err);
    return rc;
}

/* The tensor count, then each tensor's name, shape and values (host: the
 * model's parameters, downloaded). */
static int wb_tensors(wbuf *b, const s2s_model *m, const float *host, const char *path,
                      s2s_error *err)
{
    const int nt = model_num_tensors(m);
    wb_u32(b, (uint32_t)nt);
    for (int t = 0; t < nt; t++) {
        const s2s_tensor_info *ti = model_tensor(m, t);
        wb_str(b, ti->name, strlen(ti->name));
        wb_u32(b, (uint32_t)ti->ndim);
        for (int d = 0; d < ti->ndim; d++) wb_u32(b, (uint32_t)ti->dims[d]);
        const float *x = host + ti->offset;
        for (size_t i = 0; i < ti->numel; i++) {
            /* A file we would refuse to load must not replace a good one. */
            if (!isfinite(x[i]))
                return s2s_fail(err, S2S_ERR_ARG,
                                "cannot save %s: parameter %s[%zu] is not finite (%g); training "
                                "has diverged",
                                path, ti->name, i, (double)x[i]);
            wb_u32(b, f32_bits(x[i]));
        }
    }
    return 0;
}

/* The whole file in b: config, vocabularies, tensors, CRC. */
static int encode_checkpoint(wbuf *b, s2s_model *m, const s2s_vocabs *v, const s2s_ckpt_meta *mt,
                             const char *path, s2s_error *err)
{
    const size_t np = model_num_params(m);
    float *host = malloc((np ? np : 1) * sizeof *host);
    if (!host)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "cannot save %s: out of memory for a host copy of the %zu parameters (%s)",
                        path, np, S2S_SIZE(np * sizeof *host));
    int rc = model_get_params(m, host, err);
    if (!rc) {
        wb_config(b, save_version(v, mt), model_config(m), mt, v->shared);
        rc = wb_vocabs(b, v, path, err);
    }
    if (!rc) rc = wb_tensors(b, m, host, path, err);
    free(host);
    if (rc) return rc;
    if (!b->oom) wb_u32(b, crc32_update(0, b->p, b->n));
    if (b->oom)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "cannot save %s: out of memory for the file's image (%s so far)", path,
                        S2S_SIZE(b->n));
    return 0;
}

/* What the file would say must be what a load accepts: vocabulary sizes
 * that are the model's, a known task and tokenisation, an epoch >= 0. */
static int check_save(const char *path, const s2s_config *cfg, const s2s_vocabs *vs,
                      const s2s_ckpt_meta *mt, s2s_error *err)
{
    const int tgt = vocabs_tgt(vs)->size;
    if (vs->shared && cfg->src_vocab != cfg->tgt_vocab)
        return s2s_fail(err, S2S_ERR_ARG,
                        "cannot save %s: one shared vocabulary, but the model's source and target "
                        "vocabulary sizes differ (%d, %d)", path, cfg->src_vocab, cfg->tgt_vocab);
    if (vs->src.size != cfg->src_vocab)
        return s2s_fail(err, S2S_ERR_ARG,
                        "cannot save %s: the %svocabulary has %d words but the model %d", path,
                        vs->shared ? "" : "source ", vs->src.size, cfg->src_vocab);
    if (tgt != cfg->tgt_vocab)
        return s2s_fail(err, S2S_ERR_ARG,
                        "cannot save %s: the target vocabulary has %d words but the model %d",
                        path, tgt, cfg->tgt_vocab);
    if (mt->task < 0 || mt->task >= S2S_TASKS)
        return s2s_fail(err, S2S_ERR_ARG, "cannot save %s: task %d (must be 0..%d)", path,
                        mt->task, S2S_TASKS - 1);
    if (mt->tokens != S2S_TOKENS_WORDS && mt->tokens != S2S_TOKENS_CHARS)
        return s2s_fail(err, S2S_ERR_ARG, "cannot save %s: tokens %d (must be 0 or 1)", path,
                        mt->tokens);
    if (mt->epoch < 0) return s2s_fail(err, S2S_ERR_ARG, "cannot save %s: epoch %d", path, mt->epoch);
    return 0;
}

int checkpoint_save(const char *path, s2s_model *m, const s2s_vocabs *vs,
                    const s2s_ckpt_meta *meta, s2s_error *err)
{
    if (!path || !*path || !m || !vs)
        return s2s_fail(err, S2S_ERR_ARG, "checkpoint_save: missing path, model or vocabulary");
    const s2s_ckpt_meta mt =
        meta ? *meta
             : (s2s_ckpt_meta){.epoch = 0, .val_loss = NAN, .seed = 0, .task = S2S_TASK_REVERSE,
                               .tokens = S2S_TOKENS_WORDS};
    int rc = check_save(path, model_config(m), vs, &mt, err);
    if (rc) return rc;

    wbuf b = {0};
    rc = encode_checkpoint(&b, m, vs, &mt, path, err);
    if (!rc && b.n > MAX_FILE_BYTES)
        rc = s2s_fail(err, S2S_ERR_ARG, "cannot save %s: the model needs %zu bytes, over 2 GiB",
                      path, b.n);
    if (!rc) rc = write_atomic(path, b.p, b.n, err);
    free(b.p);
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
    uint32_t version; /* the file's format version, 1 or 2 */
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

/* A failure from elsewhere (vocabulary, model) made to name the file. */
static int about_file(const reader *r, int rc, const s2s_error *sub, s2s_error *err)
{
    return s2s_fail(err, sub->code ? sub->code : (s2s_code)rc, "%s: %s", r->path, sub->msg);
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

/* A character vocabulary holds blanks and control characters as tokens of
 * their own (data.h), so only NUL, which no C string can hold, is out. */
static int valid_char_byte(unsigned char c)
{
    return c != 0;
}

static int valid_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_';
}

/* The two kinds of length-prefixed string in the file. Messages call one
 * "<noun> <index>" ("vocabulary word 7", "the name of tensor 3"), and
 * "<noun> <index> of <count>" while reading it. */
typedef struct {
    const char *noun;
    int (*valid)(unsigned char c); /* the bytes it may hold */
    const char *invalid;           /* what any other byte is */
} str_kind;

static const str_kind VOCAB_WORD = {"vocabulary word", valid_word_byte,
                                    "a space, control character or NUL byte"};
static const str_kind VOCAB_CHAR = {"vocabulary word", valid_char_byte, "a NUL byte"};
static const str_kind TENSOR_NAME = {"the name of tensor", valid_name_byte,
                                     "a byte other than a-z, A-Z, 0-9, '.' and '_'"};

/* Reads one length-prefixed string into s (cap bytes, NUL included):
 * 1..cap−1 bytes, each valid for its kind. */
static int get_str(reader *r, const str_kind *k, uint32_t index, uint32_t count, char *s,
                   size_t cap, s2s_error *err)
{
    char what[96];
    snprintf(what, sizeof what, "%s %u of %u", k->noun, index, count);
    uint32_t len;
    int rc = get_u16(r, &len, what, err);
    if (rc) return rc;
    if (len == 0 || len >= cap)
        return bad(r, err, "%s %u is %u bytes long (must be 1..%zu)", k->noun, index, len,
                   cap - 1);
    if ((rc = need(r, len, what, err))) return rc;
    memcpy(s, r->p + r->pos, len);
    s[len] = '\0';
    r->pos += len;
    for (uint32_t i = 0; i < len; i++)
        if (!k->valid((unsigned char)s[i]))
            return bad(r, err, "%s %u contains %s", k->noun, index, k->invalid);
    return 0;
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
        char name[64], what[96];
        if ((rc = get_str(r, &TENSOR_NAME, t + 1, count, name, sizeof name, err))) return rc;
        snprintf(what, sizeof what, "tensor '%s'", name);
        uint32_t ndim, dims[2] = {1, 1};
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

/* Version 2's tail of the config block: task, tokens, shared and the target
 * vocabulary size Vt, each checked (a version-1 file: reverse, words, one
 * vocabulary, Vt = V). */
static int parse_config_v2(reader *r, uint32_t V, s2s_ckpt_meta *mt, int *shared, uint32_t *Vt,
                           s2s_error *err)
{
    const char *what = "the configuration";
    uint32_t task = S2S_TASK_REVERSE, tokens = S2S_TOKENS_WORDS, shr = 1;
    *Vt = V;
    int rc;
    if (r->version >= 2 &&
        ((rc = get_u32(r, &task, what, err)) || (rc = get_u32(r, &tokens, what, err)) ||
         (rc = get_u32(r, &shr, what, err)) || (rc = get_u32(r, Vt, what, err))))
        return rc;
    if (task >= S2S_TASKS)
        return bad(r, err, "bad configuration: task %u (this program knows 0..%d)", task,
                   S2S_TASKS - 1);
    if (tokens != S2S_TOKENS_WORDS && tokens != S2S_TOKENS_CHARS)
        return bad(r, err, "bad configuration: tokens %u (must be 0 words or 1 chars)", tokens);
    if (shr > 1) return bad(r, err, "bad configuration: shared %u (must be 0 or 1)", shr);
    if (shr && *Vt != V)
        return bad(r, err, "bad configuration: one shared vocabulary, but the target vocabulary "
                           "size %u differs from the source's %u", *Vt, V);
    mt->task = (int)task;
    mt->tokens = (int)tokens;
    *shared = (int)shr;
    return 0;
}

/* Header size and config block: the model's configuration, whether it has
 * one vocabulary (shared), and the epoch, validation loss, seed, task and
 * tokens into mt. */
static int parse_config(reader *r, s2s_config *cfg, s2s_ckpt_meta *mt, int *shared,
                        s2s_error *err)
{
    const char *what = "the configuration";
    const uint32_t want = r->version == 1 ? CONFIG_V1_BYTES : CONFIG_V2_BYTES;
    uint32_t hdr;
    int rc = get_u32(r, &hdr, "the header size", err);
    if (rc) return rc;
    if (hdr != want)
        return bad(r, err, "header size is %u bytes; format version %u has %u", hdr, r->version,
                   want);
    uint32_t V, E, H, L, dropout_bits, att, epoch, loss_bits, seed_lo, seed_hi, Vt;
    if ((rc = get_u32(r, &V, what, err)) || (rc = get_u32(r, &E, what, err)) ||
        (rc = get_u32(r, &H, what, err)) || (rc = get_u32(r, &L, what, err)) ||
        (rc = get_u32(r, &dropout_bits, what, err)) || (rc = get_u32(r, &att, what, err)) ||
        (rc = get_u32(r, &epoch, what, err)) || (rc = get_u32(r, &loss_bits, what, err)) ||
        (rc = get_u32(r, &seed_lo, what, err)) || (rc = get_u32(r, &seed_hi, what, err)) ||
        (rc = parse_config_v2(r, V, mt, shared, &Vt, err)))
        return rc;
    if (V > INT_MAX || Vt > INT_MAX || E > INT_MAX || H > INT_MAX || L > INT_MAX || att > INT_MAX)
        return bad(r, err, "bad configuration: a size is out of range (V=%u target V=%u E=%u "
                           "H=%u L=%u attention=%u)", V, Vt, E, H, L, att);
    *cfg = (s2s_config){.src_vocab = (int)V, .tgt_vocab = (int)Vt, .embed = (int)E,
                        .hidden = (int)H, .layers = (int)L, .dropout = bits_f32(dropout_bits),
                        .attention = (int)att};
    s2s_error sub = {0};
    if (config_validate(cfg, &sub)) return bad(r, err, "bad configuration: %s", sub.msg);
    if (epoch > INT_MAX) return bad(r, err, "bad epoch %u", epoch);
    mt->epoch = (int)epoch;
    mt->val_loss = bits_f32(loss_bits);
    mt->seed = (uint64_t)seed_hi << 32 | seed_lo;
    return 0;
}

/* One side's V words (side: "" when shared, "source " or "target "): the
 * four specials in their places, then distinct words whose ids are their
 * positions, each made of the bytes its tokenisation allows. */
static int parse_vocab(reader *r, const char *side, int V, int tokens, s2s_vocab *vocab,
                       s2s_error *err)
{
    char noun[32];
    snprintf(noun, sizeof noun, "%svocabulary word", side);
    str_kind kind = tokens == S2S_TOKENS_CHARS ? VOCAB_CHAR : VOCAB_WORD;
    kind.noun = noun;
    s2s_error sub = {0};
    int rc = vocab_create(vocab, &sub);
    if (rc) return about_file(r, rc, &sub, err);
    for (int i = 0; i < V; i++) {
        char word[S2S_MAX_WORD_BYTES + 1];
        if ((rc = get_str(r, &kind, (uint32_t)i, (uint32_t)V, word, sizeof word, err)))
            return rc;
        if (i < S2S_NUM_SPECIAL) {
            if (strcmp(word, SPECIALS[i]) != 0)
                return bad(r, err, "%svocabulary entry %d is \"%s\"; it must be %s", side, i,
                           word, SPECIALS[i]);
            continue;
        }
        int id;
        if ((rc = vocab_add(vocab, word, &id, &sub))) return about_file(r, rc, &sub, err);
        if (id != i) return bad(r, err, "%s %d \"%s\" duplicates word %d", noun, i, word, id);
    }
    return 0;
}

/* The source (or shared) vocabulary, then the target's when v has one. */
static int parse_vocabs(reader *r, const s2s_config *cfg, int tokens, s2s_vocabs *v,
                        s2s_error *err)
{
    int rc = parse_vocab(r, v->shared ? "" : "source ", cfg->src_vocab, tokens, &v->src, err);
    if (!rc && !v->shared) rc = parse_vocab(r, "target ", cfg->tgt_vocab, tokens, &v->tgt, err);
    return rc;
}

/* Before a model of cfg's size is allocated: the bytes left must be able to
 * hold its tensors. Every layout in model.h has both embeddings (V and Vt
 * rows), fc.weight (Vt rows) and a (3H, H) weight_hh per GRU layer, a lower
 * bound. When diagnosing, a file too short for its configuration is walked
 * by its own lengths to tell truncation from a damaged configuration. */
static int check_tensor_room(reader *r, const s2s_config *cfg, int diagnose, s2s_error *err)
{
    const double V = cfg->src_vocab, Vt = cfg->tgt_vocab, E = cfg->embed, H = cfg->hidden,
                 L = cfg->layers;
    const double min_params = (V + Vt) * E + 6.0 * L * H * H + Vt * H;
    if (4.0 * min_params <= (double)(r->n - r->pos)) return 0;
    if (diagnose) {
        int rc = walk_tensors(r, err);
        return rc ? rc : bad(r, err, "configuration does not match the tensors");
    }
    r->truncated = 1;
    return bad(r, err,
               "truncated at byte %zu while reading the tensors (the configuration needs at "
               "least %.0f bytes of them, %zu remain)",
               r->n, 4.0 * min_params, r->n - r->pos);
}

/* Tensor t's shape, which must be the one ti has. */
static int parse_shape(reader *r, const char *name, const s2s_tensor_info *ti, s2s_error *err)
{
    char what[128];
    snprintf(what, sizeof what, "the shape of tensor '%s'", name);
    uint32_t ndim, dims[2] = {0, 0};
    int rc = get_u32(r, &ndim, what, err);
    if (rc) return rc;
    if (ndim != 1 && ndim != 2)
        return bad(r, err, "tensor '%s' has %u dimensions (must be 1 or 2)", name, ndim);
    for (uint32_t d = 0; d < ndim; d++)
        if ((rc = get_u32(r, &dims[d], what, err))) return rc;
    const uint32_t want[2] = {(uint32_t)ti->dims[0], (uint32_t)ti->dims[1]};
    if (ndim != (uint32_t)ti->ndim || dims[0] != want[0] || (ndim == 2 && dims[1] != want[1])) {
        char got_s[48], want_s[48];
        shape_str(got_s, sizeof got_s, ndim, dims);
        shape_str(want_s, sizeof want_s, (uint32_t)ti->ndim, want);
        return bad(r, err, "tensor '%s' has shape %s; this configuration needs %s", name, got_s,
                   want_s);
    }
    return 0;
}

/* Tensor t of count: a name m has and the file has not given yet (seen),
 * its shape, its values (finite) into host at the tensor's offset. */
static int parse_tensor(reader *r, const s2s_model *m, uint32_t t, uint32_t count,
                        unsigned char *seen, float *host, s2s_error *err)
{
    char name[64], what[128];
    int rc = get_str(r, &TENSOR_NAME, t + 1, count, name, sizeof name, err);
    if (rc) return rc;
    const int idx = model_find_tensor(m, name);
    if (idx < 0)
        return bad(r, err, "unknown tensor '%s' (not part of a %s model)", name,
                   attention_name(model_config(m)->attention));
    if (seen[idx]) return bad(r, err, "tensor '%s' appears twice", name);
    seen[idx] = 1;
    const s2s_tensor_info *ti = model_tensor(m, idx);
    if ((rc = parse_shape(r, name, ti, err))) return rc;
    snprintf(what, sizeof what, "the values of tensor '%s'", name);
    if ((rc = need(r, ti->numel * 4, what, err))) return rc;
    float *dst = host + ti->offset;
    for (size_t i = 0; i < ti->numel; i++) {
        dst[i] = bits_f32(le32(r->p + r->pos + 4 * i));
        if (!isfinite(dst[i]))
            return bad(r, err, "tensor '%s' element %zu is not finite (%g)", name, i,
                       (double)dst[i]);
    }
    r->pos += ti->numel * 4;
    return 0;
}

/* The tensor count and every tensor, into a model made with cfg on be
 * (parameters set unless diagnosing). On failure *model is NULL. */
static int parse_tensors(reader *r, s2s_backend *be, const s2s_config *cfg, int diagnose,
                         s2s_model **model, s2s_error *err)
{
    s2s_model *m = NULL;
    float *host = NULL;
    unsigned char *seen = NULL;
    uint32_t count;
    s2s_error sub = {0};
    int rc = get_u32(r, &count, "the tensor count", err);
    if (rc) return rc;
    if ((rc = model_create(&m, cfg, be, &sub))) return about_file(r, rc, &sub, err);
    const int nt = model_num_tensors(m);
    const size_t np = model_num_params(m);
    if (count != (uint32_t)nt) {
        rc = bad(r, err, "the file has %u tensors; a %s model with this configuration has %d",
                 count, attention_name(cfg->attention), nt);
        goto out;
    }
    host = calloc(np ? np : 1, sizeof *host);
    seen = calloc((size_t)nt, 1);
    if (!host || !seen) {
        rc = s2s_fail(err, S2S_ERR_NOMEM, "%s: out of memory for its %zu parameters (%s)",
                      r->path, np, S2S_SIZE(np * sizeof *host));
        goto out;
    }
    for (uint32_t t = 0; !rc && t < count; t++) rc = parse_tensor(r, m, t, count, seen, host, err);
    for (int i = 0; !rc && i < nt; i++)
        if (!seen[i]) /* unreachable with count == nt and no duplicates; kept as a guard */
            rc = bad(r, err, "tensor '%s' is missing", model_tensor(m, i)->name);
    if (!rc && !diagnose) rc = model_set_params(m, host, err);
out:
    free(host);
    free(seen);
    if (rc) model_free(m);
    else *model = m;
    return rc;
}

/* Parses everything between the preamble's version and the trailer.
 * On success *model holds the file's parameters, vocab its vocabulary and
 * r->pos the end of the last tensor. On failure nothing is left allocated.
 * With diagnose set the parse only has to decide between "truncated" and
 * "damaged", so a configuration the file cannot possibly hold is walked
 * without building (a possibly huge) model. */
static int parse_body(reader *r, s2s_backend *be, int diagnose, s2s_model **model,
                      s2s_vocabs *vocabs, s2s_ckpt_meta *meta, s2s_error *err)
{
    *model = NULL;
    memset(vocabs, 0, sizeof *vocabs);
    r->pos = MAGIC_BYTES + 4;
    r->truncated = 0;
    s2s_config cfg;
    s2s_ckpt_meta mt;
    int rc = parse_config(r, &cfg, &mt, &vocabs->shared, err);
    if (!rc) rc = parse_vocabs(r, &cfg, mt.tokens, vocabs, err);
    if (!rc) rc = check_tensor_room(r, &cfg, diagnose, err);
    if (!rc) rc = parse_tensors(r, be, &cfg, diagnose, model, err);
    if (rc) {
        vocabs_free(vocabs);
        return rc;
    }
    if (meta) *meta = mt;
    return 0;
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
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the contents of %s (%s)", path,
                        S2S_SIZE(want));
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
    s2s_vocabs v;
    s2s_error sub = {0};
    r->n = size; /* the last four bytes may not be a trailer at all */
    int rc = parse_body(r, be, 1, &m, &v, NULL, &sub);
    model_free(m);
    vocabs_free(&v);
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

int checkpoint_load(const char *path, s2s_backend *be, s2s_model **model, s2s_vocabs *vocab,
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
    reader r = {.path = path, .p = buf, .n = size, .pos = 0, .version = 0, .truncated = 0};

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
    r.version = le32(buf + MAGIC_BYTES);
    if (r.version < 1 || r.version > S2S_CKPT_VERSION) {
        rc = bad(&r, err, "format version %u, this program reads 1 and %u", r.version,
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
        vocabs_free(vocab);
        goto out;
    }
    if (meta) *meta = mt;
out:
    free(buf);
    return rc;
}
