/* model.h — the GRU encoder–decoder with attention, over a backend.
 *
 * Parameters, gradients and the two Adam moments are each one flat backend
 * allocation carved into named tensors; the names and shapes are those of the
 * seed's PyTorch state_dict, in its order, so checkpoints map one-to-one:
 *
 *   encoder.embedding.weight          (V_src, E)
 *   encoder.gru.{weight_ih,weight_hh,bias_ih,bias_hh}_l{k}
 *                                     (3H, E or H) (3H, H) (3H) (3H)
 *   decoder.embedding.weight          (V, E)   V = the target vocabulary
 *   decoder.attention.W_h.weight      (H, H)   Bahdanau and location
 *   decoder.attention.W_s.weight      (H, H)   Bahdanau and location
 *   decoder.attention.v.weight        (1, H)   Bahdanau and location
 *   decoder.attention.loc_conv.weight (H, 3)   location only (PyTorch: (H, 1, 3))
 *   decoder.attention.loc_conv.bias   (H)      location only
 *   decoder.gru.*_l{k}                layer 0 input is [embedding; context]:
 *                                     (3H, E+H), or (3H, E) with no attention
 *   decoder.fc.weight, decoder.fc.bias (V, H) (V)
 *
 * A model instance is not shared between threads without a lock; every
 * buffer it uses is its own, so two instances may run concurrently.
 */
#ifndef S2S_MODEL_H
#define S2S_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "data.h"
#include "err.h"

typedef struct {
    int src_vocab;  /* source vocabulary size (encoder embedding rows) */
    int tgt_vocab;  /* V: target vocabulary size (decoder embedding, output layer);
                       equal to src_vocab when the two share one vocabulary */
    int embed;      /* E */
    int hidden;     /* H */
    int layers;     /* L: GRU layers in encoder and decoder */
    float dropout;  /* on embeddings and between GRU layers, training only */
    int attention;  /* S2S_ATTN_BAHDANAU / _LUONG / _NONE / _LOCATION */
    int out_extra;  /* decoding may run this many steps past 2 · (source tokens + 1):
                       0 for the built-in tasks, whose answers are never longer;
                       S2S_MAX_SENTENCE_WORDS for pairs, whose targets may be. Not
                       saved in checkpoints: it follows from the task. */
} s2s_config;

/* Checks a configuration's ranges; says which field is wrong. */
int config_validate(const s2s_config *cfg, s2s_error *err);
const char *attention_name(int kind);
/* Parses "bahdanau" | "luong" | "none" | "location"; -1 if unknown. */
int attention_parse(const char *s);

typedef struct {
    char name[64];
    int ndim;       /* 1 or 2 */
    int dims[2];
    size_t offset;  /* in floats, into the flat parameter buffer */
    size_t numel;
} s2s_tensor_info;

typedef struct s2s_model s2s_model;

int model_create(s2s_model **out, const s2s_config *cfg, s2s_backend *be, s2s_error *err);
void model_free(s2s_model *m);

const s2s_config *model_config(const s2s_model *m);
s2s_backend *model_backend(const s2s_model *m);
size_t model_num_params(const s2s_model *m);
int model_num_tensors(const s2s_model *m);
const s2s_tensor_info *model_tensor(const s2s_model *m, int i);
/* Index of the tensor with that name, or -1. */
int model_find_tensor(const s2s_model *m, const char *name);

/* PyTorch's default initialisation, from our generator: embeddings N(0,1)
 * with the <PAD> row zero; GRU weights and biases U(-1/sqrt(H), 1/sqrt(H));
 * Linear weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Also resets
 * the Adam state. */
int model_init_params(s2s_model *m, uint64_t seed, s2s_error *err);

/* Copies between the flat parameter / gradient buffers and host memory
 * (model_num_params floats, in tensor order). */
int model_get_params(s2s_model *m, float *host, s2s_error *err);
int model_set_params(s2s_model *m, const float *host, s2s_error *err);
int model_get_grads(s2s_model *m, float *host, s2s_error *err);

/* Teacher forcing schedule for a batch with T target positions: feed[t] for
 * 1 <= t < T-1 says whether decoder step t reads the true token tgt[t] (1) or
 * the previous step's argmax (0). Step 0 always reads <SOS>. NULL = never. */

/* Forward and backward over a batch. Zeroes the gradients, then accumulates
 * them; *loss is the cross-entropy averaged over the batch's real target
 * tokens. train = 1 applies dropout (masks from dropout_seed). */
int model_forward_backward(s2s_model *m, const s2s_batch *b, const unsigned char *feed,
                           int train, uint64_t dropout_seed, float *loss, s2s_error *err);
/* Forward only, no dropout, gradients untouched (validation). */
int model_forward_loss(s2s_model *m, const s2s_batch *b, const unsigned char *feed,
                       float *loss, s2s_error *err);

typedef struct {
    float lr, beta1, beta2, eps;
    float clip;     /* max global L2 norm; <= 0: no clipping */
} s2s_adam_opts;

/* Clips the global gradient norm and takes one Adam step. *grad_norm gets
 * the norm before clipping. */
int model_clip_adam(s2s_model *m, const s2s_adam_opts *o, float *grad_norm, s2s_error *err);
/* Adam steps taken since the last init or reset. */
int model_adam_steps(const s2s_model *m);

/* Forward + backward floating-point operations of one training step over
 * the real (non-padding) tokens of b: matrix products and attention,
 * counted analytically (backward = 2 × forward for each product). */
double model_train_flops(const s2s_model *m, const s2s_batch *b);

/* Source positions the model puts before a sentence's words: 1 for
 * location attention (a start marker, <SOS>, that the alignment reaches
 * last, so stopping depends on where the attention is, not on a count),
 * 0 otherwise. Attention matrices have prefix + words + 1 columns. */
int model_src_prefix(const s2s_model *m);

/* The most decoder steps a sentence of src_tokens source tokens (words +
 * <EOS>) is decoded for: 2 · src_tokens + out_extra. */
int model_decode_cap(const s2s_model *m, int src_tokens);
/* Sets out_extra (0 .. S2S_MAX_SENTENCE_WORDS) on a model made from a
 * checkpoint, which does not hold it. */
void model_set_out_extra(s2s_model *m, int out_extra);

/* Greedy decoding of the batch's sources (tgt is ignored), no dropout.
 * Sentence b runs min(max_steps, 2 · src_len[b]) decoder steps (2 · words +
 * 2, the cap); tokens(B, max_steps) gets each step's argmax and
 * attn(B, max_steps, b->S) its attention weights (either may be NULL);
 * entries past a sentence's cap are unspecified. Callers cut each row at its
 * first <EOS>. attn rows have model_src_prefix(m) + b->S columns. */
int model_greedy(s2s_model *m, const s2s_batch *b, int max_steps, int *tokens, float *attn,
                 s2s_error *err);
/* The same, but stops after the step at which every sentence has written
 * <EOS> (or reached its cap): rows up to and including each sentence's first
 * <EOS> are the same as model_greedy's, later ones unspecified. Reads each
 * step's tokens back, so on a GPU it waits once per step; for one sentence
 * (the prompt, `reverse`) it saves the steps after <EOS>. */
int model_greedy_until_eos(s2s_model *m, const s2s_batch *b, int max_steps, int *tokens,
                           float *attn, s2s_error *err);
/* The same with an oracle length: a sentence of n words cannot write <EOS>
 * before its n-th word, so what the model does past the length where it
 * would have stopped can be seen (how much of a failure is stopping, how
 * much alignment). b must be sorted longest first. */
int model_greedy_oracle(s2s_model *m, const s2s_batch *b, int max_steps, int *tokens,
                        float *attn, s2s_error *err);

/* ---- beam search ---- */

/* Widest beam model_beam accepts. */
enum { S2S_BEAM_MAX = 1024 };

/* What model_beam chose. */
typedef struct {
    int steps;      /* decoder steps of the chosen hypothesis: n_words + 1 if it stopped */
    int stopped;    /* 1 if it ends with <EOS> (within the cap) */
    int n_words;    /* tokens before <EOS> */
    double logprob; /* its sum of log-probabilities, <EOS> included */
    double score;   /* logprob / steps: what hypotheses are compared by */
} s2s_beam_result;

/* Beam search of width K (1..S2S_BEAM_MAX) over b's one sentence (b->B
 * must be 1; tgt is ignored), no dropout. The sentence is encoded as K
 * identical rows; decoder step t runs over the rows of the hypotheses still
 * going on (one at step 0), each reading its own last token; between steps
 * the rows (every layer's state, and for location attention the previous
 * alignment) are gathered from the hypotheses they extend.
 *
 * Scoring: a hypothesis y_0..y_t has sum = Σ_s log p(y_s | y_<s, x)
 * (log-softmax of the logits). At each step the K best extensions of the
 * rows by sum survive (ties: the earlier row, then the lower token, so K = 1
 * gives exactly model_greedy's tokens); those ending in <EOS> leave the
 * beam, finished, and the beam narrows. Finished hypotheses are compared by
 * score = sum / length (tokens written, <EOS> included); the best is kept.
 * The search ends when no hypothesis goes on, when none could still beat
 * the best finished one, or at the cap, min(max_steps, 2 · src_len[0]) steps
 * as model_greedy; if none finished by then, the best unfinished one (by
 * the same score) is returned.
 *
 * tokens (max_steps ints) gets its tokens, tokens[0..n_words) the words and
 * tokens[n_words] = <EOS> when it stopped; attn (max_steps, prefix + b->S)
 * the attention row of each of its steps, as model_greedy lays them out
 * (zeros without attention); res what it is. Any of the three may be NULL;
 * entries past its steps are unspecified. */
int model_beam(s2s_model *m, const s2s_batch *b, int K, int max_steps, int *tokens, float *attn,
               s2s_beam_result *res, s2s_error *err);

#endif
