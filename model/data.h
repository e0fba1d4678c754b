/* data.h — vocabulary, sentences, datasets and padded batches.
 *
 * Token ids: <PAD>=0 <SOS>=1 <EOS>=2 <UNK>=3, then words in first-seen order.
 * Source = tokens + <EOS>; target = <SOS> + the target's tokens + <EOS>
 * (for the seed's task, the reversed words).
 * Batches are time-major: element (t, b) of a (T, B) array is at [t*B + b].
 */
#ifndef S2S_DATA_H
#define S2S_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rng.h"

enum { S2S_PAD = 0, S2S_SOS = 1, S2S_EOS = 2, S2S_UNK = 3, S2S_NUM_SPECIAL = 4 };

/* Longest word and sentence we accept: longer input is an error, not a crash.
 * Training and test sets hold sentences of up to S2S_MAX_SENTENCE_WORDS words
 * (training memory grows with the square of the length); one sentence to
 * decode (`reverse`, the UI's prompt) may have up to S2S_MAX_INPUT_WORDS:
 * decoding keeps one step's attention energies, so a 1000-word sentence
 * takes tens of MiB. */
#define S2S_MAX_WORD_BYTES 64
#define S2S_MAX_SENTENCE_WORDS 100
#define S2S_MAX_INPUT_WORDS 1000
/* Longest line of a pairs file (without its line ending): longer is a bad
 * line, not a reason to hold a huge buffer of tokens. */
#define S2S_MAX_PAIR_LINE_BYTES 65536

/* ---- tokens ---- */
/* How a line becomes tokens: words split on blanks (the seed's), or every
 * UTF-8 code point, blanks included, as a token of its own. */
typedef enum { S2S_TOKENS_WORDS = 0, S2S_TOKENS_CHARS = 1 } s2s_tokens;
const char *tokens_name(int tokens);
/* "words" | "chars"; -1 if neither. */
int tokens_parse(const char *s);

/* ---- vocabulary ---- */
typedef struct {
    int size;      /* number of ids in use */
    int cap;       /* capacity of word[] */
    char **word;   /* id -> word, owned */
    int *slot;     /* open-addressing hash: slot -> id + 1 (0 = empty) */
    int nslot;     /* power of two, > 2 * size */
} s2s_vocab;

/* Makes a vocabulary holding only the four special tokens. */
int vocab_create(s2s_vocab *v, s2s_error *err);
/* Returns the id of w, adding it if new (ids grow by first appearance). */
int vocab_add(s2s_vocab *v, const char *w, int *id, s2s_error *err);
/* Returns the id of w, or -1 if it is not in the vocabulary. */
int vocab_find(const s2s_vocab *v, const char *w);
void vocab_free(s2s_vocab *v);

/* A model's vocabularies: one shared by source and target (reversal, copy
 * and sort, as the seed), or one for each side (pairs, dates). */
typedef struct {
    s2s_vocab src;
    s2s_vocab tgt;  /* empty (never created) when shared */
    int shared;
} s2s_vocabs;

/* Makes src (and tgt unless shared) holding only the special tokens. */
int vocabs_create(s2s_vocabs *v, int shared, s2s_error *err);
/* The target side: &v->src when shared. */
const s2s_vocab *vocabs_tgt(const s2s_vocabs *v);
s2s_vocab *vocabs_tgt_mut(s2s_vocabs *v);
void vocabs_free(s2s_vocabs *v);

/* ---- sentences as words ---- */
typedef struct {
    int len;       /* number of words */
    char **w;      /* words, owned */
    int one_block; /* 1: the words lie in w's own allocation, after the
                    * pointers (the tokenizers make sentences so: one
                    * allocation a sentence, not one a word); 0: each w[i]
                    * is an allocation of its own. sentence_free knows both;
                    * never free or replace a single word of a one-block
                    * sentence. */
} s2s_sentence;

/* Sentence pairs. t[i] is the target of s[i]; t == NULL means every target
 * is its source reversed (the seed's task, the default). */
typedef struct {
    int count;
    s2s_sentence *s; /* sources, owned */
    s2s_sentence *t; /* targets, owned, or NULL */
} s2s_corpus;

/* Splits line on spaces, tabs, CR and LF. An empty or blank line gives
 * len == 0 (not an error: callers decide). A word longer than
 * S2S_MAX_WORD_BYTES or more than max_words words is an error. */
int sentence_tokenize_max(const char *line, int max_words, s2s_sentence *out, s2s_error *err);
/* The same for a corpus sentence: at most S2S_MAX_SENTENCE_WORDS words. */
int sentence_tokenize(const char *line, s2s_sentence *out, s2s_error *err);
/* Splits line into tokens the way tokens says: words (sentence_tokenize_max)
 * or UTF-8 code points, each a token (blanks too; a final CR/LF is not a
 * token). Invalid UTF-8 is an error naming the byte offset. */
int sentence_tokenize_as(const char *line, int tokens, int max_tokens, s2s_sentence *out,
                         s2s_error *err);
/* Writes the tokens of s (tokens w[from .. from+n)) into buf (cap bytes,
 * NUL-terminated, cut short if it does not fit): words with a space between
 * them, characters side by side. Returns the length it would need. */
size_t sentence_join(const s2s_sentence *s, int from, int n, int tokens, char *buf, size_t cap);
void sentence_free(s2s_sentence *s);
/* The same for token ids of v ("<?>" for an id outside it). */
size_t ids_join(const s2s_vocab *v, const int *ids, int n, int tokens, char *buf, size_t cap);

/* The seed's 34 words, in the seed's order. */
extern const char *const S2S_SEED_WORDS[34];

/* The seed's synthetic task: n_train/n_val/n_test sentences of 3..10 words
 * drawn uniformly from the 34-word list, all from one generator seeded with
 * seed, train first, then val, then test. */
int corpus_synthetic(s2s_corpus *train, s2s_corpus *val, s2s_corpus *test,
                     int n_train, int n_val, int n_test, uint64_t seed, s2s_error *err);
/* n sentences of min_len..max_len words (each length equally likely), words
 * drawn uniformly from the seed's list, from a generator seeded with seed:
 * the synthetic task at other lengths (`analyze` and `compare` use 11..15,
 * 16..30 and 31..50 with seeds 1115, 1630 and 3150; training never shows
 * these lengths). 1 <= min_len <= max_len <=
 * S2S_MAX_SENTENCE_WORDS. */
int corpus_synthetic_lengths(s2s_corpus *c, int n, int min_len, int max_len, uint64_t seed,
                             s2s_error *err);
/* Twenty common English words that are not among S2S_SEED_WORDS, so a
 * model trained on the seed's task has never seen them (they encode as
 * <UNK>): zebra apple river stone cloud green lamp door wolf moon sun tall
 * short cup pen book sing walks under purple. */
#define S2S_UNSEEN_COUNT 20
extern const char *const S2S_UNSEEN_WORDS[S2S_UNSEEN_COUNT];
/* n_unseen of corpus_synthetic_unseen: every word from the unseen list. */
#define S2S_UNSEEN_ALL (-1)
/* n sentences of min_len..max_len words (each length equally likely) from a
 * generator seeded with seed, like corpus_synthetic_lengths, but with
 * n_unseen of each sentence's words (at distinct positions drawn uniformly)
 * drawn uniformly from S2S_UNSEEN_WORDS instead of the seed's list;
 * S2S_UNSEEN_ALL: every word. 1 <= min_len <= max_len <=
 * S2S_MAX_SENTENCE_WORDS, 0 <= n_unseen <= min_len. `analyze` and `compare`
 * use 3..10 words with one unseen word (seed 1310) and with only unseen
 * words (seed 2310). */
int corpus_synthetic_unseen(s2s_corpus *c, int n, int min_len, int max_len, int n_unseen,
                            uint64_t seed, s2s_error *err);
/* A user's file, one sentence per line (blank lines skipped), split
 * deterministically 80/10/10 by a shuffle seeded with seed. Fewer than 10
 * usable sentences is an error. */
int corpus_from_file(const char *path, s2s_corpus *train, s2s_corpus *val, s2s_corpus *test,
                     uint64_t seed, s2s_error *err);
/* Every sentence of a file, one per line (blank lines skipped), in order,
 * split into tokens (s2s_tokens): a test set of one's own. No sentence is
 * an error. */
int corpus_read_as(const char *path, int tokens, s2s_corpus *c, s2s_error *err);
/* A user's pairs: a UTF-8 text file, one "source<TAB>target" per line, each
 * side split into tokens (s2s_tokens) by sentence_tokenize_as, at most
 * S2S_MAX_SENTENCE_WORDS a side; fills c->s and c->t in file order. A CRLF
 * line ending is accepted; lines of only blanks (spaces, tabs) are skipped.
 * A bad line is S2S_ERR_ARG naming the file and line ("pairs.tsv:17: no
 * tab between source and target"): no tab, more than one, an empty or
 * blank side, a CR other than a CRLF's, a NUL byte, invalid UTF-8 (the
 * byte column named), more than S2S_MAX_PAIR_LINE_BYTES bytes, a side of
 * more than S2S_MAX_SENTENCE_WORDS tokens, a word longer than
 * S2S_MAX_WORD_BYTES. With skip_bad, bad lines are skipped instead and
 * counted in *skipped (may be NULL); then, on success with *skipped > 0,
 * err->msg names the first of them (err->code stays S2S_OK). No usable
 * pair, or a file that cannot be opened or read, is an error. */
int corpus_read_pairs(const char *path, int tokens, int skip_bad, s2s_corpus *c, long *skipped,
                      s2s_error *err);
/* The pairs of path (as corpus_read_pairs) split 80/10/10 into train, val
 * and test exactly as corpus_from_file splits sentences (the same shuffle
 * seeded with seed), each target staying with its source. Fewer than 10
 * usable pairs is an error. */
int corpus_from_pairs(const char *path, int tokens, int skip_bad, uint64_t seed,
                      s2s_corpus *train, s2s_corpus *val, s2s_corpus *test, long *skipped,
                      s2s_error *err);
void corpus_free(s2s_corpus *c);

/* Builds the vocabulary from a corpus (specials first, then words by first
 * appearance). v must be vocab_create()ed. */
int vocab_build(s2s_vocab *v, const s2s_corpus *c, s2s_error *err);
/* Builds the vocabularies from a corpus's sources and targets (a shared one
 * from both: sources first, then targets). v must be vocabs_create()ed. */
int vocabs_build(s2s_vocabs *v, const s2s_corpus *c, s2s_error *err);
/* Builds a vocabulary for a real corpus from the tokens of s[0..n): those
 * seen at least min_count (>= 1) times and, if max_vocab > 0, at most
 * max_vocab of them beyond the specials, the most frequent (of equal
 * counts, the first seen). Ids follow first appearance among the kept, so
 * min_count 1, max_vocab 0 gives vocab_build's vocabulary. Tokens left out
 * encode as <UNK>. v must be vocab_create()ed. */
int vocab_build_limited(s2s_vocab *v, const s2s_sentence *s, int n, int min_count,
                        int max_vocab, s2s_error *err);
/* vocabs_build with those limits: a shared vocabulary counts sources and
 * targets together (sources first), otherwise each side has its own
 * counts and limits. As vocabs_build, targets only when c->t is set. */
int vocabs_build_limited(s2s_vocabs *v, const s2s_corpus *c, int min_count, int max_vocab,
                         s2s_error *err);

/* ---- encoded datasets ---- */
typedef struct {
    int count;
    int *src_off, *src_len; /* sentence i: src[src_off[i] .. +src_len[i]), words + <EOS> */
    int *tgt_off, *tgt_len; /* <SOS> + target tokens + <EOS> */
    int *src, *tgt;         /* ids, owned */
    int max_src, max_tgt;   /* longest src_len / tgt_len */
    int unknown;            /* words mapped to <UNK> */
} s2s_dataset;

/* Encodes c: sources with v->src, targets (c->t, or each source reversed)
 * with the target vocabulary; unknown words become <UNK>. */
int dataset_create(s2s_dataset *d, const s2s_corpus *c, const s2s_vocabs *v, s2s_error *err);
void dataset_free(s2s_dataset *d);

/* Encodes one sentence as a source (words + <EOS>) into ids[0 .. len+1);
 * unknown words become <UNK>. ids must hold s->len + 1 entries. Returns the
 * number of unknown words. */
int sentence_encode_src(const s2s_sentence *s, const s2s_vocab *v, int *ids);

/* ---- padded batches (host memory) ---- */
typedef struct {
    int B;          /* sentences in this batch */
    int S;          /* longest source length (with <EOS>) */
    int T;          /* longest target length (with <SOS> and <EOS>) */
    int ntok;       /* target tokens to predict: sum of (tgt_len - 1) */
    int *src;       /* (S, B) time-major, <PAD>-filled */
    int *src_len;   /* (B) */
    int *tgt;       /* (T, B) time-major, <PAD>-filled */
    int *tgt_len;   /* (B) */
    int cap_B, cap_S, cap_T; /* allocated sizes */
} s2s_batch;

/* Allocates room for up to max_B sentences of the given lengths. */
int batch_create(s2s_batch *b, int max_B, int max_S, int max_T, s2s_error *err);
/* Makes b hold at least B sentences of S source and T target positions:
 * grows it (empty b included), never shrinks. */
int batch_reserve(s2s_batch *b, int B, int S, int T, s2s_error *err);
/* Fills b with sentences idx[0..n) of d. Fails if they do not fit. */
int batch_fill(s2s_batch *b, const s2s_dataset *d, const int *idx, int n, s2s_error *err);
void batch_free(s2s_batch *b);

/* Fisher–Yates shuffle of idx[0..n). */
void shuffle_ints(int *idx, int n, s2s_rng *rng);

#endif
