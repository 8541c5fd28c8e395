package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The stride-1 convolution's register tiles of six rows or fewer, reading the padded input in place ({@link ShiftedConv}):
 * the weight gradient's rows in triples, the convolution's rows past its 12-row tiles ({@link TallTile}) on Intel,
 * and all of them elsewhere. Each written out for the reason given at Sgemm's kernel.
 */
final class ShortTile {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length(), MR = Sgemm.MR, NR = 2 * L;

  /** The rows of {@link #inPlaceBWide}'s A panels. */
  static final int WIDE_MR = 4;

  private ShortTile() {}

  /**
   * {@link Sgemm#kernelRows} for six rows that are two triples of adjacent runs, xp[a0 + r + k] and xp[a3 + r + k]
   * (r = 0, 1, 2): the rows (c, ki, 0..2) of a 3×3 kernel without dilation. Written out once more because the
   * constant offsets let C2 address three rows from one index register: six arbitrary bases spill on a Xeon.
   * Measured there (interleaved, medians): the tile alone on one thread 93-99 -> 100-111 GFLOP/s; the weight
   * gradient of DPT fusion 123 -> 133 (+9 %), of conv3x3 on 8 images +7 %. Same sums in the same order as kernelRows.
   */
  static void triples(float[] xp, int a0, int a3, float[] pb, int bo, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r1 = at + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, at);
      c01 = FloatVector.fromArray(F, out, at + L);
      c10 = FloatVector.fromArray(F, out, r1);
      c11 = FloatVector.fromArray(F, out, r1 + L);
      c20 = FloatVector.fromArray(F, out, r2);
      c21 = FloatVector.fromArray(F, out, r2 + L);
      c30 = FloatVector.fromArray(F, out, r3);
      c31 = FloatVector.fromArray(F, out, r3 + L);
      c40 = FloatVector.fromArray(F, out, r4);
      c41 = FloatVector.fromArray(F, out, r4 + L);
      c50 = FloatVector.fromArray(F, out, r5);
      c51 = FloatVector.fromArray(F, out, r5 + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int b = bo + q * NR;
      FloatVector b0 = FloatVector.fromArray(F, pb, b), b1 = FloatVector.fromArray(F, pb, b + L);
      FloatVector a = FloatVector.broadcast(F, xp[a0 + q]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(F, xp[a0 + q + 1]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(F, xp[a0 + q + 2]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(F, xp[a3 + q]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(F, xp[a3 + q + 1]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(F, xp[a3 + q + 2]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
    }
    c00.intoArray(out, at);
    c01.intoArray(out, at + L);
    c10.intoArray(out, r1);
    c11.intoArray(out, r1 + L);
    c20.intoArray(out, r2);
    c21.intoArray(out, r2 + L);
    c30.intoArray(out, r3);
    c31.intoArray(out, r3 + L);
    c40.intoArray(out, r4);
    c41.intoArray(out, r4 + L);
    c50.intoArray(out, r5);
    c51.intoArray(out, r5 + L);
  }

  /**
   * Sgemm's 6-row register tile with B's rows read in place, {@code xp[offset[q0 + k] + col ..]}: every row of the
   * convolution off Intel (on Intel, the rows past its 12-row tiles take {@link #inPlaceBWide}). Written out for the
   * reason given at Sgemm's kernel.
   */
  static void inPlaceB(float[] pa, int ao, float[] xp, int[] offset, int q0, int col, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r1 = at + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, at);
      c01 = FloatVector.fromArray(F, out, at + L);
      c10 = FloatVector.fromArray(F, out, r1);
      c11 = FloatVector.fromArray(F, out, r1 + L);
      c20 = FloatVector.fromArray(F, out, r2);
      c21 = FloatVector.fromArray(F, out, r2 + L);
      c30 = FloatVector.fromArray(F, out, r3);
      c31 = FloatVector.fromArray(F, out, r3 + L);
      c40 = FloatVector.fromArray(F, out, r4);
      c41 = FloatVector.fromArray(F, out, r4 + L);
      c50 = FloatVector.fromArray(F, out, r5);
      c51 = FloatVector.fromArray(F, out, r5 + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int a = ao + q * MR, b = offset[q0 + q] + col;
      FloatVector b0 = FloatVector.fromArray(F, xp, b), b1 = FloatVector.fromArray(F, xp, b + L);
      FloatVector x = FloatVector.broadcast(F, pa[a]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(F, pa[a + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(F, pa[a + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(F, pa[a + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(F, pa[a + 4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(F, pa[a + 5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
    }
    c00.intoArray(out, at);
    c01.intoArray(out, at + L);
    c10.intoArray(out, r1);
    c11.intoArray(out, r1 + L);
    c20.intoArray(out, r2);
    c21.intoArray(out, r2 + L);
    c30.intoArray(out, r3);
    c31.intoArray(out, r3 + L);
    c40.intoArray(out, r4);
    c41.intoArray(out, r4 + L);
    c50.intoArray(out, r5);
    c51.intoArray(out, r5 + L);
  }

  /**
   * {@link #inPlaceB} for four rows over two strips at once (4 vectors of columns, {@code col} to {@code col + 2·NR}),
   * A packed as 4-row panels: the rows past a convolution's 12-row tiles on Intel, as with 64, 128 or 256 outputs.
   * The 6-row tile's per-step cost (an offset, two B loads and their checks, the loop) is nearly that of a 12-row
   * tile (on one thread, 3.7-4.0 against 4.1-4.2 ns a step), so it spent a whole tile's time on the four rows past
   * 60 or 252; here each step's overhead serves two strips (2.4-2.5 ns a strip). Measured on the Xeon, 3×3
   * forward, old and new code in one JVM, alternating: (8,64,56,56) −5 %, (2,128,56,56) −7 % (128 outputs now take
   * 7 % longer than 120, the ideal; 15-19 % before), DPT fusion's 256 level within noise. An 8-row tile for
   * 64 = 4·12 + 2·8 was no faster: the same per-step floor, twice. Written out for the reason given at Sgemm's
   * kernel.
   */
  static void inPlaceBWide(float[] pa, int ao, float[] xp, int[] offset, int q0, int col, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r1 = at + ld, r2 = r1 + ld, r3 = r2 + ld;
    FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, at);
      c01 = FloatVector.fromArray(F, out, at + L);
      c02 = FloatVector.fromArray(F, out, at + 2 * L);
      c03 = FloatVector.fromArray(F, out, at + 3 * L);
      c10 = FloatVector.fromArray(F, out, r1);
      c11 = FloatVector.fromArray(F, out, r1 + L);
      c12 = FloatVector.fromArray(F, out, r1 + 2 * L);
      c13 = FloatVector.fromArray(F, out, r1 + 3 * L);
      c20 = FloatVector.fromArray(F, out, r2);
      c21 = FloatVector.fromArray(F, out, r2 + L);
      c22 = FloatVector.fromArray(F, out, r2 + 2 * L);
      c23 = FloatVector.fromArray(F, out, r2 + 3 * L);
      c30 = FloatVector.fromArray(F, out, r3);
      c31 = FloatVector.fromArray(F, out, r3 + L);
      c32 = FloatVector.fromArray(F, out, r3 + 2 * L);
      c33 = FloatVector.fromArray(F, out, r3 + 3 * L);
    } else {
      c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int a = ao + q * WIDE_MR, b = offset[q0 + q] + col;
      FloatVector b0 = FloatVector.fromArray(F, xp, b), b1 = FloatVector.fromArray(F, xp, b + L);
      FloatVector b2 = FloatVector.fromArray(F, xp, b + 2 * L), b3 = FloatVector.fromArray(F, xp, b + 3 * L);
      FloatVector x = FloatVector.broadcast(F, pa[a]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(F, pa[a + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(F, pa[a + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(F, pa[a + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
    }
    c00.intoArray(out, at);
    c01.intoArray(out, at + L);
    c02.intoArray(out, at + 2 * L);
    c03.intoArray(out, at + 3 * L);
    c10.intoArray(out, r1);
    c11.intoArray(out, r1 + L);
    c12.intoArray(out, r1 + 2 * L);
    c13.intoArray(out, r1 + 3 * L);
    c20.intoArray(out, r2);
    c21.intoArray(out, r2 + L);
    c22.intoArray(out, r2 + 2 * L);
    c23.intoArray(out, r2 + 3 * L);
    c30.intoArray(out, r3);
    c31.intoArray(out, r3 + L);
    c32.intoArray(out, r3 + 2 * L);
    c33.intoArray(out, r3 + 3 * L);
  }
}
