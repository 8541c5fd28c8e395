package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocked scaled-dot-product attention on contiguous F32 (B, L, d) arrays, flash-attention style: queries in
 * blocks of BQ rows meet keys in blocks of BK with an online softmax, so the forward holds BQ·BK scores per worker,
 * never L·L. The backward recomputes each score block from the saved row log-sum-exp. Block products go through
 * {@link Sgemm} with strided operands (a transposed block is read in place).
 */
final class FlashAttention {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  // BK a multiple of Sgemm.NR: every key block starts a panel of the packed keys
  static final int BQ = 64, BK = 128;

  private FlashAttention() {}

  /** An additive score bias read through strides: element (b, i, j) at {@code data[offset + b·sb + i·si + j·sj]}, or none. */
  record Bias(float[] data, int offset, int sb, int si, int sj) {
    float at(int b, int i, int j) {
      return data[offset + b * sb + i * si + j * sj];
    }
  }

  /** out (B, Lq, dv) and lse (B, Lq) from q (B, Lq, d), k (B, Lk, d), v (B, Lk, dv). */
  static void forward(float[] q, float[] k, float[] v, Bias bias, float scale, int batch, int lq, int lk, int d, int dv, float[] out, float[] lse) {
    int qBlocks = (lq + BQ - 1) / BQ, split = splits(batch, qBlocks);
    Parallel.range(batch * split, 1, (lo, hi) -> {
      float[] s = new float[BQ * BK], pv = new float[BQ * dv], rowMax = new float[BQ], rowSum = new float[BQ];
      Panels kv = new Panels(lq, lk, d, dv, false);
      for (int task = lo; task < hi; task++) {
        int b = task / split, from = split == 1 ? 0 : task % split, to = split == 1 ? qBlocks : from + 1;
        kv.pack(null, k, v, null, b);
        for (int qb = from; qb < to; qb++) {
          int i0 = qb * BQ, rows = Math.min(BQ, lq - i0);
          java.util.Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
          java.util.Arrays.fill(rowSum, 0f);
          int oBase = (b * lq + i0) * dv;
          java.util.Arrays.fill(out, oBase, oBase + rows * dv, 0f);
          for (int j0 = 0; j0 < lk; j0 += BK) {
            int cols = Math.min(BK, lk - j0);
            scores(q, kv.kT, bias, scale, b, i0, rows, j0, cols, lq, lk, d, s);
            for (int r = 0; r < rows; r++) {
              int at = r * cols;
              float m = Math.max(rowMax[r], max(s, at, cols));
              // a row whose scores so far are all -inf (fully masked) keeps m = -inf; exp(-inf - -inf) would be NaN
              float shift = m == Float.NEGATIVE_INFINITY ? 0f : m;
              float correction = rowMax[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(rowMax[r] - shift);
              rowSum[r] = rowSum[r] * correction + expInPlace(s, at, cols, shift);
              rowMax[r] = m;
              if (correction != 1f) scaleRow(out, oBase + r * dv, dv, correction);
            }
            Sgemm.multiplyPacked(rows, dv, cols, new Sgemm.Operand(s, 0, cols, 1), 0, kv.v, lk, j0, 0, pv, 0, dv);
            VectorKernels.addInto(pv, 0, out, oBase, rows * dv);
          }
          for (int r = 0; r < rows; r++) {
            // softmax over no allowed key: torch gives NaN; so does 0/0 here
            scaleRow(out, oBase + r * dv, dv, 1f / rowSum[r]);
            lse[b * lq + i0 + r] = rowMax[r] + (float) Math.log(rowSum[r]);
          }
        }
      }
    });
  }

  /**
   * Into how many tasks each batch entry's query blocks are split: one (its keys and values packed once) when the
   * entries alone keep every worker busy, else one task per query block.
   */
  private static int splits(int batch, int qBlocks) {
    return batch >= 2 * Parallel.THREADS ? 1 : qBlocks;
  }

  /**
   * One batch entry's operands packed once as the B panels of every block product that reads them — kᵀ for the
   * scores; v for P·V in the forward; vᵀ, k, q and dO in the backward — so that no block packs them again.
   */
  private static final class Panels {
    final int lq, lk, d, dv;
    final boolean backward;
    final float[] kT, v, vT, k, q, dOut;
    private int entry = -1;

    Panels(int lq, int lk, int d, int dv, boolean backward) {
      this.lq = lq;
      this.lk = lk;
      this.d = d;
      this.dv = dv;
      this.backward = backward;
      kT = new float[Sgemm.roundUp(lk, Sgemm.NR) * d];
      v = backward ? null : new float[Sgemm.roundUp(dv, Sgemm.NR) * lk];
      vT = backward ? new float[Sgemm.roundUp(lk, Sgemm.NR) * dv] : null;
      k = backward ? new float[Sgemm.roundUp(d, Sgemm.NR) * lk] : null;
      q = backward ? new float[Sgemm.roundUp(d, Sgemm.NR) * lq] : null;
      dOut = backward ? new float[Sgemm.roundUp(dv, Sgemm.NR) * lq] : null;
    }

    /** Packs entry b's operands (q and dO are read only by the backward), unless they are already packed. */
    void pack(float[] qIn, float[] kIn, float[] vIn, float[] dOutIn, int b) {
      if (entry == b) return;
      entry = b;
      Sgemm.packWhole(new Sgemm.Operand(kIn, b * lk * d, 1, d), d, lk, kT);
      if (!backward) {
        Sgemm.packWhole(new Sgemm.Operand(vIn, b * lk * dv, dv, 1), lk, dv, v);
        return;
      }
      Sgemm.packWhole(new Sgemm.Operand(vIn, b * lk * dv, 1, dv), dv, lk, vT);
      Sgemm.packWhole(new Sgemm.Operand(kIn, b * lk * d, d, 1), lk, d, k);
      Sgemm.packWhole(new Sgemm.Operand(qIn, b * lq * d, d, 1), lq, d, q);
      Sgemm.packWhole(new Sgemm.Operand(dOutIn, b * lq * dv, dv, 1), lq, dv, dOut);
    }
  }

  /** dq, dk, dv (and the score gradient when {@code dScores} is given: (B, Lq, Lk)), one batch entry per worker. */
  static void backward(float[] q, float[] k, float[] v, Bias bias, float scale, int batch, int lq, int lk, int d, int dv, float[] out, float[] lse,
      float[] dOut, float[] dq, float[] dk, float[] dvOut, float[] dScores) {
    Parallel.range(batch, 1, (lo, hi) -> {
      float[] s = new float[BQ * BK], dp = new float[BQ * BK], tmp = new float[Math.max(BQ, BK) * Math.max(d, dv)], delta = new float[lq];
      Panels panels = new Panels(lq, lk, d, dv, true);
      for (int b = lo; b < hi; b++) {
        for (int i = 0; i < lq; i++) delta[i] = dot(dOut, out, (b * lq + i) * dv, dv);
        panels.pack(q, k, v, dOut, b);
        for (int j0 = 0; j0 < lk; j0 += BK) {
          int cols = Math.min(BK, lk - j0);
          for (int i0 = 0; i0 < lq; i0 += BQ) {
            int rows = Math.min(BQ, lq - i0);
            scores(q, panels.kT, bias, scale, b, i0, rows, j0, cols, lq, lk, d, s);
            for (int r = 0; r < rows; r++) expInPlace(s, r * cols, cols, lse[b * lq + i0 + r]); // P
            // dV_j += Pᵀ dO_i
            Sgemm.multiplyPacked(cols, dv, rows, new Sgemm.Operand(s, 0, 1, cols), 0, panels.dOut, lq, i0, 0, tmp, 0, dv);
            VectorKernels.addInto(tmp, 0, dvOut, (b * lk + j0) * dv, cols * dv);
            // dP = dO_i V_jᵀ, then dS = P ∘ (dP − Δ) scaled
            Sgemm.multiplyPacked(rows, cols, dv, new Sgemm.Operand(dOut, (b * lq + i0) * dv, dv, 1), 0, panels.vT, dv, 0, j0, dp, 0, cols);
            for (int r = 0; r < rows; r++) scoreGrad(s, dp, r * cols, cols, delta[i0 + r]);
            if (dScores != null)
              for (int r = 0; r < rows; r++) System.arraycopy(dp, r * cols, dScores, (b * lq + i0 + r) * lk + j0, cols);
            // dQ_i += scale · dS K_j ; dK_j += scale · dSᵀ Q_i
            Sgemm.multiplyPacked(rows, d, cols, new Sgemm.Operand(dp, 0, cols, 1), 0, panels.k, lk, j0, 0, tmp, 0, d);
            addScaled(tmp, dq, (b * lq + i0) * d, rows * d, scale);
            Sgemm.multiplyPacked(cols, d, rows, new Sgemm.Operand(dp, 0, 1, cols), 0, panels.q, lq, i0, 0, tmp, 0, d);
            addScaled(tmp, dk, (b * lk + j0) * d, cols * d, scale);
          }
        }
      }
    });
  }

  /** s[r·cols + c] = scale · q_(i0+r) · k_(j0+c) + bias, with kᵀ of entry b packed whole. */
  private static void scores(float[] q, float[] kT, Bias bias, float scale, int b, int i0, int rows, int j0, int cols, int lq, int lk, int d, float[] s) {
    Sgemm.multiplyPacked(rows, cols, d, new Sgemm.Operand(q, (b * lq + i0) * d, d, 1), 0, kT, d, 0, j0, s, 0, cols);
    int n = rows * cols, i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length()) FloatVector.fromArray(F, s, i).mul(scale).intoArray(s, i);
    for (; i < n; i++) s[i] *= scale;
    if (bias != null)
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) s[r * cols + c] += bias.at(b, i0 + r, j0 + c);
  }

  private static float max(float[] x, int at, int n) {
    FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length()) m = m.max(FloatVector.fromArray(F, x, at + i));
    float r = m.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) r = Math.max(r, x[at + i]);
    return r;
  }

  /** x ← exp(x − shift) over n elements; returns their sum. */
  private static float expInPlace(float[] x, int at, int n, float shift) {
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length()) {
      FloatVector e = FloatVector.fromArray(F, x, at + i).sub(shift).lanewise(VectorOperators.EXP);
      e.intoArray(x, at + i);
      acc = acc.add(e);
    }
    float sum = VectorKernels.sumLanes(acc);
    for (; i < n; i++) {
      x[at + i] = (float) Math.exp(x[at + i] - shift);
      sum += x[at + i];
    }
    return sum;
  }

  /** dp ← p ∘ (dp − delta) over n elements: the softmax's gradient from that of its output. */
  private static void scoreGrad(float[] p, float[] dp, int at, int n, float delta) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, dp, at + i).sub(delta).mul(FloatVector.fromArray(F, p, at + i)).intoArray(dp, at + i);
    for (; i < n; i++) dp[at + i] = p[at + i] * (dp[at + i] - delta);
  }

  private static void scaleRow(float[] x, int at, int n, float factor) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length()) FloatVector.fromArray(F, x, at + i).mul(factor).intoArray(x, at + i);
    for (; i < n; i++) x[at + i] *= factor;
  }

  private static void addScaled(float[] src, float[] dst, int at, int n, float factor) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, src, i).fma(FloatVector.broadcast(F, factor), FloatVector.fromArray(F, dst, at + i)).intoArray(dst, at + i);
    for (; i < n; i++) dst[at + i] += factor * src[i];
  }

  private static float dot(float[] a, float[] b, int at, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[at + i] * b[at + i];
    return s;
  }
}
