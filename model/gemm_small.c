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

/* One height's tiles of one instruction set, named t<LANES>_<MR>_<NV> and
 * r<LANES>_<MR>, from its intrinsics' prefix (MM: _mm512 or _mm256) and its
 * masked loads and stores. */
#define ROWS(LANES, ATTR, VT, MM, MASKT, MASK, LOADM, STOREM, MR)                               \
    TILE(t##LANES##_##MR##_2, ATTR, VT, LANES, MM##_loadu_ps, MM##_storeu_ps, MM##_set1_ps,     \
         MM##_setzero_ps, MM##_fmadd_ps, MM##_add_ps, MR, 2)                                    \
    TILE(t##LANES##_##MR##_1, ATTR, VT, LANES, MM##_loadu_ps, MM##_storeu_ps, MM##_set1_ps,     \
         MM##_setzero_ps, MM##_fmadd_ps, MM##_add_ps, MR, 1)                                    \
    TAIL(r##LANES##_##MR, ATTR, VT, MASKT, MASK, LOADM, STOREM, MM##_set1_ps, MM##_setzero_ps,  \
         MM##_fmadd_ps, MM##_add_ps, MR)
/* The table entries of one height. */
#define TILES(LANES, MR) [MR] = {t##LANES##_##MR##_1, t##LANES##_##MR##_2}
#define TAILS(LANES, MR) [MR] = r##LANES##_##MR

#ifdef HAVE_AVX512
#define MASK16(rem) ((__mmask16)((1u << (rem)) - 1u))
#define LOADM16(p, m) _mm512_maskz_loadu_ps(m, p)
#define STOREM16(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define R16(MR) ROWS(16, ATTR_AVX512, __m512, _mm512, __mmask16, MASK16, LOADM16, STOREM16, MR)
/* up to 12 × 32: 24 accumulators of the 32 registers, two FMAs per broadcast */
R16(1) R16(2) R16(3) R16(4) R16(5) R16(6) R16(7) R16(8) R16(9) R16(10) R16(11) R16(12)
#define EACH16(X)                                                                                \
    {X(16, 1), X(16, 2), X(16, 3), X(16, 4), X(16, 5), X(16, 6), X(16, 7), X(16, 8), X(16, 9),   \
     X(16, 10), X(16, 11), X(16, 12)}
static const tile_set set512 = {16, 12, EACH16(TILES), EACH16(TAILS)};
#endif

#ifdef HAVE_AVX2
/* lanes < rem: all ones */
#define MASK8(rem)                                                                               \
    _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define LOADM8(p, m) _mm256_maskload_ps(p, m)
#define STOREM8(p, m, v) _mm256_maskstore_ps(p, m, v)
#define R8(MR) ROWS(8, ATTR_AVX2, __m256, _mm256, __m256i, MASK8, LOADM8, STOREM8, MR)
/* up to 6 × 16: 12 accumulators of the 16 registers (two FMA units with a
 * latency of four or five need 8–10 chains in flight) */
R8(1) R8(2) R8(3) R8(4) R8(5) R8(6)
#define EACH8(X) {X(8, 1), X(8, 2), X(8, 3), X(8, 4), X(8, 5), X(8, 6)}
static const tile_set set256 = {8, 6, EACH8(TILES), EACH8(TAILS)};
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
