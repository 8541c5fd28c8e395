package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-scale deformable attention (Deformable DETR) fused on contiguous F32 arrays: every query, head, level and
 * point samples its level of the value bilinearly (grid_sample semantics: align_corners = False, zeros outside) and
 * adds the sample times its attention weight, without forming any per-level sampled tensor. Channels (D) are the
 * vector lanes. Value (N, S, M, D), locations (N, Lq, M, L, P, 2) as (x, y) in [0, 1], weights (N, Lq, M, L, P).
 */
final class DeformableAttention {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  /**
   * Floats before the first row of a head-major copy. A copy this large is a humongous object, which G1 places at
   * the start of a heap region, so its elements start 16 bytes (the array header) after a 64-byte boundary; 12 more
   * floats put every 128-byte row of D = 32 on two cache lines instead of three.
   */
  static final int HEAD_MAJOR_PAD = 12;

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

  // the head-major copy of the last call on this thread, reused by the next: a fresh 11 MB array per call cost its
  // zeroing and page faults on top of the copy (soft, so that the collector may take it back under memory pressure)
  private static final ThreadScratch SCRATCH = new ThreadScratch();

  /** value (N, S, M, D) → (N, M, S, D), after {@link #HEAD_MAJOR_PAD} floats, in this thread's scratch array. */
  private static float[] headMajor(Dims dm, float[] value) {
    float[] out = SCRATCH.get(HEAD_MAJOR_PAD + value.length);
    transposeHeads(dm, value, out, true);
    return out;
  }

  /** Copies between the (N, S, M, D) and head-major (N, M, S, D) layouts, in the direction asked for. */
  private static void transposeHeads(Dims dm, float[] from, float[] to, boolean toHeadMajor) {
    Parallel.range(dm.n * dm.s, 256, (lo, hi) -> {
      for (int ns = lo; ns < hi; ns++) {
        int n = ns / dm.s, s = ns % dm.s;
        for (int m = 0; m < dm.m; m++) {
          int sequenceMajor = (ns * dm.m + m) * dm.d, headMajor = HEAD_MAJOR_PAD + ((n * dm.m + m) * dm.s + s) * dm.d;
          System.arraycopy(from, toHeadMajor ? sequenceMajor : headMajor, to, toHeadMajor ? headMajor : sequenceMajor, dm.d);
        }
      }
    });
  }

  /**
   * Gradients of value, locations and weights from gradOut (N, Lq, M·D). One (batch, head) per task, on head-major
   * copies as in the forward: a head's value slice is touched by that head only, so its gradient needs no atomics.
   * The corners come from {@link SampleCorners} as in the forward; per corner, one pass over D gives both g·v (for
   * the weight and location gradients) and the value gradient's update.
   */
  static void backward(Dims dm, float[] valueIn, float[] loc, float[] attw, float[] gradOut, float[] dValueOut, float[] dLoc, float[] dAttw) {
    float[] value = headMajor(dm, valueIn), dValue = new float[HEAD_MAJOR_PAD + valueIn.length];
    Parallel.range(dm.n * dm.m, 1, (lo, hi) -> {
      SampleCorners corners = new SampleCorners(dm, true);
      float[] dots = new float[corners.slot];
      for (int task = lo; task < hi; task++) {
        int n = task / dm.m, m = task % dm.m;
        for (int q0 = 0; q0 < dm.lq; q0 += SampleCorners.QUERIES) {
          int count = Math.min(SampleCorners.QUERIES, dm.lq - q0);
          corners.compute(loc, attw, n, n * dm.lq + q0, count, m);
          for (int j = 0; j < count; j++) {
            int nq = n * dm.lq + q0 + j, gAt = (nq * dm.m + m) * dm.d, slot = j * corners.slot;
            for (int c = 0; c < 4; c++)
              for (int k = c * corners.stride, end = k + corners.samples; k < end; k++)
                dots[k] = dotAndUpdate(gradOut, gAt, value, dValue, corners.offsets[slot + k], corners.weights[slot + k], corners.inside[slot + k], dm.d);
            sampleGradients(dm, corners, j, dots, (nq * dm.m + m) * corners.samples, dLoc, dAttw);
          }
        }
      }
    });
    transposeHeads(dm, dValue, dValueOut, false);
  }

  /** g·v at one corner (0 outside), while dValue[corner] += weight · g. */
  private static float dotAndUpdate(float[] g, int gAt, float[] value, float[] dValue, int at, float weight, float inside, int d) {
    if (inside == 0) return 0;
    FloatVector w = FloatVector.broadcast(F, weight), acc = FloatVector.zero(F);
    int i = 0;
    for (int bound = F.loopBound(d); i < bound; i += F.length()) {
      FloatVector gv = FloatVector.fromArray(F, g, gAt + i);
      acc = gv.fma(FloatVector.fromArray(F, value, at + i), acc);
      gv.fma(w, FloatVector.fromArray(F, dValue, at + i)).intoArray(dValue, at + i);
    }
    float dot = VectorKernels.sumLanes(acc);
    for (; i < d; i++) {
      dot += g[gAt + i] * value[at + i];
      dValue[at + i] += weight * g[gAt + i];
    }
    return dot;
  }

  /** The weight and location gradients of each sample of query slot j from its corners' g·v. */
  private static void sampleGradients(Dims dm, SampleCorners corners, int j, float[] dots, int first, float[] dLoc, float[] dAttw) {
    int stride = corners.stride, slot = j * corners.slot;
    for (int k = 0; k < corners.samples; k++) {
      int l = k / dm.points, h = dm.shapes[2 * l], w = dm.shapes[2 * l + 1];
      float c00 = dots[k], c01 = dots[stride + k], c10 = dots[2 * stride + k], c11 = dots[3 * stride + k];
      float lx = corners.fracX[j * stride + k], ly = corners.fracY[j * stride + k], weight = corners.as[j * stride + k];
      dAttw[first + k] = corners.bilinear[slot + k] * c00 + corners.bilinear[slot + stride + k] * c01 + corners.bilinear[slot + 2 * stride + k] * c10
          + corners.bilinear[slot + 3 * stride + k] * c11;
      // a sample outside its level has no corner inside: all four dots are 0, and so are its gradients
      float dx = (1 - ly) * (c01 - c00) + ly * (c11 - c10), dy = (1 - lx) * (c10 - c00) + lx * (c11 - c01);
      dLoc[2 * (first + k)] = weight * dx * w;
      dLoc[2 * (first + k) + 1] = weight * dy * h;
    }
  }
}
