/* The CUDA backend's entry points in a build without nvcc. */
#include "backend.h"

int backend_cuda_create(s2s_backend **out, int device, s2s_error *err)
{
    (void)device;
    *out = NULL;
    return s2s_fail(err, S2S_ERR_UNSUPPORTED,
                    "this build has no CUDA backend (nvcc was not found when it was built; "
                    "rebuild with CUDA=1 where the CUDA toolkit is installed)");
}

void backend_cuda_set_tf32(s2s_backend *be, int on)
{
    (void)be;
    (void)on;
}

void backend_cuda_counts(s2s_backend *be, long *kernels, long *copies)
{
    (void)be;
    *kernels = *copies = 0;
}

int backend_cuda_capture_begin(s2s_backend *be, s2s_error *err)
{
    (void)be;
    return s2s_fail(err, S2S_ERR_UNSUPPORTED, "this build has no CUDA backend");
}

int backend_cuda_capture_end(s2s_backend *be, s2s_error *err)
{
    (void)be;
    return s2s_fail(err, S2S_ERR_UNSUPPORTED, "this build has no CUDA backend");
}

int backend_cuda_replay(s2s_backend *be, int times, s2s_error *err)
{
    (void)be;
    (void)times;
    return s2s_fail(err, S2S_ERR_UNSUPPORTED, "this build has no CUDA backend");
}

int backend_cuda_compiled(void) { return 0; }
