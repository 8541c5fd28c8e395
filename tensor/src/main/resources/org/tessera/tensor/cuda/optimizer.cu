// Fused optimizer steps on contiguous arrays, one grid-stride pass that updates the parameter and its state in
// place. adam_step_<dtype> is Backend.adamStep: the per-element operations of the CPU backend's AdamKernel, in the
// same order, with the scalars prepared on the host. decay = 1 − lr·wd (AdamW) and wd_grad (Adam) are applied only
// when asked for, so that 0·p never turns an infinite parameter into NaN.

#define ADAM_STEP(T, SUFFIX, SQRT)                                                                               \
  extern "C" __global__ void adam_step_##SUFFIX(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m,  \
                                                T* __restrict__ v, long long n, int decay_param, T decay,          \
                                                int decay_grad, T wd, T b1, T c1, T b2, T c2, T root2, T eps,      \
                                                T step_size) {                                                     \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;                                  \
         i += (long long) gridDim.x * blockDim.x) {                                                                \
      T pi = p[i], gi = g[i];                                                                                      \
      if (decay_param) pi = __fmul_rn_##SUFFIX(pi, decay);                                                         \
      if (decay_grad) gi = gi + __fmul_rn_##SUFFIX(pi, wd);                                                        \
      T mi = __fmul_rn_##SUFFIX(m[i], b1) + __fmul_rn_##SUFFIX(gi, c1);                                            \
      T vi = __fmul_rn_##SUFFIX(v[i], b2) + __fmul_rn_##SUFFIX(__fmul_rn_##SUFFIX(gi, gi), c2);                    \
      m[i] = mi;                                                                                                   \
      v[i] = vi;                                                                                                   \
      p[i] = pi - __fmul_rn_##SUFFIX(mi / (SQRT(vi) / root2 + eps), step_size);                                    \
    }                                                                                                              \
  }

// the explicit round-to-nearest products keep nvcc from contracting a product and a sum into one FMA, which would
// round differently from the CPU backends
__device__ __forceinline__ float __fmul_rn_f32(float x, float y) { return __fmul_rn(x, y); }
__device__ __forceinline__ double __fmul_rn_f64(double x, double y) { return __dmul_rn(x, y); }

ADAM_STEP(float, f32, sqrtf)
ADAM_STEP(double, f64, sqrt)
