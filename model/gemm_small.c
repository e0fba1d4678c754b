/* gemm_small.c — C = A B for products of few rows, without packing.
 *
 * A batch shard's step multiplies 32 rows by a weight matrix of 200–300 K
 * floats. A BLAS packs the whole of B into its own layout on every call, so
 * for so few rows the copy costs as much as the arithmetic (a third of an
 * epoch's product time went into OpenBLAS's packing copies). Here B is read
 * where it lies: a tile of MR rows × NV vectors of C stays in registers
 * while k runs, each step loading NV vectors of B's row k (contiguous) and
 * broadcasting MR values of A. The model keeps Wᵀ beside W, so its x Wᵀ
 * products come here as x (Wᵀ) too.
 *
 * Each element is one fused multiply-add chain over k in order, so tile
 * shapes, vector widths and the split between threads do not change a bit.
 */
#include <math.h>
#include <stddef.h>

#include "gemm_small.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2 1
#define ATTR_AVX2 __attribute__((target("avx2,fma")))
#ifndef S2S_AVX2_ONLY /* to time an AVX2-only CPU's code on an AVX-512 one */
#define HAVE_AVX512 1
#define ATTR_AVX512 __attribute__((target("avx512f")))
#endif
#endif

void gemm_small_ref(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float *C, int ldc, int accumulate)
{
    enum { CHUNK = 64 }; /* columns at a time, so B is read along its rows */
    for (int i = 0; i < M; i++)
        for (int j0 = 0; j0 < N; j0 += CHUNK) {
            const int nj = N - j0 < CHUNK ? N - j0 : CHUNK;
            float acc[CHUNK] = {0};
            for (int k = 0; k < K; k++) {
                const float a = A[(size_t)i * lda + k];
                const float *b = B + (size_t)k * ldb + j0;
                for (int j = 0; j < nj; j++) acc[j] = fmaf(a, b[j], acc[j]);
            }
            float *c = C + (size_t)i * ldc + j0;
            for (int j = 0; j < nj; j++) c[j] = accumulate ? c[j] + acc[j] : acc[j];
        }
}

/* Rows of B read ahead: their stride (3 KB for Wᵀ of 768 columns) is
 * past what the hardware's stride prefetcher follows. */
enum { AHEAD = 8 };
#define PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)

/* One tile: C[0:MR, 0:NV·LANES] (+)= A[0:MR, :] B[:, 0:NV·LANES].
 *   c(r,v) = Σ_k A(r,k) B(k, v-th vector)   one FMA per k, k in order */
typedef void tile_fn(int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
                     int accumulate);

#define TILE(name, attr, VT, LANES, LOADU, STOREU, SET1, ZERO, FMADD, ADD, MR, NV)              \
    attr static void name(int K, const float *A, int lda, const float *B, int ldb, float *C,    \
                          int ldc, int accumulate)                                              \
    {                                                                                           \
        VT c[MR][NV];                                                                           \
        for (int r = 0; r < MR; r++)                                                            \
            for (int v = 0; v < NV; v++) c[r][v] = ZERO();                                      \
        for (int k = 0; k < K; k++) {                                                           \
            const float *b = B + (size_t)k * ldb;                                               \
            for (int v = 0; v < NV; v++) PREFETCH(b + (size_t)AHEAD * ldb + v * LANES);         \
            VT bk[NV];                                                                          \
            for (int v = 0; v < NV; v++) bk[v] = LOADU(b + v * LANES);                          \
            for (int r = 0; r < MR; r++) {                                                      \
                const VT a = SET1(A[(size_t)r * lda + k]);                                      \
                for (int v = 0; v < NV; v++) c[r][v] = FMADD(a, bk[v], c[r][v]);                \
            }                                                                                   \
        }                                                                                       \
        for (int r = 0; r < MR; r++)                                                            \
            for (int v = 0; v < NV; v++) {                                                      \
                float *cp = C + (size_t)r * ldc + v * LANES;                                    \
                STOREU(cp, accumulate ? ADD(LOADU(cp), c[r][v]) : c[r][v]);                     \
            }                                                                                   \
    }

/* The last rem < LANES columns: the same chains through masked loads and
 * stores (LOADM(p, mask) reads lanes < rem, zeros elsewhere). */
typedef void tail_fn(int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
                     int accumulate, int rem);

#define TAIL(name, attr, VT, MASKT, MASK, LOADM, STOREM, SET1, ZERO, FMADD, ADD, MR)            \
    attr static void name(int K, const float *A, int lda, const float *B, int ldb, float *C,    \
                          int ldc, int accumulate, int rem)                                     \
    {                                                                                           \
        const MASKT m = MASK(rem);                                                              \
        VT c[MR];                                                                               \
        for (int r = 0; r < MR; r++) c[r] = ZERO();                                             \
        for (int k = 0; k < K; k++) {                                                           \
            const VT bk = LOADM(B + (size_t)k * ldb, m);                                        \
            for (int r = 0; r < MR; r++) c[r] = FMADD(SET1(A[(size_t)r * lda + k]), bk, c[r]);  \
        }                                                                                       \
        for (int r = 0; r < MR; r++) {                                                          \
            float *cp = C + (size_t)r * ldc;                                                    \
            STOREM(cp, m, accumulate ? ADD(LOADM(cp, m), c[r]) : c[r]);                         \
        }                                                                                       \
    }

/* The tiles of one instruction set: for every height of 1 to mr_max rows,
 * one- and two-vector widths and the masked tail. */
enum { MR_MAX = 12 };
typedef struct {
    int lanes, mr_max;
    tile_fn *tile[MR_MAX + 1][2]; /* [rows][NV − 1] */
    tail_fn *tail[MR_MAX + 1];
} tile_set;

#ifdef HAVE_AVX512
#define T16(MR, NV)                                                                              \
    TILE(t16_##MR##_##NV, ATTR_AVX512, __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps,           \
         _mm512_set1_ps, _mm512_setzero_ps, _mm512_fmadd_ps, _mm512_add_ps, MR, NV)
#define MASK16(rem) ((__mmask16)((1u << (rem)) - 1u))
#define LOADM16(p, m) _mm512_maskz_loadu_ps(m, p)
#define STOREM16(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define R16(MR)                                                                                  \
    T16(MR, 2) T16(MR, 1)                                                                        \
    TAIL(r16_##MR, ATTR_AVX512, __m512, __mmask16, MASK16, LOADM16, STOREM16, _mm512_set1_ps,   \
         _mm512_setzero_ps, _mm512_fmadd_ps, _mm512_add_ps, MR)
/* up to 12 × 32: 24 accumulators of the 32 registers, two FMAs per broadcast */
R16(1) R16(2) R16(3) R16(4) R16(5) R16(6) R16(7) R16(8) R16(9) R16(10) R16(11) R16(12)
#define E16(MR) [MR] = {t16_##MR##_1, t16_##MR##_2}
static const tile_set set512 = {
    16, 12,
    {E16(1), E16(2), E16(3), E16(4), E16(5), E16(6), E16(7), E16(8), E16(9), E16(10), E16(11),
     E16(12)},
    {NULL, r16_1, r16_2, r16_3, r16_4, r16_5, r16_6, r16_7, r16_8, r16_9, r16_10, r16_11, r16_12}};
#endif

#ifdef HAVE_AVX2
#define T8(MR, NV)                                                                               \
    TILE(t8_##MR##_##NV, ATTR_AVX2, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps,               \
         _mm256_set1_ps, _mm256_setzero_ps, _mm256_fmadd_ps, _mm256_add_ps, MR, NV)
/* lanes < rem: all ones */
#define MASK8(rem)                                                                               \
    _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define LOADM8(p, m) _mm256_maskload_ps(p, m)
#define STOREM8(p, m, v) _mm256_maskstore_ps(p, m, v)
#define R8(MR)                                                                                   \
    T8(MR, 2) T8(MR, 1)                                                                          \
    TAIL(r8_##MR, ATTR_AVX2, __m256, __m256i, MASK8, LOADM8, STOREM8, _mm256_set1_ps,           \
         _mm256_setzero_ps, _mm256_fmadd_ps, _mm256_add_ps, MR)
/* up to 6 × 16: 12 accumulators of the 16 registers (two FMA units with a
 * latency of four or five need 8–10 chains in flight) */
R8(1) R8(2) R8(3) R8(4) R8(5) R8(6)
#define E8(MR) [MR] = {t8_##MR##_1, t8_##MR##_2}
static const tile_set set256 = {8, 6, {E8(1), E8(2), E8(3), E8(4), E8(5), E8(6)},
                                {NULL, r8_1, r8_2, r8_3, r8_4, r8_5, r8_6}};
#endif

/* Rows in as few tiles as mr_max allows, of heights as even as can be (29
 * rows: 10, 10, 9, not 12, 12, 5): each tile reads all of B once while its
 * rows of A stay in L1, and a short tile does as many loads per FMA. */
static void run_tiles(const tile_set *ts, int M, int N, int K, const float *A, int lda,
                      const float *B, int ldb, float *C, int ldc, int accumulate)
{
    const int L = ts->lanes;
    for (int i = 0; i < M;) {
        const int tiles_left = (M - i + ts->mr_max - 1) / ts->mr_max;
        const int mr = (M - i + tiles_left - 1) / tiles_left;
        const float *Ai = A + (size_t)i * lda;
        float *Ci = C + (size_t)i * ldc;
        int j = 0;
        for (; j + 2 * L <= N; j += 2 * L)
            ts->tile[mr][1](K, Ai, lda, B + j, ldb, Ci + j, ldc, accumulate);
        if (j + L <= N) {
            ts->tile[mr][0](K, Ai, lda, B + j, ldb, Ci + j, ldc, accumulate);
            j += L;
        }
        if (j < N) ts->tail[mr](K, Ai, lda, B + j, ldb, Ci + j, ldc, accumulate, N - j);
        i += mr;
    }
}

/* The tiles this CPU runs, or NULL: the plain loops. */
static const tile_set *cpu_tiles(const char **isa)
{
#ifdef HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        *isa = "avx512";
        return &set512;
    }
#endif
#ifdef HAVE_AVX2
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *isa = "avx2";
        return &set256;
    }
#endif
    *isa = "scalar";
    return NULL;
}

const char *gemm_small_isa(void)
{
    const char *isa;
    cpu_tiles(&isa);
    return isa;
}

void gemm_small_nn(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                   float *C, int ldc, int accumulate)
{
    if (M <= 0 || N <= 0) return;
    const char *isa;
    const tile_set *ts = cpu_tiles(&isa);
    if (ts) run_tiles(ts, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    else gemm_small_ref(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}
