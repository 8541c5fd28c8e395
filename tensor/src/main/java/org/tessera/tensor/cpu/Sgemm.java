package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 matrix product C = A·B, Goto-style: B is packed in KC×NC blocks of NR-wide column panels, A in MC×KC blocks
 * of MR-high row panels (both zero-padded to whole panels), and a 6×(2 vectors) register tile accumulates with FMA.
 * The register tile only accumulates and stores (a branch-free loop that C2 compiles well: with the C update in the
 * same method it deoptimised and reached a third of the speed); the caller adds the tile into C.
 * Operands are read through their strides while packing, so a transposed view costs no copy. C is contiguous.
 */
final class Sgemm {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  static final int MR = 6, NR = 2 * L;
  // KC·NR floats of B (32 KB) stay in L1 across an A block of up to MC_MAX·KC floats (96 KB) in L2; measured on
  // Zen 4 (1 MB L2): KC 256 beat 128, 192, 384 and 512 single-threaded (86 vs 67-84 GFLOP/s at n = 1024)
  private static final int KC = 256, MC_MAX = 16 * MR, NC = 32 * NR;

  private Sgemm() {}

  /** Where the packing of B reads its rows: a strided matrix, or a convolution's windows gathered on the fly. */
  interface Rows {
    /** Writes B(row, j0 .. j0 + n) into {@code dst[at .. at + n)}. */
    void copy(int row, int j0, int n, float[] dst, int at);
  }

  /** A strided matrix operand: element (i, j) is at {@code data[offset + i * rowStride + j * colStride]}. */
  record Operand(float[] data, int offset, int rowStride, int colStride) implements Rows {
    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      int src = offset + row * rowStride + j0 * colStride;
      if (colStride == 1) {
        System.arraycopy(data, src, dst, at, n);
      } else {
        for (int j = 0; j < n; j++, src += colStride) dst[at + j] = data[src];
      }
    }
  }

  /** Writes A (m×k) · B (k×n) into {@code c[cOffset..]} with row stride n, using the pool when {@code parallel}. */
  static void multiply(int m, int n, int k, Operand a, Rows b, float[] c, int cOffset, boolean parallel) {
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
        final int jcF = jc, pcF = pc;
        int panels = (nc + NR - 1) / NR;
        if (parallel) Parallel.range(panels, 4, (lo, hi) -> packB(b, pcF, kc, jcF + lo * NR, Math.min(nc - lo * NR, (hi - lo) * NR), packedB, lo * NR * kc));
        else packB(b, pc, kc, jc, nc, packedB, 0);
        // A blocks of equal size, a whole number of them per worker, so that no worker waits on another
        int workers = parallel ? Parallel.THREADS : 1;
        int rounds = (m + workers * MC_MAX - 1) / (workers * MC_MAX);
        int mcBlock = roundUp((m + workers * rounds - 1) / (workers * rounds), MR);
        int blocks = (m + mcBlock - 1) / mcBlock;
        Parallel.Body body = (lo, hi) -> {
          float[] packedA = new float[mcBlock * kc];
          float[] tileBuffer = new float[MR * NR];
          for (int blk = lo; blk < hi; blk++) {
            int ic = blk * mcBlock, mc = Math.min(mcBlock, m - ic);
            packA(a, ic, mc, pcF, kc, packedA);
            for (int jr = 0; jr < nc; jr += NR)
              for (int ir = 0; ir < mc; ir += MR)
                tile(packedA, ir * kc, packedB, jr * kc, kc, c, cOffset + (ic + ir) * n + jcF + jr, n,
                    Math.min(MR, mc - ir), Math.min(NR, nc - jr), accumulate, tileBuffer);
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
        if (a.colStride != 1 && a.rowStride == 1) continue; // a transposed A: below, along its contiguous rows
        int src = a.offset + (ic + ir + r) * a.rowStride + pc * a.colStride;
        for (int q = 0; q < kc; q++, src += a.colStride) out[base + q * MR + r] = d[src];
      }
      if (a.colStride != 1 && a.rowStride == 1)
        for (int q = 0; q < kc; q++) {
          int src = a.offset + (ic + ir) + (pc + q) * a.colStride;
          for (int r = 0; r < rows; r++) out[base + q * MR + r] = d[src + r];
        }
    }
  }

  /** Rows pc.. of B, columns jc.. as NR-wide panels: panel p holds, for each k, its NR column values side by side. */
  private static void packB(Rows b, int pc, int kc, int jc, int nc, float[] out, int outOffset) {
    if (b instanceof Operand o && o.colStride != 1 && o.rowStride == 1) { // Bᵀ of a linear layer: read its rows whole
      for (int jr = 0; jr < nc; jr += NR) {
        int base = outOffset + jr * kc, cols = Math.min(NR, nc - jr);
        for (int j = 0; j < NR; j++) {
          if (j >= cols) {
            for (int q = 0; q < kc; q++) out[base + q * NR + j] = 0f;
            continue;
          }
          int src = o.offset + pc + (jc + jr + j) * o.colStride;
          for (int q = 0; q < kc; q++) out[base + q * NR + j] = o.data[src + q];
        }
      }
      return;
    }
    for (int jr = 0; jr < nc; jr += NR) {
      int base = outOffset + jr * kc, cols = Math.min(NR, nc - jr);
      for (int q = 0; q < kc; q++) {
        int dst = base + q * NR;
        b.copy(pc + q, jc + jr, cols, out, dst);
        for (int j = cols; j < NR; j++) out[dst + j] = 0f;
      }
    }
  }

  /** Adds (or writes) one MR×NR tile of C, of which the top-left rows×cols lie inside C. */
  private static void tile(float[] pa, int ao, float[] pb, int bo, int kc, float[] c, int co, int ldc, int rows, int cols,
      boolean accumulate, float[] edge) {
    kernel(pa, ao, pb, bo, kc, edge);
    if (rows == MR && cols == NR) {
      for (int r = 0; r < MR; r++) {
        int at = co + r * ldc;
        FloatVector v0 = FloatVector.fromArray(F, edge, r * NR), v1 = FloatVector.fromArray(F, edge, r * NR + L);
        if (accumulate) {
          v0 = v0.add(FloatVector.fromArray(F, c, at));
          v1 = v1.add(FloatVector.fromArray(F, c, at + L));
        }
        v0.intoArray(c, at);
        v1.intoArray(c, at + L);
      }
      return;
    }
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < cols; j++) {
        float v = edge[r * NR + j];
        c[co + r * ldc + j] = accumulate ? c[co + r * ldc + j] + v : v;
      }
  }

  /** The register tile: out[r * NR + j] = sum over k of A panel (k, r) * B panel (k, j). */
  private static void kernel(float[] pa, int ao, float[] pb, int bo, int kc, float[] out) {
    FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
    FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
    FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F), c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
    for (int q = 0; q < kc; q++, ao += MR, bo += NR) {
      FloatVector b0 = FloatVector.fromArray(F, pb, bo), b1 = FloatVector.fromArray(F, pb, bo + L);
      FloatVector a = FloatVector.broadcast(F, pa[ao]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(F, pa[ao + 1]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(F, pa[ao + 2]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(F, pa[ao + 3]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(F, pa[ao + 4]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(F, pa[ao + 5]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
    }
    c00.intoArray(out, 0);
    c01.intoArray(out, L);
    c10.intoArray(out, NR);
    c11.intoArray(out, NR + L);
    c20.intoArray(out, 2 * NR);
    c21.intoArray(out, 2 * NR + L);
    c30.intoArray(out, 3 * NR);
    c31.intoArray(out, 3 * NR + L);
    c40.intoArray(out, 4 * NR);
    c41.intoArray(out, 4 * NR + L);
    c50.intoArray(out, 5 * NR);
    c51.intoArray(out, 5 * NR + L);
  }
}
