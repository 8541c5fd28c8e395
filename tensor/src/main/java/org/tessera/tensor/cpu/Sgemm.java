package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 matrix product C = A·B, Goto-style: B is packed in KC×NC blocks of NR-wide column panels, A in MC×KC blocks
 * of MR-high row panels (both zero-padded to whole panels), and a 6×(2 vectors) register tile accumulates with FMA.
 * Operands are read through their strides while packing, so a transposed view costs no copy. C is contiguous.
 */
final class Sgemm {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  static final int MR = 6, NR = 2 * L;
  private static final int KC = 256, MC = 16 * MR, NC = 32 * NR;

  private Sgemm() {}

  /** A strided matrix operand: element (i, j) is at {@code data[offset + i * rowStride + j * colStride]}. */
  record Operand(float[] data, int offset, int rowStride, int colStride) {}

  /** Writes A (m×k) · B (k×n) into {@code c[cOffset..]} with row stride n, using the pool when {@code parallel}. */
  static void multiply(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, boolean parallel) {
    if (k == 0) {
      java.util.Arrays.fill(c, cOffset, cOffset + m * n, 0f);
      return;
    }
    float[] packedB = new float[KC * roundUp(Math.min(n, NC), NR)];
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean accumulate = pc > 0;
        packB(b, pc, kc, jc, nc, packedB);
        int blocks = (m + MC - 1) / MC;
        final int jcF = jc, pcF = pc;
        Parallel.Body body = (lo, hi) -> {
          float[] packedA = new float[MC * kc];
          float[] edge = new float[MR * NR];
          for (int blk = lo; blk < hi; blk++) {
            int ic = blk * MC, mc = Math.min(MC, m - ic);
            packA(a, ic, mc, pcF, kc, packedA);
            for (int jr = 0; jr < nc; jr += NR)
              for (int ir = 0; ir < mc; ir += MR)
                tile(packedA, ir * kc, packedB, jr * kc, kc, c, cOffset + (ic + ir) * n + jcF + jr, n,
                    Math.min(MR, mc - ir), Math.min(NR, nc - jr), accumulate, edge);
          }
        };
        if (parallel) Parallel.range(blocks, 1, body);
        else body.run(0, blocks);
      }
    }
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }

  /** Rows ic.. of A, columns pc.. as MR-high panels: panel p holds, for each k, its MR row values side by side. */
  private static void packA(Operand a, int ic, int mc, int pc, int kc, float[] out) {
    float[] d = a.data;
    for (int ir = 0; ir < mc; ir += MR) {
      int base = ir * kc, rows = Math.min(MR, mc - ir);
      for (int r = 0; r < MR; r++) {
        if (r >= rows) {
          for (int q = 0; q < kc; q++) out[base + q * MR + r] = 0f;
          continue;
        }
        int src = a.offset + (ic + ir + r) * a.rowStride + pc * a.colStride;
        for (int q = 0; q < kc; q++, src += a.colStride) out[base + q * MR + r] = d[src];
      }
    }
  }

  /** Rows pc.. of B, columns jc.. as NR-wide panels: panel p holds, for each k, its NR column values side by side. */
  private static void packB(Operand b, int pc, int kc, int jc, int nc, float[] out) {
    float[] d = b.data;
    for (int jr = 0; jr < nc; jr += NR) {
      int base = jr * kc, cols = Math.min(NR, nc - jr);
      for (int q = 0; q < kc; q++) {
        int dst = base + q * NR, src = b.offset + (pc + q) * b.rowStride + (jc + jr) * b.colStride;
        if (b.colStride == 1 && cols == NR) {
          System.arraycopy(d, src, out, dst, NR);
        } else {
          for (int j = 0; j < cols; j++, src += b.colStride) out[dst + j] = d[src];
          for (int j = cols; j < NR; j++) out[dst + j] = 0f;
        }
      }
    }
  }

  /** One MR×NR tile of C from an A panel and a B panel; a partial tile goes through {@code edge}. */
  private static void tile(float[] pa, int ao, float[] pb, int bo, int kc, float[] c, int co, int ldc, int rows, int cols,
      boolean accumulate, float[] edge) {
    FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
    FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
    FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F), c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
    for (int q = 0; q < kc; q++, ao += MR, bo += NR) {
      FloatVector b0 = FloatVector.fromArray(F, pb, bo), b1 = FloatVector.fromArray(F, pb, bo + L);
      FloatVector a0 = FloatVector.broadcast(F, pa[ao]);
      c00 = b0.fma(a0, c00);
      c01 = b1.fma(a0, c01);
      FloatVector a1 = FloatVector.broadcast(F, pa[ao + 1]);
      c10 = b0.fma(a1, c10);
      c11 = b1.fma(a1, c11);
      FloatVector a2 = FloatVector.broadcast(F, pa[ao + 2]);
      c20 = b0.fma(a2, c20);
      c21 = b1.fma(a2, c21);
      FloatVector a3 = FloatVector.broadcast(F, pa[ao + 3]);
      c30 = b0.fma(a3, c30);
      c31 = b1.fma(a3, c31);
      FloatVector a4 = FloatVector.broadcast(F, pa[ao + 4]);
      c40 = b0.fma(a4, c40);
      c41 = b1.fma(a4, c41);
      FloatVector a5 = FloatVector.broadcast(F, pa[ao + 5]);
      c50 = b0.fma(a5, c50);
      c51 = b1.fma(a5, c51);
    }
    boolean full = rows == MR && cols == NR;
    float[] dst = full ? c : edge;
    int base = full ? co : 0, ld = full ? ldc : NR;
    store(c00, c01, dst, base, accumulate && full);
    store(c10, c11, dst, base + ld, accumulate && full);
    store(c20, c21, dst, base + 2 * ld, accumulate && full);
    store(c30, c31, dst, base + 3 * ld, accumulate && full);
    store(c40, c41, dst, base + 4 * ld, accumulate && full);
    store(c50, c51, dst, base + 5 * ld, accumulate && full);
    if (full) return;
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < cols; j++) {
        float v = edge[r * NR + j];
        c[co + r * ldc + j] = accumulate ? c[co + r * ldc + j] + v : v;
      }
  }

  private static void store(FloatVector v0, FloatVector v1, float[] dst, int at, boolean accumulate) {
    if (accumulate) {
      v0 = v0.add(FloatVector.fromArray(F, dst, at));
      v1 = v1.add(FloatVector.fromArray(F, dst, at + L));
    }
    v0.intoArray(dst, at);
    v1.intoArray(dst, at + L);
  }
}
