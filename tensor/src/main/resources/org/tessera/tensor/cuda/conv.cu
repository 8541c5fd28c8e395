// Convolutions as im2col + cuBLAS (Im2col.java holds the products). unfold_<dtype> writes the unfolded input of a
// batch, cols (N, C·K, L), row c·K + kk, column l reading x[n][c][src[kk·L + l]] (0 where src is −1, the padding);
// src is ConvGeometry.sourceIndex(), the table every backend's unfold and fold use. fold_<dtype> is its adjoint:
// it adds cols into x (zeroed by the caller) with atomics, since overlapping windows read one input element.
// BF16 and F16 unfold as 16-bit patterns (unfold_u16: all-zero bits are +0 in both); their gradients fold in F32.

#define UNFOLD_KERNEL(T, SUFFIX)                                                                                   \
  extern "C" __global__ void unfold_##SUFFIX(const T* __restrict__ x, const int* __restrict__ src,               \
                                             T* __restrict__ cols, long long planes, int k, int l,             \
                                             int in_size) {                                                      \
    long long n = planes * k * l;                                                                                \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;                                \
         i += (long long) gridDim.x * blockDim.x) {                                                              \
      long long row = i / l;                                                                                     \
      int p = src[(row % k) * l + i % l];                                                                        \
      cols[i] = p >= 0 ? x[(row / k) * in_size + p] : (T) 0;                                                     \
    }                                                                                                            \
  }

#define FOLD_KERNEL(T, SUFFIX)                                                                                     \
  extern "C" __global__ void fold_##SUFFIX(const T* __restrict__ cols, const int* __restrict__ src,              \
                                           T* __restrict__ x, long long planes, int k, int l, int in_size) {     \
    long long n = planes * k * l;                                                                                \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;                                \
         i += (long long) gridDim.x * blockDim.x) {                                                              \
      long long row = i / l;                                                                                     \
      int p = src[(row % k) * l + i % l];                                                                        \
      if (p >= 0) atomicAdd(&x[(row / k) * in_size + p], cols[i]);                                               \
    }                                                                                                            \
  }

#define CONV_KERNELS(T, SUFFIX) UNFOLD_KERNEL(T, SUFFIX) FOLD_KERNEL(T, SUFFIX)

CONV_KERNELS(float, f32)
CONV_KERNELS(double, f64)
UNFOLD_KERNEL(unsigned short, u16)
