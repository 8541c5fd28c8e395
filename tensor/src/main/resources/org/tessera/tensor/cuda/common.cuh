// What every kernel file shares: the Layout of a strided view and the offset of its i-th element, one name for the
// float and double versions of each math function, NaN-propagating max/min, the grid-stride loop, and the BF16/F16
// storage types with the conversions of every dtype through double (widen, narrow). CudaSources
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

// Every value converts through double (exact for all of them), as HostStorage converts: BF16 and F16 are rounded
// from float to nearest even by the PTX cvt instructions (so a double is rounded twice, as torch and the CPU backends
// do), BOOL is x != 0 (NaN true), integers are Java's casts. The 16-bit types are their bits in an unsigned short; a
// struct each keeps their overloads apart.
struct bf16 { unsigned short bits; };
struct f16 { unsigned short bits; };
__device__ __forceinline__ double widen(float x) { return x; }
__device__ __forceinline__ double widen(double x) { return x; }
__device__ __forceinline__ double widen(unsigned char x) { return x; }
__device__ __forceinline__ double widen(long long x) { return (double) x; }
__device__ __forceinline__ double widen(int x) { return x; }
__device__ __forceinline__ double widen(bf16 x) { return __int_as_float(((int) x.bits) << 16); }
__device__ __forceinline__ double widen(f16 x) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(x.bits));
  return f;
}
template <typename T> __device__ __forceinline__ T narrow(double x);
template <> __device__ __forceinline__ float narrow<float>(double x) { return (float) x; }
template <> __device__ __forceinline__ double narrow<double>(double x) { return x; }
template <> __device__ __forceinline__ unsigned char narrow<unsigned char>(double x) { return x != 0; }
// Java's casts: toward zero, NaN to 0, saturating at the type's range
template <> __device__ __forceinline__ long long narrow<long long>(double x) {
  return x != x ? 0 : x >= 9.2233720368547758e18 ? 9223372036854775807LL : x <= -9.2233720368547758e18 ? -9223372036854775807LL - 1 : (long long) x;
}
template <> __device__ __forceinline__ int narrow<int>(double x) {
  return x != x ? 0 : x >= 2147483647.0 ? 2147483647 : x <= -2147483648.0 ? -2147483647 - 1 : (int) x;
}
template <> __device__ __forceinline__ bf16 narrow<bf16>(double x) {
  bf16 b;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(b.bits) : "f"((float) x));
  return b;
}
template <> __device__ __forceinline__ f16 narrow<f16>(double x) {
  f16 h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.bits) : "f"((float) x));
  return h;
}

// A stored value in the type a kernel computes in, and a computed value in the stored type: C casts, except for
// BF16/F16, which widen to double and are rounded back as a conversion rounds them.
template <typename C, typename S> __device__ __forceinline__ C widened(S x) { return (C) x; }
template <> __device__ __forceinline__ double widened<double, bf16>(bf16 x) { return widen(x); }
template <> __device__ __forceinline__ double widened<double, f16>(f16 x) { return widen(x); }
template <typename S, typename C> __device__ __forceinline__ S narrowed(C x) { return (S) x; }
template <> __device__ __forceinline__ bf16 narrowed<bf16, double>(double x) { return narrow<bf16>(x); }
template <> __device__ __forceinline__ f16 narrowed<f16, double>(double x) { return narrow<f16>(x); }
