/* backend_cuda.cu — the operations of backend.h on an NVIDIA GPU: cuBLAS for
 * the matrix products, one small kernel per operation for everything else.
 *
 * The reference for every operation is model/backend_cpu.c: the same
 * equations in the same float expressions, the same masking, the same
 * <PAD> rule, the same dropout masks (rng_hash01, replicated bit for bit as
 * a device function), double precision where the CPU uses double (the
 * cross-entropy and the clipping norm). Results differ from the CPU only in
 * summation order and in nvcc's fused multiply-adds.
 *
 * Execution model. Everything is queued on one stream owned by the backend;
 * no operation waits for the device (only download() and sync() do), so a
 * whole training step runs on the GPU without the host in the loop, and the
 * decoder's next tokens are chosen on the device. A failing CUDA or cuBLAS
 * call is recorded (file, line, call, CUDA's words) as the backend's first
 * error, which sync() returns and clears.
 *
 * Determinism. Every reduction has a fixed shape that depends on the sizes
 * only, never on the GPU or on timing: column sums (bias_grad, d_v) are
 * chunked partial sums added in chunk order; the loss and the gradient norm
 * are summed by a single block in a fixed tree. cuBLAS SGEMM is
 * deterministic on a given GPU with our single stream and fixed workspace.
 * The one exception is embed_backward, which scatters with atomicAdd (rows
 * of the same word from different positions meet in any order).
 *
 * Scratch memory. Operations that need temporary device memory (column-sum
 * partials, attention's d score, per-row losses, the norm's partials) share
 * one scratch buffer, allocated at create time and grown (rarely, never
 * shrunk) if a batch needs more; a replaced buffer is kept until destroy()
 * because queued work may still read it. Operations on one stream run in
 * queue order, so sharing is safe, and a mutex makes each operation's queue
 * of launches atomic when two threads drive the same backend.
 */
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mutex>
#include <new>
#include <vector>

extern "C" {
#include "backend.h"
#include "data.h"
}
#include "backend_cuda.h"

#ifndef S2S_CUDA_ARCHS
#define S2S_CUDA_ARCHS "sm_80 sm_90"
#endif

/* ================================================================ context */

namespace {

struct cuda_ctx {
    int device;
    cudaStream_t stream;
    cublasHandle_t blas;
    void *blas_workspace;  /* cuBLAS's workspace, ours so nothing allocates later */
    void *scratch;         /* shared temporary memory, see the file comment */
    unsigned *tickets;     /* zeroed counters for last-block reductions (TICKETS) */
    size_t scratch_bytes;
    std::vector<void *> retired; /* outgrown scratch buffers, freed by destroy */
    std::mutex lock;             /* one operation's launches at a time */
    s2s_code code;               /* first failure since the last sync, S2S_OK if none */
    char msg[512];
    /* Instruments for the benchmark (backend_cuda_counts, _capture_*). */
    long n_kernels;              /* kernel launches and cuBLAS calls queued */
    long n_copies;               /* copies and memsets queued */
    bool capturing;              /* recording the stream into a graph */
    cudaGraphExec_t graph;       /* the last capture, replayable; NULL if none */
};

constexpr size_t BLAS_WORKSPACE_BYTES = (size_t)32 << 20; /* NVIDIA's advice for Hopper */
constexpr size_t SCRATCH_INITIAL_BYTES = (size_t)4 << 20;
constexpr int THREADS = 256;      /* block size of the elementwise kernels */
constexpr int ROWS_PER_BLOCK = 8; /* warp-per-row kernels: 8 warps of 32 */
constexpr int CLIP_BLOCKS = 1024; /* fixed, so the norm's summation order is fixed */
constexpr int TICKETS = 512;      /* >= the column tiles of a chunked column sum */

cuda_ctx *ctx_of(s2s_backend *be) { return static_cast<cuda_ctx *>(be->ctx); }

/* ---------------------------------------------------------------- checked calls */

/* "cudaMemcpyAsync(dst, src, ...)" -> "cudaMemcpyAsync": the call's name. */
void call_name(char *out, size_t n, const char *call)
{
    size_t k = 0;
    while (call[k] && call[k] != '(' && k + 1 < n) {
        out[k] = call[k];
        k++;
    }
    out[k] = '\0';
}

/* Records the first failure: "kernels/backend_cuda.cu:123: cudaFoo failed: why". */
void record(cuda_ctx *c, s2s_code code, const char *file, int line, const char *call,
            const char *why)
{
    if (c->code != S2S_OK) return;
    char name[96];
    call_name(name, sizeof name, call);
    c->code = code;
    snprintf(c->msg, sizeof c->msg, "%s:%d: %s failed: %s", file, line, name, why);
}

/* Returns the failure recorded since the last call (or 0), and clears it. */
int take_error(cuda_ctx *c, s2s_error *err)
{
    if (c->code == S2S_OK) return 0;
    int code = s2s_fail(err, c->code, "%s", c->msg);
    c->code = S2S_OK;
    c->msg[0] = '\0';
    return code;
}

bool cuda_check(cuda_ctx *c, cudaError_t e, const char *file, int line, const char *call)
{
    if (e == cudaSuccess) return true;
    char why[320];
    if (e == cudaErrorMemoryAllocation) {
        snprintf(why, sizeof why, "out of GPU memory (%s)", cudaGetErrorName(e));
        record(c, S2S_ERR_NOMEM, file, line, call, why);
    } else {
        snprintf(why, sizeof why, "%s (%s)%s", cudaGetErrorString(e), cudaGetErrorName(e),
                 strncmp(call, "cudaStreamSynchronize", 21) == 0
                     ? "; the failing kernel ran earlier on the stream, CUDA_LAUNCH_BLOCKING=1 "
                       "makes the failure point at it"
                     : "");
        record(c, S2S_ERR_DEVICE, file, line, call, why);
    }
    return false;
}

bool blas_check(cuda_ctx *c, cublasStatus_t s, const char *file, int line, const char *call)
{
    if (s == CUBLAS_STATUS_SUCCESS) return true;
    char why[160];
    if (s == CUBLAS_STATUS_ALLOC_FAILED) {
        snprintf(why, sizeof why, "out of GPU memory (%s)", cublasGetStatusName(s));
        record(c, S2S_ERR_NOMEM, file, line, call, why);
    } else {
        snprintf(why, sizeof why, "%s", cublasGetStatusName(s));
        record(c, S2S_ERR_DEVICE, file, line, call, why);
    }
    return false;
}

#define CUDA_CHECK(c, call) cuda_check((c), (call), __FILE__, __LINE__, #call)
#define BLAS_CHECK(c, call) blas_check((c), (call), __FILE__, __LINE__, #call)

/* cudaMalloc of bytes for what ("the cuBLAS workspace"): a failure is
 * recorded as cuda_check would, naming the buffer and its size as well. */
bool device_malloc(cuda_ctx *c, void **p, size_t bytes, const char *what, const char *file,
                   int line)
{
    const cudaError_t e = cudaMalloc(p, bytes);
    if (e == cudaSuccess) return true;
    char size[24], why[320];
    s2s_size_str(size, sizeof size, bytes);
    if (e == cudaErrorMemoryAllocation) {
        snprintf(why, sizeof why, "out of GPU memory for %s (%s; %s)", what, size,
                 cudaGetErrorName(e));
        record(c, S2S_ERR_NOMEM, file, line, "cudaMalloc", why);
    } else {
        snprintf(why, sizeof why, "%s (%s) allocating %s (%s)", cudaGetErrorString(e),
                 cudaGetErrorName(e), what, size);
        record(c, S2S_ERR_DEVICE, file, line, "cudaMalloc", why);
    }
    return false;
}

#define DEVICE_MALLOC(c, p, bytes, what) \
    device_malloc((c), reinterpret_cast<void **>(p), (bytes), (what), __FILE__, __LINE__)
/* Launches kernel on the backend's stream and records a launch failure. */
#define LAUNCH(c, kernel, grid, block, shmem, ...)                                      \
    do {                                                                                \
        kernel<<<(grid), (block), (shmem), (c)->stream>>>(__VA_ARGS__);                 \
        (c)->n_kernels++;                                                               \
        cuda_check((c), cudaGetLastError(), __FILE__, __LINE__, #kernel " launch");     \
    } while (0)

/* The runtime's current device is per host thread; the TUI's worker and UI
 * threads may both use the backend, so every entry point makes its device
 * current (once per thread and device). */
thread_local int tl_device = -1;

/* Holds the backend's lock for one entry point and makes its device current. */
struct op_scope {
    cuda_ctx *c;
    std::lock_guard<std::mutex> guard;
    explicit op_scope(s2s_backend *be) : c(ctx_of(be)), guard(c->lock)
    {
        if (tl_device != c->device) {
            if (CUDA_CHECK(c, cudaSetDevice(c->device))) tl_device = c->device;
        }
    }
};

/* Scratch of at least bytes, or NULL (failure recorded). Growing takes a
 * new buffer (cudaMalloc waits for nothing) and retires the old one rather
 * than freeing it, since queued kernels may still use it. */
void *scratch(cuda_ctx *c, size_t bytes)
{
    if (bytes <= c->scratch_bytes) return c->scratch;
    size_t want = c->scratch_bytes * 2 > bytes ? c->scratch_bytes * 2 : bytes;
    void *p = NULL;
    if (!DEVICE_MALLOC(c, &p, want, "the shared scratch buffer")) {
        (void)cudaGetLastError();
        return NULL;
    }
    if (c->scratch) {
        try {
            c->retired.push_back(c->scratch);
        } catch (...) { /* cannot remember it: leak it rather than free it under queued work */
        }
    }
    c->scratch = p;
    c->scratch_bytes = want;
    return p;
}

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

unsigned grid_for(size_t n, int threads)
{
    size_t g = (n + (size_t)threads - 1) / (size_t)threads;
    const size_t cap = (size_t)1 << 20; /* grid-stride loops cover the rest */
    return (unsigned)(g < cap ? (g ? g : 1) : cap);
}

} /* namespace */

/* ================================================================ device helpers */

/* rng.h's rng_mix64 + rng_hash01, bit for bit: splitmix64's finaliser of
 * (seed, index), top 24 bits as a float in [0, 1). Kept __host__ too so the
 * replica can be checked against rng.h without a GPU. */
__host__ __device__ __forceinline__ float hash01(uint64_t seed, uint64_t index)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * (1.0f / 16777216.0f);
}

__device__ __forceinline__ float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }

/* The CPU's tanh_fast, same formula: 1 − 2 / (e^{2x} + 1). Here e^x is
 * CUDA's expf and on the CPU its polynomial exp_fast; both are within about
 * an ulp, so the two backends differ there by an ulp or two, no more. */
__device__ __forceinline__ float tanh_fast(float x) { return 1.0f - 2.0f / (expf(2.0f * x) + 1.0f); }

/* Butterfly sums: every lane ends with the same value (a + b == b + a). */
__device__ __forceinline__ float warp_sum(float x)
{
    for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}
__device__ __forceinline__ double warp_sum_d(double x)
{
    for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}
__device__ __forceinline__ float warp_max(float x)
{
    for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
    return x;
}

/* Sum of one double per thread over a block of THREADS threads, in a fixed
 * tree; the result is valid in thread 0. */
__device__ double block_sum_d(double x)
{
    __shared__ double part[THREADS / 32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    x = warp_sum_d(x);
    if (lane == 0) part[warp] = x;
    __syncthreads();
    double s = 0.0;
    if (warp == 0) {
        s = lane < THREADS / 32 ? part[lane] : 0.0;
        s = warp_sum_d(s);
    }
    return s;
}

#define GRID_STRIDE(i, n)                                                            \
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);          \
         i += (size_t)blockDim.x * gridDim.x)

/* ================================================================ kernels */

/* ---------------------------------------------------------------- algebra */

/* y(rows, cols) += bias(cols) broadcast over rows. */
__global__ void add_bias_kernel(float *y, const float *bias, size_t total, int cols)
{
    GRID_STRIDE(i, total) y[i] += bias[i % (size_t)cols];
}

/* y(n) += x(n). */
__global__ void add_kernel(float *y, const float *x, size_t n)
{
    GRID_STRIDE(i, n) y[i] += x[i];
}

/* Column sums over a subset of rows, in chunks:
 *     sum(col) = Σ_{r in chunk, r real} w(r) · X(r, col)      (w = 1 when w == NULL)
 * With len != NULL, row r = s·B + b is real iff s < len[b] (an (S,B,·) array);
 * other rows are never read. Block (32, 8) covers 32 columns of one chunk of
 * rows; the 8 row-lanes are added in order. With one chunk the sum goes
 * straight into out(col) +=; with more, into partial(chunk, col), and the
 * tile's last block adds the chunks in order. */
constexpr int CS_COLS = 32, CS_LANES = 8;

/* Last-block reductions: the blocks that write partial results each take a
 * ticket after a memory fence, and the block that draws the last one adds
 * the partials up in a fixed order (so results do not depend on which block
 * that is) and resets the counter for the next launch. One launch instead of
 * a second "finish" kernel. */
__device__ bool last_block(unsigned *ticket, unsigned blocks)
{
    __shared__ bool last;
    __threadfence(); /* this block's partials are visible before its ticket */
    __syncthreads();
    if (threadIdx.x == 0 && threadIdx.y == 0) last = atomicAdd(ticket, 1u) == blocks - 1;
    __syncthreads();
    return last;
}

__global__ void colsum_kernel(float *out, float *partial, unsigned *tickets, const float *X,
                              const float *w, const int *len, int B, int rows, int cols,
                              int rows_per_chunk, int nchunk)
{
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int col = blockIdx.x * CS_COLS + tx;
    const int chunk = blockIdx.y;
    const int r0 = chunk * rows_per_chunk;
    const int r1 = min(rows, r0 + rows_per_chunk);
    float acc = 0.0f;
    if (col < cols) {
        for (int r = r0 + ty; r < r1; r += CS_LANES) {
            if (len && r / B >= len[r % B]) continue;
            float x = X[(size_t)r * cols + col];
            acc += w ? w[r] * x : x;
        }
    }
    __shared__ float lanes[CS_LANES][CS_COLS + 1];
    lanes[ty][tx] = acc;
    __syncthreads();
    if (ty == 0 && col < cols) {
        float s = lanes[0][tx];
        for (int k = 1; k < CS_LANES; k++) s += lanes[k][tx];
        if (nchunk == 1)
            out[col] += s;
        else
            partial[(size_t)chunk * cols + col] = s;
    }
    if (nchunk == 1 || !last_block(&tickets[blockIdx.x], (unsigned)nchunk)) return;
    /* The last chunk of this column tile: out += the chunks, in chunk order. */
    if (ty == 0 && col < cols) {
        float t = out[col];
        for (int k = 0; k < nchunk; k++) t += __ldcg(&partial[(size_t)k * cols + col]);
        out[col] = t;
    }
    if (tx == 0 && ty == 0) tickets[blockIdx.x] = 0;
}

/* ---------------------------------------------------------------- embedding */

/* out(n, E) = table[ids[i]]. */
__global__ void embed_forward_kernel(float *out, const float *table, const int *ids, size_t total,
                                     int E)
{
    GRID_STRIDE(k, total)
    {
        size_t i = k / (size_t)E, e = k % (size_t)E;
        out[k] = table[(size_t)ids[i] * E + e];
    }
}

/* dtable[ids[i]] += d_out(i); <PAD> rows receive nothing. atomicAdd: the
 * same word at several positions adds in any order. */
__global__ void embed_backward_kernel(float *dtable, const float *d_out, const int *ids,
                                      size_t total, int E)
{
    GRID_STRIDE(k, total)
    {
        size_t i = k / (size_t)E, e = k % (size_t)E;
        int id = ids[i];
        if (id == S2S_PAD) continue; /* padding_idx: the <PAD> row never learns */
        atomicAdd(&dtable[(size_t)id * E + e], d_out[k]);
    }
}

/* ---------------------------------------------------------------- dropout */

/* mask_i = (hash01(seed, i) ≥ p) ? 1/(1−p) : 0;  y_i = x_i · mask_i  (y may be x). */
__global__ void dropout_forward_kernel(float *y, float *mask, const float *x, size_t n, float p,
                                       float keep, uint64_t seed)
{
    GRID_STRIDE(i, n)
    {
        float m = hash01(seed, i) >= p ? keep : 0.0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

/* dx_i = dy_i · mask_i  (dx may be dy). */
__global__ void dropout_backward_kernel(float *dx, const float *dy, const float *mask, size_t n)
{
    GRID_STRIDE(i, n) dx[i] = dy[i] * mask[i];
}

/* ---------------------------------------------------------------- GRU cell */

/* One thread per (b, j):
 *   r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r ⊙ gh_n)
 *   h = (1 − z) ⊙ n + z ⊙ h_prev
 *   gates(b) = [r, z, n, gh_n]  (gh_n = W_hn h_prev + b_hn)
 * Rows with t ≥ len[b] carry h_prev and zero their gates. */
__global__ void gru_forward_kernel(float *h, float *gates, const float *gi, const float *gh,
                                   const float *b_ih, const float *b_hh, const float *h_prev,
                                   const int *len, int t, int B, int H)
{
    GRID_STRIDE(k, (size_t)B * H)
    {
        const size_t b = k / (size_t)H, j = k % (size_t)H;
        float *g = gates + b * 4 * H;
        if (len && t >= len[b]) { /* past the end: carry the state unchanged */
            h[k] = h_prev[k];
            g[j] = g[H + j] = g[2 * H + j] = g[3 * H + j] = 0.0f;
            continue;
        }
        const float *xi = gi + b * 3 * H, *xh = gh + b * 3 * H;
        /* Biases added as the CPU adds them (add_bias's float addition). */
#define WITH_BIAS(x, bias, i) ((bias) ? (x)[i] + (bias)[i] : (x)[i])
        float r = sigmoidf_(WITH_BIAS(xi, b_ih, j) + WITH_BIAS(xh, b_hh, j));
        float z = sigmoidf_(WITH_BIAS(xi, b_ih, H + j) + WITH_BIAS(xh, b_hh, H + j));
        float hn = WITH_BIAS(xh, b_hh, 2 * H + j);
        float n = tanh_fast(WITH_BIAS(xi, b_ih, 2 * H + j) + r * hn);
#undef WITH_BIAS
        h[k] = (1.0f - z) * n + z * h_prev[k];
        g[j] = r;
        g[H + j] = z;
        g[2 * H + j] = n;
        g[3 * H + j] = hn;
    }
}

/* One thread per (b, j), from dh and the cached gates:
 *   dn̂ = dh ⊙ (1 − z) ⊙ (1 − n²)        d_gi_n = dn̂,  d_gh_n = dn̂ ⊙ r
 *   dẑ = dh ⊙ (h_prev − n) ⊙ z(1 − z)   d_gi_z = d_gh_z = dẑ
 *   dr̂ = dn̂ ⊙ gh_n ⊙ r(1 − r)           d_gi_r = d_gh_r = dr̂
 *   dh_prev = dh ⊙ z   (the caller adds d_gh W_hh)
 * Rows with t ≥ len[b]: dh_prev = dh, d_gi = d_gh = 0. */
__global__ void gru_backward_kernel(float *d_gi, float *d_gh, float *dh_prev, const float *dh,
                                    const float *gates, const float *h_prev, const int *len,
                                    int t, int B, int H)
{
    GRID_STRIDE(k, (size_t)B * H)
    {
        const size_t b = k / (size_t)H, j = k % (size_t)H;
        float *dgi = d_gi + b * 3 * H, *dgh = d_gh + b * 3 * H;
        if (len && t >= len[b]) {
            dh_prev[k] = dh[k];
            dgi[j] = dgi[H + j] = dgi[2 * H + j] = 0.0f;
            dgh[j] = dgh[H + j] = dgh[2 * H + j] = 0.0f;
            continue;
        }
        const float *g = gates + b * 4 * H;
        float r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j];
        float d = dh[k];
        float dn = d * (1.0f - z) * (1.0f - n * n);
        float dz = d * (h_prev[k] - n) * z * (1.0f - z);
        float dr = dn * hn * r * (1.0f - r);
        dgi[j] = dr;
        dgh[j] = dr;
        dgi[H + j] = dz;
        dgh[H + j] = dz;
        dgi[2 * H + j] = dn;
        dgh[2 * H + j] = dn * r;
        dh_prev[k] = d * z;
    }
}

/* ---------------------------------------------------------------- attention */

/* One block per sentence b, n = min(len[b], S) real positions:
 *   Bahdanau: e_s = tanh(keys_s + q),  score_s = v · e_s   (energy caches e_s)
 *   Luong:    score_s = q · values_s
 *   α = softmax over s < n (α_s = 0 for s ≥ n);  context = Σ_{s<n} α_s values_s
 * A warp per position computes the scores (into alpha, which serves as the
 * scratch, as on the CPU); warp 0 does the softmax; then a thread per j sums
 * the context over s in order. */
template <int KIND>
__global__ void attn_forward_kernel(float *context, float *alpha, float *energy, const float *keys,
                                    const float *query, const float *v, const float *values,
                                    const int *len, int S, int B, int H)
{
    const int b = blockIdx.x;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    const int n = max(0, min(len[b], S));
    const float *q = query + (size_t)b * H;
    float *a = alpha + (size_t)b * S;

    for (int s = warp; s < n; s += nwarps) {
        const size_t row = ((size_t)s * B + b) * H;
        float part = 0.0f;
        if (KIND == S2S_ATTN_BAHDANAU) {
            for (int j = lane; j < H; j += 32) {
                float e = tanh_fast(keys[row + j] + q[j]);
                energy[row + j] = e;
                part += e * v[j];
            }
        } else {
            for (int j = lane; j < H; j += 32) part += q[j] * values[row + j];
        }
        part = warp_sum(part);
        if (lane == 0) a[s] = part;
    }
    __syncthreads();

    if (warp == 0) {
        float mx = -INFINITY;
        for (int s = lane; s < n; s += 32) mx = fmaxf(mx, a[s]);
        mx = warp_max(mx);
        float sum = 0.0f;
        for (int s = lane; s < n; s += 32) {
            float ex = expf(a[s] - mx);
            a[s] = ex;
            sum += ex;
        }
        sum = warp_sum(sum);
        for (int s = lane; s < n; s += 32) a[s] /= sum;
        for (int s = n + lane; s < S; s += 32) a[s] = 0.0f;
    }
    __syncthreads();

    for (int j = threadIdx.x; j < H; j += blockDim.x) {
        float c = 0.0f;
        for (int s = 0; s < n; s++) c += a[s] * values[((size_t)s * B + b) * H + j];
        context[(size_t)b * H + j] = c;
    }
}

/* One block per sentence b, n = min(len[b], S):
 *   dα_s = dc · values_s;  dot = Σ_s α_s dα_s;  dscore_s = α_s (dα_s − dot)
 *   d_values_s += α_s dc
 *   Bahdanau: dê_s = dscore_s v ⊙ (1 − e_s²);  d_keys_s += dê_s;  d_query = Σ_s dê_s
 *             (d_v += Σ_s dscore_s e_s is left to colsum_kernel, over all b)
 *   Luong:    d_query = Σ_s dscore_s values_s;  d_values_s += dscore_s q
 * dscore(S, B) (scratch, element s·B + b) holds dα_s and then dscore_s; it
 * is read afterwards for d_v. A warp per position for the dot products, a
 * thread per j for the rest, positions in order. */
template <int KIND>
__global__ void attn_backward_kernel(float *d_keys, float *d_query, float *d_values, float *dscore,
                                     const float *d_context, const float *d_alpha,
                                     const float *alpha,
                                     const float *energy, const float *query, const float *v,
                                     const float *values, const int *len, int S, int B, int H)
{
    const int b = blockIdx.x;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    const int n = max(0, min(len[b], S));
    const float *dc = d_context + (size_t)b * H;
    const float *a = alpha + (size_t)b * S;
    __shared__ float dot_shared;

    for (int s = warp; s < n; s += nwarps) {
        const size_t row = ((size_t)s * B + b) * H;
        float part = 0.0f;
        for (int j = lane; j < H; j += 32) part += dc[j] * values[row + j];
        part = warp_sum(part);
        /* dα_s for now; plus the next step's location term's, if any */
        if (lane == 0) dscore[(size_t)s * B + b] = part + (d_alpha ? d_alpha[(size_t)b * S + s] : 0.0f);
    }
    __syncthreads();
    if (warp == 0) {
        float part = 0.0f;
        for (int s = lane; s < n; s += 32) part += a[s] * dscore[(size_t)s * B + b];
        part = warp_sum(part);
        if (lane == 0) dot_shared = part;
    }
    __syncthreads();
    const float dot = dot_shared;
    for (int s = threadIdx.x; s < n; s += blockDim.x) {
        float *ds = &dscore[(size_t)s * B + b];
        *ds = a[s] * (*ds - dot);
    }
    __syncthreads();

    for (int j = threadIdx.x; j < H; j += blockDim.x) {
        const float dcj = dc[j];
        float dq = 0.0f;
        for (int s = 0; s < n; s++) {
            const size_t idx = ((size_t)s * B + b) * H + j;
            const float as = a[s], ds = dscore[(size_t)s * B + b];
            float dval = d_values[idx] + as * dcj;
            if (KIND == S2S_ATTN_BAHDANAU) {
                float e = energy[idx];
                float de = ds * v[j] * (1.0f - e * e);
                d_keys[idx] += de;
                dq += de;
            } else {
                dq += ds * values[idx];
                dval += ds * query[(size_t)b * H + j];
            }
            d_values[idx] = dval;
        }
        d_query[(size_t)b * H + j] = dq;
    }
}

/* ---------------------------------------------------------------- location term */

/* A thread per (s, b, h):
 *   keys_t(s,b,h) = keys(s,b,h) + bias(h) + Σ_k U(h,k) α_prev(b, s+k−1), zero outside 0..S−1 */
__global__ void loc_forward_kernel(float *keys_t, const float *keys, const float *alpha_prev,
                                   const float *U, const float *bias, int S, int B, int H)
{
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)S * B * H) return;
    const int h = (int)(i % H), b = (int)((i / H) % B), s = (int)(i / ((size_t)H * B));
    float f = bias[h];
    for (int k = 0; k < S2S_LOC_K; k++) {
        const int p = s + k - S2S_LOC_K / 2;
        if (p >= 0 && p < S) f += U[h * S2S_LOC_K + k] * alpha_prev[(size_t)b * S + p];
    }
    keys_t[i] = keys[i] + f;
}

/* A thread per feature h sums over (s, b) in order, as the CPU does, so the
 * result needs no atomics and does not depend on scheduling:
 *   dU(h,k) += Σ_{s,b} d(s,b,h) α_prev(b, s+k−1);  dbias(h) += Σ_{s,b} d(s,b,h) */
__global__ void loc_backward_kernel(float *dU, float *dbias, const float *d_keys_t,
                                    const float *alpha_prev, int S, int B, int H)
{
    const int h = blockIdx.x * blockDim.x + threadIdx.x;
    if (h >= H) return;
    float du[S2S_LOC_K] = {0.0f}, db = 0.0f;
    for (int s = 0; s < S; s++)
        for (int b = 0; b < B; b++) {
            const float d = d_keys_t[((size_t)s * B + b) * H + h];
            db += d;
            for (int k = 0; k < S2S_LOC_K; k++) {
                const int p = s + k - S2S_LOC_K / 2;
                if (p >= 0 && p < S) du[k] += d * alpha_prev[(size_t)b * S + p];
            }
        }
    dbias[h] += db;
    for (int k = 0; k < S2S_LOC_K; k++) dU[h * S2S_LOC_K + k] += du[k];
}

/* A thread per (b, p): d_alpha_prev(b,p) = Σ_k Σ_h d(p−k+1, b, h) U(h,k), in order. */
__global__ void loc_alpha_backward_kernel(float *d_alpha_prev, const float *d_keys_t,
                                          const float *U, int S, int B, int H)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= B * S) return;
    const int b = i / S, p = i % S;
    float g = 0.0f;
    for (int k = 0; k < S2S_LOC_K; k++) {
        const int s = p - k + S2S_LOC_K / 2;
        if (s < 0 || s >= S) continue;
        const float *d = d_keys_t + ((size_t)s * B + b) * H;
        for (int h = 0; h < H; h++) g += d[h] * U[h * S2S_LOC_K + k];
    }
    d_alpha_prev[i] = g;
}

/* ---------------------------------------------------------------- output */

/* A warp per row b, in double like the CPU:
 *   m = max_k x_k;  Z = Σ_k exp(x_k − m)
 *   row_loss(b) = scale · (log Z − (x_y − m));  d_k = scale · (exp(x_k − m)/Z − [k = y])
 * Rows whose target is <PAD>: d = 0, row_loss = 0. */
/* Row b of the cross-entropy by one warp: d_logits and the row's loss. */
__device__ void xent_row(double *row_loss, float *d_logits, const float *logits, const int *target,
                         int b, int V, float scale)
{
    const int lane = threadIdx.x & 31;
    const float *x = logits + (size_t)b * V;
    float *d = d_logits + (size_t)b * V;
    const int y = target[b];
    if (y == S2S_PAD) {
        for (int k = lane; k < V; k += 32) d[k] = 0.0f;
        if (lane == 0) row_loss[b] = 0.0;
        return;
    }
    float mx = -INFINITY;
    for (int k = lane; k < V; k += 32) mx = fmaxf(mx, x[k]);
    mx = warp_max(mx);
    double sum = 0.0;
    for (int k = lane; k < V; k += 32) sum += exp((double)(x[k] - mx));
    sum = warp_sum_d(sum);
    for (int k = lane; k < V; k += 32) {
        /* __fmul_rn: two roundings as on the CPU, no fused multiply-subtract. */
        float dk = __fmul_rn((float)(exp((double)(x[k] - mx)) / sum), scale);
        if (k == y) dk -= scale;
        d[k] = dk;
    }
    if (lane == 0) row_loss[b] = (log(sum) - (double)(x[y] - mx)) * scale;
}

/* One warp per row; then the last block adds the rows' losses, as one block
 * in a fixed tree and in double, to loss_sum[0]. */
__global__ void xent_kernel(float *loss_sum, double *row_loss, unsigned *ticket, float *d_logits,
                            const float *logits, const int *target, int B, int V, float scale)
{
    const int b = blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (b < B) xent_row(row_loss, d_logits, logits, target, b, V, scale);
    if (!last_block(ticket, gridDim.x)) return;
    double s = 0.0;
    for (int r = threadIdx.x; r < B; r += blockDim.x) s += __ldcg(&row_loss[r]);
    s = block_sum_d(s);
    if (threadIdx.x == 0) {
        loss_sum[0] += (float)s;
        *ticket = 0;
    }
}

/* A warp per row: next[b] = teacher[b], or the first index of the largest
 * logit (as the CPU's strict-> scan: NaNs never win unless at index 0). */
__global__ void next_token_kernel(int *next, const float *logits, const int *teacher, int B, int V)
{
    const int lane = threadIdx.x & 31;
    const int b = blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (b >= B) return;
    if (teacher) {
        if (lane == 0) next[b] = teacher[b];
        return;
    }
    const float *x = logits + (size_t)b * V;
    float best = -INFINITY;
    int arg = INT_MAX; /* none yet */
    for (int k = lane; k < V; k += 32)
        if (x[k] > best) {
            best = x[k];
            arg = k;
        }
    for (int o = 16; o > 0; o >>= 1) {
        float ob = __shfl_xor_sync(0xffffffffu, best, o);
        int oa = __shfl_xor_sync(0xffffffffu, arg, o);
        if (ob > best || (ob == best && oa < arg)) {
            best = ob;
            arg = oa;
        }
    }
    if (lane == 0) next[b] = (arg == INT_MAX || (V > 0 && isnan(x[0]))) ? 0 : arg;
}

/* ---------------------------------------------------------------- optimiser */

/* partial[block] = Σ g_i² over a fixed CLIP_BLOCKS × THREADS grid-stride
 * partition, in double. */
__global__ void clip_sumsq_kernel(double *partial, const float *g, size_t n)
{
    double s = 0.0;
    GRID_STRIDE(i, n) s += (double)g[i] * g[i];
    s = block_sum_d(s);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

/* norm = sqrt(Σ partial);  coef = max_norm / (norm + 1e-6);
 * scale = coef < 1 (and max_norm > 0) ? coef : 1 — decided here, on the device. */
__global__ void clip_finish_kernel(float *norm, float *scale, const double *partial, int nparts,
                                   float max_norm)
{
    double s = 0.0;
    for (int k = threadIdx.x; k < nparts; k += blockDim.x) s += partial[k];
    s = block_sum_d(s);
    if (threadIdx.x == 0) {
        double nrm = sqrt(s);
        norm[0] = (float)nrm;
        float c = 1.0f;
        if (max_norm > 0.0f) {
            double coef = max_norm / (nrm + 1e-6);
            if (coef < 1.0) c = (float)coef;
        }
        scale[0] = c;
    }
}

/* g *= scale[0], unless it is 1 (then nothing is written). */
__global__ void clip_scale_kernel(float *g, size_t n, const float *scale)
{
    const float c = scale[0];
    if (c == 1.0f) return;
    GRID_STRIDE(i, n) g[i] *= c;
}

/* m = β1 m + (1 − β1) g;  v = β2 v + (1 − β2) g²
 * p −= lr · (m / bc1) / (sqrt(v / bc2) + ε),  bc_k = 1 − β_k^t from the host. */
__global__ void adam_kernel(float *p, const float *g, float *m, float *v, size_t n, float lr,
                            float beta1, float beta2, float eps, float bc1, float bc2)
{
    GRID_STRIDE(i, n)
    {
        float gi = g[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float mhat = mi / bc1, vhat = vi / bc2;
        p[i] -= lr * mhat / (sqrtf(vhat) + eps);
    }
}

/* ================================================================ host side */

namespace {

/* ---------------------------------------------------------------- memory */

void *cu_alloc(s2s_backend *be, size_t bytes)
{
    op_scope op(be);
    cuda_ctx *c = op.c;
    if (bytes == 0) bytes = 256;
    void *p = NULL;
    if (cudaMalloc(&p, bytes) != cudaSuccess) {
        (void)cudaGetLastError(); /* NULL says it; nothing for sync() to report */
        return NULL;
    }
    if (!CUDA_CHECK(c, cudaMemsetAsync(p, 0, bytes, c->stream))) {
        cudaFree(p);
        return NULL;
    }
    return p;
}

void cu_free(s2s_backend *be, void *p)
{
    if (!p) return;
    op_scope op(be);
    /* Queued work may still use p. */
    CUDA_CHECK(op.c, cudaStreamSynchronize(op.c->stream));
    CUDA_CHECK(op.c, cudaFree(p));
}

/* The model frees or reuses host_src right after upload() (as it may on the
 * CPU). That holds for ordinary (pageable) host memory, which the driver
 * stages into its own pinned buffer before cudaMemcpyAsync returns; a
 * page-locked (cudaMallocHost) source would have to outlive the copy. */
void cu_upload(s2s_backend *be, void *dst, const void *host_src, size_t bytes)
{
    if (!bytes) return;
    op_scope op(be);
    if (op.c->capturing) return; /* see backend_cuda_capture_begin */
    op.c->n_copies++;
    CUDA_CHECK(op.c, cudaMemcpyAsync(dst, host_src, bytes, cudaMemcpyHostToDevice, op.c->stream));
}

void cu_download(s2s_backend *be, void *host_dst, const void *src, size_t bytes)
{
    if (!bytes) return;
    op_scope op(be);
    if (op.c->capturing) return; /* see backend_cuda_capture_begin */
    op.c->n_copies++;
    CUDA_CHECK(op.c, cudaMemcpyAsync(host_dst, src, bytes, cudaMemcpyDeviceToHost, op.c->stream));
    CUDA_CHECK(op.c, cudaStreamSynchronize(op.c->stream)); /* the host reads it next */
}

void cu_copy(s2s_backend *be, void *dst, const void *src, size_t bytes)
{
    if (!bytes || dst == src) return;
    op_scope op(be);
    op.c->n_copies++;
    CUDA_CHECK(op.c, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, op.c->stream));
}

void cu_zero(s2s_backend *be, void *p, size_t bytes)
{
    if (!bytes) return;
    op_scope op(be);
    op.c->n_copies++;
    CUDA_CHECK(op.c, cudaMemsetAsync(p, 0, bytes, op.c->stream));
}

int cu_sync(s2s_backend *be, s2s_error *err)
{
    op_scope op(be);
    cuda_ctx *c = op.c;
    if (!c->capturing) CUDA_CHECK(c, cudaStreamSynchronize(c->stream));
    CUDA_CHECK(c, cudaGetLastError());
    return take_error(c, err);
}

void cu_destroy(s2s_backend *be)
{
    if (!be) return;
    cuda_ctx *c = ctx_of(be);
    if (c) {
        cudaSetDevice(c->device);
        tl_device = c->device;
        if (c->stream) cudaStreamSynchronize(c->stream);
        if (c->graph) cudaGraphExecDestroy(c->graph);
        if (c->blas) cublasDestroy(c->blas);
        cudaFree(c->blas_workspace);
        cudaFree(c->scratch);
        cudaFree(c->tickets);
        for (void *p : c->retired) cudaFree(p);
        if (c->stream) cudaStreamDestroy(c->stream);
        (void)cudaGetLastError();
        delete c;
    }
    delete be;
}

/* ---------------------------------------------------------------- algebra */

/* Row-major C(M,N) = α op(A) op(B) + β C. cuBLAS is column-major, and a
 * row-major matrix read column-major is its transpose, so we ask cuBLAS for
 * Cᵀ(N,M) = op(B)ᵀ op(A)ᵀ: the operands swap, the op flags stay with their
 * matrices, the leading dimensions are unchanged. This is the only place
 * that knows it. */
void cu_gemm(s2s_backend *be, int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    op_scope op(be);
    op.c->n_kernels++;
    BLAS_CHECK(op.c, cublasSgemm(op.c->blas, transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                                 transA ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &alpha, B, ldb, A,
                                 lda, &beta, C, ldc));
}

void cu_add_bias(s2s_backend *be, float *y, const float *bias, int rows, int cols)
{
    if (rows <= 0 || cols <= 0) return;
    op_scope op(be);
    size_t total = (size_t)rows * cols;
    LAUNCH(op.c, add_bias_kernel, grid_for(total, THREADS), THREADS, 0, y, bias, total, cols);
}

/* out(cols) += masked, weighted column sums of X(rows, cols); see colsum_kernel.
 * The chunk count depends on the sizes only, so the order of additions is
 * the same on every GPU: enough chunks to give ~264 blocks when the columns
 * alone give fewer, at least 64 rows per chunk, at most 32 chunks. */
void colsum(cuda_ctx *c, float *out, const float *X, const float *w, const int *len, int B,
            int rows, int cols, float *partial_space)
{
    const int tiles = (cols + CS_COLS - 1) / CS_COLS;
    int nchunk = 1;
    if (tiles < 264) {
        nchunk = (264 + tiles - 1) / tiles;
        if (nchunk > 32) nchunk = 32;
        int by_rows = (rows + 63) / 64;
        if (nchunk > by_rows) nchunk = by_rows;
        if (nchunk < 1) nchunk = 1;
    }
    const int rows_per_chunk = (rows + nchunk - 1) / nchunk;
    float *partial = partial_space;
    if (nchunk > 1 && !partial) {
        partial = static_cast<float *>(scratch(c, (size_t)nchunk * cols * sizeof(float)));
        if (!partial) return;
    }
    dim3 grid((unsigned)tiles, (unsigned)nchunk), block(CS_COLS, CS_LANES);
    LAUNCH(c, colsum_kernel, grid, block, 0, out, partial, c->tickets, X, w, len, B, rows, cols,
           rows_per_chunk, nchunk);
}

/* Bytes of partials colsum may need for (rows, cols): an upper bound. */
size_t colsum_partial_bytes(int cols) { return (size_t)32 * (size_t)cols * sizeof(float); }

void cu_bias_grad(s2s_backend *be, float *dbias, const float *dy, int rows, int cols)
{
    if (rows <= 0 || cols <= 0) return;
    op_scope op(be);
    colsum(op.c, dbias, dy, NULL, NULL, 1, rows, cols, NULL);
}

void cu_add(s2s_backend *be, float *y, const float *x, size_t n)
{
    if (!n) return;
    op_scope op(be);
    LAUNCH(op.c, add_kernel, grid_for(n, THREADS), THREADS, 0, y, x, n);
}

/* ---------------------------------------------------------------- embedding */

void cu_embed_forward(s2s_backend *be, float *out, const float *table, const int *ids, int n, int E)
{
    if (n <= 0 || E <= 0) return;
    op_scope op(be);
    size_t total = (size_t)n * E;
    LAUNCH(op.c, embed_forward_kernel, grid_for(total, THREADS), THREADS, 0, out, table, ids,
           total, E);
}

void cu_embed_backward(s2s_backend *be, float *dtable, const float *d_out, const int *ids, int n,
                       int E)
{
    if (n <= 0 || E <= 0) return;
    op_scope op(be);
    size_t total = (size_t)n * E;
    LAUNCH(op.c, embed_backward_kernel, grid_for(total, THREADS), THREADS, 0, dtable, d_out, ids,
           total, E);
}

/* ---------------------------------------------------------------- dropout */

void cu_dropout_forward(s2s_backend *be, float *y, float *mask, const float *x, size_t n, float p,
                        uint64_t seed)
{
    if (!n) return;
    op_scope op(be);
    const float keep = 1.0f / (1.0f - p); /* on the host, as the CPU computes it */
    LAUNCH(op.c, dropout_forward_kernel, grid_for(n, THREADS), THREADS, 0, y, mask, x, n, p, keep,
           seed);
}

void cu_dropout_backward(s2s_backend *be, float *dx, const float *dy, const float *mask, size_t n)
{
    if (!n) return;
    op_scope op(be);
    LAUNCH(op.c, dropout_backward_kernel, grid_for(n, THREADS), THREADS, 0, dx, dy, mask, n);
}

/* ---------------------------------------------------------------- GRU cell */

void cu_gru_forward(s2s_backend *be, float *h, float *gates, const float *gi, const float *gh,
                    const float *b_ih, const float *b_hh, const float *h_prev, const int *len,
                    int t, int B, int H)
{
    if (B <= 0 || H <= 0) return;
    op_scope op(be);
    LAUNCH(op.c, gru_forward_kernel, grid_for((size_t)B * H, THREADS), THREADS, 0, h, gates, gi,
           gh, b_ih, b_hh, h_prev, len, t, B, H);
}

void cu_gru_backward(s2s_backend *be, float *d_gi, float *d_gh, float *dh_prev, const float *dh,
                     const float *gates, const float *h_prev, const int *len, int t, int B, int H)
{
    if (B <= 0 || H <= 0) return;
    op_scope op(be);
    LAUNCH(op.c, gru_backward_kernel, grid_for((size_t)B * H, THREADS), THREADS, 0, d_gi, d_gh,
           dh_prev, dh, gates, h_prev, len, t, B, H);
}

/* ---------------------------------------------------------------- attention */

void cu_loc_forward(s2s_backend *be, float *keys_t, const float *keys, const float *alpha_prev,
                    const float *U, const float *bias, int S, int B, int H)
{
    if (B <= 0 || S <= 0 || H <= 0) return;
    op_scope op(be);
    const size_t total = (size_t)S * B * H;
    LAUNCH(op.c, loc_forward_kernel, grid_for(total, THREADS), THREADS, 0, keys_t, keys,
           alpha_prev, U, bias, S, B, H);
}

void cu_loc_backward(s2s_backend *be, float *dU, float *dbias, float *d_alpha_prev,
                     const float *d_keys_t, const float *alpha_prev, const float *U, int S, int B,
                     int H)
{
    if (B <= 0 || S <= 0 || H <= 0) return;
    op_scope op(be);
    LAUNCH(op.c, loc_backward_kernel, grid_for((size_t)H, THREADS), THREADS, 0, dU, dbias,
           d_keys_t, alpha_prev, S, B, H);
    if (d_alpha_prev)
        LAUNCH(op.c, loc_alpha_backward_kernel, grid_for((size_t)B * S, THREADS), THREADS, 0,
               d_alpha_prev, d_keys_t, U, S, B, H);
}

void cu_attn_forward(s2s_backend *be, int kind, float *context, float *alpha, float *energy,
                     const float *keys, const float *query, const float *v, const float *values,
                     const int *len, int S, int B, int H)
{
    if (B <= 0 || S <= 0 || H <= 0) return;
    op_scope op(be);
    /* As on the CPU, any kind but Bahdanau scores by dot product. */
    if (kind == S2S_ATTN_BAHDANAU)
        LAUNCH(op.c, attn_forward_kernel<S2S_ATTN_BAHDANAU>, B, THREADS, 0, context, alpha, energy,
               keys, query, v, values, len, S, B, H);
    else
        LAUNCH(op.c, attn_forward_kernel<S2S_ATTN_LUONG>, B, THREADS, 0, context, alpha, energy,
               keys, query, v, values, len, S, B, H);
}

/* d_v (H) is shared by all sentences: rather than atomics, the kernel leaves
 * dscore(S, B) in scratch and d_v += Σ_{s,b real} dscore(s,b) e(s,b,·) is a
 * deterministic masked column sum of energy. */
void cu_attn_backward(s2s_backend *be, int kind, float *d_keys, float *d_query, float *d_v,
                      float *d_values, const float *d_context, const float *d_alpha,
                      const float *alpha, const float *energy, const float *query,
                      const float *v, const float *values, const int *len, int S, int B, int H)
{
    if (B <= 0 || S <= 0 || H <= 0) return;
    op_scope op(be);
    cuda_ctx *c = op.c;
    const size_t dscore_bytes = round_up((size_t)S * B * sizeof(float), 256);
    char *space = static_cast<char *>(scratch(c, dscore_bytes + colsum_partial_bytes(H)));
    if (!space) return;
    float *dscore = reinterpret_cast<float *>(space);
    float *partial = reinterpret_cast<float *>(space + dscore_bytes);
    if (kind == S2S_ATTN_BAHDANAU) {
        LAUNCH(c, attn_backward_kernel<S2S_ATTN_BAHDANAU>, B, THREADS, 0, d_keys, d_query,
               d_values, dscore, d_context, d_alpha, alpha, energy, query, v, values, len, S, B,
               H);
        colsum(c, d_v, energy, dscore, len, B, S * B, H, partial);
    } else {
        LAUNCH(c, attn_backward_kernel<S2S_ATTN_LUONG>, B, THREADS, 0, d_keys, d_query, d_values,
               dscore, d_context, d_alpha, alpha, energy, query, v, values, len, S, B, H);
    }
}

/* ---------------------------------------------------------------- output */

void cu_xent_forward(s2s_backend *be, float *loss_sum, float *d_logits, const float *logits,
                     const int *target, int B, int V, float scale)
{
    if (B <= 0 || V <= 0) return;
    op_scope op(be);
    cuda_ctx *c = op.c;
    double *row_loss = static_cast<double *>(scratch(c, (size_t)B * sizeof(double)));
    if (!row_loss) return;
    const unsigned grid = (unsigned)((B + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
    static_assert(ROWS_PER_BLOCK * 32 == THREADS, "block_sum_d sums blocks of THREADS");
    LAUNCH(c, xent_kernel, grid, ROWS_PER_BLOCK * 32, 0, loss_sum, row_loss, c->tickets, d_logits,
           logits, target, B, V, scale);
}

void cu_next_token(s2s_backend *be, int *next, const float *logits, const int *teacher, int B,
                   int V)
{
    if (B <= 0) return;
    op_scope op(be);
    const unsigned grid = (unsigned)((B + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
    LAUNCH(op.c, next_token_kernel, grid, ROWS_PER_BLOCK * 32, 0, next, logits, teacher, B, V);
}

/* ---------------------------------------------------------------- optimiser */

/* Three launches, no host round trip: partial sums of squares, then one block
 * that writes norm[0] and decides the scale, then the scaling, which reads
 * the scale from device memory. */
void cu_clip_norm(s2s_backend *be, float *g, size_t n, float max_norm, float *norm)
{
    op_scope op(be);
    cuda_ctx *c = op.c;
    const size_t partial_bytes = round_up(CLIP_BLOCKS * sizeof(double), 256);
    char *space = static_cast<char *>(scratch(c, partial_bytes + sizeof(float)));
    if (!space) return;
    double *partial = reinterpret_cast<double *>(space);
    float *scale = reinterpret_cast<float *>(space + partial_bytes);
    LAUNCH(c, clip_sumsq_kernel, CLIP_BLOCKS, THREADS, 0, partial, g, n);
    LAUNCH(c, clip_finish_kernel, 1, THREADS, 0, norm, scale, partial, CLIP_BLOCKS, max_norm);
    if (n) LAUNCH(c, clip_scale_kernel, grid_for(n, THREADS), THREADS, 0, g, n, scale);
}

void cu_adam(s2s_backend *be, float *p, const float *g, float *m, float *v, size_t n, float lr,
             float beta1, float beta2, float eps, int t)
{
    if (!n) return;
    op_scope op(be);
    /* Bias corrections exactly as the CPU computes them. */
    const float bc1 = (float)(1.0 - pow(beta1, t));
    const float bc2 = (float)(1.0 - pow(beta2, t));
    LAUNCH(op.c, adam_kernel, grid_for(n, THREADS), THREADS, 0, p, g, m, v, n, lr, beta1, beta2,
           eps, bc1, bc2);
}

/* ---------------------------------------------------------------- construction */

/* Fails with the recorded message (CUDA's words, file and line) or a default. */
int create_failed(s2s_backend *be, s2s_error *err)
{
    cuda_ctx *c = ctx_of(be);
    s2s_code code = c->code != S2S_OK ? c->code : S2S_ERR_DEVICE;
    int rc = s2s_fail(err, code, "starting the CUDA backend: %s", c->msg);
    cu_destroy(be);
    return rc;
}

} /* namespace */

extern "C" int backend_cuda_compiled(void) { return 1; }

extern "C" void backend_cuda_set_tf32(s2s_backend *be, int on)
{
    if (!be || !be->name || strcmp(be->name, "cuda") != 0) return;
    op_scope op(be);
    BLAS_CHECK(op.c, cublasSetMathMode(op.c->blas, on ? CUBLAS_TF32_TENSOR_OP_MATH
                                                      : CUBLAS_DEFAULT_MATH));
}

/* ---------------------------------------------------------------- instruments */

static bool is_cuda(const s2s_backend *be) { return be && be->name && !strcmp(be->name, "cuda"); }

extern "C" void backend_cuda_counts(s2s_backend *be, long *kernels, long *copies)
{
    *kernels = *copies = 0;
    if (!is_cuda(be)) return;
    op_scope op(be);
    *kernels = op.c->n_kernels;
    *copies = op.c->n_copies;
}

extern "C" int backend_cuda_capture_begin(s2s_backend *be, s2s_error *err)
{
    if (!is_cuda(be)) return s2s_fail(err, S2S_ERR_UNSUPPORTED, "not the CUDA backend");
    op_scope op(be);
    cuda_ctx *c = op.c;
    if (c->capturing) return s2s_fail(err, S2S_ERR_ARG, "already capturing");
    CUDA_CHECK(c, cudaStreamSynchronize(c->stream));
    /* Relaxed: cudaMalloc from another path stays legal while recording. */
    if (CUDA_CHECK(c, cudaStreamBeginCapture(c->stream, cudaStreamCaptureModeRelaxed)))
        c->capturing = true;
    return take_error(c, err);
}

extern "C" int backend_cuda_capture_end(s2s_backend *be, s2s_error *err)
{
    if (!is_cuda(be)) return s2s_fail(err, S2S_ERR_UNSUPPORTED, "not the CUDA backend");
    op_scope op(be);
    cuda_ctx *c = op.c;
    if (!c->capturing) return s2s_fail(err, S2S_ERR_ARG, "not capturing");
    c->capturing = false;
    cudaGraph_t g = NULL;
    if (CUDA_CHECK(c, cudaStreamEndCapture(c->stream, &g)) && c->code == S2S_OK) {
        cudaGraphExec_t exec = NULL;
        if (CUDA_CHECK(c, cudaGraphInstantiate(&exec, g, 0))) {
            if (c->graph) cudaGraphExecDestroy(c->graph);
            c->graph = exec;
        }
    }
    if (g) cudaGraphDestroy(g);
    return take_error(c, err);
}

extern "C" int backend_cuda_replay(s2s_backend *be, int times, s2s_error *err)
{
    if (!is_cuda(be)) return s2s_fail(err, S2S_ERR_UNSUPPORTED, "not the CUDA backend");
    op_scope op(be);
    cuda_ctx *c = op.c;
    if (!c->graph) return s2s_fail(err, S2S_ERR_ARG, "nothing captured to replay");
    for (int i = 0; i < times && c->code == S2S_OK; i++)
        CUDA_CHECK(c, cudaGraphLaunch(c->graph, c->stream));
    CUDA_CHECK(c, cudaStreamSynchronize(c->stream));
    return take_error(c, err);
}

namespace {

/* cudaGetDeviceCount failed: without any NVIDIA driver CUDA says "driver
 * version is insufficient"; say which case it is. */
int no_gpu(cudaError_t e, s2s_error *err)
{
    int driver = 0, runtime = 0;
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    (void)cudaGetLastError();
    char why[160] = "";
    if (driver == 0)
        snprintf(why, sizeof why, "; no NVIDIA driver is installed");
    else if (e == cudaErrorInsufficientDriver)
        snprintf(why, sizeof why, "; the driver supports CUDA %d.%d, this build needs %d.%d",
                 driver / 1000, driver % 1000 / 10, runtime / 1000, runtime % 1000 / 10);
    return s2s_fail(err, S2S_ERR_UNSUPPORTED, "no CUDA GPU found (cudaGetDeviceCount: %s%s)",
                    cudaGetErrorString(e), why);
}

/* A GPU this build has no kernels for (say sm_75 with sm_80/sm_90 images)
 * is unsupported, so --device auto falls back to the CPU. */
int check_kernel_image(int device, s2s_error *err)
{
    cudaFuncAttributes fa;
    const cudaError_t e = cudaFuncGetAttributes(&fa, add_kernel);
    if (e == cudaSuccess) return 0;
    (void)cudaGetLastError();
    cudaDeviceProp prop;
    const int have = cudaGetDeviceProperties(&prop, device) == cudaSuccess;
    (void)cudaGetLastError();
    return s2s_fail(err, S2S_ERR_UNSUPPORTED,
                    "CUDA device %d (%s, sm_%d%d) cannot run this build's kernels (built for "
                    "%s): %s",
                    device, have ? prop.name : "?", have ? prop.major : 0, have ? prop.minor : 0,
                    S2S_CUDA_ARCHS, cudaGetErrorString(e));
}

/* Makes device current on this thread, once it is known to exist, to work
 * and to run this build's kernels. */
int select_device(int device, s2s_error *err)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) return no_gpu(e, err);
    if (count == 0)
        return s2s_fail(err, S2S_ERR_UNSUPPORTED,
                        "no CUDA GPU found (cudaGetDeviceCount: 0 devices)");
    if (device < 0 || device >= count)
        return s2s_fail(err, S2S_ERR_ARG, "CUDA device %d does not exist (%d found: 0..%d)",
                        device, count, count - 1);
    e = cudaSetDevice(device);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        return s2s_fail(err, S2S_ERR_UNSUPPORTED, "CUDA device %d is not usable (cudaSetDevice: %s)",
                        device, cudaGetErrorString(e));
    }
    tl_device = device;
    return check_kernel_image(device, err);
}

/* The device side of the context: the stream, a cuBLAS handle on it (full
 * FP32: no TF32 unless backend_cuda_set_tf32 asks; our own workspace, set
 * after cublasSetStream, which resets it to cuBLAS's pool), the shared
 * scratch and the zeroed tickets. false: the failure is recorded in c. */
bool open_device_state(cuda_ctx *c)
{
    if (!CUDA_CHECK(c, cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking)) ||
        !BLAS_CHECK(c, cublasCreate(&c->blas)) ||
        !BLAS_CHECK(c, cublasSetStream(c->blas, c->stream)) ||
        !BLAS_CHECK(c, cublasSetMathMode(c->blas, CUBLAS_DEFAULT_MATH)) ||
        !DEVICE_MALLOC(c, &c->blas_workspace, BLAS_WORKSPACE_BYTES, "the cuBLAS workspace") ||
        !BLAS_CHECK(c, cublasSetWorkspace(c->blas, c->blas_workspace, BLAS_WORKSPACE_BYTES)) ||
        !DEVICE_MALLOC(c, &c->scratch, SCRATCH_INITIAL_BYTES, "the shared scratch buffer") ||
        !DEVICE_MALLOC(c, &c->tickets, TICKETS * sizeof(unsigned),
                       "the reduction tickets") ||
        !CUDA_CHECK(c, cudaMemset(c->tickets, 0, TICKETS * sizeof(unsigned))))
        return false;
    c->scratch_bytes = SCRATCH_INITIAL_BYTES;
    return true;
}

/* The operations table of backend.h. */
void set_operations(s2s_backend *be)
{
    be->alloc = cu_alloc;
    be->free = cu_free;
    be->upload = cu_upload;
    be->download = cu_download;
    be->copy = cu_copy;
    be->zero = cu_zero;
    be->sync = cu_sync;
    be->destroy = cu_destroy;
    be->gemm = cu_gemm;
    be->add_bias = cu_add_bias;
    be->bias_grad = cu_bias_grad;
    be->add = cu_add;
    be->embed_forward = cu_embed_forward;
    be->embed_backward = cu_embed_backward;
    be->dropout_forward = cu_dropout_forward;
    be->dropout_backward = cu_dropout_backward;
    be->gru_forward = cu_gru_forward;
    be->gru_backward = cu_gru_backward;
    be->attn_forward = cu_attn_forward;
    be->attn_backward = cu_attn_backward;
    be->loc_forward = cu_loc_forward;
    be->loc_backward = cu_loc_backward;
    be->xent_forward = cu_xent_forward;
    be->next_token = cu_next_token;
    be->clip_norm = cu_clip_norm;
    be->adam = cu_adam;
}

} /* namespace */

extern "C" int backend_cuda_create(s2s_backend **out, int device, s2s_error *err)
{
    *out = NULL;
    int rc = select_device(device, err);
    if (rc) return rc;
    s2s_backend *be = new (std::nothrow) s2s_backend();
    cuda_ctx *c = new (std::nothrow) cuda_ctx();
    if (!be || !c) {
        delete be;
        delete c;
        char size[24];
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for the CUDA backend's host state (%s)",
                        s2s_size_str(size, sizeof size, sizeof(s2s_backend) + sizeof(cuda_ctx)));
    }
    c->device = device;
    c->code = S2S_OK;
    be->name = "cuda";
    be->ctx = c;
    be->shards = 1; /* one stream: the model runs a batch whole, never in threads */
    if (!open_device_state(c)) return create_failed(be, err);
    set_operations(be);
    *out = be;
    return 0;
}
