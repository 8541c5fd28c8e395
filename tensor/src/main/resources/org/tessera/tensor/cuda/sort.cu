// sort along one dim, as indices (torch.sort's second output): one block per line, a bitonic network over
// (value, index) pairs in shared memory, the line padded to a power of two P <= MAX_SORT. Pairs are ordered by value
// (NaN as the largest, 0.0 equal to -0.0; reversed when descending) and then by index, a total order, so the network
// gives exactly the stable sort of the CPU backends. The input line is read through the input's strides, the output
// (I64, contiguous in the input's shape) written with its own.
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
        for (int p = threadIdx.x; p < padded; p += blockDim.x) {
          int q = p ^ j;
          if (q > p) {
            bool up = (p & k) == 0;  // this run ends ascending in the pair order
            bool swap = up ? before(value[q], index[q], value[p], index[p], n, descending != 0)
                           : before(value[p], index[p], value[q], index[q], n, descending != 0);
            if (swap) {
              T v = value[p];
              value[p] = value[q];
              value[q] = v;
              int i = index[p];
              index[p] = index[q];
              index[q] = i;
            }
          }
        }
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
SORT_KERNEL(float, f32)
SORT_KERNEL(double, f64)
SORT_KERNEL(long long, i64)
SORT_KERNEL(int, i32)
