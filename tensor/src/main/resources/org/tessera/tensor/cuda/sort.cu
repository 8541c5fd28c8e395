// sort along one dim, as indices (torch.sort's second output): a bitonic network over (value, index) pairs, the
// line padded to a power of two P. Lines of P <= MAX_SORT sort in one block each in shared memory (sort_<dtype>);
// longer ones in global memory, one launch per stage of the network over every line (sort_load_<dtype>, then
// sort_merge_<dtype> per stage, then sort_store). Pairs are ordered by value (NaN as the largest, 0.0 equal to -0.0;
// reversed when descending) and then by index, a total order, so the network gives exactly the stable sort of the
// CPU backends. The input line is read through the input's strides, the output (I64, contiguous in the input's
// shape) written with its own.
#include "common.cuh"

#define MAX_SORT 2048

template <typename T> __device__ __forceinline__ bool is_nan(T v) { return v != v; }

// whether (v, i) goes before (w, j); indices at or past n are the padding, after every element
template <typename T>
__device__ __forceinline__ bool before(T v, int i, T w, int j, int n, bool descending) {
  if (i >= n || j >= n) return i < j;
  bool vn = is_nan(v), wn = is_nan(w);
  int c = vn || wn ? (vn == wn ? 0 : vn ? 1 : -1) : (v < w ? -1 : v > w ? 1 : 0);  // ascending: NaN largest
  if (descending) c = -c;
  return c != 0 ? c < 0 : i < j;
}

// one compare-and-swap of the network's stage (k, j) on pair (p, p ^ j) of a line's arrays (shared or global)
template <typename T>
__device__ __forceinline__ void compare_exchange(T* value, int* index, int p, int k, int j, int n, bool descending) {
  int q = p ^ j;
  if (q <= p) return;
  bool up = (p & k) == 0;  // this run ends ascending in the pair order
  bool swap = up ? before(value[q], index[q], value[p], index[p], n, descending) : before(value[p], index[p], value[q], index[q], n, descending);
  if (swap) {
    T v = value[p];
    value[p] = value[q];
    value[q] = v;
    int i = index[p];
    index[p] = index[q];
    index[q] = i;
  }
}

template <typename T>
__device__ void sort_lines(const T* __restrict__ in, const Layout& in_lines, long long in_stride, const Layout& out_lines, long long out_stride,
                           int n, int padded, int descending, long long* __restrict__ out, long long lines) {
  __shared__ T value[MAX_SORT];
  __shared__ int index[MAX_SORT];
  for (long long line = blockIdx.x; line < lines; line += gridDim.x) {
    long long base = offset_of(in_lines, line);
    for (int t = threadIdx.x; t < padded; t += blockDim.x) {
      value[t] = t < n ? in[base + t * in_stride] : T(0);
      index[t] = t;
    }
    __syncthreads();
    // the bitonic network: for each size k, merges of distance j; thread t swaps pair (p, p ^ j) when out of order
    for (int k = 2; k <= padded; k <<= 1)
      for (int j = k >> 1; j > 0; j >>= 1) {
        for (int p = threadIdx.x; p < padded; p += blockDim.x) compare_exchange(value, index, p, k, j, n, descending != 0);
        __syncthreads();
      }
    long long at = offset_of(out_lines, line);
    for (int t = threadIdx.x; t < n; t += blockDim.x) out[at + t * out_stride] = index[t];
    __syncthreads();  // the next line reuses the shared arrays
  }
}

#define SORT_KERNEL(T, SUFFIX) \
  extern "C" __global__ void __launch_bounds__(1024) sort_##SUFFIX(const T* __restrict__ in, Layout in_lines, long long in_stride, \
                                                                   Layout out_lines, long long out_stride, int n, int padded, int descending, \
                                                                   long long* __restrict__ out, long long lines) { \
    sort_lines<T>(in, in_lines, in_stride, out_lines, out_stride, n, padded, descending, out, lines); \
  }
// longer lines: values and indices of every line at line·P in global memory, one launch per stage
#define LONG_SORT_KERNELS(T, SUFFIX) \
  extern "C" __global__ void sort_load_##SUFFIX(const T* __restrict__ in, Layout in_lines, long long in_stride, int n, int padded, \
                                                T* __restrict__ value, int* __restrict__ index, long long lines) { \
    GRID_STRIDE(i, lines * padded) { \
      long long line = i / padded; \
      int t = (int) (i % padded); \
      value[i] = t < n ? in[offset_of(in_lines, line) + t * in_stride] : (T) 0; \
      index[i] = t; \
    } \
  } \
  extern "C" __global__ void sort_merge_##SUFFIX(T* __restrict__ value, int* __restrict__ index, int n, int padded, int k, int j, \
                                                 int descending, long long lines) { \
    GRID_STRIDE(i, lines * padded) { \
      long long start = i / padded * padded; \
      compare_exchange<T>(value + start, index + start, (int) (i - start), k, j, n, descending != 0); \
    } \
  }
#define SORTABLE(X) X(float, f32) X(double, f64) X(long long, i64) X(int, i32)
SORTABLE(SORT_KERNEL)
SORTABLE(LONG_SORT_KERNELS)

// the sorted indices of every line (at line·P) written through the output's Layout
extern "C" __global__ void sort_store(const int* __restrict__ index, Layout out_lines, long long out_stride, int n, int padded,
                                      long long* __restrict__ out, long long lines) {
  GRID_STRIDE(i, lines * n) {
    long long line = i / n;
    int t = (int) (i % n);
    out[offset_of(out_lines, line) + t * out_stride] = index[line * padded + t];
  }
}
