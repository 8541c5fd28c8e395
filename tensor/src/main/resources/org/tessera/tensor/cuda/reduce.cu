// Reductions of a strided view over some of its dims: one block per output element (grid-stride over the outputs),
// its threads striding over the reduced elements, then a tree in shared memory. The outer Layout walks the output
// positions through the input's strides (reduced dims have size 1 there); the inner Layout walks the reduced dims
// from offset 0. Kernel names reduce_<op>_<dtype> for every ReduceOp (sum, max, min: NaN propagates, as torch's
// amax/amin) and arg<max|min>_<dtype>: the first index of the extreme along one dim, a NaN counting as the extreme
// (as the reference backend and torch do), written as I64.

#include "common.cuh"

#define REDUCE_THREADS 256

template <typename T> struct Sum {
  static __device__ __forceinline__ T identity() { return T(0); }
  static __device__ __forceinline__ T combine(T a, T b) { return a + b; }
};
template <typename T> struct Max {
  static __device__ __forceinline__ T identity() { return -T(INFINITY); }
  static __device__ __forceinline__ T combine(T a, T b) { return nan_max(a, b); }
};
template <typename T> struct Min {
  static __device__ __forceinline__ T identity() { return T(INFINITY); }
  static __device__ __forceinline__ T combine(T a, T b) { return nan_min(a, b); }
};

template <typename T, typename Op>
__device__ void reduce(const T* __restrict__ in, const Layout& outer, const Layout& inner, long long inner_size,
                       T* __restrict__ out, long long n_out) {
  __shared__ T partial[REDUCE_THREADS];
  for (long long o = blockIdx.x; o < n_out; o += gridDim.x) {
    long long start = offset_of(outer, o);
    T acc = Op::identity();
    for (long long j = threadIdx.x; j < inner_size; j += blockDim.x) acc = Op::combine(acc, in[start + offset_of(inner, j)]);
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s) partial[threadIdx.x] = Op::combine(partial[threadIdx.x], partial[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = partial[0];
    __syncthreads();  // partial is reused by the next output
  }
}

// X(name, functor)
#define REDUCE_OPS(X) \
  X(sum, Sum) \
  X(max, Max) \
  X(min, Min)

#define REDUCE_KERNEL(T, SUFFIX, name, OP) \
  extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) reduce_##name##_##SUFFIX( \
      const T* __restrict__ in, Layout outer, Layout inner, long long inner_size, T* __restrict__ out, long long n_out) { \
    reduce<T, OP<T>>(in, outer, inner, inner_size, out, n_out); \
  }
#define REDUCE_F32(name, OP) REDUCE_KERNEL(float, f32, name, OP)
#define REDUCE_F64(name, OP) REDUCE_KERNEL(double, f64, name, OP)
REDUCE_OPS(REDUCE_F32)
REDUCE_OPS(REDUCE_F64)

// Whether (v, i) comes before (w, j) in an arg-reduction: a NaN first, then the larger (smaller) value, then the
// smaller index — so the tree gives the first extreme, as a left-to-right scan does.
template <typename T, bool MAX>
__device__ __forceinline__ bool precedes(T v, long long i, T w, long long j) {
  bool vn = v != v, wn = w != w;
  if (vn || wn) return vn && (!wn || i < j);
  if (v != w) return MAX ? v > w : v < w;
  return i < j;
}

template <typename T, bool MAX>
__device__ void arg_reduce(const T* __restrict__ in, const Layout& outer, long long size, long long stride,
                           long long* __restrict__ out, long long n_out) {
  __shared__ T best_value[REDUCE_THREADS];
  __shared__ long long best_index[REDUCE_THREADS];
  for (long long o = blockIdx.x; o < n_out; o += gridDim.x) {
    long long start = offset_of(outer, o), bi = -1;
    T bv = T(0);
    for (long long j = threadIdx.x; j < size; j += blockDim.x) {
      T v = in[start + j * stride];
      if (bi < 0 || precedes<T, MAX>(v, j, bv, bi)) {
        bv = v;
        bi = j;
      }
    }
    best_value[threadIdx.x] = bv;
    best_index[threadIdx.x] = bi;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s) {
        long long j = best_index[threadIdx.x + s], i = best_index[threadIdx.x];
        if (j >= 0 && (i < 0 || precedes<T, MAX>(best_value[threadIdx.x + s], j, best_value[threadIdx.x], i))) {
          best_value[threadIdx.x] = best_value[threadIdx.x + s];
          best_index[threadIdx.x] = j;
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = best_index[0];
    __syncthreads();
  }
}

#define ARG_KERNEL(T, SUFFIX, name, MAX) \
  extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) name##_##SUFFIX( \
      const T* __restrict__ in, Layout outer, long long size, long long stride, long long* __restrict__ out, long long n_out) { \
    arg_reduce<T, MAX>(in, outer, size, stride, out, n_out); \
  }
ARG_KERNEL(float, f32, argmax, true)
ARG_KERNEL(float, f32, argmin, false)
ARG_KERNEL(double, f64, argmax, true)
ARG_KERNEL(double, f64, argmin, false)
