// Reductions of a strided view over some of its dims: one block per output element (grid-stride over the outputs),
// its threads striding over the reduced elements, then a tree in shared memory. The outer Layout walks the output
// positions through the input's strides (reduced dims have size 1 there); the inner Layout walks the reduced dims
// from offset 0. Kernel names reduce_<op>_<dtype> for every ReduceOp (sum, max, min: NaN propagates, as torch's
// amax/amin) over f32, f64, bf16, f16 (summed in double), i64, i32 and u8 (U8 and BOOL; integer sums are exact
// int64) and arg<max|min>_<dtype>: the first index of the extreme along one dim, a NaN counting as the extreme
// (as the reference backend and torch do), written as I64.

#include "common.cuh"

#define REDUCE_THREADS 256

// The extremes a max or min starts from: -inf and +inf for floats, the int64 limits for integers.
template <typename A> __device__ __forceinline__ A lowest() { return -A(INFINITY); }
template <typename A> __device__ __forceinline__ A highest() { return A(INFINITY); }
template <> __device__ __forceinline__ long long lowest<long long>() { return -9223372036854775807LL - 1; }
template <> __device__ __forceinline__ long long highest<long long>() { return 9223372036854775807LL; }

template <typename A> struct Sum {
  static __device__ __forceinline__ A identity() { return A(0); }
  static __device__ __forceinline__ A combine(A a, A b) { return a + b; }
};
template <typename A> struct Max {
  static __device__ __forceinline__ A identity() { return lowest<A>(); }
  static __device__ __forceinline__ A combine(A a, A b) { return nan_max(a, b); }
};
template <typename A> struct Min {
  static __device__ __forceinline__ A identity() { return highest<A>(); }
  static __device__ __forceinline__ A combine(A a, A b) { return nan_min(a, b); }
};

// T the input, A the accumulator, O the output: F32 and F64 reduce in themselves, BF16 and F16 in double (as the CPU
// backends), rounded once; integers (and BOOL, as bytes) accumulate in int64, their sums written as int64 and their
// extremes in their own type (ReduceOp.resultType)
template <typename T, typename A, typename O, typename Op>
__device__ void reduce(const T* __restrict__ in, const Layout& outer, const Layout& inner, long long inner_size,
                       O* __restrict__ out, long long n_out) {
  __shared__ A partial[REDUCE_THREADS];
  for (long long o = blockIdx.x; o < n_out; o += gridDim.x) {
    long long start = offset_of(outer, o);
    A acc = Op::identity();
    for (long long j = threadIdx.x; j < inner_size; j += blockDim.x) acc = Op::combine(acc, widened<A>(in[start + offset_of(inner, j)]));
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s) partial[threadIdx.x] = Op::combine(partial[threadIdx.x], partial[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = narrowed<O>(partial[0]);
    __syncthreads();  // partial is reused by the next output
  }
}

// X(name, functor, output type for integer inputs)
#define REDUCE_OPS(X) \
  X(sum, Sum, long long) \
  X(max, Max, T) \
  X(min, Min, T)

#define REDUCE_KERNEL(T_IN, SUFFIX, A, O, name, OP) \
  extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) reduce_##name##_##SUFFIX( \
      const T_IN* __restrict__ in, Layout outer, Layout inner, long long inner_size, O* __restrict__ out, long long n_out) { \
    reduce<T_IN, A, O, OP<A>>(in, outer, inner, inner_size, out, n_out); \
  }
#define REDUCE_F32(name, OP, INT_OUT) REDUCE_KERNEL(float, f32, float, float, name, OP)
#define REDUCE_F64(name, OP, INT_OUT) REDUCE_KERNEL(double, f64, double, double, name, OP)
#define T long long
#define REDUCE_I64(name, OP, INT_OUT) REDUCE_KERNEL(long long, i64, long long, INT_OUT, name, OP)
REDUCE_OPS(REDUCE_I64)
#undef T
#define T int
#define REDUCE_I32(name, OP, INT_OUT) REDUCE_KERNEL(int, i32, long long, INT_OUT, name, OP)
REDUCE_OPS(REDUCE_I32)
#undef T
#define T unsigned char
#define REDUCE_U8(name, OP, INT_OUT) REDUCE_KERNEL(unsigned char, u8, long long, INT_OUT, name, OP)
REDUCE_OPS(REDUCE_U8)
#undef T
REDUCE_OPS(REDUCE_F32)
REDUCE_OPS(REDUCE_F64)
#define REDUCE_BF16(name, OP, INT_OUT) REDUCE_KERNEL(bf16, bf16, double, bf16, name, OP)
#define REDUCE_F16(name, OP, INT_OUT) REDUCE_KERNEL(f16, f16, double, f16, name, OP)
REDUCE_OPS(REDUCE_BF16)
REDUCE_OPS(REDUCE_F16)

// Whether (v, i) comes before (w, j) in an arg-reduction: a NaN first, then the larger (smaller) value, then the
// smaller index — so the tree gives the first extreme, as a left-to-right scan does.
template <typename T, bool MAX>
__device__ __forceinline__ bool precedes(T v, long long i, T w, long long j) {
  bool vn = v != v, wn = w != w;
  if (vn || wn) return vn && (!wn || i < j);
  if (v != w) return MAX ? v > w : v < w;
  return i < j;
}

// T the input, V the type its values are compared in (double for BF16 and F16, exact for both)
template <typename T, typename V, bool MAX>
__device__ void arg_reduce(const T* __restrict__ in, const Layout& outer, long long size, long long stride,
                           long long* __restrict__ out, long long n_out) {
  __shared__ V best_value[REDUCE_THREADS];
  __shared__ long long best_index[REDUCE_THREADS];
  for (long long o = blockIdx.x; o < n_out; o += gridDim.x) {
    long long start = offset_of(outer, o), bi = -1;
    V bv = V(0);
    for (long long j = threadIdx.x; j < size; j += blockDim.x) {
      V v = widened<V>(in[start + j * stride]);
      if (bi < 0 || precedes<V, MAX>(v, j, bv, bi)) {
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
        if (j >= 0 && (i < 0 || precedes<V, MAX>(best_value[threadIdx.x + s], j, best_value[threadIdx.x], i))) {
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

#define ARG_KERNEL(T, V, SUFFIX, name, MAX) \
  extern "C" __global__ void __launch_bounds__(REDUCE_THREADS) name##_##SUFFIX( \
      const T* __restrict__ in, Layout outer, long long size, long long stride, long long* __restrict__ out, long long n_out) { \
    arg_reduce<T, V, MAX>(in, outer, size, stride, out, n_out); \
  }
ARG_KERNEL(float, float, f32, argmax, true)
ARG_KERNEL(float, float, f32, argmin, false)
ARG_KERNEL(double, double, f64, argmax, true)
ARG_KERNEL(double, double, f64, argmin, false)
ARG_KERNEL(bf16, double, bf16, argmax, true)
ARG_KERNEL(bf16, double, bf16, argmin, false)
ARG_KERNEL(f16, double, f16, argmax, true)
ARG_KERNEL(f16, double, f16, argmin, false)
