/* data.c — vocabulary, sentences, datasets and padded batches (see data.h). */
#include "data.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const S2S_SEED_WORDS[34] = {
    "the",   "cat",  "sat",   "dog",   "ran",    "big",   "small", "red",   "blue",
    "on",    "in",   "mat",   "hat",   "house",  "car",   "tree",  "bird",  "fish",
    "quick", "lazy", "brown", "fox",   "jumps",  "over",  "eats",  "drinks", "happy",
    "sad",   "fast", "slow",  "old",   "new",    "hot",   "cold",
};

const char *const S2S_UNSEEN_WORDS[S2S_UNSEEN_COUNT] = {
    "zebra", "apple", "river", "stone", "cloud", "green", "lamp", "door", "wolf",   "moon",
    "sun",   "tall",  "short", "cup",   "pen",   "book",  "sing", "walks", "under", "purple",
};

static const char *const SPECIALS[S2S_NUM_SPECIAL] = {"<PAD>", "<SOS>", "<EOS>", "<UNK>"};

static char *dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ------------------------------------------------------------------ */
/* vocabulary                                                           */
/* ------------------------------------------------------------------ */

/* FNV-1a: short words, no adversary; cheap and spreads well enough. */
static uint32_t hash_word(const char *w)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h;
}

/* Slot holding w, or the empty slot where it would go. */
static int vocab_probe(const s2s_vocab *v, const char *w)
{
    const unsigned mask = (unsigned)v->nslot - 1u;
    unsigned i = hash_word(w) & mask;
    for (;;) {
        const int e = v->slot[i];
        if (e == 0 || strcmp(v->word[e - 1], w) == 0) return (int)i;
        i = (i + 1) & mask;
    }
}

static int vocab_rehash(s2s_vocab *v, int nslot, s2s_error *err)
{
    int *slot = calloc((size_t)nslot, sizeof *slot);
    if (!slot)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory growing the vocabulary's index to %d slots (%s)", nslot,
                        S2S_SIZE((size_t)nslot * sizeof *slot));
    free(v->slot);
    v->slot = slot;
    v->nslot = nslot;
    for (int id = 0; id < v->size; id++) v->slot[vocab_probe(v, v->word[id])] = id + 1;
    return 0;
}

int vocab_create(s2s_vocab *v, s2s_error *err)
{
    memset(v, 0, sizeof *v);
    v->cap = 64;
    v->word = calloc((size_t)v->cap, sizeof *v->word);
    v->nslot = 128;
    v->slot = calloc((size_t)v->nslot, sizeof *v->slot);
    if (!v->word || !v->slot) {
        vocab_free(v);
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory creating the vocabulary (64 words, 128 index slots)");
    }
    for (int i = 0; i < S2S_NUM_SPECIAL; i++) {
        int id, rc = vocab_add(v, SPECIALS[i], &id, err);
        if (rc) {
            vocab_free(v);
            return rc;
        }
    }
    return 0;
}

int vocab_add(s2s_vocab *v, const char *w, int *id, s2s_error *err)
{
    if (!v->slot || v->nslot <= 0)
        return s2s_fail(err, S2S_ERR_ARG, "vocabulary used before vocab_create");
    if (!w || !*w) return s2s_fail(err, S2S_ERR_ARG, "cannot add an empty word to the vocabulary");
    int s = vocab_probe(v, w);
    if (v->slot[s]) {
        if (id) *id = v->slot[s] - 1;
        return 0;
    }
    if (v->size >= INT_MAX / 4)
        return s2s_fail(err, S2S_ERR_ARG, "vocabulary is full (%d words)", v->size);
    /* Keep the load factor below one half so probes stay short. */
    if (2 * (v->size + 1) >= v->nslot) {
        int rc = vocab_rehash(v, v->nslot * 2, err);
        if (rc) return rc;
        s = vocab_probe(v, w);
    }
    if (v->size == v->cap) {
        int cap = v->cap * 2;
        char **word = realloc(v->word, (size_t)cap * sizeof *word);
        if (!word)
            return s2s_fail(err, S2S_ERR_NOMEM,
                            "out of memory growing the vocabulary to %d words (%s)", cap,
                            S2S_SIZE((size_t)cap * sizeof *word));
        v->word = word;
        v->cap = cap;
    }
    char *copy = dup_bytes(w, strlen(w));
    if (!copy)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for vocabulary word %d (%zu bytes)",
                        v->size, strlen(w) + 1);
    v->word[v->size] = copy;
    v->slot[s] = v->size + 1;
    if (id) *id = v->size;
    v->size++;
    return 0;
}

int vocabs_create(s2s_vocabs *v, int shared, s2s_error *err)
{
    memset(v, 0, sizeof *v);
    v->shared = shared != 0;
    int rc = vocab_create(&v->src, err);
    if (!rc && !v->shared) rc = vocab_create(&v->tgt, err);
    if (rc) vocabs_free(v);
    return rc;
}

const s2s_vocab *vocabs_tgt(const s2s_vocabs *v)
{
    return v->shared ? &v->src : &v->tgt;
}

s2s_vocab *vocabs_tgt_mut(s2s_vocabs *v)
{
    return v->shared ? &v->src : &v->tgt;
}

void vocabs_free(s2s_vocabs *v)
{
    if (!v) return;
    vocab_free(&v->src);
    vocab_free(&v->tgt);
    v->shared = 0;
}

int vocab_find(const s2s_vocab *v, const char *w)
{
    if (!v->slot || v->nslot <= 0 || !w) return -1;
    const int e = v->slot[vocab_probe(v, w)];
    return e ? e - 1 : -1;
}

void vocab_free(s2s_vocab *v)
{
    if (!v) return;
    if (v->word)
        for (int i = 0; i < v->size; i++) free(v->word[i]);
    free(v->word);
    free(v->slot);
    memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------------ */
/* sentences                                                            */
/* ------------------------------------------------------------------ */

const char *tokens_name(int tokens)
{
    return tokens == S2S_TOKENS_CHARS ? "chars" : tokens == S2S_TOKENS_WORDS ? "words" : "?";
}

int tokens_parse(const char *s)
{
    if (!s) return -1;
    if (strcmp(s, "words") == 0) return S2S_TOKENS_WORDS;
    if (strcmp(s, "chars") == 0) return S2S_TOKENS_CHARS;
    return -1;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Makes out a one-block sentence of n tokens holding bytes bytes in all:
 * the n pointers, then the tokens with their NULs. Returns where the first
 * token goes, or NULL when out of memory (out left empty). */
static char *sentence_block(s2s_sentence *out, int n, size_t bytes)
{
    char **w = malloc((size_t)n * sizeof *w + bytes + (size_t)n);
    if (!w) return NULL;
    out->w = w;
    out->len = n;
    out->one_block = 1;
    return (char *)(w + n);
}

/* Puts token k (start .. +len) at *at in a one-block sentence. */
static void sentence_put(s2s_sentence *s, int k, char **at, const char *start, size_t len)
{
    s->w[k] = *at;
    memcpy(*at, start, len);
    (*at)[len] = '\0';
    *at += len + 1;
}

int sentence_tokenize_max(const char *line, int max_words, s2s_sentence *out, s2s_error *err)
{
    *out = (s2s_sentence){0};
    if (!line) return s2s_fail(err, S2S_ERR_ARG, "no sentence given");

    /* First pass: count and check, so nothing is allocated for bad input. */
    int n = 0;
    size_t bytes = 0;
    for (const char *p = line; *p;) {
        while (*p && is_sep(*p)) p++;
        if (!*p) break;
        const char *start = p;
        while (*p && !is_sep(*p)) p++;
        const size_t len = (size_t)(p - start);
        if (len > S2S_MAX_WORD_BYTES)
            return s2s_fail(err, S2S_ERR_ARG,
                            "word %d (\"%.20s...\") is %zu bytes long; the limit is %d bytes",
                            n + 1, start, len, S2S_MAX_WORD_BYTES);
        if (++n > max_words)
            return s2s_fail(err, S2S_ERR_ARG, "sentence has more than %d words", max_words);
        bytes += len;
    }
    if (n == 0) return 0;

    char *at = sentence_block(out, n, bytes);
    if (!at)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory splitting a sentence of %d words (%s)",
                        n, S2S_SIZE((size_t)n * sizeof(char *) + bytes + (size_t)n));
    int i = 0;
    for (const char *p = line; *p && i < n;) {
        while (*p && is_sep(*p)) p++;
        if (!*p) break;
        const char *start = p;
        while (*p && !is_sep(*p)) p++;
        sentence_put(out, i++, &at, start, (size_t)(p - start));
    }
    return 0;
}

/* Bytes in the UTF-8 sequence at p (1..4), or 0 if it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static int utf8_len(const unsigned char *p)
{
    const unsigned c = p[0];
    int n;
    unsigned cp;
    if (c < 0x80) return c ? 1 : 0;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0Fu;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07u;
    else return 0;
    for (int k = 1; k < n; k++) {
        if ((p[k] & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Code points of line (a final CR/LF dropped) as tokens. */
static int tokenize_chars(const char *line, int max_tokens, s2s_sentence *out, s2s_error *err)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    int n = 0;
    for (size_t i = 0; i < len; n++) {
        const int k = utf8_len((const unsigned char *)line + i);
        if (k == 0 || i + (size_t)k > len)
            return s2s_fail(err, S2S_ERR_ARG, "invalid UTF-8 at byte %zu", i + 1);
        if (n + 1 > max_tokens)
            return s2s_fail(err, S2S_ERR_ARG, "sentence has more than %d characters",
                            max_tokens);
        i += (size_t)k;
    }
    if (n == 0) return 0;
    char *at = sentence_block(out, n, len);
    if (!at)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory splitting %d characters (%s)", n,
                        S2S_SIZE((size_t)n * sizeof(char *) + len + (size_t)n));
    size_t i = 0;
    for (int t = 0; t < n; t++) {
        const int k = utf8_len((const unsigned char *)line + i);
        sentence_put(out, t, &at, line + i, (size_t)k);
        i += (size_t)k;
    }
    return 0;
}

int sentence_tokenize_as(const char *line, int tokens, int max_tokens, s2s_sentence *out,
                         s2s_error *err)
{
    *out = (s2s_sentence){0};
    if (!line) return s2s_fail(err, S2S_ERR_ARG, "no sentence given");
    if (tokens == S2S_TOKENS_CHARS) return tokenize_chars(line, max_tokens, out, err);
    return sentence_tokenize_max(line, max_tokens, out, err);
}

size_t sentence_join(const s2s_sentence *s, int from, int n, int tokens, char *buf, size_t cap)
{
    size_t need = 0;
    if (cap) buf[0] = '\0';
    for (int k = from; k < from + n && k < s->len; k++) {
        const char *sep = (tokens == S2S_TOKENS_CHARS || k == from) ? "" : " ";
        const size_t a = strlen(sep), b = strlen(s->w[k]);
        if (cap && need + a + b < cap) {
            memcpy(buf + need, sep, a);
            memcpy(buf + need + a, s->w[k], b);
            buf[need + a + b] = '\0';
        } else if (cap) {
            cap = 0; /* stop writing; keep counting */
        }
        need += a + b;
    }
    return need;
}

size_t ids_join(const s2s_vocab *v, const int *ids, int n, int tokens, char *buf, size_t cap)
{
    /* A sentence view of the words, joined the one way sentence_join does. */
    enum { CHUNK = 256 };
    const char *w[CHUNK];
    size_t need = 0;
    for (int from = 0; from < n; from += CHUNK) {
        const int k = n - from < CHUNK ? n - from : CHUNK;
        for (int i = 0; i < k; i++) {
            const int id = ids[from + i];
            w[i] = (id >= 0 && id < v->size) ? v->word[id] : "<?>";
        }
        const s2s_sentence s = {.len = k, .w = (char **)w};
        const size_t sep = (from > 0 && tokens != S2S_TOKENS_CHARS) ? 1 : 0;
        const size_t at = need + sep < cap ? need + sep : cap;
        if (sep && need + 1 < cap) buf[need] = ' ';
        need += sep + sentence_join(&s, 0, k, tokens, buf + at, cap - at);
    }
    if (n == 0 && cap) buf[0] = '\0';
    return need;
}

int sentence_tokenize(const char *line, s2s_sentence *out, s2s_error *err)
{
    return sentence_tokenize_max(line, S2S_MAX_SENTENCE_WORDS, out, err);
}

void sentence_free(s2s_sentence *s)
{
    if (!s) return;
    if (s->w && !s->one_block)
        for (int i = 0; i < s->len; i++) free(s->w[i]);
    free(s->w);
    *s = (s2s_sentence){0};
}

void corpus_free(s2s_corpus *c)
{
    if (!c) return;
    for (int i = 0; i < c->count; i++) {
        if (c->s) sentence_free(&c->s[i]);
        if (c->t) sentence_free(&c->t[i]);
    }
    free(c->s);
    free(c->t);
    c->s = NULL;
    c->t = NULL;
    c->count = 0;
}

/* ------------------------------------------------------------------ */
/* corpora                                                              */
/* ------------------------------------------------------------------ */

/* n sentences of min_len..max_len words (uniform), words uniform from the
 * seed's list, except n_unseen of them (at distinct positions, uniform) from
 * the unseen list (S2S_UNSEEN_ALL: all of them). With n_unseen = 0 nothing
 * more is drawn, so with 3..10 these are exactly the seed's draws. */
static int synth_fill(s2s_corpus *c, int n, int min_len, int max_len, int n_unseen,
                      s2s_rng *rng, s2s_error *err)
{
    c->s = calloc(n > 0 ? (size_t)n : 1, sizeof *c->s);
    if (!c->s)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for %d synthetic sentences (%s)", n,
                        S2S_SIZE((size_t)n * sizeof *c->s));
    c->count = n;
    for (int i = 0; i < n; i++) {
        s2s_sentence *s = &c->s[i];
        /* The seed: random.randint(3, 10) words, each random.choice(words). */
        const int len = min_len + (int)rng_below(rng, (uint32_t)(max_len - min_len + 1));
        s->w = calloc((size_t)len, sizeof *s->w);
        if (!s->w)
            return s2s_fail(err, S2S_ERR_NOMEM,
                            "out of memory for synthetic sentence %d (%d words)", i + 1, len);
        /* unseen[k]: word k comes from the unseen list. The first n_unseen
         * of a partial shuffle of the positions pick them. */
        unsigned char unseen[S2S_MAX_SENTENCE_WORDS];
        memset(unseen, n_unseen == S2S_UNSEEN_ALL, sizeof unseen);
        if (n_unseen > 0) {
            int pos[S2S_MAX_SENTENCE_WORDS];
            for (int k = 0; k < len; k++) pos[k] = k;
            for (int k = 0; k < n_unseen; k++) {
                const int j = k + (int)rng_below(rng, (uint32_t)(len - k));
                const int t = pos[k];
                pos[k] = pos[j];
                pos[j] = t;
                unseen[pos[k]] = 1;
            }
        }
        for (int k = 0; k < len; k++) {
            const char *word = unseen[k] ? S2S_UNSEEN_WORDS[rng_below(rng, S2S_UNSEEN_COUNT)]
                                         : S2S_SEED_WORDS[rng_below(rng, 34)];
            s->w[k] = dup_bytes(word, strlen(word));
            if (!s->w[k])
                return s2s_fail(err, S2S_ERR_NOMEM,
                                "out of memory for word %d of synthetic sentence %d", k + 1,
                                i + 1);
            s->len = k + 1; /* so sentence_free frees exactly what exists */
        }
    }
    return 0;
}

int corpus_synthetic(s2s_corpus *train, s2s_corpus *val, s2s_corpus *test,
                     int n_train, int n_val, int n_test, uint64_t seed, s2s_error *err)
{
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    memset(test, 0, sizeof *test);
    if (n_train < 0 || n_val < 0 || n_test < 0)
        return s2s_fail(err, S2S_ERR_ARG, "negative dataset size (%d/%d/%d)", n_train, n_val,
                        n_test);
    s2s_rng rng;
    rng_seed(&rng, seed);
    int rc = synth_fill(train, n_train, 3, 10, 0, &rng, err);
    if (!rc) rc = synth_fill(val, n_val, 3, 10, 0, &rng, err);
    if (!rc) rc = synth_fill(test, n_test, 3, 10, 0, &rng, err);
    if (rc) {
        corpus_free(train);
        corpus_free(val);
        corpus_free(test);
    }
    return rc;
}

int corpus_synthetic_lengths(s2s_corpus *c, int n, int min_len, int max_len, uint64_t seed,
                             s2s_error *err)
{
    return corpus_synthetic_unseen(c, n, min_len, max_len, 0, seed, err);
}

int corpus_synthetic_unseen(s2s_corpus *c, int n, int min_len, int max_len, int n_unseen,
                            uint64_t seed, s2s_error *err)
{
    memset(c, 0, sizeof *c);
    if (n < 0) return s2s_fail(err, S2S_ERR_ARG, "negative number of sentences (%d)", n);
    if (min_len < 1 || max_len < min_len || max_len > S2S_MAX_SENTENCE_WORDS)
        return s2s_fail(err, S2S_ERR_ARG,
                        "sentence lengths %d..%d: must be 1 <= min <= max <= %d", min_len,
                        max_len, S2S_MAX_SENTENCE_WORDS);
    if (n_unseen != S2S_UNSEEN_ALL && (n_unseen < 0 || n_unseen > min_len))
        return s2s_fail(err, S2S_ERR_ARG,
                        "%d unseen words in sentences of %d..%d words (must be 0 to %d, or all)",
                        n_unseen, min_len, max_len, min_len);
    s2s_rng rng;
    rng_seed(&rng, seed);
    int rc = synth_fill(c, n, min_len, max_len, n_unseen, &rng, err);
    if (rc) corpus_free(c);
    return rc;
}

/* Moves pairs all[idx[from .. from+n)] into c, targets too when all has
 * them (ownership moves; the entries of all are left empty). */
static int corpus_take(s2s_corpus *c, s2s_corpus *all, const int *idx, int from, int n,
                       s2s_error *err)
{
    c->s = calloc((size_t)n, sizeof *c->s);
    if (all->t) c->t = calloc((size_t)n, sizeof *c->t);
    if (!c->s || (all->t && !c->t))
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for a part of %d sentences (%s)", n,
                        S2S_SIZE((size_t)n * sizeof *c->s));
    for (int i = 0; i < n; i++) {
        const int k = idx[from + i];
        c->s[i] = all->s[k];
        all->s[k] = (s2s_sentence){0};
        if (all->t) {
            c->t[i] = all->t[k];
            all->t[k] = (s2s_sentence){0};
        }
    }
    c->count = n;
    return 0;
}

/* Doubles the room of *all (*cap sentences) while reading line lineno of path. */
static int grow_sentences(s2s_sentence **all, int *cap, const char *path, long lineno,
                          s2s_error *err)
{
    if (*cap > INT_MAX / 2)
        return s2s_fail(err, S2S_ERR_ARG, "%s:%ld: too many sentences (more than %d)", path,
                        lineno, *cap);
    const int ncap = *cap ? *cap * 2 : 256;
    s2s_sentence *grown = realloc(*all, (size_t)ncap * sizeof *grown);
    if (!grown)
        return s2s_fail(err, S2S_ERR_NOMEM, "%s:%ld: out of memory for %d sentences (%s)", path,
                        lineno, ncap, S2S_SIZE((size_t)ncap * sizeof *grown));
    *all = grown;
    *cap = ncap;
    return 0;
}

/* Appends s, and t when it is given, to c (room for *cap of each). On
 * failure nothing moves: the caller still owns s and t. */
static int corpus_push(s2s_corpus *c, int *cap, const s2s_sentence *s, const s2s_sentence *t,
                       const char *path, long lineno, s2s_error *err)
{
    if (c->count == *cap) {
        int cap_s = *cap, cap_t = *cap;
        int rc = grow_sentences(&c->s, &cap_s, path, lineno, err);
        if (!rc && t) rc = grow_sentences(&c->t, &cap_t, path, lineno, err);
        if (rc) return rc;
        *cap = cap_s;
    }
    c->s[c->count] = *s;
    if (t) c->t[c->count] = *t;
    c->count++;
    return 0;
}

/* Puts "path:lineno: " before the message err holds; returns rc. */
static int fail_at_line(s2s_error *err, int rc, const char *path, long lineno)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err ? err->msg : "");
    return s2s_fail(err, (s2s_code)rc, "%s:%ld: %s", path, lineno, why);
}

/* What read_lines does with one line: line[0 .. len) is getline's buffer,
 * '\n' included when there is one, NUL-terminated; the callee may write
 * into it. Non-zero stops the reading. */
typedef int (*line_fn)(void *ctx, char *line, size_t len, long lineno, s2s_error *err);

/* Calls on_line for every line of f (path), in order. */
static int read_lines(FILE *f, const char *path, line_fn on_line, void *ctx, s2s_error *err)
{
    long lineno = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    int rc = 0;
    errno = 0;
    while (!rc && (len = getline(&line, &linecap, f)) >= 0) {
        lineno++;
        rc = on_line(ctx, line, (size_t)len, lineno, err);
        errno = 0;
    }
    if (!rc && ferror(f))
        rc = s2s_fail(err, S2S_ERR_IO, "cannot read %s after line %ld: %s", path, lineno,
                      strerror(errno ? errno : EIO));
    free(line);
    return rc;
}

/* A corpus being read from path: room for cap sentences. */
typedef struct {
    s2s_corpus *c;
    int cap;
    const char *path;
    int tokens;     /* s2s_tokens */
} sentence_reader;

/* One line of a --data file: a sentence, unless it is blank. */
static int on_sentence_line(void *ctx, char *line, size_t len, long lineno, s2s_error *err)
{
    sentence_reader *r = ctx;
    (void)len; /* the tokenizer reads up to the first NUL, as it always has */
    s2s_sentence s;
    int rc = sentence_tokenize_as(line, r->tokens, S2S_MAX_SENTENCE_WORDS, &s, err);
    if (rc) return fail_at_line(err, rc, r->path, lineno);
    if (s.len == 0) return 0; /* blank lines separate nothing; skip them */
    rc = corpus_push(r->c, &r->cap, &s, NULL, r->path, lineno, err);
    if (rc) sentence_free(&s);
    return rc;
}

/* Opens path for reading; a directory is an error too. */
static int open_text(const char *path, FILE **f, s2s_error *err)
{
    *f = fopen(path, "r");
    if (!*f) return s2s_fail(err, S2S_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(*f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(*f);
        *f = NULL;
        return s2s_fail(err, S2S_ERR_IO, "cannot read %s: %s", path, strerror(EISDIR));
    }
    return 0;
}

/* Every sentence of path (blank lines skipped) into all. On failure the
 * caller still frees all. */
static int read_corpus_file(const char *path, int tokens, s2s_corpus *all, s2s_error *err)
{
    memset(all, 0, sizeof *all);
    FILE *f;
    int rc = open_text(path, &f, err);
    if (rc) return rc;
    sentence_reader r = {.c = all, .cap = 0, .path = path, .tokens = tokens};
    rc = read_lines(f, path, on_sentence_line, &r, err);
    fclose(f);
    return rc;
}

/* Fewer than 10 sentences (what, in path) cannot be split 80/10/10. */
static int check_splittable(const char *path, int n, const char *what, s2s_error *err)
{
    if (n >= 10) return 0;
    return s2s_fail(err, S2S_ERR_ARG,
                    "%s has %d %s%s; at least 10 are needed to split it 80/10/10 into "
                    "training, validation and test sets",
                    path, n, what, n == 1 ? "" : "s");
}

/* Shuffles the pairs of all (from path) with seed and moves them 80/10/10
 * into train, val and test; with 10 or more every part gets one. What is
 * left in all is empty entries, for corpus_free. */
static int split_corpus(s2s_corpus *all, const char *path, uint64_t seed, s2s_corpus *train,
                        s2s_corpus *val, s2s_corpus *test, s2s_error *err)
{
    const int n = all->count;
    int *idx = calloc((size_t)n, sizeof *idx);
    if (!idx)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory shuffling the %d sentences of %s (%s)",
                        n, path, S2S_SIZE((size_t)n * sizeof *idx));
    for (int i = 0; i < n; i++) idx[i] = i;
    s2s_rng rng;
    rng_seed(&rng, seed);
    shuffle_ints(idx, n, &rng);
    const int n_train = (int)((long long)n * 8 / 10), n_val = n / 10;
    const int n_test = n - n_train - n_val;
    int rc = corpus_take(train, all, idx, 0, n_train, err);
    if (!rc) rc = corpus_take(val, all, idx, n_train, n_val, err);
    if (!rc) rc = corpus_take(test, all, idx, n_train + n_val, n_test, err);
    free(idx);
    return rc;
}

/* The end of corpus_from_file and corpus_from_pairs: unless reading all
 * from path failed (rc), splits it 80/10/10 into train, val and test
 * (what: the noun for one entry). Frees what is left of all either way. */
static int split_read(s2s_corpus *all, int rc, const char *path, const char *what,
                      uint64_t seed, s2s_corpus *train, s2s_corpus *val, s2s_corpus *test,
                      s2s_error *err)
{
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    memset(test, 0, sizeof *test);
    if (!rc) rc = check_splittable(path, all->count, what, err);
    if (!rc) rc = split_corpus(all, path, seed, train, val, test, err);
    corpus_free(all); /* those not moved */
    if (rc) {
        corpus_free(train);
        corpus_free(val);
        corpus_free(test);
    }
    return rc;
}

int corpus_from_file(const char *path, s2s_corpus *train, s2s_corpus *val, s2s_corpus *test,
                     uint64_t seed, s2s_error *err)
{
    s2s_corpus all;
    const int rc = read_corpus_file(path, S2S_TOKENS_WORDS, &all, err);
    return split_read(&all, rc, path, "sentence", seed, train, val, test, err);
}

int corpus_read_as(const char *path, int tokens, s2s_corpus *c, s2s_error *err)
{
    int rc = read_corpus_file(path, tokens, c, err);
    if (!rc && c->count == 0) rc = s2s_fail(err, S2S_ERR_ARG, "%s has no sentence", path);
    if (rc) corpus_free(c);
    return rc;
}

/* ---- pairs: one "source<TAB>target" per line ---- */

/* 1 if line[0 .. len) holds only spaces and tabs (or nothing). */
static int is_blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t') return 0;
    return 1;
}

/* Checks one line of a pairs file (len bytes without its line ending) byte
 * by byte: NUL, a stray CR, invalid UTF-8. Columns are 1-based bytes. */
static int pair_line_bytes(const char *line, size_t len, s2s_error *err)
{
    const char *nul = memchr(line, '\0', len);
    if (nul) return s2s_fail(err, S2S_ERR_ARG, "NUL byte at byte %zu", (size_t)(nul - line) + 1);
    const char *cr = memchr(line, '\r', len);
    if (cr)
        return s2s_fail(err, S2S_ERR_ARG,
                        "stray carriage return (CR) at byte %zu; only a CRLF line ending is "
                        "accepted", (size_t)(cr - line) + 1);
    for (size_t i = 0; i < len;) {
        if ((unsigned char)line[i] < 0x80) { /* ASCII: the common case, no decoding */
            i++;
            continue;
        }
        const int k = utf8_len((const unsigned char *)line + i);
        if (k == 0 || i + (size_t)k > len)
            return s2s_fail(err, S2S_ERR_ARG, "invalid UTF-8 at byte %zu", i + 1);
        i += (size_t)k;
    }
    return 0;
}

/* Splits a checked line (len bytes, no line ending) at its one tab: *tab
 * is where it is. Either side empty or blank is an error. */
static int pair_line_tab(const char *line, size_t len, size_t *tab, s2s_error *err)
{
    const char *t = memchr(line, '\t', len);
    if (!t) return s2s_fail(err, S2S_ERR_ARG, "no tab between source and target");
    *tab = (size_t)(t - line);
    const char *second = memchr(t + 1, '\t', len - *tab - 1);
    if (second)
        return s2s_fail(err, S2S_ERR_ARG, "more than one tab (a second at byte %zu)",
                        (size_t)(second - line) + 1);
    if (is_blank(line, *tab)) return s2s_fail(err, S2S_ERR_ARG, "empty source");
    if (is_blank(t + 1, len - *tab - 1)) return s2s_fail(err, S2S_ERR_ARG, "empty target");
    return 0;
}

/* Tokenizes one side of a pair (side: "source" or "target" for the message). */
static int pair_side(const char *text, int tokens, const char *side, s2s_sentence *out,
                     s2s_error *err)
{
    int rc = sentence_tokenize_as(text, tokens, S2S_MAX_SENTENCE_WORDS, out, err);
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        s2s_fail(err, (s2s_code)rc, "%s: %s", side, why);
    }
    return rc;
}

/* One line of a pairs file (len bytes, '\n' included if any) into s and t;
 * a blank line gives s->len == 0 and t->len == 0. A bad line is
 * S2S_ERR_ARG. Writes into line. */
static int parse_pair(char *line, size_t len, int tokens, s2s_sentence *s, s2s_sentence *t,
                      s2s_error *err)
{
    *s = (s2s_sentence){0};
    *t = (s2s_sentence){0};
    if (len > 0 && line[len - 1] == '\n') {
        len--;
        if (len > 0 && line[len - 1] == '\r') len--; /* CRLF */
    }
    if (len > S2S_MAX_PAIR_LINE_BYTES)
        return s2s_fail(err, S2S_ERR_ARG, "line is %zu bytes long; the limit is %d bytes", len,
                        S2S_MAX_PAIR_LINE_BYTES);
    if (is_blank(line, len)) return 0;
    size_t tab = 0;
    int rc = pair_line_bytes(line, len, err);
    if (!rc) rc = pair_line_tab(line, len, &tab, err);
    if (rc) return rc;
    line[tab] = '\0';
    line[len] = '\0';
    rc = pair_side(line, tokens, "source", s, err);
    if (!rc) rc = pair_side(line + tab + 1, tokens, "target", t, err);
    if (rc) sentence_free(s);
    return rc;
}

/* Pairs being read from path: room for cap; bad lines skipped or not. */
typedef struct {
    s2s_corpus *c;
    int cap;
    const char *path;
    int tokens, skip_bad;
    long skipped;
    s2s_error first_bad; /* the message of the first line skipped */
} pair_reader;

/* One line of a pairs file: a pair, a blank line, or a bad line. */
static int on_pair_line(void *ctx, char *line, size_t len, long lineno, s2s_error *err)
{
    pair_reader *r = ctx;
    s2s_sentence s, t;
    int rc = parse_pair(line, len, r->tokens, &s, &t, err);
    if (rc == S2S_ERR_ARG && r->skip_bad) {
        if (r->skipped++ == 0) {
            r->first_bad = err ? *err : (s2s_error){0};
            fail_at_line(&r->first_bad, rc, r->path, lineno);
        }
        return 0;
    }
    if (rc) return fail_at_line(err, rc, r->path, lineno);
    if (s.len == 0) return 0; /* blank */
    rc = corpus_push(r->c, &r->cap, &s, &t, r->path, lineno, err);
    if (rc) {
        sentence_free(&s);
        sentence_free(&t);
    }
    return rc;
}

int corpus_read_pairs(const char *path, int tokens, int skip_bad, s2s_corpus *c, long *skipped,
                      s2s_error *err)
{
    memset(c, 0, sizeof *c);
    if (skipped) *skipped = 0;
    if (tokens != S2S_TOKENS_WORDS && tokens != S2S_TOKENS_CHARS)
        return s2s_fail(err, S2S_ERR_ARG, "unknown tokenisation %d for %s", tokens, path);
    FILE *f;
    int rc = open_text(path, &f, err);
    if (rc) return rc;
    pair_reader r = {.c = c, .path = path, .tokens = tokens, .skip_bad = skip_bad != 0};
    rc = read_lines(f, path, on_pair_line, &r, err);
    fclose(f);
    if (skipped) *skipped = r.skipped;
    if (!rc && c->count == 0)
        rc = r.skipped ? s2s_fail(err, S2S_ERR_ARG,
                                  "%s has no usable pair: all %ld lines with text are bad "
                                  "(the first: %.300s)", path, r.skipped, r.first_bad.msg)
                       : s2s_fail(err, S2S_ERR_ARG, "%s has no source<TAB>target pair", path);
    if (rc) {
        corpus_free(c);
        return rc;
    }
    if (r.skipped && err) { /* say which line was the first skipped, without failing */
        *err = r.first_bad;
        err->code = S2S_OK;
    }
    return 0;
}

int corpus_from_pairs(const char *path, int tokens, int skip_bad, uint64_t seed,
                      s2s_corpus *train, s2s_corpus *val, s2s_corpus *test, long *skipped,
                      s2s_error *err)
{
    s2s_corpus all;
    const int rc = corpus_read_pairs(path, tokens, skip_bad, &all, skipped, err);
    return split_read(&all, rc, path, "pair", seed, train, val, test, err);
}

/* How often each id of a vocabulary was seen: count[id], room for cap. */
typedef struct {
    long *count;
    int cap;
} id_counts;

/* One more sighting of id. */
static int count_id(id_counts *seen, int id, s2s_error *err)
{
    if (id >= seen->cap) {
        const int cap = id < 512 ? 1024 : 2 * id; /* ids < INT_MAX / 4 */
        long *grown = realloc(seen->count, (size_t)cap * sizeof *grown);
        if (!grown)
            return s2s_fail(err, S2S_ERR_NOMEM, "out of memory counting %d tokens (%s)", cap,
                            S2S_SIZE((size_t)cap * sizeof *grown));
        memset(grown + seen->cap, 0, (size_t)(cap - seen->cap) * sizeof *grown);
        seen->count = grown;
        seen->cap = cap;
    }
    seen->count[id]++;
    return 0;
}

/* Adds every token of sentences s[0..n) to v, in order, and counts each
 * sighting by id in seen when it is given. */
static int vocab_add_all(s2s_vocab *v, const s2s_sentence *s, int n, id_counts *seen,
                         s2s_error *err)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < s[i].len; k++) {
            int id, rc = vocab_add(v, s[i].w[k], &id, err);
            if (!rc && seen) rc = count_id(seen, id, err);
            if (rc) return rc;
        }
    return 0;
}

int vocab_build(s2s_vocab *v, const s2s_corpus *c, s2s_error *err)
{
    if (!v->slot || v->nslot <= 0)
        return s2s_fail(err, S2S_ERR_ARG, "vocab_build needs a vocab_create()ed vocabulary");
    return vocab_add_all(v, c->s, c->count, NULL, err);
}

int vocabs_build(s2s_vocabs *v, const s2s_corpus *c, s2s_error *err)
{
    int rc = vocab_build(&v->src, c, err);
    if (!rc && c->t) {
        s2s_vocab *t = vocabs_tgt_mut(v);
        if (!t->slot || t->nslot <= 0)
            return s2s_fail(err, S2S_ERR_ARG, "vocabs_build needs vocabs_create()ed vocabularies");
        rc = vocab_add_all(t, c->t, c->count, NULL, err);
    }
    return rc;
}

/* A token of a vocabulary being limited: its id and how often it was seen. */
typedef struct {
    long count;
    int id;
} id_count;

/* The most frequent first; of equal counts, the first seen first. */
static int by_count_desc(const void *a, const void *b)
{
    const id_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b)
{
    const id_count *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Adds to v the tokens of seen (specials aside) counted at least min_count
 * times, at most max_vocab of them (the most frequent) when max_vocab > 0,
 * in seen's order: first appearance. */
static int vocab_keep(s2s_vocab *v, const s2s_vocab *seen, const id_counts *counts,
                      int min_count, int max_vocab, s2s_error *err)
{
    const int words = seen->size - S2S_NUM_SPECIAL;
    id_count *kept = malloc((size_t)(words > 0 ? words : 1) * sizeof *kept);
    if (!kept)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory ranking %d tokens (%s)", words,
                        S2S_SIZE((size_t)words * sizeof *kept));
    int n = 0;
    for (int id = S2S_NUM_SPECIAL; id < seen->size; id++) {
        const long c = id < counts->cap ? counts->count[id] : 0;
        if (c >= min_count) kept[n++] = (id_count){.count = c, .id = id};
    }
    if (max_vocab > 0 && n > max_vocab) {
        qsort(kept, (size_t)n, sizeof *kept, by_count_desc);
        n = max_vocab;
        qsort(kept, (size_t)n, sizeof *kept, by_id);
    }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) rc = vocab_add(v, seen->word[kept[i].id], NULL, err);
    free(kept);
    return rc;
}

/* vocab_build_limited over the tokens of a[0..na) and then b[0..nb) (b may
 * be NULL), counted together. */
static int vocab_build_counted(s2s_vocab *v, const s2s_sentence *a, int na,
                               const s2s_sentence *b, int nb, int min_count, int max_vocab,
                               s2s_error *err)
{
    if (!v->slot || v->nslot <= 0)
        return s2s_fail(err, S2S_ERR_ARG, "vocab_build_limited needs a vocab_create()ed vocabulary");
    if (min_count < 1 || max_vocab < 0)
        return s2s_fail(err, S2S_ERR_ARG,
                        "vocabulary limits: minimum count %d (must be >= 1), at most %d tokens "
                        "(must be >= 0; 0: no limit)", min_count, max_vocab);
    if (min_count == 1 && max_vocab == 0) { /* nothing left out: no need to count */
        int rc = vocab_add_all(v, a, na, NULL, err);
        return rc || !b ? rc : vocab_add_all(v, b, nb, NULL, err);
    }
    s2s_vocab seen;
    id_counts counts = {0};
    int rc = vocab_create(&seen, err);
    if (rc) return rc;
    rc = vocab_add_all(&seen, a, na, &counts, err);
    if (!rc && b) rc = vocab_add_all(&seen, b, nb, &counts, err);
    if (!rc) rc = vocab_keep(v, &seen, &counts, min_count, max_vocab, err);
    vocab_free(&seen);
    free(counts.count);
    return rc;
}

int vocab_build_limited(s2s_vocab *v, const s2s_sentence *s, int n, int min_count,
                        int max_vocab, s2s_error *err)
{
    return vocab_build_counted(v, s, n, NULL, 0, min_count, max_vocab, err);
}

int vocabs_build_limited(s2s_vocabs *v, const s2s_corpus *c, int min_count, int max_vocab,
                         s2s_error *err)
{
    if (v->shared)
        return vocab_build_counted(&v->src, c->s, c->count, c->t, c->t ? c->count : 0,
                                   min_count, max_vocab, err);
    int rc = vocab_build_counted(&v->src, c->s, c->count, NULL, 0, min_count, max_vocab, err);
    if (!rc && c->t)
        rc = vocab_build_counted(&v->tgt, c->t, c->count, NULL, 0, min_count, max_vocab, err);
    return rc;
}

/* ------------------------------------------------------------------ */
/* encoded datasets                                                     */
/* ------------------------------------------------------------------ */

int sentence_encode_src(const s2s_sentence *s, const s2s_vocab *v, int *ids)
{
    int unknown = 0;
    for (int k = 0; k < s->len; k++) {
        const int id = vocab_find(v, s->w[k]);
        if (id < S2S_NUM_SPECIAL) unknown++; /* a word spelled "<PAD>" is not a word */
        ids[k] = id < S2S_NUM_SPECIAL ? S2S_UNK : id;
    }
    ids[s->len] = S2S_EOS;
    return unknown;
}

void dataset_free(s2s_dataset *d)
{
    if (!d) return;
    free(d->src_off);
    free(d->src_len);
    free(d->tgt_off);
    free(d->tgt_len);
    free(d->src);
    free(d->tgt);
    memset(d, 0, sizeof *d);
}

/* Encodes a target sentence as <SOS> + ids + <EOS> into ids[0 .. len+2). */
static void sentence_encode_tgt(const s2s_sentence *s, const s2s_vocab *v, int *ids)
{
    ids[0] = S2S_SOS;
    for (int k = 0; k < s->len; k++) {
        const int id = vocab_find(v, s->w[k]);
        ids[1 + k] = id < S2S_NUM_SPECIAL ? S2S_UNK : id;
    }
    ids[s->len + 1] = S2S_EOS;
}

int dataset_create(s2s_dataset *d, const s2s_corpus *c, const s2s_vocabs *v, s2s_error *err)
{
    memset(d, 0, sizeof *d);
    size_t nsrc = 0, ntgt = 0;
    for (int i = 0; i < c->count; i++) {
        /* Corpora are tokenized to S2S_MAX_SENTENCE_WORDS; a sentence to
         * decode may be longer. */
        const int tl = c->t ? c->t[i].len : c->s[i].len;
        if (c->s[i].len < 0 || c->s[i].len > S2S_MAX_INPUT_WORDS || tl < 0 ||
            tl > S2S_MAX_INPUT_WORDS)
            return s2s_fail(err, S2S_ERR_ARG, "sentence %d has %d source and %d target tokens "
                            "(limit %d)", i + 1, c->s[i].len, tl, S2S_MAX_INPUT_WORDS);
        nsrc += (size_t)c->s[i].len + 1;
        ntgt += (size_t)tl + 2;
    }
    if (ntgt > (size_t)INT_MAX || nsrc > (size_t)INT_MAX)
        return s2s_fail(err, S2S_ERR_ARG, "dataset too large (%zu + %zu tokens)", nsrc, ntgt);
    const size_t n = c->count > 0 ? (size_t)c->count : 1;
    d->src_off = malloc(n * sizeof(int));
    d->src_len = malloc(n * sizeof(int));
    d->tgt_off = malloc(n * sizeof(int));
    d->tgt_len = malloc(n * sizeof(int));
    d->src = malloc((nsrc ? nsrc : 1) * sizeof(int));
    d->tgt = malloc((ntgt ? ntgt : 1) * sizeof(int));
    if (!d->src_off || !d->src_len || !d->tgt_off || !d->tgt_len || !d->src || !d->tgt) {
        dataset_free(d);
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory encoding %d sentences (%zu source and %zu target ids: %s)",
                        c->count, nsrc, ntgt,
                        S2S_SIZE((4 * n + nsrc + ntgt) * sizeof(int)));
    }
    d->count = c->count;
    int so = 0, to = 0;
    for (int i = 0; i < c->count; i++) {
        const s2s_sentence *s = &c->s[i];
        int *src = d->src + so, *tgt = d->tgt + to;
        d->unknown += sentence_encode_src(s, &v->src, src);
        int tl = s->len;
        if (c->t) {
            sentence_encode_tgt(&c->t[i], vocabs_tgt(v), tgt);
            tl = c->t[i].len;
        } else {
            /* the seed's task: target = <SOS> + reversed words + <EOS> */
            tgt[0] = S2S_SOS;
            for (int k = 0; k < s->len; k++) {
                const int id = v->shared ? src[s->len - 1 - k]
                                         : vocab_find(&v->tgt, s->w[s->len - 1 - k]);
                tgt[1 + k] = id < S2S_NUM_SPECIAL ? S2S_UNK : id;
            }
            tgt[s->len + 1] = S2S_EOS;
        }
        d->src_off[i] = so;
        d->src_len[i] = s->len + 1;
        d->tgt_off[i] = to;
        d->tgt_len[i] = tl + 2;
        if (d->src_len[i] > d->max_src) d->max_src = d->src_len[i];
        if (d->tgt_len[i] > d->max_tgt) d->max_tgt = d->tgt_len[i];
        so += s->len + 1;
        to += tl + 2;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* batches                                                              */
/* ------------------------------------------------------------------ */

int batch_create(s2s_batch *b, int max_B, int max_S, int max_T, s2s_error *err)
{
    memset(b, 0, sizeof *b);
    if (max_B <= 0 || max_S <= 0 || max_T <= 0)
        return s2s_fail(err, S2S_ERR_ARG, "batch sizes must be positive (B=%d S=%d T=%d)", max_B,
                        max_S, max_T);
    if ((size_t)max_S > SIZE_MAX / sizeof(int) / (size_t)max_B ||
        (size_t)max_T > SIZE_MAX / sizeof(int) / (size_t)max_B)
        return s2s_fail(err, S2S_ERR_ARG, "batch too large (B=%d S=%d T=%d)", max_B, max_S,
                        max_T);
    b->src = calloc((size_t)max_S * (size_t)max_B, sizeof(int));
    b->tgt = calloc((size_t)max_T * (size_t)max_B, sizeof(int));
    b->src_len = calloc((size_t)max_B, sizeof(int));
    b->tgt_len = calloc((size_t)max_B, sizeof(int));
    if (!b->src || !b->tgt || !b->src_len || !b->tgt_len) {
        batch_free(b);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for a batch (B=%d S=%d T=%d: %s)",
                        max_B, max_S, max_T,
                        S2S_SIZE(((size_t)max_S + (size_t)max_T + 2) * (size_t)max_B *
                                 sizeof(int)));
    }
    b->cap_B = max_B;
    b->cap_S = max_S;
    b->cap_T = max_T;
    return 0;
}

int batch_fill(s2s_batch *b, const s2s_dataset *d, const int *idx, int n, s2s_error *err)
{
    if (n <= 0 || n > b->cap_B)
        return s2s_fail(err, S2S_ERR_ARG, "batch of %d sentences does not fit (room for %d)", n,
                        b->cap_B);
    int S = 0, T = 0;
    for (int j = 0; j < n; j++) {
        const int i = idx[j];
        if (i < 0 || i >= d->count)
            return s2s_fail(err, S2S_ERR_ARG, "sentence index %d out of range (0..%d)", i,
                            d->count - 1);
        if (d->src_len[i] > S) S = d->src_len[i];
        if (d->tgt_len[i] > T) T = d->tgt_len[i];
    }
    if (S > b->cap_S || T > b->cap_T)
        return s2s_fail(err, S2S_ERR_ARG,
                        "batch sentences too long (source %d, target %d; room for %d, %d)", S, T,
                        b->cap_S, b->cap_T);
    b->B = n;
    b->S = S;
    b->T = T;
    b->ntok = 0;
    memset(b->src, 0, (size_t)S * (size_t)n * sizeof(int)); /* S2S_PAD == 0 */
    memset(b->tgt, 0, (size_t)T * (size_t)n * sizeof(int));
    for (int j = 0; j < n; j++) {
        const int i = idx[j];
        const int *src = d->src + d->src_off[i], *tgt = d->tgt + d->tgt_off[i];
        for (int t = 0; t < d->src_len[i]; t++) b->src[t * n + j] = src[t];
        for (int t = 0; t < d->tgt_len[i]; t++) b->tgt[t * n + j] = tgt[t];
        b->src_len[j] = d->src_len[i];
        b->tgt_len[j] = d->tgt_len[i];
        b->ntok += d->tgt_len[i] - 1; /* every position after <SOS> is predicted */
    }
    return 0;
}

int batch_reserve(s2s_batch *b, int B, int S, int T, s2s_error *err)
{
    if (b->src && B <= b->cap_B && S <= b->cap_S && T <= b->cap_T) return 0;
    const int cB = B > b->cap_B ? B : b->cap_B, cS = S > b->cap_S ? S : b->cap_S;
    const int cT = T > b->cap_T ? T : b->cap_T;
    batch_free(b);
    return batch_create(b, cB, cS, cT, err);
}

void batch_free(s2s_batch *b)
{
    if (!b) return;
    free(b->src);
    free(b->tgt);
    free(b->src_len);
    free(b->tgt_len);
    memset(b, 0, sizeof *b);
}

void shuffle_ints(int *idx, int n, s2s_rng *rng)
{
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)rng_below(rng, (uint32_t)i + 1u);
        const int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
