/* backend.h — the operations the model is written over.
 *
 * One model (model.c) calls these; backend_cpu.c implements them with CBLAS
 * and loops, the files in kernels/ with cuBLAS and CUDA kernels. Pointers passed to
 * operations are backend memory (from be->alloc): host memory on the CPU,
 * device memory on a GPU. Pointer arithmetic on them is allowed.
 *
 * Operations do not return errors: a backend that can fail asynchronously
 * (CUDA) records the first failure and reports it from sync(). Nothing here
 * waits for the device except sync() and download().
 *
 * Layout conventions: matrices are row-major; sequences are time-major, so
 * the rows of step t of a (T, B, X) array start at [t*B*X]. `len` arrays are
 * per-sentence lengths (B ints, backend memory); position t of sentence b is
 * real iff t < len[b].
 */
#ifndef S2S_BACKEND_H
#define S2S_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct s2s_backend s2s_backend;

/* One matrix of a transpose(): dst(cols, rows) = src(rows, cols)ᵀ. */
typedef struct {
    float *dst;
    const float *src;
    int rows, cols;
} s2s_transpose;

struct s2s_backend {
    const char *name;  /* "cpu" or "cuda" */
    void *ctx;         /* backend state (BLAS handle, streams, scratch) */
    int shards;        /* how many parts of a batch the model may run at once on
                          separate threads (CPU: its threads); 0 or 1 = one.
                          Operations must then be safe to call concurrently on
                          disjoint buffers. */
    int pack_rows;     /* 1: the all-steps weight-gradient products run over the
                          live rows only, copied together first (the CPU, where a
                          product costs far more than the copies); 0: over every
                          row, finished ones holding zeros (a GPU, where each copy
                          is another queued operation) */
    int few_rows;      /* > 0: products x Wᵀ of up to this many rows run faster
                          as x (Wᵀ), NN, from a transposed copy of W (the CPU,
                          where a BLAS would pack W for every one of them); the
                          model keeps such copies, made with transpose(). 0: no
                          copies (a GPU) */

    /* ---- memory ---- */
    void *(*alloc)(s2s_backend *be, size_t bytes); /* zeroed; NULL on failure */
    void (*free)(s2s_backend *be, void *p);
    void (*upload)(s2s_backend *be, void *dst, const void *host_src, size_t bytes);
    void (*download)(s2s_backend *be, void *host_dst, const void *src, size_t bytes);
    void (*copy)(s2s_backend *be, void *dst, const void *src, size_t bytes);
    void (*zero)(s2s_backend *be, void *p, size_t bytes);
    /* Waits for queued work; returns the first failure since the last sync. */
    int (*sync)(s2s_backend *be, s2s_error *err);
    void (*destroy)(s2s_backend *be);

    /* ---- dense algebra ---- */
    /* C(M,N) = alpha * op(A) op(B) + beta * C, row-major; op(X) = X or X^T. */
    void (*gemm)(s2s_backend *be, int transA, int transB, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
    /* The n transposes of list, at once. Needed only with few_rows > 0. */
    void (*transpose)(s2s_backend *be, const s2s_transpose *list, int n);
    /* y(out) = W x (accumulate: y += W x), W (out, in) with rows ldw floats
     * apart: one row's x Wᵀ without a batch's overheads, for decoding one
     * sentence. Optional (NULL: the model uses gemm). */
    void (*gemv)(s2s_backend *be, float *y, const float *W, int ldw, const float *x, int out,
                 int in, int accumulate);
    /* y(rows, cols) += bias(cols) broadcast over rows. */
    void (*add_bias)(s2s_backend *be, float *y, const float *bias, int rows, int cols);
    /* dbias(cols) += column sums of dy(rows, cols). */
    void (*bias_grad)(s2s_backend *be, float *dbias, const float *dy, int rows, int cols);
    /* y(n) += x(n). */
    void (*add)(s2s_backend *be, float *y, const float *x, size_t n);

    /* ---- embedding ---- */
    /* out(n, E) = table[ids[i]]. */
    void (*embed_forward)(s2s_backend *be, float *out, const float *table, const int *ids,
                          int n, int E);
    /* dtable[ids[i]] += d_out(i); rows of <PAD> (id 0) receive nothing. */
    void (*embed_backward)(s2s_backend *be, float *dtable, const float *d_out, const int *ids,
                           int n, int E);

    /* ---- dropout (inverted): mask[i] = 0 or 1/(1-p), drawn from rng_hash01(seed, i) ---- */
    void (*dropout_forward)(s2s_backend *be, float *y, float *mask, const float *x, size_t n,
                            float p, uint64_t seed);
    void (*dropout_backward)(s2s_backend *be, float *dx, const float *dy, const float *mask,
                             size_t n);

    /* ---- GRU cell, PyTorch's nn.GRU equations, gate order r, z, n ----
     * gi(B,3H) = x W_ih^T and gh(B,3H) = h_prev W_hh^T come in precomputed;
     * the biases b_ih(3H), b_hh(3H) are added here (NULL: already in gi or gh),
     * which saves a pass and, on a GPU, a launch per product. gates(B,4H)
     * keeps r, z, n and (W_hn h_prev + b_hn) for the backward pass. With
     * len != NULL, rows with t >= len[b] copy h_prev (a finished sentence's
     * state is carried, not updated). */
    void (*gru_forward)(s2s_backend *be, float *h, float *gates, const float *gi,
                        const float *gh, const float *b_ih, const float *b_hh,
                        const float *h_prev, const int *len, int t, int B, int H);
    /* From dh(B,H) writes d_gi(B,3H), d_gh(B,3H) and dh_prev(B,H) (the part
     * that flows directly; the caller adds d_gh W_hh). */
    void (*gru_backward)(s2s_backend *be, float *d_gi, float *d_gh, float *dh_prev,
                         const float *dh, const float *gates, const float *h_prev,
                         const int *len, int t, int B, int H);

    /* ---- attention over source positions s < len[b] (masked softmax) ----
     * Bahdanau: e = tanh(keys(s,b) + query(b)), score = v . e
     * Luong:    score = query(b) . values(s,b)
     * alpha(B,S) = masked softmax(score); context(B,H) = sum_s alpha values(s,b).
     * keys, values: (S,B,H); energy: (S,B,H) cache for Bahdanau. */
    void (*attn_forward)(s2s_backend *be, int kind, float *context, float *alpha,
                         float *energy, const float *keys, const float *query, const float *v,
                         const float *values, const int *len, int S, int B, int H);
    /* Gradients: d_keys (+=, Bahdanau), d_query (=), d_v (+=, Bahdanau), d_values (+=).
     * d_alpha (B,S), when not NULL, is a further gradient of alpha itself (from
     * the next step's location term), added to the one through the context. */
    void (*attn_backward)(s2s_backend *be, int kind, float *d_keys, float *d_query, float *d_v,
                          float *d_values, const float *d_context, const float *d_alpha,
                          const float *alpha, const float *energy, const float *query,
                          const float *v, const float *values, const int *len, int S, int B,
                          int H);

    /* ---- location term of location attention (K = S2S_LOC_K taps) ----
     * keys_t(s,b,:) = keys(s,b,:) + bias + Σ_k U(:,k) α_prev(b, s+k−1), with
     * α_prev(b, ·) = 0 outside 0..S−1: a convolution of the previous step's
     * alignment (B,S) into H features per position, added inside Bahdanau's
     * tanh. */
    void (*loc_forward)(s2s_backend *be, float *keys_t, const float *keys, const float *alpha_prev,
                        const float *U, const float *bias, int S, int B, int H);
    /* dU(H,K) += Σ_{s,b} d_keys_t(s,b,:) α_prev(b, s+k−1);  dbias(H) += Σ_{s,b} d_keys_t(s,b,:);
     * d_alpha_prev(b,p) = Σ_k Σ_h d_keys_t(p−k+1, b, h) U(h,k)  (=; skipped when NULL). */
    void (*loc_backward)(s2s_backend *be, float *dU, float *dbias, float *d_alpha_prev,
                         const float *d_keys_t, const float *alpha_prev, const float *U, int S,
                         int B, int H);

    /* ---- output: softmax cross-entropy over V classes ----
     * For rows whose target is not <PAD>: loss_sum[0] += scale * -log p(target),
     * d_logits = scale * (softmax - onehot); other rows get d_logits = 0. */
    void (*xent_forward)(s2s_backend *be, float *loss_sum, float *d_logits, const float *logits,
                         const int *target, int B, int V, float scale);
    /* next[b] = teacher[b] if teacher != NULL, else argmax_v logits(b, v). */
    void (*next_token)(s2s_backend *be, int *next, const float *logits, const int *teacher,
                       int B, int V);

    /* ---- optimiser ---- */
    /* norm[0] = ||g||_2 over n floats; if norm > max_norm (and max_norm > 0)
     * g *= max_norm / (norm + 1e-6), as the seed's clip_gradients. */
    void (*clip_norm)(s2s_backend *be, float *g, size_t n, float max_norm, float *norm);
    /* Adam with bias correction at step t (1-based). */
    void (*adam)(s2s_backend *be, float *p, const float *g, float *m, float *v, size_t n,
                 float lr, float beta1, float beta2, float eps, int t);
};

enum { S2S_ATTN_BAHDANAU = 0, S2S_ATTN_LUONG = 1, S2S_ATTN_NONE = 2, S2S_ATTN_LOCATION = 3 };
/* Taps of the location term's convolution: the previous alignment one
 * position left, on, and one right of each position. */
enum { S2S_LOC_K = 3 };

/* Creates the CPU backend (CBLAS). threads: the batch is split across this
 * many threads (<= 0: one per online CPU, at most 8), each calling a
 * single-threaded BLAS; results are reproducible for a given count. */
int backend_cpu_create(s2s_backend **out, int threads, s2s_error *err);
/* Creates the CUDA backend; S2S_ERR_UNSUPPORTED in a build without CUDA or on
 * a machine without a GPU (the message says which). */
int backend_cuda_create(s2s_backend **out, int device, s2s_error *err);
/* Releases a backend made by either constructor (NULL is fine). */
void backend_free(s2s_backend *be);
/* Which BLAS the CPU backend runs, for --version and the benchmark. */
const char *backend_cpu_blas_info(void);
/* The instruction set of our own CPU kernels (products of few rows,
 * one-sentence decoding): "avx512", "avx2" or "scalar". */
const char *backend_cpu_own_isa(void);
/* The kernel family the BLAS runs (OpenBLAS: e.g. "Cooperlake"). */
const char *backend_cpu_blas_core(void);
/* The OpenBLAS kernel family this CPU can run when OpenBLAS picked a weaker
 * one ("SkylakeX", "Haswell"), else NULL. OpenBLAS reads OPENBLAS_CORETYPE
 * only when it loads, so the program sets it and restarts itself. */
const char *backend_cpu_blas_better_core(void);
/* GEMMs through TF32 tensor cores (on = 1) or in full FP32 (on = 0, the
 * default, which the CPU-vs-CUDA tests assume). Does nothing to a backend
 * that is not the CUDA one, or in a build without CUDA. */
void backend_cuda_set_tf32(s2s_backend *be, int on);
/* Instruments for the benchmark; in a build without CUDA, or on another
 * backend, counts are 0 and the rest fail with S2S_ERR_UNSUPPORTED.
 * counts: operations queued since creation (kernels including cuBLAS calls;
 * copies and memsets). capture_begin/_end record what the backend queues in
 * between into a CUDA graph, kernels and device copies only: uploads and
 * downloads are skipped and sync() does not wait, so the host sees no
 * results while capturing (the device buffers keep what the last real run
 * left). replay launches that graph `times` times and waits. */
void backend_cuda_counts(s2s_backend *be, long *kernels, long *copies);
int backend_cuda_capture_begin(s2s_backend *be, s2s_error *err);
int backend_cuda_capture_end(s2s_backend *be, s2s_error *err);
int backend_cuda_replay(s2s_backend *be, int times, s2s_error *err);
/* 1 if this build contains the CUDA backend. */
int backend_cuda_compiled(void);

#endif
