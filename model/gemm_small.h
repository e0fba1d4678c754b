/* gemm_small.h — C = A B for products of few rows (one decoder or encoder
 * step of a batch shard), with no packing of B (gemm_small.c says why). */
#ifndef S2S_GEMM_SMALL_H
#define S2S_GEMM_SMALL_H

/* C(M,N) = A(M,K) B(K,N) (accumulate: C += A B), row-major with leading
 * dimensions lda, ldb, ldc. Every element is one fused multiply-add chain
 * over k = 0, 1, …, K−1 started from zero (then added to C when
 * accumulating), whatever the CPU's vector width and however the rows are
 * split: the same bits as gemm_small_ref and on every machine. */
void gemm_small_nn(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                   float *C, int ldc, int accumulate);

/* The same with plain loops and fmaf: the definition, for tests. */
void gemm_small_ref(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float *C, int ldc, int accumulate);

/* Which kernel gemm_small_nn runs here: "avx512", "avx2" or "scalar". */
const char *gemm_small_isa(void);

#endif
