/* backend_cuda.h — controls that only the CUDA backend has.
 *
 * The operations themselves are the table of model/backend.h; this header
 * adds what has no CPU meaning. It exists only in a build with CUDA
 * (backend_cuda_compiled() == 1): a build without nvcc does not define
 * these functions.
 */
#ifndef S2S_BACKEND_CUDA_H
#define S2S_BACKEND_CUDA_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* backend_cuda_set_tf32() is declared in model/backend.h (with a no-op in
 * builds without CUDA). TF32 rounds GEMM inputs to a 10-bit mantissa:
 * faster, and about 1e-3 relative error per product. */

#ifdef __cplusplus
}
#endif

#endif
