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
   * every query samples it. Per (query, head) the corners of all samples are computed first, vectorised over the
   * samples ({@link SampleCorners}), then summed per vector of channels in registers, so the loads of different
   * corners overlap.
   */
  static void forward(Dims dm, float[] value, float[] loc, float[] attw, float[] out) {
    float[] headMajor = headMajor(dm, value);
    Parallel.range(dm.n * dm.m, 1, (lo, hi) -> {
      SampleCorners corners = new SampleCorners(dm);
      for (int task = lo; task < hi; task++) {
        int n = task / dm.m, m = task % dm.m;
        for (int q0 = 0; q0 < dm.lq; q0 += SampleCorners.QUERIES) {
          int count = Math.min(SampleCorners.QUERIES, dm.lq - q0);
          corners.compute(loc, attw, n, n * dm.lq + q0, count, m);
          for (int j = 0; j < count; j++) {
            int outAt = ((n * dm.lq + q0 + j) * dm.m + m) * dm.d;
            if (dm.d == 2 * F.length()) sumTwoVectors(corners, j * corners.slot, headMajor, out, outAt);
            else sum(corners, j * corners.slot, dm.d, headMajor, out, outAt);
          }
        }
      }
    });
  }

  /** out[outAt..+d] = Σ weight · value row over the corners of one slot. */
  private static void sum(SampleCorners corners, int slot, int d, float[] value, float[] out, int outAt) {
    int[] offsets = corners.offsets;
    float[] weights = corners.weights;
    int i = 0;
    for (int bound = F.loopBound(d); i < bound; i += F.length()) {
      FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
      for (int c = 0; c < 4; c++) {
        int k = slot + c * corners.stride, end = k + corners.samples;
        for (; k + 1 < end; k += 2) {
          even = FloatVector.fromArray(F, value, offsets[k] + i).fma(FloatVector.broadcast(F, weights[k]), even);
          odd = FloatVector.fromArray(F, value, offsets[k + 1] + i).fma(FloatVector.broadcast(F, weights[k + 1]), odd);
        }
        if (k < end) even = FloatVector.fromArray(F, value, offsets[k] + i).fma(FloatVector.broadcast(F, weights[k]), even);
      }
      even.add(odd).intoArray(out, outAt + i);
    }
    for (; i < d; i++) {
      float total = 0;
      for (int c = 0; c < 4; c++)
        for (int k = slot + c * corners.stride, end = k + corners.samples; k < end; k++) total += weights[k] * value[offsets[k] + i];
      out[outAt + i] = total;
    }
  }

  /** The weighted sum of the corners when D is two vectors (D = 32 with AVX-512): each corner's row loaded once. */
  private static void sumTwoVectors(SampleCorners corners, int slot, float[] value, float[] out, int outAt) {
    int[] offsets = corners.offsets;
    float[] weights = corners.weights;
    int half = F.length();
    FloatVector lo0 = FloatVector.zero(F), hi0 = FloatVector.zero(F), lo1 = FloatVector.zero(F), hi1 = FloatVector.zero(F);
    for (int c = 0; c < 4; c++) {
      int k = slot + c * corners.stride, end = k + corners.samples;
      for (; k + 1 < end; k += 2) {
        FloatVector w0 = FloatVector.broadcast(F, weights[k]), w1 = FloatVector.broadcast(F, weights[k + 1]);
        int a = offsets[k], b = offsets[k + 1];
        lo0 = FloatVector.fromArray(F, value, a).fma(w0, lo0);
        hi0 = FloatVector.fromArray(F, value, a + half).fma(w0, hi0);
        lo1 = FloatVector.fromArray(F, value, b).fma(w1, lo1);
        hi1 = FloatVector.fromArray(F, value, b + half).fma(w1, hi1);
      }
      if (k < end) {
        FloatVector w0 = FloatVector.broadcast(F, weights[k]);
        lo0 = FloatVector.fromArray(F, value, offsets[k]).fma(w0, lo0);
        hi0 = FloatVector.fromArray(F, value, offsets[k] + half).fma(w0, hi0);
      }
    }
    lo0.add(lo1).intoArray(out, outAt);
    hi0.add(hi1).intoArray(out, outAt + half);
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
