package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 12×(2 vectors) register tile: 24 accumulators where {@link Sgemm#kernel} has 12, so each vector of B loaded
 * serves twelve FMAs instead of six. Used on Intel cores (two full-width FMA units per core) by the stride-1
 * convolution (forward, input and weight gradient) and by SGEMM's packed-A blocking; measured there in a
 * convolution-like sweep (A streamed from L2, a B strip in L1, 2 threads, interleaved): +12-20 % over the 6-row tile;
 * in the weight gradient of a 3×3 convolution ({@link #triples}) +24-27 %. 14 rows (28 accumulators) spilled and ran
 * 28 % slower. Written out in full, like Sgemm's tiles, so that C2 keeps all 24 accumulators in registers and every
 * index a loop-counter multiple.
 */
final class TallTile {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length(), NR = 2 * L;
  static final int MR = 12;

  private TallTile() {}

  /**
   * out[at + r·ld + j] (plus its old value when {@code accumulate}) = sum over k of A panel (k, r) · B panel (k, j),
   * A packed as 12-row panels (k-th column at ao + 12k), B as NR-wide rows (k-th row at bo + NR·k).
   */
  static void kernel(float[] pa, int ao, float[] pb, int bo, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r0 = at, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    int r6 = r5 + ld, r7 = r6 + ld, r8 = r7 + ld, r9 = r8 + ld, ra = r9 + ld, rb = ra + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    FloatVector c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, r0);
      c01 = FloatVector.fromArray(F, out, r0 + L);
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
      c60 = FloatVector.fromArray(F, out, r6);
      c61 = FloatVector.fromArray(F, out, r6 + L);
      c70 = FloatVector.fromArray(F, out, r7);
      c71 = FloatVector.fromArray(F, out, r7 + L);
      c80 = FloatVector.fromArray(F, out, r8);
      c81 = FloatVector.fromArray(F, out, r8 + L);
      c90 = FloatVector.fromArray(F, out, r9);
      c91 = FloatVector.fromArray(F, out, r9 + L);
      ca0 = FloatVector.fromArray(F, out, ra);
      ca1 = FloatVector.fromArray(F, out, ra + L);
      cb0 = FloatVector.fromArray(F, out, rb);
      cb1 = FloatVector.fromArray(F, out, rb + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
      c60 = c61 = c70 = c71 = c80 = c81 = c90 = c91 = ca0 = ca1 = cb0 = cb1 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int a = ao + q * MR, b = bo + q * NR;
      FloatVector b0 = FloatVector.fromArray(F, pb, b), b1 = FloatVector.fromArray(F, pb, b + L);
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
      x = FloatVector.broadcast(F, pa[a + 6]);
      c60 = b0.fma(x, c60);
      c61 = b1.fma(x, c61);
      x = FloatVector.broadcast(F, pa[a + 7]);
      c70 = b0.fma(x, c70);
      c71 = b1.fma(x, c71);
      x = FloatVector.broadcast(F, pa[a + 8]);
      c80 = b0.fma(x, c80);
      c81 = b1.fma(x, c81);
      x = FloatVector.broadcast(F, pa[a + 9]);
      c90 = b0.fma(x, c90);
      c91 = b1.fma(x, c91);
      x = FloatVector.broadcast(F, pa[a + 10]);
      ca0 = b0.fma(x, ca0);
      ca1 = b1.fma(x, ca1);
      x = FloatVector.broadcast(F, pa[a + 11]);
      cb0 = b0.fma(x, cb0);
      cb1 = b1.fma(x, cb1);
    }
    c00.intoArray(out, r0);
    c01.intoArray(out, r0 + L);
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
    c60.intoArray(out, r6);
    c61.intoArray(out, r6 + L);
    c70.intoArray(out, r7);
    c71.intoArray(out, r7 + L);
    c80.intoArray(out, r8);
    c81.intoArray(out, r8 + L);
    c90.intoArray(out, r9);
    c91.intoArray(out, r9 + L);
    ca0.intoArray(out, ra);
    ca1.intoArray(out, ra + L);
    cb0.intoArray(out, rb);
    cb1.intoArray(out, rb + L);
  }

  /**
   * {@link #kernel} with A's twelve rows read in place as four triples of adjacent runs, xp[a_t + r + k] for
   * t = 0, 3, 6, 9 and r = 0, 1, 2: the unfolded rows (c, ki, 0..2) of a 3×3 kernel without dilation, as the weight
   * gradient of the stride-1 convolution reads them (see its 6-row twin in ShortTile).
   */
  static void triples(float[] xp, int a0, int a3, int a6, int a9, float[] pb, int bo, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r0 = at, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    int r6 = r5 + ld, r7 = r6 + ld, r8 = r7 + ld, r9 = r8 + ld, ra = r9 + ld, rb = ra + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    FloatVector c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, r0);
      c01 = FloatVector.fromArray(F, out, r0 + L);
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
      c60 = FloatVector.fromArray(F, out, r6);
      c61 = FloatVector.fromArray(F, out, r6 + L);
      c70 = FloatVector.fromArray(F, out, r7);
      c71 = FloatVector.fromArray(F, out, r7 + L);
      c80 = FloatVector.fromArray(F, out, r8);
      c81 = FloatVector.fromArray(F, out, r8 + L);
      c90 = FloatVector.fromArray(F, out, r9);
      c91 = FloatVector.fromArray(F, out, r9 + L);
      ca0 = FloatVector.fromArray(F, out, ra);
      ca1 = FloatVector.fromArray(F, out, ra + L);
      cb0 = FloatVector.fromArray(F, out, rb);
      cb1 = FloatVector.fromArray(F, out, rb + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
      c60 = c61 = c70 = c71 = c80 = c81 = c90 = c91 = ca0 = ca1 = cb0 = cb1 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int b = bo + q * NR;
      FloatVector b0 = FloatVector.fromArray(F, pb, b), b1 = FloatVector.fromArray(F, pb, b + L);
      FloatVector x = FloatVector.broadcast(F, xp[a0 + q]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(F, xp[a0 + q + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(F, xp[a0 + q + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(F, xp[a3 + q]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(F, xp[a3 + q + 1]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(F, xp[a3 + q + 2]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      x = FloatVector.broadcast(F, xp[a6 + q]);
      c60 = b0.fma(x, c60);
      c61 = b1.fma(x, c61);
      x = FloatVector.broadcast(F, xp[a6 + q + 1]);
      c70 = b0.fma(x, c70);
      c71 = b1.fma(x, c71);
      x = FloatVector.broadcast(F, xp[a6 + q + 2]);
      c80 = b0.fma(x, c80);
      c81 = b1.fma(x, c81);
      x = FloatVector.broadcast(F, xp[a9 + q]);
      c90 = b0.fma(x, c90);
      c91 = b1.fma(x, c91);
      x = FloatVector.broadcast(F, xp[a9 + q + 1]);
      ca0 = b0.fma(x, ca0);
      ca1 = b1.fma(x, ca1);
      x = FloatVector.broadcast(F, xp[a9 + q + 2]);
      cb0 = b0.fma(x, cb0);
      cb1 = b1.fma(x, cb1);
    }
    c00.intoArray(out, r0);
    c01.intoArray(out, r0 + L);
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
    c60.intoArray(out, r6);
    c61.intoArray(out, r6 + L);
    c70.intoArray(out, r7);
    c71.intoArray(out, r7 + L);
    c80.intoArray(out, r8);
    c81.intoArray(out, r8 + L);
    c90.intoArray(out, r9);
    c91.intoArray(out, r9 + L);
    ca0.intoArray(out, ra);
    ca1.intoArray(out, ra + L);
    cb0.intoArray(out, rb);
    cb1.intoArray(out, rb + L);
  }

  /**
   * {@link #kernel} with B's rows read in place: the k-th is the run {@code xp[offset[q0 + k] + col ..]}, as the
   * stride-1 convolution reads the unfolded rows of its padded input (see its 6-row twin in ShortTile). Reading them in
   * place instead of copying each 32-wide strip first: DPT fusion's forward (3×3 256→256 on 56×56) 7-8 % faster.
   */
  static void inPlaceB(float[] pa, int ao, float[] xp, int[] offset, int q0, int col, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r0 = at, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    int r6 = r5 + ld, r7 = r6 + ld, r8 = r7 + ld, r9 = r8 + ld, ra = r9 + ld, rb = ra + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    FloatVector c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, r0);
      c01 = FloatVector.fromArray(F, out, r0 + L);
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
      c60 = FloatVector.fromArray(F, out, r6);
      c61 = FloatVector.fromArray(F, out, r6 + L);
      c70 = FloatVector.fromArray(F, out, r7);
      c71 = FloatVector.fromArray(F, out, r7 + L);
      c80 = FloatVector.fromArray(F, out, r8);
      c81 = FloatVector.fromArray(F, out, r8 + L);
      c90 = FloatVector.fromArray(F, out, r9);
      c91 = FloatVector.fromArray(F, out, r9 + L);
      ca0 = FloatVector.fromArray(F, out, ra);
      ca1 = FloatVector.fromArray(F, out, ra + L);
      cb0 = FloatVector.fromArray(F, out, rb);
      cb1 = FloatVector.fromArray(F, out, rb + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
      c60 = c61 = c70 = c71 = c80 = c81 = c90 = c91 = ca0 = ca1 = cb0 = cb1 = FloatVector.zero(F);
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
      x = FloatVector.broadcast(F, pa[a + 6]);
      c60 = b0.fma(x, c60);
      c61 = b1.fma(x, c61);
      x = FloatVector.broadcast(F, pa[a + 7]);
      c70 = b0.fma(x, c70);
      c71 = b1.fma(x, c71);
      x = FloatVector.broadcast(F, pa[a + 8]);
      c80 = b0.fma(x, c80);
      c81 = b1.fma(x, c81);
      x = FloatVector.broadcast(F, pa[a + 9]);
      c90 = b0.fma(x, c90);
      c91 = b1.fma(x, c91);
      x = FloatVector.broadcast(F, pa[a + 10]);
      ca0 = b0.fma(x, ca0);
      ca1 = b1.fma(x, ca1);
      x = FloatVector.broadcast(F, pa[a + 11]);
      cb0 = b0.fma(x, cb0);
      cb1 = b1.fma(x, cb1);
    }
    c00.intoArray(out, r0);
    c01.intoArray(out, r0 + L);
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
    c60.intoArray(out, r6);
    c61.intoArray(out, r6 + L);
    c70.intoArray(out, r7);
    c71.intoArray(out, r7 + L);
    c80.intoArray(out, r8);
    c81.intoArray(out, r8 + L);
    c90.intoArray(out, r9);
    c91.intoArray(out, r9 + L);
    ca0.intoArray(out, ra);
    ca1.intoArray(out, ra + L);
    cb0.intoArray(out, rb);
    cb1.intoArray(out, rb + L);
  }
}
