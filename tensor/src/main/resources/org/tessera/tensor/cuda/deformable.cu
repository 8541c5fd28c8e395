// Multi-scale deformable attention (Deformable DETR's ms_deform_attn), forward and backward, on contiguous operands:
// value (N, S, M, D), locations (N, Lq, M, L, P, 2) as (x, y) in [0, 1], weights (N, Lq, M, L, P). Level l is a
// height × width map from row start[l] of value; sampling is bilinear with align_corners = False, zeros outside.
// The forward has a thread per output element (b, q, h, e); the backward a thread per sampling point, which owns the
// gradients of its location and weight and adds into the value gradient with atomics (points share value rows).
#include "common.cuh"

#define MAX_LEVELS 8

struct Levels {
  int count;
  int height[MAX_LEVELS];
  int width[MAX_LEVELS];
  long long start[MAX_LEVELS];
};
// the host packs this struct byte by byte (DeformableLaunch.java)
static_assert(sizeof(Levels) == 136, "Levels is 136 bytes");
static_assert(__builtin_offsetof(Levels, height) == 4 && __builtin_offsetof(Levels, width) == 36 && __builtin_offsetof(Levels, start) == 72,
              "Levels field offsets");

// The four bilinear corners of sampling point a at level l: their value rows (-1 outside the map) and weights,
// and the point's fractional position (for the location gradient).
template <typename T> struct Corners {
  long long row[4];
  T weight[4], lx, ly;
};

template <typename T>
__device__ __forceinline__ Corners<T> corners(const T* loc, long long a, const Levels& lv, int l, long long b, long long s, int m, int h) {
  int height = lv.height[l], width = lv.width[l];
  T x = loc[2 * a] * width - (T) 0.5, y = loc[2 * a + 1] * height - (T) 0.5;
  int x0 = (int) m_floor(x), y0 = (int) m_floor(y);
  Corners<T> c;
  c.lx = x - x0;
  c.ly = y - y0;
  c.weight[0] = (1 - c.ly) * (1 - c.lx);
  c.weight[1] = (1 - c.ly) * c.lx;
  c.weight[2] = c.ly * (1 - c.lx);
  c.weight[3] = c.ly * c.lx;
  for (int k = 0; k < 4; k++) {
    int cx = x0 + (k & 1), cy = y0 + (k >> 1);
    bool inside = cx >= 0 && cx < width && cy >= 0 && cy < height;
    c.row[k] = inside ? ((b * s + lv.start[l] + (long long) cy * width + cx) * m + h) : -1;
  }
  return c;
}

// out (N, Lq, M·D): out[b, q, h·D + e] = Σ over levels, points and corners of weight · corner weight · value
template <typename T>
__device__ void deform_forward(const T* value, const T* loc, const T* weight, Levels lv, long long s, int m, int d, long long lq, int points,
                               T* out, long long n) {
  GRID_STRIDE(i, n) {
    int e = (int) (i % d);
    long long t = i / d;
    int h = (int) (t % m);
    t /= m;
    long long q = t % lq, b = t / lq;
    T acc = 0;
    for (int l = 0; l < lv.count; l++)
      for (int p = 0; p < points; p++) {
        long long a = (((b * lq + q) * m + h) * lv.count + l) * points + p;
        Corners<T> c = corners(loc, a, lv, l, b, s, m, h);
        for (int k = 0; k < 4; k++)
          if (c.row[k] >= 0) acc += weight[a] * c.weight[k] * value[c.row[k] * d + e];
      }
    out[i] = acc;
  }
}

// dValue (zeroed by the host, added into), dLocations and dWeights, one thread per sampling point a
template <typename T>
__device__ void deform_backward(const T* value, const T* loc, const T* weight, const T* grad_out, Levels lv, long long s, int m, int d,
                                long long lq, int points, T* dvalue, T* dloc, T* dweight, long long n) {
  GRID_STRIDE(a, n) {
    long long t = a / points;
    int l = (int) (t % lv.count);
    t /= lv.count;
    int h = (int) (t % m);
    t /= m;
    long long q = t % lq, b = t / lq, o = ((b * lq + q) * m + h) * d;
    Corners<T> c = corners(loc, a, lv, l, b, s, m, h);
    T w = weight[a], gv[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
      if (c.row[k] < 0) continue;
      for (int e = 0; e < d; e++) {
        T g = grad_out[o + e];
        gv[k] += g * value[c.row[k] * d + e];
        atomicAdd(dvalue + c.row[k] * d + e, w * c.weight[k] * g);
      }
    }
    dweight[a] = c.weight[0] * gv[0] + c.weight[1] * gv[1] + c.weight[2] * gv[2] + c.weight[3] * gv[3];
    dloc[2 * a] = w * ((1 - c.ly) * (gv[1] - gv[0]) + c.ly * (gv[3] - gv[2])) * lv.width[l];
    dloc[2 * a + 1] = w * ((1 - c.lx) * (gv[2] - gv[0]) + c.lx * (gv[3] - gv[1])) * lv.height[l];
  }
}

#define DEFORMABLE_KERNELS(T, SUFFIX) \
  extern "C" __global__ void ms_deform_attn_forward_##SUFFIX(const T* value, const T* loc, const T* weight, Levels lv, long long s, int m, \
                                                             int d, long long lq, int points, T* out, long long n) { \
    deform_forward<T>(value, loc, weight, lv, s, m, d, lq, points, out, n); \
  } \
  extern "C" __global__ void ms_deform_attn_backward_##SUFFIX(const T* value, const T* loc, const T* weight, const T* grad_out, Levels lv, \
                                                              long long s, int m, int d, long long lq, int points, T* dvalue, T* dloc, \
                                                              T* dweight, long long n) { \
    deform_backward<T>(value, loc, weight, grad_out, lv, s, m, d, lq, points, dvalue, dloc, dweight, n); \
  }
DEFORMABLE_KERNELS(float, f32)
DEFORMABLE_KERNELS(double, f64)
