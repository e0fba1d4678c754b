/* bench.c — how fast a backend trains and decodes, in figures that
 * compare across machines: seconds per epoch (median), tokens/s, useful
 * GFLOP/s against the machine's own SGEMM peak through the same BLAS, peak
 * memory, one-sentence latency and batched evaluation throughput.
 *
 *   build/tests/bench [--device cpu|cuda] [--batch N] [--epochs N]
 *                     [--threads N] [--to-accuracy]
 *   build/tests/bench --latency CKPT
 *   build/tests/bench --pairs FILE [--batches N] [--batch N] [--threads N]
 *
 * On CUDA it also takes one training step apart: operations queued per
 * step, its time launched op by op against the same step replayed as a
 * CUDA graph (the GPU's own time with the launch gaps removed), and the
 * prompt's two ways to decode one sentence: on the GPU, or on the CPU from
 * a downloaded parameter snapshot (the terminal UI's way).
 *
 * --latency CKPT times only one sentence through decode_sentence with a
 * trained model (median of 9 medians), without training; --threads 1 for
 * one core.
 *
 * --pairs FILE asks whether a large corpus of one's own trains as fast as
 * the seed's task: the wall time to load it (read and split, vocabularies,
 * encoding, as `seq2seq train --pairs` does), the padding share of an
 * epoch's batches with and without bucketing, target tokens/s over N
 * batches (120) with bucketing on, the same over N batches of the seed's
 * task (bucketing off, as its default run) with the same model
 * configuration, the two taking turns in three rounds, their ratio, the
 * useful work per token that explains it, and the peak resident memory
 * after loading and after training. Its last line is SUMMARY_PAIRS.
 *
 * The last line is a summary for tests/bench.sh to read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "backend.h"
#include "checkpoint.h"
#include "data.h"
#include "model.h"
#include "setup.h"
#include "decode.h"
#include "train.h"
#include "optime.h"
#include "gemv_cpu.h"

#if !defined(S2S_NO_CBLAS)
#include <cblas.h>
#endif

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The CPU's model name and which of the vector extensions that matter for
 * SGEMM it has, from /proc/cpuinfo (Linux; "unknown" elsewhere), so runs on
 * different machines can be told apart. */
static void print_cpu(void)
{
    static const char *const isa[] = {"sse4_2", "avx", "fma", "avx2", "avx512f", "avx512bw",
                                      "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
                                      "amx_tile", "amx_bf16"};
    enum { NISA = sizeof isa / sizeof isa[0] };
    char line[8192], name[256] = "unknown";
    int have[NISA] = {0}, got_flags = 0, family = -1, model = -1;
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        char *v = colon + 1 + (colon[1] == ' ');
        v[strcspn(v, "\n")] = '\0';
        if (!strncmp(line, "model name", 10) && !strcmp(name, "unknown"))
            snprintf(name, sizeof name, "%s", v);
        else if (!strncmp(line, "cpu family", 10) && family < 0)
            family = atoi(v);
        else if (!strncmp(line, "model\t", 6) && model < 0)
            model = atoi(v);
        else if (!strncmp(line, "flags", 5) && !got_flags) {
            got_flags = 1;
            for (char *tok = strtok(v, " "); tok; tok = strtok(NULL, " "))
                for (int i = 0; i < NISA; i++)
                    if (!strcmp(tok, isa[i])) have[i] = 1;
        }
    }
    if (f) fclose(f);
    printf("cpu: %s", name);
    if (family >= 0) printf(" (family %d, model %d)", family, model);
    printf("; has:");
    for (int i = 0; i < NISA; i++)
        if (have[i]) printf(" %s", isa[i]);
    printf("; lacks:");
    for (int i = 0; i < NISA; i++)
        if (!have[i] && got_flags) printf(" %s", isa[i]);
    printf("%s\n", got_flags ? "" : " (no /proc/cpuinfo flags)");
}

static void die(const char *what, const s2s_error *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err->msg);
    exit(1);
}

/* SGEMM GFLOP/s (the best of reps: a peak, on a machine others share) for
 * an M×K by K×N product on `threads`. */
static double sgemm_gflops(int M, int N, int K, int threads, int reps)
{
#if defined(S2S_NO_CBLAS)
    (void)M, (void)N, (void)K, (void)threads, (void)reps;
    return NAN;
#else
#if defined(OPENBLAS_VERSION)
    openblas_set_num_threads(threads);
#else
    (void)threads;
#endif
    float *A = malloc(sizeof(float) * (size_t)M * K), *B = malloc(sizeof(float) * (size_t)K * N);
    float *C = malloc(sizeof(float) * (size_t)M * N);
    if (!A || !B || !C) exit(1);
    for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)K * N; i++) B[i] = (float)(i % 5) * 0.1f;
    double t[64];
    int inner = (int)(2e9 / (2.0 * M * N * K)) + 1; /* ~2 GFLOP per timing */
    for (int r = 0; r < reps && r < 64; r++) {
        double t0 = s2s_now_s();
        for (int k = 0; k < inner; k++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A, K, B, K, 0.0f, C,
                        N);
        t[r] = (s2s_now_s() - t0) / inner;
    }
    free(A);
    free(B);
    free(C);
#if defined(OPENBLAS_VERSION)
    openblas_set_num_threads(1); /* as the CPU backend runs it */
#endif
    double best = t[0];
    for (int r = 1; r < reps && r < 64; r++) best = t[r] < best ? t[r] : best;
    return 2.0 * M * N * K / best * 1e-9;
#endif
}

typedef struct {
    double epoch_s[1000], tok_s[1000];
    int n;
    /* --to-accuracy: test exact match after each epoch, its own time excluded */
    s2s_model *m;
    const s2s_dataset *test;
    double t_start, t_measuring, reached_s;
    int reached_epoch, stop;
} epoch_log;

/* GFLOP/s of an n×n×n SGEMM through a backend's gemm (median of reps). */
static double backend_gemm_gflops(s2s_backend *be, int n, int reps)
{
    s2s_error err;
    size_t bytes = sizeof(float) * (size_t)n * n;
    float *A = be->alloc(be, bytes), *B = be->alloc(be, bytes), *C = be->alloc(be, bytes);
    float *h = malloc(bytes);
    if (!A || !B || !C || !h) exit(1);
    for (size_t i = 0; i < (size_t)n * n; i++) h[i] = (float)(i % 7) * 0.1f - 0.3f;
    be->upload(be, A, h, bytes);
    be->upload(be, B, h, bytes);
    double t[16];
    if (reps > 16) reps = 16;
    be->gemm(be, 0, 1, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n); /* warm-up */
    if (be->sync(be, &err)) die("gemm", &err);
    for (int r = 0; r < reps; r++) {
        double t0 = s2s_now_s();
        for (int k = 0; k < 10; k++) be->gemm(be, 0, 1, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
        if (be->sync(be, &err)) die("gemm", &err);
        t[r] = (s2s_now_s() - t0) / 10;
    }
    be->free(be, A);
    be->free(be, B);
    be->free(be, C);
    free(h);
    return 2.0 * n * n * (double)n / median(t, reps) * 1e-9;
}

static void on_epoch(void *user, int epoch, float tl, float vl, int best, double s, double tps)
{
    epoch_log *e = user;
    (void)best;
    printf("  epoch %d: train %.2f s, %.0f tokens/s (train loss %.4f, val loss %.4f)\n", epoch, s,
           tps, (double)tl, (double)vl);
    if (e->n < 1000) {
        e->epoch_s[e->n] = s;
        e->tok_s[e->n] = tps;
        e->n++;
    }
    if (e->test) {
        double t0 = s2s_now_s();
        s2s_decoded res;
        s2s_error err;
        if (decode_dataset(e->m, e->test, 64, 0, &res, &err)) die("decode", &err);
        double acc = 100.0 * res.n_correct / res.count;
        decoded_free(&res);
        double wall = t0 - e->t_start - e->t_measuring;
        e->t_measuring += s2s_now_s() - t0;
        printf("    test exact match %.2f%% after %.1f s of training\n", acc, wall);
        if (acc >= 99.9 && !e->reached_epoch) {
            e->reached_epoch = epoch;
            e->reached_s = wall;
            e->stop = 1;
        }
    }
    fflush(stdout);
}

static int on_step(void *user, const s2s_progress *p)
{
    (void)p;
    return ((epoch_log *)user)->stop;
}

/* Median milliseconds of greedy decoding of `one` (the UI prompt's cost). */
static double greedy_ms(s2s_model *m, const s2s_batch *one)
{
    s2s_error err;
    int tok[14];
    float att[14 * 7];
    double lat[201];
    for (int r = 0; r < 201; r++) {
        double t0 = s2s_now_s();
        if (model_greedy(m, one, 14, tok, att, &err)) die("greedy", &err);
        lat[r] = s2s_now_s() - t0;
    }
    return median(lat, 201) * 1e3;
}

/* Median milliseconds of decode_sentence on a 6-word sentence: what
 * `reverse` and the UI's prompt pay per sentence (greedy decoding plus the
 * labels, the attention and the copy-through rule). */
static double sentence_ms(s2s_model *m, const s2s_vocabs *v)
{
    s2s_error err;
    s2s_sentence s;
    if (sentence_tokenize("the cat sat on the mat", &s, &err)) die("sentence", &err);
    double lat[201];
    for (int r = 0; r < 201; r++) {
        s2s_decoding d;
        double t0 = s2s_now_s();
        if (decode_sentence(m, v, &s, &d, &err)) die("decode", &err);
        lat[r] = s2s_now_s() - t0;
        decoding_free(&d);
    }
    sentence_free(&s);
    return median(lat, 201) * 1e3;
}

/* One decoder step's products with one row, as decoding one sentence makes
 * them (E128 H256 L2, the embedding's product read from the word table):
 * W_s (256x256), layer 0's context block of W_ih (768x256 of 768x384), W_hh
 * of both layers and layer 1's W_ih (768x256), the output layer (38x256):
 * 3.4 MB, more than one core's L2 on this project's machines. Timed through
 * OpenBLAS's sgemm (what decoding used before) and sgemv, and through
 * gemv_run on one core and split between two. Microseconds per step, the
 * median of 9 runs of 300 steps. */
typedef struct {
    const float *W;
    int out, in, ldw;
} step_product;

static double step_us(const step_product *p, int n, float *x, float *y, int how, gemv_team *team)
{
    double t[9];
    for (int r = 0; r < 9; r++) {
        const double t0 = s2s_now_s();
        for (int k = 0; k < 300; k++)
            for (int i = 0; i < n; i++) {
#if !defined(S2S_NO_CBLAS)
                if (how == 0)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, p[i].out, p[i].in, 1.0f,
                                x, p[i].in, p[i].W, p[i].ldw, 0.0f, y, p[i].out);
                else if (how == 1)
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, p[i].out, p[i].in, 1.0f, p[i].W,
                                p[i].ldw, x, 1, 0.0f, y, 1);
                else
#endif
                    gemv_run(how == 3 ? team : NULL, y, p[i].W, p[i].ldw, x, p[i].out, p[i].in, 0);
            }
        t[r] = (s2s_now_s() - t0) / 300;
    }
    return median(t, 9) * 1e6;
}

static void decoder_step_products(void)
{
    static const int shape[6][3] = {{256, 256, 256}, {768, 256, 384}, {768, 256, 256},
                                    {768, 256, 256}, {768, 256, 256}, {38, 256, 256}};
    step_product p[6];
    float *w[6], x[256], y[768];
    size_t bytes = 0;
    for (int i = 0; i < 6; i++) {
        const size_t n = (size_t)shape[i][0] * shape[i][2];
        if (!(w[i] = malloc(sizeof(float) * n))) exit(1);
        for (size_t k = 0; k < n; k++) w[i][k] = (float)(k % 13) * 0.01f - 0.06f;
        p[i] = (step_product){w[i], shape[i][0], shape[i][1], shape[i][2]};
        bytes += sizeof(float) * (size_t)shape[i][0] * shape[i][1];
    }
    for (int k = 0; k < 256; k++) x[k] = (float)(k % 7) * 0.1f;
    gemv_team *team = NULL;
    if (gemv_team_create(&team)) team = NULL;
    printf("one decoder step's one-row products (%.1f MB of weights), us per step, median of 9:",
           bytes / 1e6);
#if !defined(S2S_NO_CBLAS)
    printf(" OpenBLAS sgemm %.1f, sgemv %.1f;", step_us(p, 6, x, y, 0, NULL),
           step_us(p, 6, x, y, 1, NULL));
#endif
    printf(" gemv_run 1 core %.1f, 2 cores %.1f\n", step_us(p, 6, x, y, 2, NULL),
           team ? step_us(p, 6, x, y, 3, team) : NAN);
    gemv_team_free(team);
    for (int i = 0; i < 6; i++) free(w[i]);
}

/* --latency CKPT: a trained model's one-sentence latency on `threads` CPU
 * threads (--threads; 0: one per core, as the program runs), the median of
 * `runs` medians, without training first. */
static int latency_only(const char *path, int threads, int runs)
{
    s2s_error err;
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    s2s_vocabs v;
    if (backend_cpu_create(&be, threads, &err) || checkpoint_load(path, be, &m, &v, NULL, &err))
        die(path, &err);
    const s2s_config *c = model_config(m);
    printf("model: %s: E%d H%d L%d %s, %zu parameters; cpu backend, %d thread(s)\n", path,
           c->embed, c->hidden, c->layers, attention_name(c->attention), model_num_params(m),
           be->shards);
    double med[64];
    if (runs > 64) runs = 64;
    for (int r = 0; r < runs; r++) med[r] = sentence_ms(m, &v);
    const double ms = median(med, runs);
    printf("one sentence (6 words) through decode_sentence, %d thread(s): median %.3f ms "
           "(median of %d runs of 201)\n",
           be->shards, ms, runs);
    decoder_step_products();
    printf("LATENCY sentence_ms=%.4f\n", ms);
    model_free(m);
    backend_free(be);
    vocabs_free(&v);
    return 0;
}

/* One training step (forward + backward, clip + Adam) over b, as train_run
 * takes it. */
static void train_step(s2s_model *m, const s2s_batch *b, const unsigned char *feed, uint64_t seed)
{
    s2s_error err;
    s2s_adam_opts adam = {1e-3f, 0.9f, 0.999f, 1e-8f, 1.0f};
    float loss, norm;
    if (model_forward_backward(m, b, feed, 1, seed, &loss, &err) ||
        model_clip_adam(m, &adam, &norm, &err))
        die("train step", &err);
}

/* The CUDA step taken apart: what one step queues, and how long it takes
 * launched operation by operation against replayed as one CUDA graph. The
 * batch is a typical one: the first `batch` training sentences, sorted
 * longest first as train_run sorts every batch. */
static void cuda_step_breakdown(s2s_model *m, const s2s_dataset *d, int batch)
{
    s2s_error err;
    s2s_backend *be = model_backend(m);
    int n = batch < d->count ? batch : d->count, *idx = malloc(sizeof(int) * (size_t)n);
    s2s_batch b = {0};
    unsigned char feed[S2S_MAX_SENTENCE_WORDS + 8] = {0};
    if (!idx || batch_create(&b, n, d->max_src, d->max_tgt, &err)) die("batch", &err);
    for (int i = 0; i < n; i++) idx[i] = i;
    batch_sort_by_length(idx, n, d);
    if (batch_fill(&b, d, idx, n, &err)) die("batch", &err);
    for (int t = 1; t < b.T - 1 && t < (int)sizeof feed; t++) feed[t] = (unsigned char)(t % 2);

    enum { REPS = 30 };
    double direct[REPS];
    long k0, c0, k1, c1;
    train_step(m, &b, feed, 1); /* warm: workspace and scratch at their size */
    backend_cuda_counts(be, &k0, &c0);
    train_step(m, &b, feed, 1);
    backend_cuda_counts(be, &k1, &c1);
    for (int r = 0; r < REPS; r++) {
        double t0 = s2s_now_s();
        train_step(m, &b, feed, 1);
        direct[r] = s2s_now_s() - t0;
    }
    /* While capturing nothing is launched and nothing waits: the time to
     * record the step is the host's own cost of queuing it. */
    if (backend_cuda_capture_begin(be, &err)) die("capture", &err);
    double t0 = s2s_now_s();
    train_step(m, &b, feed, 1);
    double record_s = s2s_now_s() - t0;
    if (backend_cuda_capture_end(be, &err)) die("capture", &err);
    double capture_s = s2s_now_s() - t0;
    if (backend_cuda_replay(be, 3, &err)) die("replay", &err); /* warm */
    double replay[REPS];
    for (int r = 0; r < REPS; r++) {
        t0 = s2s_now_s();
        if (backend_cuda_replay(be, 10, &err)) die("replay", &err);
        replay[r] = (s2s_now_s() - t0) / 10;
    }
    double d_ms = median(direct, REPS) * 1e3, g_ms = median(replay, REPS) * 1e3;
    printf("one step, batch %d (S=%d, T=%d): %ld kernel launches (cuBLAS calls included) + %ld "
           "copies/memsets\n",
           n, b.S, b.T, k1 - k0, c1 - c0);
    printf("  launched op by op: %.3f ms | replayed as a CUDA graph: %.3f ms (GPU time) | "
           "recording it: %.3f ms (host time) | recording + instantiating: %.3f ms\n",
           d_ms, g_ms, record_s * 1e3, capture_s * 1e3);
    printf("  launch overhead: %.0f%% of the step (%.2f us per operation)\n",
           100.0 * (d_ms - g_ms) / d_ms, (d_ms - g_ms) * 1e3 / (double)(k1 - k0 + c1 - c0));
    printf("STEP launches=%ld copies=%ld direct_ms=%.4f graph_ms=%.4f record_ms=%.4f "
           "capture_ms=%.4f\n",
           k1 - k0, c1 - c0, d_ms, g_ms, record_s * 1e3, capture_s * 1e3);
    batch_free(&b);
    free(idx);
}

/* A task's three splits, its vocabularies and their encodings. */
typedef struct {
    s2s_corpus tr, va, te;
    s2s_vocabs vocab;
    s2s_dataset dtr, dva, dte;
} task_data;

static int encode_splits(task_data *t, s2s_error *err)
{
    if (dataset_create(&t->dtr, &t->tr, &t->vocab, err)) return 1;
    if (dataset_create(&t->dva, &t->va, &t->vocab, err)) return 1;
    return dataset_create(&t->dte, &t->te, &t->vocab, err);
}

/* The seed's task: 8000/1000/1000 sentences from seed 42, one vocabulary. */
static void synthetic_data(task_data *t)
{
    s2s_error err;
    memset(t, 0, sizeof *t);
    if (vocabs_create(&t->vocab, 1, &err) ||
        corpus_synthetic(&t->tr, &t->va, &t->te, 8000, 1000, 1000, 42, &err) ||
        vocabs_build(&t->vocab, &t->tr, &err) || encode_splits(t, &err))
        die("data", &err);
}

/* A pairs file loaded as `seq2seq train --pairs FILE` loads it with its
 * defaults (seed 42, words, a vocabulary for each side, no limits);
 * returns the wall seconds that took. */
static double pairs_data(task_data *t, const char *path)
{
    s2s_error err;
    memset(t, 0, sizeof *t);
    const double t0 = s2s_now_s();
    if (corpus_from_pairs(path, S2S_TOKENS_WORDS, 0, 42, &t->tr, &t->va, &t->te, NULL, &err) ||
        vocabs_create(&t->vocab, 0, &err) || vocabs_build_limited(&t->vocab, &t->tr, 1, 0, &err) ||
        encode_splits(t, &err))
        die(path, &err);
    return s2s_now_s() - t0;
}

static void task_data_free(task_data *t)
{
    dataset_free(&t->dtr);
    dataset_free(&t->dva);
    dataset_free(&t->dte);
    corpus_free(&t->tr);
    corpus_free(&t->va);
    corpus_free(&t->te);
    vocabs_free(&t->vocab);
}

/* The seed's configuration (E128 H256 L2, dropout 0.1, Bahdanau) over the
 * vocabularies v, initialized from seed 42. */
static s2s_model *seed_model(s2s_backend *be, const s2s_vocabs *v)
{
    s2s_error err;
    s2s_config cfg = {v->src.size, vocabs_tgt(v)->size, 128, 256, 2, 0.1f, S2S_ATTN_BAHDANAU, 0};
    s2s_model *m = NULL;
    if (model_create(&m, &cfg, be, &err) || model_init_params(m, 42, &err)) die("model", &err);
    return m;
}

/* The backend --device names; NULL, with a SKIP line, when there is no GPU. */
static s2s_backend *open_backend(int cuda, int threads)
{
    s2s_error err;
    s2s_backend *be = NULL;
    if (!cuda) {
        if (backend_cpu_create(&be, threads, &err)) die("backend", &err);
    } else if (backend_cuda_create(&be, 0, &err)) {
        printf("SKIP: %s\n", err.msg);
        return NULL;
    }
    return be;
}

/* What the batches of one pass over d hold: useful work (real tokens only,
 * so the same in any order; with m NULL not counted), target tokens to
 * predict, and source + target positions, padded and in all. */
typedef struct {
    double flops, tokens, padded, positions;
} batches_work;

/* order: the sentences in the order they are batched, batch at a time;
 * NULL: in file order. */
static batches_work count_batches(const s2s_model *m, const s2s_dataset *d, const int *order,
                                  int batch)
{
    s2s_error err;
    s2s_batch b = {0};
    batches_work w = {0};
    int *idx = malloc(sizeof(int) * (size_t)batch);
    if (!idx || batch_create(&b, batch, d->max_src, d->max_tgt, &err)) die("batch", &err);
    for (int i = 0; i < d->count; i += batch) {
        const int n = d->count - i < batch ? d->count - i : batch;
        for (int k = 0; k < n; k++) idx[k] = order ? order[i + k] : i + k;
        if (batch_fill(&b, d, idx, n, &err)) die("batch", &err);
        if (m) w.flops += model_train_flops(m, &b);
        w.tokens += b.ntok;
        double real = 0.0;
        for (int k = 0; k < n; k++) real += b.src_len[k] + b.tgt_len[k];
        w.positions += (double)n * (b.S + b.T);
        w.padded += (double)n * (b.S + b.T) - real;
    }
    batch_free(&b);
    free(idx);
    return w;
}

/* The share of an epoch's batch positions (source + target) that are
 * padding, with the sentences ordered as train_run orders them: shuffled,
 * and with bucketing every chunk of BUCKET_BATCHES batches sorted by
 * source length. train.c's own order is not reachable from here, so this
 * is its scheme over another shuffle (an epoch's 2500 batches make the
 * share all but independent of which); the order of the batches
 * themselves, which train.c also shuffles, pads nothing. */
enum { BUCKET_BATCHES = 32 }; /* train.c's */
static double padding_share(const s2s_dataset *d, int batch, int bucket)
{
    int *order = malloc(sizeof(int) * (size_t)d->count);
    if (!order) exit(1);
    for (int i = 0; i < d->count; i++) order[i] = i;
    s2s_rng rng;
    rng_seed(&rng, 42);
    shuffle_ints(order, d->count, &rng);
    const int chunk = BUCKET_BATCHES * batch;
    for (int from = 0; bucket && from < d->count; from += chunk)
        batch_sort_by_length(order + from, d->count - from < chunk ? d->count - from : chunk, d);
    const batches_work w = count_batches(NULL, d, order, batch);
    free(order);
    return w.padded / w.positions;
}

typedef struct {
    int stop_at;  /* batches to train */
    double tok_s; /* train_run's tokens/s of the epoch so far */
} batch_log;

static int stop_after(void *user, const s2s_progress *p)
{
    batch_log *l = user;
    l->tok_s = p->tokens_per_s;
    return p->step >= l->stop_at;
}

/* Target tokens/s over the first n batches of an epoch (n at most an
 * epoch's) drawn with seed, as train_run counts them for its epoch lines:
 * the figure of the epochs above, over n batches instead of all. */
static double train_batches(s2s_model *m, const task_data *t, int batch, int bucket, int n,
                            uint64_t seed)
{
    s2s_error err;
    s2s_train_opts o;
    train_opts_default(&o);
    o.epochs = 1;
    o.batch = batch;
    o.bucket = bucket;
    o.seed = seed;
    batch_log l = {n, 0.0};
    s2s_train_hooks hooks = {.user = &l, .on_step = stop_after};
    const int rc = train_run(m, &t->vocab, &t->dtr, &t->dva, &o, &hooks, &err);
    if (rc && rc != S2S_ERR_INTERRUPTED) die("train", &err);
    return l.tok_s;
}

static double rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

/* Pairs, sentence lengths and vocabulary sizes of a loaded corpus. */
static void describe_pairs(const char *path, const task_data *p, double load_s)
{
    const s2s_dataset *d = &p->dtr;
    double words = 0.0;
    for (int i = 0; i < d->count; i++) words += d->src_len[i] - 1; /* without <EOS> */
    printf("pairs: %s: %d train / %d val / %d test; source words per pair %.1f on average, "
           "%d at most; vocabularies %d source, %d target (specials included)\n",
           path, d->count, p->dva.count, p->dte.count, words / d->count, d->max_src - 1,
           p->vocab.src.size, vocabs_tgt(&p->vocab)->size);
    printf("load (read + split, vocabularies, encoding of the three splits): %.2f s wall\n",
           load_s);
}

/* Both tasks' tokens/s, each the median of ROUNDS rounds of n / ROUNDS
 * batches, the two taking turns, and the median of the rounds' ratios: on
 * a shared machine a burst of someone else's work then slows both alike
 * instead of one of them. Each round
 * continues training its model on fresh batches (another seed); the first
 * round's workspace allocation is what the median leaves out, as the
 * median of epochs does above. */
enum { ROUNDS = 3 };
static void race(s2s_model *mp, const task_data *p, s2s_model *ms, const task_data *s, int n,
                 int batch, double *tps_p, double *tps_s, double *ratio)
{
    double rp[ROUNDS], rs[ROUNDS], q[ROUNDS];
    const int per = (n + ROUNDS - 1) / ROUNDS;
    for (int r = 0; r < ROUNDS; r++) {
        rp[r] = train_batches(mp, p, batch, 1, per, 42 + (uint64_t)r);
        rs[r] = train_batches(ms, s, batch, 0, per, 42 + (uint64_t)r);
        q[r] = rp[r] / rs[r];
        printf("  round %d of %d batches each: pairs %.0f tokens/s, synthetic %.0f tokens/s "
               "(ratio %.2f); peak RSS so far %.1f MiB\n",
               r + 1, per, rp[r], rs[r], q[r], rss_mib());
        fflush(stdout);
    }
    *tps_p = median(rp, ROUNDS);
    *tps_s = median(rs, ROUNDS);
    *ratio = median(q, ROUNDS);
}

/* --pairs FILE: see the top of this file. */
static int pairs_mode(s2s_backend *be, const char *path, int n, int batch)
{
    task_data p, s;
    const double rss_start = rss_mib();
    const double load_s = pairs_data(&p, path);
    describe_pairs(path, &p, load_s);
    const double rss_load = rss_mib();
    const double pad_on = padding_share(&p.dtr, batch, 1), pad_off = padding_share(&p.dtr, batch, 0);
    printf("padding, share of an epoch's source + target positions: %.1f%% with bucketing, "
           "%.1f%% without\n",
           100.0 * pad_on, 100.0 * pad_off);

    synthetic_data(&s);
    const int steps_s = (s.dtr.count + batch - 1) / batch; /* the pairs have more */
    if (n > ROUNDS * steps_s) {
        printf("(--batches %d: a round is at most an epoch of the synthetic task, %d batches)\n",
               n, steps_s);
        n = ROUNDS * steps_s;
    }
    n = (n + ROUNDS - 1) / ROUNDS * ROUNDS;
    printf("model: E128 H256 L2 bahdanau; %s backend, %d thread(s); batch %d; %d batches of "
           "each task\n",
           be->name, be->shards, batch, n);

    /* Useful work per target token over a whole epoch of each: what makes
     * one task's token dearer (the output layer grows with the target
     * vocabulary, attention with the source length). */
    s2s_model *mp = seed_model(be, &p.vocab), *ms = seed_model(be, &s.vocab);
    const batches_work wp = count_batches(mp, &p.dtr, NULL, batch);
    const batches_work ws = count_batches(ms, &s.dtr, NULL, batch);
    double tps_p, tps_s, ratio;
    race(mp, &p, ms, &s, n, batch, &tps_p, &tps_s, &ratio);
    model_free(mp);
    model_free(ms);
    const double rss_peak = rss_mib();

    const double fp = wp.flops / wp.tokens, fs = ws.flops / ws.tokens;
    printf("\n");
    printf("pairs:     %.0f tokens/s (bucketing on, median round); %.2f MFLOP per target token "
           "-> about %.1f GFLOP/s\n",
           tps_p, fp * 1e-6, tps_p * fp * 1e-9);
    printf("synthetic: %.0f tokens/s (bucketing off, median round); %.2f MFLOP per target token "
           "-> about %.1f GFLOP/s\n",
           tps_s, fs * 1e-6, tps_s * fs * 1e-9);
    printf("tokens/s pairs / synthetic: %.2f (median of the rounds' ratios); useful work per "
           "token: %.2fx the synthetic's\n",
           ratio, fp / fs);
    printf("peak resident memory: %.1f MiB at the start, %.1f MiB after loading, %.1f MiB after "
           "training (the pairs' model and the synthetic's small one)\n",
           rss_start, rss_load, rss_peak);
    printf("SUMMARY_PAIRS pairs=%d load_s=%.3f pairs_tokens_s=%.0f synthetic_tokens_s=%.0f "
           "ratio=%.3f pad_bucket=%.4f pad_plain=%.4f pairs_mflop_tok=%.3f "
           "synthetic_mflop_tok=%.3f rss_load_mib=%.1f rss_mib=%.1f batches=%d threads=%d\n",
           p.dtr.count + p.dva.count + p.dte.count, load_s, tps_p, tps_s, ratio, pad_on,
           pad_off, fp * 1e-6, fs * 1e-6, rss_load, rss_peak, n, be->shards);
    task_data_free(&p);
    task_data_free(&s);
    return 0;
}

int main(int argc, char **argv)
{
    setup_fast_blas_kernels(argv); /* the kernels the program itself would run */
    int epochs = 3, threads = 0, to_accuracy = 0, batch = 64, cuda = 0;
    int batches = 120;
    const char *latency_ckpt = NULL, *pairs = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
            const char *d = argv[++i];
            if (strcmp(d, "cpu") && strcmp(d, "cuda")) {
                fprintf(stderr, "bench: --device must be cpu or cuda\n");
                return 2;
            }
            cuda = !strcmp(d, "cuda");
        } else if (!strcmp(argv[i], "--to-accuracy")) to_accuracy = 1;
        else if (!strcmp(argv[i], "--latency") && i + 1 < argc) latency_ckpt = argv[++i];
        else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) pairs = argv[++i];
        else if (!strcmp(argv[i], "--batches") && i + 1 < argc) batches = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench [--device cpu|cuda] [--batch N] [--epochs N] "
                            "[--threads N] [--to-accuracy] [--latency CKPT] "
                            "[--pairs FILE [--batches N]]\n");
            return 2;
        }
    }
    if (batch < 1 || epochs < 1 || batches < 1) {
        fprintf(stderr, "bench: --batch, --epochs and --batches must be at least 1\n");
        return 2;
    }
    s2s_error err;
    if (latency_ckpt) {
        print_cpu();
        printf("BLAS: %s; kernels: %s\n", backend_cpu_blas_info(), backend_cpu_blas_core());
        return latency_only(latency_ckpt, threads, 9);
    }
    const long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    print_cpu();
    printf("machine: %ld CPUs; BLAS: %s; kernels: %s; own kernels: %s\n", ncpu,
           backend_cpu_blas_info(), backend_cpu_blas_core(), backend_cpu_own_isa());
    if (pairs) {
        s2s_backend *pbe = open_backend(cuda, threads);
        const int rc = pbe ? pairs_mode(pbe, pairs, batches, batch) : 0;
        if (pbe) backend_free(pbe);
        return rc;
    }
    s2s_backend *be = NULL;
    double peak;
    if (cuda) {
        if (!(be = open_backend(1, threads))) return 0;
        peak = backend_gemm_gflops(be, 4096, 5);
        printf("device: CUDA; FP32 SGEMM peak (4096^3 through cuBLAS, TF32 off): %.0f GFLOP/s\n",
               peak);
    } else {
        peak = sgemm_gflops(2048, 2048, 2048, (int)ncpu, 7);
        const double small1 = sgemm_gflops(64, 768, 256, 1, 5);
        printf("SGEMM peak (2048^3, %ld threads): %.1f GFLOP/s; 64x768x256 on 1 thread: %.1f "
               "GFLOP/s\n",
               ncpu, peak, small1);
        be = open_backend(0, threads);
    }

    /* The seed's task and configuration. */
    task_data t;
    synthetic_data(&t);
    s2s_model *m = seed_model(be, &t.vocab);
    const s2s_config cfg = *model_config(m);
    printf("model: E128 H256 L2 bahdanau, %zu parameters; %s backend, %d thread(s); batch %d\n",
           model_num_params(m), be->name, be->shards, batch);

    /* Useful work of one epoch: the real tokens of every training sentence. */
    const double flops = count_batches(m, &t.dtr, NULL, batch).flops;
    printf("work per epoch (forward + backward, real tokens): %.3f TFLOP\n", flops * 1e-12);

    /* Training epochs. */
    s2s_train_opts o;
    train_opts_default(&o);
    o.epochs = to_accuracy ? 30 : epochs;
    o.batch = batch;
    epoch_log log = {.n = 0, .m = m, .test = to_accuracy ? &t.dte : NULL, .t_start = s2s_now_s()};
    s2s_train_hooks hooks = {.user = &log, .on_epoch = on_epoch, .on_step = on_step};
    int rc = train_run(m, &t.vocab, &t.dtr, &t.dva, &o, &hooks, &err);
    if (rc && rc != S2S_ERR_INTERRUPTED) die("train", &err);
    double ep_s = median(log.epoch_s, log.n), tps = median(log.tok_s, log.n);
    double gflops = flops / ep_s * 1e-9;

    /* One sentence, as the UI's prompt decodes it. */
    s2s_batch one = {0};
    if (batch_create(&one, 1, 8, 2, &err)) die("batch", &err);
    static const char *words[] = {"the", "cat", "sat", "on", "the", "mat"};
    one.B = 1;
    one.S = 7;
    one.T = 2;
    one.src_len[0] = 7;
    for (int i = 0; i < 6; i++) one.src[i] = vocab_find(&t.vocab.src, words[i]);
    one.src[6] = S2S_EOS;
    const double latency_ms = greedy_ms(m, &one);
    const double sentence_lat_ms = sentence_ms(m, &t.vocab);

    /* CUDA: the UI's other way, a host snapshot decoded on one CPU thread. */
    double snap_ms = NAN, cpu_latency_ms = NAN;
    if (cuda) {
        s2s_backend *cbe = NULL;
        s2s_model *cm = NULL;
        float *host = malloc(sizeof(float) * model_num_params(m));
        if (!host || backend_cpu_create(&cbe, 1, &err) || model_create(&cm, &cfg, cbe, &err))
            die("cpu model", &err);
        double snap[21];
        for (int r = 0; r < 21; r++) {
            double t0 = s2s_now_s();
            if (model_get_params(m, host, &err)) die("snapshot", &err);
            snap[r] = s2s_now_s() - t0;
        }
        snap_ms = median(snap, 21) * 1e3;
        if (model_set_params(cm, host, &err)) die("snapshot", &err);
        cpu_latency_ms = greedy_ms(cm, &one);
        model_free(cm);
        backend_free(cbe);
        free(host);
    }
    batch_free(&one);

    /* The test set in batches. */
    double t0 = s2s_now_s();
    s2s_decoded res;
    if (decode_dataset(m, &t.dte, batch, 1, &res, &err)) die("decode", &err);
    double eval_s = s2s_now_s() - t0;
    int correct = res.n_correct;
    decoded_free(&res);

    /* The peak again, after training (the best of both is the peak), then
     * one more epoch taken apart operation by operation. */
    double bound = NAN;
    if (!cuda) {
        const double again = sgemm_gflops(2048, 2048, 2048, (int)ncpu, 7);
        if (again > peak) peak = again;
        printf("\nSGEMM peak, best of 7 before and 7 after training: %.1f GFLOP/s\n", peak);
        batch_log bl = {.stop_at = (t.dtr.count + batch - 1) / batch};
        s2s_train_hooks once = {.user = &bl, .on_step = stop_after};
        o.epochs = 1;
        optime_install(be);
        const double w0 = s2s_now_s();
        rc = train_run(m, &t.vocab, &t.dtr, &t.dva, &o, &once, &err);
        const double wall = s2s_now_s() - w0;
        optime_remove(be);
        if (rc && rc != S2S_ERR_INTERRUPTED) die("train", &err);
        bound = optime_print(wall, be->shards, flops, peak);
    }

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\n");
    printf("train epoch (median of %d): %.2f s | %.0f tokens/s | %.1f GFLOP/s = %.0f%% of SGEMM peak\n",
           log.n, ep_s, tps, gflops, 100.0 * gflops / peak);
    printf("one-sentence greedy latency (median of 201): %.3f ms (model_greedy, to the cap of 14 "
           "steps); through decode_sentence, as `reverse` and the prompt: %.3f ms\n",
           latency_ms, sentence_lat_ms);
    if (!cuda) decoder_step_products();
    if (cuda)
        printf("  the UI's way instead: parameter snapshot to the host %.3f ms (once per publish), "
               "then %.3f ms per sentence on one CPU thread\n",
               snap_ms, cpu_latency_ms);
    printf("batched evaluation: %d sentences in %.3f s = %.0f sentences/s (exact match %d/%d)\n",
           t.dte.count, eval_s, t.dte.count / eval_s, correct, t.dte.count);
    printf("peak resident memory: %.1f MiB\n", ru.ru_maxrss / 1024.0);
    if (to_accuracy) {
        if (log.reached_epoch)
            printf("time to 99.9%% test exact match: %.1f s (epoch %d)\n", log.reached_s,
                   log.reached_epoch);
        else
            printf("time to 99.9%% test exact match: not reached in 30 epochs\n");
    }
    if (cuda) cuda_step_breakdown(m, &t.dtr, batch);
    printf("SUMMARY epoch_s=%.3f tokens_s=%.0f gflops=%.2f peak_gflops=%.2f latency_ms=%.4f "
           "sentence_ms=%.4f eval_sps=%.1f rss_mib=%.1f threads=%d gemm_bound_gflops=%.2f\n",
           ep_s, tps, gflops, peak, latency_ms, sentence_lat_ms, t.dte.count / eval_s,
           ru.ru_maxrss / 1024.0, be->shards, bound);

    model_free(m);
    backend_free(be);
    task_data_free(&t);
    return 0;
}
