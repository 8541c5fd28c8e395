// Elementwise kernels of every UnaryOp and BinaryOp for F32 and F64 (and for BF16 and F16, at the end), generated
// by the preprocessor from one template per arity: the op lists below are the only place an op is named. Kernel names are
// unary_<op>_<dtype> and binary_<op>_<dtype>, the Java enum names in lower case (KernelNames builds the same
// names); where_<dtype> selects between two views by a BOOL one; convert_<from>_<to> changes dtype. Operands are strided views of up to 8 dims (stride 0 for a broadcast dim); the output is contiguous.
// Semantics follow UnaryOp.apply and BinaryOp.apply, the definitions the Java backends are tested against.

#include "common.cuh"

template <typename T> __device__ __forceinline__ T sigmoid(T x) {
  return x >= T(0) ? T(1) / (T(1) + m_exp(-x)) : m_exp(x) / (T(1) + m_exp(x));
}
template <typename T> __device__ __forceinline__ T sign(T x) {
  return x > T(0) ? T(1) : x < T(0) ? T(-1) : x;  // keeps ±0 and NaN, as Math.signum
}
template <typename T> __device__ __forceinline__ T clamp(T x, T lo, T hi) {
  T y = lo != lo ? x : (x != x ? x : (x > lo ? x : lo));
  return hi != hi ? y : (y != y ? y : (y < hi ? y : hi));
}

// X(name, expression of x and the parameters a, b)
#define UNARY_OPS(X) \
  X(neg, -x) \
  X(abs, m_fabs(x)) \
  X(sign, sign(x)) \
  X(exp, m_exp(x)) \
  X(log, m_log(x)) \
  X(log1p, m_log1p(x)) \
  X(sqrt, m_sqrt(x)) \
  X(rsqrt, T(1) / m_sqrt(x)) \
  X(reciprocal, T(1) / x) \
  X(square, x * x) \
  X(sin, m_sin(x)) \
  X(cos, m_cos(x)) \
  X(tanh, m_tanh(x)) \
  X(sigmoid, sigmoid(x)) \
  X(relu, x > T(0) ? x : (x != x ? x : T(0))) \
  X(leaky_relu, x > T(0) ? x : x * a) \
  X(gelu, T(0.5) * x * (T(1) + m_erf(x * T(0.70710678118654752440)))) \
  X(gelu_tanh, T(0.5) * x * (T(1) + m_tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x)))) \
  X(silu, x * sigmoid(x)) \
  X(erf, m_erf(x)) \
  X(gelu_grad, T(0.5) * (T(1) + m_erf(x * T(0.70710678118654752440))) + x * m_exp(T(-0.5) * x * x) * T(0.39894228040143267794)) \
  X(silu_grad, sigmoid(x) * (T(1) + x * (T(1) - sigmoid(x)))) \
  X(floor, m_floor(x)) \
  X(round, m_rint(x)) \
  X(pow, m_pow(x, a)) \
  X(rpow, m_pow(a, x)) \
  X(clamp, clamp(x, a, b)) \
  X(affine, x * a + b)

// X(name, expression of x and y); comparisons and logical ops write 1 or 0 in the operands' dtype, which
// convert_<dtype>_bool below turns into BOOL
#define BINARY_OPS(X) ARITHMETIC_OPS(X) COMPARISON_OPS(X)
#define ARITHMETIC_OPS(X) \
  X(add, x + y) \
  X(sub, x - y) \
  X(mul, x * y) \
  X(div, x / y) \
  X(pow, m_pow(x, y)) \
  X(maximum, nan_max(x, y)) \
  X(minimum, nan_min(x, y)) \
  X(atan2, m_atan2(x, y))
// the ops that produce BOOL, defined for the integer dtypes as well
#define COMPARISON_OPS(X) \
  X(eq, (T) (x == y)) \
  X(ne, (T) (x != y)) \
  X(lt, (T) (x < y)) \
  X(le, (T) (x <= y)) \
  X(gt, (T) (x > y)) \
  X(ge, (T) (x >= y)) \
  X(and, (T) (x != 0 && y != 0)) \
  X(or, (T) (x != 0 || y != 0)) \
  X(xor, (T) ((x != 0) != (y != 0)))

// S the stored type, C the type the expression computes in (common.cuh's widened and narrowed between them): the
// same for F32, F64 and the comparisons of the integers; double for BF16/F16, long long for integer arithmetic
#define UNARY_KERNEL(S, C, SUFFIX, name, expr) \
  extern "C" __global__ void unary_##name##_##SUFFIX(const S* __restrict__ in, Layout lx, S* __restrict__ out, \
                                                     long long n, C a, C b) { \
    GRID_STRIDE(i, n) { \
      C x = widened<C>(in[offset_of(lx, i)]); \
      out[i] = narrowed<S>((C) (expr)); \
    } \
  }
#define BINARY_KERNEL(S, C, SUFFIX, name, expr) \
  extern "C" __global__ void binary_##name##_##SUFFIX(const S* __restrict__ in1, Layout l1, const S* __restrict__ in2, \
                                                      Layout l2, S* __restrict__ out, long long n) { \
    GRID_STRIDE(i, n) { \
      C x = widened<C>(in1[offset_of(l1, i)]), y = widened<C>(in2[offset_of(l2, i)]); \
      out[i] = narrowed<S>((C) (expr)); \
    } \
  }

#define UNARY_F32(name, expr) UNARY_KERNEL(float, float, f32, name, expr)
#define UNARY_F64(name, expr) UNARY_KERNEL(double, double, f64, name, expr)
#define BINARY_F32(name, expr) BINARY_KERNEL(float, float, f32, name, expr)
#define BINARY_F64(name, expr) BINARY_KERNEL(double, double, f64, name, expr)

#define BINARY_I64(name, expr) BINARY_KERNEL(long long, long long, i64, name, expr)
#define BINARY_I32(name, expr) BINARY_KERNEL(int, int, i32, name, expr)
#define BINARY_U8(name, expr) BINARY_KERNEL(unsigned char, unsigned char, u8, name, expr)

#define T float
UNARY_OPS(UNARY_F32)
BINARY_OPS(BINARY_F32)
#undef T
#define T double
UNARY_OPS(UNARY_F64)
BINARY_OPS(BINARY_F64)
#undef T
#define T long long
COMPARISON_OPS(BINARY_I64)
#undef T
#define T int
COMPARISON_OPS(BINARY_I32)
#undef T
#define T unsigned char
COMPARISON_OPS(BINARY_U8)
#undef T

// Integer arithmetic of I64, I32 and U8 as BinaryOp.applyLong: in a long (sums and products wrap, as Java's, through
// unsigned arithmetic), pow and atan2 through double with Java's saturating cast, then the dtype's narrowing cast.
// Integer division has a kernel of its own below; BOOL arithmetic stays on the host.
#define INTEGER_OPS(X) \
  X(add, (long long) ((unsigned long long) x + (unsigned long long) y)) \
  X(sub, (long long) ((unsigned long long) x - (unsigned long long) y)) \
  X(mul, (long long) ((unsigned long long) x * (unsigned long long) y)) \
  X(pow, narrow<long long>(m_pow((double) x, (double) y))) \
  X(maximum, x > y ? x : y) \
  X(minimum, x < y ? x : y) \
  X(atan2, narrow<long long>(m_atan2((double) x, (double) y)))
#define INTEGER_I64(name, expr) BINARY_KERNEL(long long, long long, i64, name, expr)
#define INTEGER_I32(name, expr) BINARY_KERNEL(int, long long, i32, name, expr)
#define INTEGER_U8(name, expr) BINARY_KERNEL(unsigned char, long long, u8, name, expr)
INTEGER_OPS(INTEGER_I64)
INTEGER_OPS(INTEGER_I32)
INTEGER_OPS(INTEGER_U8)

// Integer division as BinaryOp.applyLong: Java's Math.floorDiv in a long (Long.MIN_VALUE / -1 wraps to itself, as
// in Java, where C's quotient overflows), then the dtype's narrowing cast. A zero divisor writes 0 and sets *zero,
// from which the host raises Java's "/ by zero" as the CPU backends do.
__device__ __forceinline__ long long floor_div(long long x, long long y) {
  if (y == -1) return (long long) (0ull - (unsigned long long) x);
  long long q = x / y;
  return x % y != 0 && (x ^ y) < 0 ? q - 1 : q;
}
#define DIVIDE_KERNEL(S, SUFFIX) \
  extern "C" __global__ void divide_##SUFFIX(const S* __restrict__ in1, Layout l1, const S* __restrict__ in2, Layout l2, \
                                             S* __restrict__ out, long long n, int* zero) { \
    GRID_STRIDE(i, n) { \
      long long x = widened<long long>(in1[offset_of(l1, i)]), y = widened<long long>(in2[offset_of(l2, i)]); \
      if (y == 0) *zero = 1; \
      out[i] = y == 0 ? (S) 0 : narrowed<S>(floor_div(x, y)); \
    } \
  }
DIVIDE_KERNEL(long long, i64)
DIVIDE_KERNEL(int, i32)
DIVIDE_KERNEL(unsigned char, u8)

// cond ? a : b, the condition a BOOL view (one byte per element); only the chosen operand is read
#define WHERE_KERNEL(T, SUFFIX) \
  extern "C" __global__ void where_##SUFFIX(const unsigned char* __restrict__ cond, Layout lc, const T* __restrict__ a, \
                                            Layout la, const T* __restrict__ b, Layout lb, T* __restrict__ out, long long n) { \
    GRID_STRIDE(i, n) out[i] = cond[offset_of(lc, i)] ? a[offset_of(la, i)] : b[offset_of(lb, i)]; \
  }
WHERE_KERNEL(float, f32)
WHERE_KERNEL(double, f64)

// A strided view gathered into a contiguous buffer, for every dtype by its element size (no conversion).
#define COPY_KERNEL(T, BYTES) \
  extern "C" __global__ void copy_##BYTES(const T* __restrict__ in, Layout lx, T* __restrict__ out, long long n) { \
    GRID_STRIDE(i, n) out[i] = in[offset_of(lx, i)]; \
  }
// X(type, bytes): one element type per size, for the kernels that move values without looking at them
#define BY_SIZE(X) X(unsigned char, 1) X(unsigned short, 2) X(unsigned int, 4) X(unsigned long long, 8)
BY_SIZE(COPY_KERNEL)

// A contiguous buffer written into a strided view whose elements are distinct (Backend.assign: the source is first
// broadcast and converted into that buffer by copy_ or convert_, so an assignment between overlapping views of one
// storage reads everything before it writes anything).
#define SCATTER_KERNEL(T, BYTES) \
  extern "C" __global__ void scatter_##BYTES(const T* __restrict__ in, T* __restrict__ out, Layout lx, long long n) { \
    GRID_STRIDE(i, n) out[offset_of(lx, i)] = in[i]; \
  }
BY_SIZE(SCATTER_KERNEL)

// dtype conversions among F32, F64, BF16, F16 and BOOL, from the integers to those, from BOOL to the integers, and
// from the floats to I64 and I32, as HostStorage converts: through common.cuh's widen and narrow.
#define CONVERT_KERNEL(FROM_T, FROM, TO_T, TO) \
  extern "C" __global__ void convert_##FROM##_##TO(const FROM_T* __restrict__ in, Layout lx, TO_T* __restrict__ out, long long n) { \
    GRID_STRIDE(i, n) out[i] = narrow<TO_T>(widen(in[offset_of(lx, i)])); \
  }
// X(type, suffix) for every dtype a conversion kernel reads or writes
#define CONVERTIBLE(X) X(float, f32) X(double, f64) X(bf16, bf16) X(f16, f16) X(unsigned char, bool)
#define CONVERT_FROM_F32(TO_T, TO) CONVERT_KERNEL(float, f32, TO_T, TO)
#define CONVERT_FROM_F64(TO_T, TO) CONVERT_KERNEL(double, f64, TO_T, TO)
#define CONVERT_FROM_BF16(TO_T, TO) CONVERT_KERNEL(bf16, bf16, TO_T, TO)
#define CONVERT_FROM_F16(TO_T, TO) CONVERT_KERNEL(f16, f16, TO_T, TO)
#define CONVERT_FROM_BOOL(TO_T, TO) CONVERT_KERNEL(unsigned char, bool, TO_T, TO)
CONVERTIBLE(CONVERT_FROM_F32)
CONVERTIBLE(CONVERT_FROM_F64)
CONVERTIBLE(CONVERT_FROM_BF16)
CONVERTIBLE(CONVERT_FROM_F16)
CONVERTIBLE(CONVERT_FROM_BOOL)
// integers to the float dtypes and BOOL (through double, as HostStorage), BOOL to the integers
#define CONVERT_FROM_I64(TO_T, TO) CONVERT_KERNEL(long long, i64, TO_T, TO)
#define CONVERT_FROM_I32(TO_T, TO) CONVERT_KERNEL(int, i32, TO_T, TO)
#define CONVERT_FROM_U8(TO_T, TO) CONVERT_KERNEL(unsigned char, u8, TO_T, TO)
CONVERTIBLE(CONVERT_FROM_I64)
CONVERTIBLE(CONVERT_FROM_I32)
CONVERTIBLE(CONVERT_FROM_U8)
CONVERT_KERNEL(unsigned char, bool, long long, i64)
CONVERT_KERNEL(unsigned char, bool, int, i32)
CONVERT_KERNEL(unsigned char, bool, unsigned char, u8)
// the float dtypes to I64 and I32 (grid_sample's indices), with Java's saturating casts
#define TO_INTEGERS(FROM_T, FROM) CONVERT_KERNEL(FROM_T, FROM, long long, i64) CONVERT_KERNEL(FROM_T, FROM, int, i32)
TO_INTEGERS(float, f32)
TO_INTEGERS(double, f64)
TO_INTEGERS(bf16, bf16)
TO_INTEGERS(f16, f16)
// the float dtypes to U8 as Java's (byte) (long) x: saturating to a long (NaN 0), then the low 8 bits
#define TO_U8(FROM_T, FROM) \
  extern "C" __global__ void convert_##FROM##_u8(const FROM_T* __restrict__ in, Layout lx, unsigned char* __restrict__ out, long long n) { \
    GRID_STRIDE(i, n) out[i] = (unsigned char) narrow<long long>(widen(in[offset_of(lx, i)])); \
  }
TO_U8(float, f32)
TO_U8(double, f64)
TO_U8(bf16, bf16)
TO_U8(f16, f16)
// among the integers as HostStorage converts them: through a long (I32 sign-extended, U8 read unsigned), then
// Java's narrowing casts (I32 and U8 keep the low bits)
#define INTEGER_KERNEL(FROM_T, FROM, TO_T, TO) \
  extern "C" __global__ void convert_##FROM##_##TO(const FROM_T* __restrict__ in, Layout lx, TO_T* __restrict__ out, long long n) { \
    GRID_STRIDE(i, n) out[i] = (TO_T) (long long) in[offset_of(lx, i)]; \
  }
INTEGER_KERNEL(long long, i64, int, i32)
INTEGER_KERNEL(long long, i64, unsigned char, u8)
INTEGER_KERNEL(int, i32, long long, i64)
INTEGER_KERNEL(int, i32, unsigned char, u8)
INTEGER_KERNEL(unsigned char, u8, long long, i64)
INTEGER_KERNEL(unsigned char, u8, int, i32)

// BF16 and F16 elementwise ops, as the CPU backends compute them: the values widened to double, the op's F64
// expression, the result rounded as a conversion rounds it (through float); the scalars a and b are doubles. A
// comparison's 1 or 0 is then converted to BOOL as for the other dtypes; where copies the chosen 16 bits.
#define UNARY_BF16(name, expr) UNARY_KERNEL(bf16, double, bf16, name, expr)
#define UNARY_F16(name, expr) UNARY_KERNEL(f16, double, f16, name, expr)
#define BINARY_BF16(name, expr) BINARY_KERNEL(bf16, double, bf16, name, expr)
#define BINARY_F16(name, expr) BINARY_KERNEL(f16, double, f16, name, expr)
#define T double
UNARY_OPS(UNARY_BF16)
BINARY_OPS(BINARY_BF16)
UNARY_OPS(UNARY_F16)
BINARY_OPS(BINARY_F16)
#undef T
WHERE_KERNEL(bf16, bf16)
WHERE_KERNEL(f16, f16)
