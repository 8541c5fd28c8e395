package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-scale deformable attention (Deformable DETR) fused on contiguous F32 arrays: every query, head, level and
 * point samples its level of the value bilinearly (grid_sample semantics: align_corners = False, zeros outside) and
 * adds the sample times its attention weight, without forming any per-level sampled tensor. Channels (D) are the
 * vector lanes. Value (N, S, M, D), locations (N, Lq, M, L, P, 2) as (x, y) in [0, 1], weights (N, Lq, M, L, P).
 */
final class DeformableAttention {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private DeformableAttention() {}

  /** Sizes: batch, value length, heads, channels per head, queries, levels, points; shapes as (h, w) per level. */
  record Dims(int n, int s, int m, int d, int lq, int levels, int points, int[] shapes, int[] starts) {}

  /**
   * out (N, Lq, M·D). The value is first copied head-major, (N, M, S, D), and each worker takes whole (batch, head)
   * pairs: one head's value (S·D floats, about 1.4 MB at the ViT-Adapter size) then stays in that core's cache while
   * every query samples it. Per (query, head) the in-range corners of all samples are listed first (offset, weight)
   * and summed per vector of channels in registers, so the loads of different corners overlap.
   */
  static void forward(Dims dm, float[] value, float[] loc, float[] attw, float[] out) {
    float[] headMajor = headMajor(dm, value);
    int maxCorners = 4 * dm.levels * dm.points;
    Parallel.range(dm.n * dm.m, 1, (lo, hi) -> {
      int[] offsets = new int[maxCorners];
      float[] weights = new float[maxCorners];
      for (int task = lo; task < hi; task++) {
        int n = task / dm.m, m = task % dm.m;
        for (int q = 0; q < dm.lq; q++) {
          int nq = n * dm.lq + q;
          int corners = corners(dm, loc, attw, n, nq, m, offsets, weights);
          int outAt = (nq * dm.m + m) * dm.d, i = 0;
          for (int bound = F.loopBound(dm.d); i < bound; i += F.length()) {
            FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
            int c = 0;
            for (; c + 1 < corners; c += 2) {
              even = FloatVector.fromArray(F, headMajor, offsets[c] + i).fma(FloatVector.broadcast(F, weights[c]), even);
              odd = FloatVector.fromArray(F, headMajor, offsets[c + 1] + i).fma(FloatVector.broadcast(F, weights[c + 1]), odd);
            }
            if (c < corners) even = FloatVector.fromArray(F, headMajor, offsets[c] + i).fma(FloatVector.broadcast(F, weights[c]), even);
            even.add(odd).intoArray(out, outAt + i);
          }
          for (; i < dm.d; i++) {
            float sum = 0;
            for (int c = 0; c < corners; c++) sum += weights[c] * headMajor[offsets[c] + i];
            out[outAt + i] = sum;
          }
        }
      }
    });
  }

  /** value (N, S, M, D) → (N, M, S, D). */
  private static float[] headMajor(Dims dm, float[] value) {
    float[] out = new float[value.length];
    transposeHeads(dm, value, out, true);
    return out;
  }

  /** Copies between the (N, S, M, D) and head-major (N, M, S, D) layouts, in the direction asked for. */
  private static void transposeHeads(Dims dm, float[] from, float[] to, boolean toHeadMajor) {
    Parallel.range(dm.n * dm.s, 256, (lo, hi) -> {
      for (int ns = lo; ns < hi; ns++) {
        int n = ns / dm.s, s = ns % dm.s;
        for (int m = 0; m < dm.m; m++) {
          int sequenceMajor = (ns * dm.m + m) * dm.d, headMajor = ((n * dm.m + m) * dm.s + s) * dm.d;
          System.arraycopy(from, toHeadMajor ? sequenceMajor : headMajor, to, toHeadMajor ? headMajor : sequenceMajor, dm.d);
        }
      }
    });
  }

  /** Lists the in-range corners of every sample of (query nq, head m): value offsets and attention × bilinear weights. */
  private static int corners(Dims dm, float[] loc, float[] attw, int n, int nq, int m, int[] offsets, float[] weights) {
    int count = 0;
    for (int l = 0; l < dm.levels; l++) {
      int h = dm.shapes[2 * l], w = dm.shapes[2 * l + 1];
      // offsets into the head-major value (N, M, S, D)
      int base = ((n * dm.m + m) * dm.s + dm.starts[l]) * dm.d, colStride = dm.d, rowStride = w * colStride;
      for (int p = 0; p < dm.points; p++) {
        int a = ((nq * dm.m + m) * dm.levels + l) * dm.points + p;
        float x = loc[2 * a] * w - 0.5f, y = loc[2 * a + 1] * h - 0.5f;
        if (!(x > -1 && y > -1 && x < w && y < h)) continue; // every corner is outside: the sample is 0
        int x0 = floor(x), y0 = floor(y);
        float lx = x - x0, ly = y - y0, weight = attw[a];
        int p00 = base + y0 * rowStride + x0 * colStride;
        if (y0 >= 0 && x0 >= 0) {
          offsets[count] = p00;
          weights[count++] = weight * (1 - ly) * (1 - lx);
        }
        if (y0 >= 0 && x0 + 1 < w) {
          offsets[count] = p00 + colStride;
          weights[count++] = weight * (1 - ly) * lx;
        }
        if (y0 + 1 < h && x0 >= 0) {
          offsets[count] = p00 + rowStride;
          weights[count++] = weight * ly * (1 - lx);
        }
        if (y0 + 1 < h && x0 + 1 < w) {
          offsets[count] = p00 + rowStride + colStride;
          weights[count++] = weight * ly * lx;
        }
      }
    }
    return count;
  }

  /**
   * Gradients of value, locations and weights from gradOut (N, Lq, M·D). One (batch, head) per task, on head-major
   * copies as in the forward: a head's value slice is touched by that head only, so its gradient needs no atomics.
   */
  static void backward(Dims dm, float[] valueIn, float[] loc, float[] attw, float[] gradOut, float[] dValueOut, float[] dLoc, float[] dAttw) {
    float[] value = headMajor(dm, valueIn), dValue = new float[valueIn.length];
    Parallel.range(dm.n * dm.m, 1, (lo, hi) -> {
      float[] corners = new float[4];
      for (int task = lo; task < hi; task++) {
        int n = task / dm.m, m = task % dm.m;
        for (int q = 0; q < dm.lq; q++) {
          int nq = n * dm.lq + q, gAt = (nq * dm.m + m) * dm.d;
          for (int l = 0; l < dm.levels; l++) {
            int h = dm.shapes[2 * l], w = dm.shapes[2 * l + 1];
            int base = ((n * dm.m + m) * dm.s + dm.starts[l]) * dm.d, rowStride = w * dm.d, colStride = dm.d; // head-major
            for (int p = 0; p < dm.points; p++) {
              int a = (((nq * dm.m + m) * dm.levels + l) * dm.points + p);
              float weight = attw[a];
              float x = loc[2 * a] * w - 0.5f, y = loc[2 * a + 1] * h - 0.5f;
              if (!(x > -1 && y > -1 && x < w && y < h)) continue;
              int x0 = floor(x), y0 = floor(y);
              float lx = x - x0, ly = y - y0;
              boolean left = x0 >= 0, right = x0 + 1 < w, top = y0 >= 0, bottom = y0 + 1 < h;
              int p00 = base + y0 * rowStride + x0 * colStride;
              // g·v at each corner (0 outside), for the weight and location gradients
              corners[0] = top && left ? dot(gradOut, gAt, value, p00, dm.d) : 0;
              corners[1] = top && right ? dot(gradOut, gAt, value, p00 + colStride, dm.d) : 0;
              corners[2] = bottom && left ? dot(gradOut, gAt, value, p00 + rowStride, dm.d) : 0;
              corners[3] = bottom && right ? dot(gradOut, gAt, value, p00 + rowStride + colStride, dm.d) : 0;
              float w00 = (1 - ly) * (1 - lx), w01 = (1 - ly) * lx, w10 = ly * (1 - lx), w11 = ly * lx;
              dAttw[a] = w00 * corners[0] + w01 * corners[1] + w10 * corners[2] + w11 * corners[3];
              float dx = (1 - ly) * (corners[1] - corners[0]) + ly * (corners[3] - corners[2]);
              float dy = (1 - lx) * (corners[2] - corners[0]) + lx * (corners[3] - corners[1]);
              dLoc[2 * a] = weight * dx * w;
              dLoc[2 * a + 1] = weight * dy * h;
              if (top && left) axpy(weight * w00, gradOut, gAt, dValue, p00, dm.d);
              if (top && right) axpy(weight * w01, gradOut, gAt, dValue, p00 + colStride, dm.d);
              if (bottom && left) axpy(weight * w10, gradOut, gAt, dValue, p00 + rowStride, dm.d);
              if (bottom && right) axpy(weight * w11, gradOut, gAt, dValue, p00 + rowStride + colStride, dm.d);
            }
          }
        }
      }
    });
    transposeHeads(dm, dValue, dValueOut, false);
  }

  /** floor for x > −1 (the only values that reach it): a truncation, or −1. */
  private static int floor(float x) {
    return x >= 0 ? (int) x : -1;
  }

  private static float dot(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length()) acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) s += a[ao + i] * b[bo + i];
    return s;
  }

  /** y[yo..] += alpha · x[xo..]. */
  private static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    FloatVector av = FloatVector.broadcast(F, alpha);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, x, xo + i).fma(av, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
    for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
  }
}
