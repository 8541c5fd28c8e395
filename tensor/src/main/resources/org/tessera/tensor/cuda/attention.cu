// Fused scaled-dot-product attention, forward and backward, flash-attention style: softmax(scale·q·kᵀ + bias)·v
// without an Lq×Lk score matrix. Operands are (B, L, d) views given by an offset and three strides (View3); the
// bias is one too (stride 0 where it broadcasts) or absent (has_bias 0). Every kernel is a block of ROWS warps, one
// warp per row of its own operand; the other operand streams through shared memory in tiles of KT = 32 rows, one
// per lane, and a lane's score is its row's dot product. A warp's outputs are spread over its lanes (column
// lane + 32·c), so head dims up to MAX_D (128 in F32, 64 in F64: the tiles fit the 48 KB of static shared memory).
// Fully masked rows follow the CPU backend: out NaN (0/0), lse -inf.
#include "common.cuh"

#define KT 32
#define ROWS 8
#define FULL 0xffffffffu

struct View3 {
  long long offset, s0, s1, s2;
  __device__ __forceinline__ long long at(long long b, long long i, long long e) const { return offset + b * s0 + i * s1 + e * s2; }
};
// the host passes four longs (AttentionLaunch.java)
static_assert(sizeof(View3) == 32, "View3 is 32 bytes");

template <typename T> __device__ __forceinline__ T warp_sum(T x) {
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(FULL, x, o);
  return x;
}
template <typename T> __device__ __forceinline__ T warp_max(T x) {
  for (int o = 16; o > 0; o >>= 1) x = fmax(x, __shfl_xor_sync(FULL, x, o));
  return x;
}
template <typename T> __device__ __forceinline__ T neg_inf() { return -(T) INFINITY; }

// scale·(row · tile row `lane`) + bias(b, i, j); -inf past the last column j of the tile
template <typename T, int MAX_D>
__device__ __forceinline__ T score(const T* row, T (*tile)[MAX_D + 1], int lane, int d, T scale, const T* bias, View3 vb,
                                   bool has_bias, long long b, long long i, long long j, long long columns) {
  if (j >= columns) return neg_inf<T>();
  T s = 0;
  for (int e = 0; e < d; e++) s += row[e] * tile[lane][e];
  s *= scale;
  return has_bias ? s + bias[vb.at(b, i, j)] : s;
}

// rows [r0, r0 + KT) of a (B, L, width) view into a shared tile, zero past row `rows`
template <typename T, int MAX_D>
__device__ __forceinline__ void load_tile(T (*tile)[MAX_D + 1], const T* x, View3 vx, long long b, long long r0, long long rows, int width) {
  for (int t = threadIdx.x; t < KT * width; t += blockDim.x) {
    int r = t / width, e = t % width;
    tile[r][e] = r0 + r < rows ? x[vx.at(b, r0 + r, e)] : (T) 0;
  }
}

// the key and value tiles from row j0, once every warp is done with the previous ones
template <typename T, int MAX_D>
__device__ __forceinline__ void load_key_value_tiles(T (*ks)[MAX_D + 1], T (*vs)[MAX_D + 1], const T* k, View3 vk, const T* v, View3 vv,
                                                     long long b, long long j0, long long lk, int d, int dv) {
  __syncthreads();
  load_tile<T, MAX_D>(ks, k, vk, b, j0, lk, d);
  load_tile<T, MAX_D>(vs, v, vv, b, j0, lk, dv);
  __syncthreads();
}

// out[c] += Σ_r shfl(w, r) · tile[r][lane + 32c]: a warp adds the weighted rows of a tile to its spread output row
template <typename T, int MAX_D>
__device__ __forceinline__ void add_rows(T* out, T w, T (*tile)[MAX_D + 1], int lane, int width) {
  for (int r = 0; r < KT; r++) {
    T wr = __shfl_sync(FULL, w, r);
#pragma unroll
    for (int c = 0; c < MAX_D / 32; c++)
      if (lane + 32 * c < width) out[c] += wr * tile[r][lane + 32 * c];
  }
}

// the block's batch entry and the row of its warp: blocks walk (b, row block) with row blocks of ROWS
__device__ __forceinline__ void block_row(long long rows, long long* b, long long* i) {
  long long blocks = (rows + ROWS - 1) / ROWS;
  *b = blockIdx.x / blocks;
  *i = (blockIdx.x % blocks) * ROWS + threadIdx.x / 32;
}

// out (B, Lq, dv) and lse (B, Lq), contiguous; one warp per query row, key/value tiles in shared memory
template <typename T, int MAX_D>
__device__ void attention_forward(const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv, const T* bias, View3 vb, int has_bias,
                                  double scale, long long lq, long long lk, int d, int dv, T* out, T* lse) {
  __shared__ T ks[KT][MAX_D + 1], vs[KT][MAX_D + 1], qs[ROWS][MAX_D];
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  long long b, i;
  block_row(lq, &b, &i);
  bool active = i < lq;
  for (int e = lane; e < d; e += 32) qs[warp][e] = active ? q[vq.at(b, i, e)] : (T) 0;
  T m = neg_inf<T>(), l = 0, acc[MAX_D / 32] = {};
  for (long long j0 = 0; j0 < lk; j0 += KT) {
    load_key_value_tiles<T, MAX_D>(ks, vs, k, vk, v, vv, b, j0, lk, d, dv);
    if (!active) continue;
    T s = score<T, MAX_D>(qs[warp], ks, lane, d, (T) scale, bias, vb, has_bias, b, i, j0 + lane, lk);
    T m_new = fmax(m, warp_max(s));
    // while every score so far is -inf (a masked row) the shift is 0: exp(-inf - -inf) would be NaN
    T shift = m_new == neg_inf<T>() ? (T) 0 : m_new, correction = m_exp(m - shift);
    T p = m_exp(s - shift);
    l = l * correction + warp_sum(p);
#pragma unroll
    for (int c = 0; c < MAX_D / 32; c++) acc[c] *= correction;
    add_rows<T, MAX_D>(acc, p, vs, lane, dv);
    m = m_new;
  }
  if (!active) return;
  long long row = b * lq + i;
#pragma unroll
  for (int c = 0; c < MAX_D / 32; c++)
    if (lane + 32 * c < dv) out[row * dv + lane + 32 * c] = acc[c] / l;  // no allowed key: 0/0, NaN as in torch
  if (lane == 0) lse[row] = m + m_log(l);
}

// dq (B, Lq, d), Δ = rowsum(dO ∘ out) (B, Lq) for the dk/dv kernel, and the score gradient (B, Lq, Lk) when asked
template <typename T, int MAX_D>
__device__ void attention_backward_dq(const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv, const T* bias, View3 vb, int has_bias,
                                      double scale, long long lq, long long lk, int d, int dv, const T* out, View3 vo, const T* lse,
                                      const T* grad_out, View3 vg, T* dq, T* delta, T* dscores) {
  __shared__ T ks[KT][MAX_D + 1], vs[KT][MAX_D + 1], qs[ROWS][MAX_D], gs[ROWS][MAX_D];
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  long long b, i;
  block_row(lq, &b, &i);
  bool active = i < lq;
  long long row = b * lq + i;
  T dot = 0;
  for (int e = lane; e < d; e += 32) qs[warp][e] = active ? q[vq.at(b, i, e)] : (T) 0;
  for (int e = lane; e < dv; e += 32) {
    gs[warp][e] = active ? grad_out[vg.at(b, i, e)] : (T) 0;
    if (active) dot += gs[warp][e] * out[vo.at(b, i, e)];
  }
  T row_delta = warp_sum(dot), row_lse = active ? lse[row] : (T) 0, acc[MAX_D / 32] = {};
  if (active && lane == 0) delta[row] = row_delta;
  for (long long j0 = 0; j0 < lk; j0 += KT) {
    load_key_value_tiles<T, MAX_D>(ks, vs, k, vk, v, vv, b, j0, lk, d, dv);
    if (!active) continue;
    long long j = j0 + lane;
    T p = m_exp(score<T, MAX_D>(qs[warp], ks, lane, d, (T) scale, bias, vb, has_bias, b, i, j, lk) - row_lse), dp = 0;
    if (j >= lk) p = 0;
    for (int e = 0; e < dv; e++) dp += gs[warp][e] * vs[lane][e];
    T ds = p * (dp - row_delta);
    if (dscores != nullptr && j < lk) dscores[row * lk + j] = ds;
    add_rows<T, MAX_D>(acc, ds, ks, lane, d);
  }
  if (!active) return;
#pragma unroll
  for (int c = 0; c < MAX_D / 32; c++)
    if (lane + 32 * c < d) dq[row * d + lane + 32 * c] = (T) scale * acc[c];
}

// dk (B, Lk, d) and dv (B, Lk, dv): one warp per key row, query tiles (q, dO, lse, Δ) in shared memory
template <typename T, int MAX_D>
__device__ void attention_backward_dkdv(const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv, const T* bias, View3 vb, int has_bias,
                                        double scale, long long lq, long long lk, int d, int dv, const T* lse, const T* grad_out, View3 vg,
                                        const T* delta, T* dk, T* dvalue) {
  __shared__ T qt[KT][MAX_D + 1], gt[KT][MAX_D + 1], ks[ROWS][MAX_D], vs[ROWS][MAX_D], lse_t[KT], delta_t[KT];
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  long long b, j;
  block_row(lk, &b, &j);
  bool active = j < lk;
  for (int e = lane; e < d; e += 32) ks[warp][e] = active ? k[vk.at(b, j, e)] : (T) 0;
  for (int e = lane; e < dv; e += 32) vs[warp][e] = active ? v[vv.at(b, j, e)] : (T) 0;
  T dk_acc[MAX_D / 32] = {}, dv_acc[MAX_D / 32] = {};
  for (long long i0 = 0; i0 < lq; i0 += KT) {
    __syncthreads();
    load_tile<T, MAX_D>(qt, q, vq, b, i0, lq, d);
    load_tile<T, MAX_D>(gt, grad_out, vg, b, i0, lq, dv);
    if (threadIdx.x < KT) {
      bool inside = i0 + threadIdx.x < lq;
      lse_t[threadIdx.x] = inside ? lse[b * lq + i0 + threadIdx.x] : (T) 0;
      delta_t[threadIdx.x] = inside ? delta[b * lq + i0 + threadIdx.x] : (T) 0;
    }
    __syncthreads();
    if (!active) continue;
    long long i = i0 + lane;
    T s = neg_inf<T>(), dp = 0;
    if (i < lq) {
      s = 0;
      for (int e = 0; e < d; e++) s += qt[lane][e] * ks[warp][e];
      s *= (T) scale;
      if (has_bias) s += bias[vb.at(b, i, j)];
    }
    T p = i < lq ? m_exp(s - lse_t[lane]) : (T) 0;
    for (int e = 0; e < dv; e++) dp += gt[lane][e] * vs[warp][e];
    T ds = p * (dp - delta_t[lane]);
    add_rows<T, MAX_D>(dv_acc, p, gt, lane, dv);
    add_rows<T, MAX_D>(dk_acc, ds, qt, lane, d);
  }
  if (!active) return;
  long long row = b * lk + j;
#pragma unroll
  for (int c = 0; c < MAX_D / 32; c++) {
    if (lane + 32 * c < d) dk[row * d + lane + 32 * c] = (T) scale * dk_acc[c];
    if (lane + 32 * c < dv) dvalue[row * dv + lane + 32 * c] = dv_acc[c];
  }
}

#define ATTENTION_KERNELS(T, SUFFIX, MAX_D) \
  extern "C" __global__ void __launch_bounds__(32 * ROWS) attention_forward_##SUFFIX( \
      const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv, const T* bias, View3 vb, int has_bias, double scale, long long lq, \
      long long lk, int d, int dv, T* out, T* lse) { \
    attention_forward<T, MAX_D>(q, vq, k, vk, v, vv, bias, vb, has_bias, scale, lq, lk, d, dv, out, lse); \
  } \
  extern "C" __global__ void __launch_bounds__(32 * ROWS) attention_backward_dq_##SUFFIX( \
      const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv, const T* bias, View3 vb, int has_bias, double scale, long long lq, \
      long long lk, int d, int dv, const T* out, View3 vo, const T* lse, const T* grad_out, View3 vg, T* dq, T* delta, T* dscores) { \
    attention_backward_dq<T, MAX_D>(q, vq, k, vk, v, vv, bias, vb, has_bias, scale, lq, lk, d, dv, out, vo, lse, grad_out, vg, dq, delta, \
                                    dscores); \
  } \
  extern "C" __global__ void __launch_bounds__(32 * ROWS) attention_backward_dkdv_##SUFFIX( \
      const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv, const T* bias, View3 vb, int has_bias, double scale, long long lq, \
      long long lk, int d, int dv, const T* lse, const T* grad_out, View3 vg, const T* delta, T* dk, T* dvalue) { \
    attention_backward_dkdv<T, MAX_D>(q, vq, k, vk, v, vv, bias, vb, has_bias, scale, lq, lk, d, dv, lse, grad_out, vg, delta, dk, dvalue); \
  }
ATTENTION_KERNELS(float, f32, 128)
ATTENTION_KERNELS(double, f64, 64)
