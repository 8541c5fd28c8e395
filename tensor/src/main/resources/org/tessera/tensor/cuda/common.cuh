// What every kernel file shares: the Layout of a strided view and the offset of its i-th element, one name for the
// float and double versions of each math function, NaN-propagating max/min, and the grid-stride loop. CudaSources
// pastes this file where a .cu file includes it (once), so NVRTC and the nvcc test compile one self-contained source.
#define MAX_DIMS 8

struct Layout {
  int rank;
  long long sizes[MAX_DIMS];
  long long strides[MAX_DIMS];
  long long offset;
};
// the host packs this struct byte by byte (LayoutArgument.java)
static_assert(sizeof(Layout) == 144, "Layout is 144 bytes");
static_assert(__builtin_offsetof(Layout, sizes) == 8 && __builtin_offsetof(Layout, strides) == 72 &&
              __builtin_offsetof(Layout, offset) == 136, "Layout field offsets");

// The storage offset of the i-th element (row-major order) of a strided view.
__device__ __forceinline__ long long offset_of(const Layout& l, long long i) {
  long long off = l.offset;
  for (int d = l.rank - 1; d >= 0; --d) {
    long long size = l.sizes[d];
    off += (i % size) * l.strides[d];
    i /= size;
  }
  return off;
}

// One name for the float and double versions of each math function.
#define MATH(name, f32, f64) \
  __device__ __forceinline__ float name(float x) { return f32(x); } \
  __device__ __forceinline__ double name(double x) { return f64(x); }
MATH(m_exp, expf, exp)
MATH(m_log, logf, log)
MATH(m_log1p, log1pf, log1p)
MATH(m_sqrt, sqrtf, sqrt)
MATH(m_rsqrt, rsqrtf, rsqrt)
MATH(m_sin, sinf, sin)
MATH(m_cos, cosf, cos)
MATH(m_tanh, tanhf, tanh)
MATH(m_erf, erff, erf)
MATH(m_floor, floorf, floor)
MATH(m_rint, rintf, rint)
MATH(m_fabs, fabsf, fabs)
#undef MATH
__device__ __forceinline__ float m_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double m_pow(double x, double y) { return pow(x, y); }
__device__ __forceinline__ float m_atan2(float x, float y) { return atan2f(x, y); }
__device__ __forceinline__ double m_atan2(double x, double y) { return atan2(x, y); }

template <typename T> __device__ __forceinline__ T nan_max(T x, T y) { return x != x || y != y ? x + y : (x > y ? x : y); }
template <typename T> __device__ __forceinline__ T nan_min(T x, T y) { return x != x || y != y ? x + y : (x < y ? x : y); }

#define GRID_STRIDE(i, n) \
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); i += (long long) gridDim.x * blockDim.x)
