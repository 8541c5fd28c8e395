// gather and scatter_add along one dim, the ops that pooling, grid_sample, index_select and cross-entropy are built
// from. Position i walks the index's shape; `lx` is the data's layout over that shape with the dim's stride set to 0,
// so offset_of(lx, i) + index[i] * dim_stride is the element the index picks. An index outside [0, dim_size) is
// never read or written: the first one found is recorded in bad[0] (1 when set) and bad[1] (its value), and the host
// raises the same error as the CPU backends.
#include "common.cuh"

template <typename I> __device__ __forceinline__ bool picked(const I* index, const Layout& li, long long i, long long dim_size,
                                                             unsigned long long* bad, long long* j) {
  long long v = (long long) index[offset_of(li, i)];
  if (v >= 0 && v < dim_size) {
    *j = v;
    return true;
  }
  if (atomicCAS(bad, 0ull, 1ull) == 0ull) bad[1] = (unsigned long long) v;
  return false;
}

// out[i] = x[picked], for every dtype by its element size (no conversion); out is contiguous in the index's shape
#define GATHER_KERNEL(T, BYTES, I, ISUFFIX) \
  extern "C" __global__ void gather_##BYTES##_##ISUFFIX(const T* __restrict__ x, Layout lx, long long dim_stride, long long dim_size, \
                                                        const I* __restrict__ index, Layout li, T* __restrict__ out, long long n, \
                                                        unsigned long long* bad) { \
    GRID_STRIDE(i, n) { \
      long long j; \
      out[i] = picked(index, li, i, dim_size, bad, &j) ? x[offset_of(lx, i) + j * dim_stride] : (T) 0; \
    } \
  }
#define GATHERS(I, ISUFFIX) \
  GATHER_KERNEL(unsigned char, 1, I, ISUFFIX) \
  GATHER_KERNEL(unsigned short, 2, I, ISUFFIX) \
  GATHER_KERNEL(unsigned int, 4, I, ISUFFIX) \
  GATHER_KERNEL(unsigned long long, 8, I, ISUFFIX)
GATHERS(long long, i64)
GATHERS(int, i32)

// dst[picked] += src[i], with atomics: several positions may pick the same element
#define SCATTER_ADD_KERNEL(T, SUFFIX, I, ISUFFIX) \
  extern "C" __global__ void scatter_add_##SUFFIX##_##ISUFFIX(T* __restrict__ dst, Layout ld, long long dim_stride, long long dim_size, \
                                                              const I* __restrict__ index, Layout li, const T* __restrict__ src, \
                                                              Layout ls, long long n, unsigned long long* bad) { \
    GRID_STRIDE(i, n) { \
      long long j; \
      if (picked(index, li, i, dim_size, bad, &j)) atomicAdd(dst + offset_of(ld, i) + j * dim_stride, src[offset_of(ls, i)]); \
    } \
  }
SCATTER_ADD_KERNEL(float, f32, long long, i64)
SCATTER_ADD_KERNEL(double, f64, long long, i64)
SCATTER_ADD_KERNEL(float, f32, int, i32)
SCATTER_ADD_KERNEL(double, f64, int, i32)
