/* test_gemm_small.c — the products of few rows (model/gemm_small.c): the
 * vector kernels give the bits of the plain fmaf loops, which are right
 * against a double-precision sum, whatever the rows, tails and leading
 * dimensions; a row's value does not depend on the rows beside it; the
 * backend's transposes split between threads lose no element; and in
 * the model, the transposed weights those products read follow the
 * parameters (set, or changed by a training step), and the transposed path
 * computes what the BLAS path computes. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gemm_small.h"
#include "model.h"

/* Rows: every tile height alone (1 to 12), then several tiles; columns:
 * below, at and past one and two vectors of 8 and 16; K = 0 gives zeros
 * (or C unchanged). */
static const int MS[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 32, 64};
static const int NS[] = {1, 7, 8, 15, 16, 17, 31, 32, 33, 38, 70, 256};
static const int KS[] = {0, 1, 5, 128, 257};

static void check_shape(int M, int N, int K, int pad, unsigned seed)
{
    const int lda = K + pad, ldb = N + pad, ldc = N + pad;
    float *A = filled((size_t)M * lda, seed), *B = filled((size_t)K * ldb + 1, seed + 1);
    float *C0 = filled((size_t)M * ldc, seed + 2);
    float *C = malloc(sizeof(float) * (size_t)M * ldc);
    float *R = malloc(sizeof(float) * (size_t)M * ldc);
    assert_non_null(C);
    assert_non_null(R);
    for (int acc = 0; acc < 2; acc++) {
        memcpy(C, C0, sizeof(float) * (size_t)M * ldc);
        memcpy(R, C0, sizeof(float) * (size_t)M * ldc);
        gemm_small_nn(M, N, K, A, lda, B, ldb, C, ldc, acc);
        gemm_small_ref(M, N, K, A, lda, B, ldb, R, ldc, acc);
        /* every element, padding included (it must be left alone) */
        assert_memory_equal(C, R, sizeof(float) * (size_t)M * ldc);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double ref = acc ? C0[(size_t)i * ldc + j] : 0.0, mag = fabs(ref);
                for (int k = 0; k < K; k++) {
                    double t = (double)A[(size_t)i * lda + k] * B[(size_t)k * ldb + j];
                    ref += t;
                    mag += fabs(t);
                }
                assert_true(fabs(R[(size_t)i * ldc + j] - ref) <= 1e-6 * mag + 1e-30);
            }
        /* one row at a time: the same bits as all rows at once */
        memcpy(R, C0, sizeof(float) * (size_t)M * ldc);
        for (int i = 0; i < M; i++)
            gemm_small_nn(1, N, K, A + (size_t)i * lda, lda, B, ldb, R + (size_t)i * ldc, ldc, acc);
        assert_memory_equal(C, R, sizeof(float) * (size_t)M * ldc);
    }
    free(A), free(B), free(C0), free(C), free(R);
}

static void test_kernel_matches_reference(void **state)
{
    (void)state;
    printf("  kernel: %s\n", gemm_small_isa());
    unsigned seed = 1;
    for (size_t a = 0; a < sizeof MS / sizeof MS[0]; a++)
        for (size_t b = 0; b < sizeof NS / sizeof NS[0]; b++)
            for (size_t c = 0; c < sizeof KS / sizeof KS[0]; c++)
                check_shape(MS[a], NS[b], KS[c], (int)((a + b + c) % 3), seed++);
}

/* The backend's transpose of a list, split between threads on whole rows
 * whatever the shapes: every element lands where it belongs. */
static void test_transpose_list(void **state)
{
    (void)state;
    static const int shapes[][2] = {{7, 300}, {768, 256}, {1, 1}, {33, 129}, {301, 77}, {64, 1}};
    enum { NM = sizeof shapes / sizeof shapes[0] };
    size_t total = 0;
    for (int i = 0; i < NM; i++) total += (size_t)shapes[i][0] * shapes[i][1];
    float *src = filled(total, 5u), *dst = malloc(sizeof(float) * total);
    assert_non_null(dst);
    for (int threads = 1; threads <= 3; threads++) {
        s2s_error err;
        s2s_error_clear(&err);
        s2s_backend *be = NULL;
        CHECK_OK(backend_cpu_create(&be, threads, &err), &err);
        s2s_transpose list[NM];
        size_t off = 0;
        for (int i = 0; i < NM; i++) {
            list[i] = (s2s_transpose){dst + off, src + off, shapes[i][0], shapes[i][1]};
            off += (size_t)shapes[i][0] * shapes[i][1];
        }
        memset(dst, 0xff, sizeof(float) * total); /* NaNs: a missed element shows */
        be->transpose(be, list, NM);
        for (int m = 0; m < NM; m++) {
            const int R = list[m].rows, Cn = list[m].cols;
            for (int i = 0; i < R; i++)
                for (int j = 0; j < Cn; j++)
                    assert_memory_equal(&list[m].dst[(size_t)j * R + i],
                                        &list[m].src[(size_t)i * Cn + j], sizeof(float));
        }
        backend_free(be);
    }
    free(src);
    free(dst);
}

/* A batch of B sentences of the corpus, from sentence `first` on. */
static void fill_batch(s2s_batch *b, const s2s_dataset *d, int first, int B)
{
    s2s_error err;
    s2s_error_clear(&err);
    int idx[64];
    for (int i = 0; i < B; i++) idx[i] = first + i;
    CHECK_OK(batch_fill(b, d, idx, B, &err), &err);
}

typedef struct {
    synth_data s;
    s2s_batch b;
} fixture;

static void fixture_open(fixture *f)
{
    s2s_error err;
    s2s_error_clear(&err);
    memset(f, 0, sizeof *f);
    synth_open(&f->s, 200, 10, 10, 11, 0);
    CHECK_OK(batch_create(&f->b, 64, 12, 12, &err), &err);
}

static void fixture_close(fixture *f)
{
    batch_free(&f->b);
    synth_close(&f->s);
}

static const s2s_adam_opts ADAM = {.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
                                   .clip = 1.0f};

/* Training steps change the parameters; the model's next loss must be the
 * one a model given those parameters afresh computes, to the bit: a stale
 * transpose would give the loss of the old weights. */
static void test_transposes_follow_params(void **state)
{
    (void)state;
    s2s_error err;
    s2s_error_clear(&err);
    fixture f;
    fixture_open(&f);
    const int kinds[] = {S2S_ATTN_BAHDANAU, S2S_ATTN_LUONG, S2S_ATTN_LOCATION, S2S_ATTN_NONE};
    for (int a = 0; a < 4; a++) {
        s2s_backend *be = NULL;
        CHECK_OK(backend_cpu_create(&be, 2, &err), &err);
        assert_true(be->few_rows > 0);
        s2s_config cfg = {.src_vocab = f.s.v.size, .tgt_vocab = f.s.v.size, .embed = 32,
                          .hidden = 48, .layers = 2, .dropout = 0.1f, .attention = kinds[a]};
        s2s_model *m = NULL, *fresh = NULL;
        CHECK_OK(model_create(&m, &cfg, be, &err), &err);
        CHECK_OK(model_create(&fresh, &cfg, be, &err), &err);
        CHECK_OK(model_init_params(m, 3, &err), &err);
        float loss = 0.0f, before = 0.0f, after = 0.0f, again = 0.0f;
        fill_batch(&f.b, &f.s.d, 0, 40);
        CHECK_OK(model_forward_loss(m, &f.b, NULL, &before, &err), &err);
        for (int step = 0; step < 3; step++) {
            fill_batch(&f.b, &f.s.d, 40 * step, 40);
            CHECK_OK(model_forward_backward(m, &f.b, NULL, 1, 7 + step, &loss, &err), &err);
            CHECK_OK(model_clip_adam(m, &ADAM, NULL, &err), &err);
        }
        fill_batch(&f.b, &f.s.d, 0, 40);
        CHECK_OK(model_forward_loss(m, &f.b, NULL, &after, &err), &err);
        float *p = malloc(sizeof(float) * model_num_params(m));
        assert_non_null(p);
        CHECK_OK(model_get_params(m, p, &err), &err);
        CHECK_OK(model_set_params(fresh, p, &err), &err);
        CHECK_OK(model_forward_loss(fresh, &f.b, NULL, &again, &err), &err);
        printf("  %s: loss %.6f, after 3 steps %.6f, a fresh model %.6f\n",
               attention_name(kinds[a]), before, after, again);
        assert_true(after != before);
        assert_memory_equal(&after, &again, sizeof after);
        free(p);
        model_free(m);
        model_free(fresh);
        backend_free(be);
    }
    fixture_close(&f);
}

/* The transposed path (few rows: x (Wᵀ) through gemm_small_nn) against
 * the BLAS path (be->few_rows = 0: x Wᵀ through cblas) on the same weights
 * and batch: loss and gradients agree to float rounding. */
static void test_transposed_path_matches_blas(void **state)
{
    (void)state;
    s2s_error err;
    s2s_error_clear(&err);
    fixture f;
    fixture_open(&f);
    fill_batch(&f.b, &f.s.d, 0, 24);
    const int kinds[] = {S2S_ATTN_BAHDANAU, S2S_ATTN_LUONG, S2S_ATTN_LOCATION, S2S_ATTN_NONE};
    for (int a = 0; a < 4; a++) {
        s2s_backend *be[2] = {NULL, NULL};
        s2s_model *m[2] = {NULL, NULL};
        float loss[2], *g[2];
        s2s_config cfg = {.src_vocab = f.s.v.size, .tgt_vocab = f.s.v.size, .embed = 40,
                          .hidden = 56, .layers = 2, .attention = kinds[a]};
        for (int k = 0; k < 2; k++) {
            CHECK_OK(backend_cpu_create(&be[k], 1, &err), &err);
            if (k == 1) be[k]->few_rows = 0;
            CHECK_OK(model_create(&m[k], &cfg, be[k], &err), &err);
            CHECK_OK(model_init_params(m[k], 9, &err), &err);
            CHECK_OK(model_forward_backward(m[k], &f.b, NULL, 0, 1, &loss[k], &err), &err);
            g[k] = malloc(sizeof(float) * model_num_params(m[k]));
            assert_non_null(g[k]);
            CHECK_OK(model_get_grads(m[k], g[k], &err), &err);
        }
        size_t worst;
        const double gerr = max_rel_err(g[0], g[1], model_num_params(m[0]), 1e-3, &worst);
        printf("  %s: loss %.7f against %.7f, worst gradient error %.2g\n",
               attention_name(kinds[a]), loss[0], loss[1], gerr);
        assert_true(fabsf(loss[0] - loss[1]) <= 1e-5f * fabsf(loss[1]));
        assert_true(gerr < 1e-3);
        for (int k = 0; k < 2; k++) {
            free(g[k]);
            model_free(m[k]);
            backend_free(be[k]);
        }
    }
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_matches_reference),
        cmocka_unit_test(test_transpose_list),
        cmocka_unit_test(test_transposes_follow_params),
        cmocka_unit_test(test_transposed_path_matches_blas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
