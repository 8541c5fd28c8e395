package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.ConvGeometry;

/**
 * Stride-1 2-D convolution without im2col. Copy the input once with its padding (Hp × Wp per channel) and compute
 * the output on the padded width: output position (oh, ow) becomes column {@code oh·Wp + ow}, of which the last
 * Wp − outW of each row are discarded. Then the row (c, ki, kj) of the unfolded input is one contiguous run of the
 * padded copy, starting at {@code c·Hp·Wp + ki·dh·Wp + kj·dw}: the register kernel reads the right operand straight
 * from the padded input through a table of row offsets, with no packing, no gather and no padding branches.
 * The input gradient of a stride-1 convolution is itself one (of the output gradient, padded by (k − 1)·d − p,
 * with the kernel flipped and its channel dims swapped), and the weight gradient multiplies the same contiguous
 * rows by the output gradient laid out on the padded width.
 */
final class ShiftedConv {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length(), MR = Sgemm.MR, NR = 2 * L;
  private static final ThreadScratch PADDED = new ThreadScratch(), OUT = new ThreadScratch();

  private ShiftedConv() {}

  /** Whether the geometry is a 2-D stride-1 convolution whose output has the usual size (not a cropped transposed one). */
  static boolean applies(ConvGeometry g) {
    if (g.in().length != 2) return false;
    for (int i = 0; i < 2; i++)
      if (g.stride()[i] != 1 || g.out()[i] != g.in()[i] + 2 * g.padding()[i] - g.dilation()[i] * (g.kernel()[i] - 1)) return false;
    return true;
  }

  /** Whether the input gradient can be computed as a convolution: its padding (k − 1)·d − p must not be negative. */
  static boolean appliesToInputGrad(ConvGeometry g) {
    return applies(g) && g.padding()[0] <= g.dilation()[0] * (g.kernel()[0] - 1) && g.padding()[1] <= g.dilation()[1] * (g.kernel()[1] - 1);
  }

  /** One convolution's shape on the padded width: the padded plane, the offset of each unfolded row, the column count. */
  record Plan(int inH, int inW, int ph, int pw, int hp, int wp, int outH, int outW, int[] rowOffset, int columns) {
    static Plan of(int channels, int inH, int inW, int kh, int kw, int ph, int pw, int dh, int dw) {
      int hp = inH + 2 * ph, wp = inW + 2 * pw, outH = hp - dh * (kh - 1), outW = wp - dw * (kw - 1);
      int[] offsets = new int[channels * kh * kw];
      for (int c = 0, r = 0; c < channels; c++)
        for (int ki = 0; ki < kh; ki++)
          for (int kj = 0; kj < kw; kj++) offsets[r++] = c * hp * wp + ki * dh * wp + kj * dw;
      return new Plan(inH, inW, ph, pw, hp, wp, outH, outW, offsets, outH * wp);
    }

    int plane() {
      return hp * wp;
    }

    /** Floats of a padded copy of {@code channels} planes: whole-tile reads past the last output column stay inside. */
    int paddedLength(int channels) {
      return channels * plane() + roundUp(columns, NR) - columns + wp;
    }

    /** Copies {@code channels} planes of {@code x} from {@code base} into {@code xp} with zero padding (and a zero tail). */
    void pad(float[] x, int base, int channels, float[] xp) {
      int length = paddedLength(channels);
      java.util.Arrays.fill(xp, 0, length, 0f);
      for (int c = 0; c < channels; c++)
        for (int i = 0; i < inH; i++) System.arraycopy(x, base + (c * inH + i) * inW, xp, c * plane() + (i + ph) * wp + pw, inW);
    }
  }

  /** y (N, Cout, outH, outW) from x (N, Cin, H, W) and w (Cout, Cin/G, kh, kw). */
  static void forward(float[] x, float[] w, float[] y, int batch, int cin, int cout, int groups, ConvGeometry g) {
    int cinG = cin / groups, mg = cout / groups, k = cinG * g.kernelSize();
    float[][] packed = new float[groups][];
    for (int gr = 0; gr < groups; gr++) packed[gr] = packRows(w, gr * mg * k, mg, k);
    Plan plan = weightPlan(g, cinG);
    int in = g.inSize(), out = g.outSize();
    ConvKernels.perImage(batch, (image, parallel) -> {
      for (int gr = 0; gr < groups; gr++)
        convolve(plan, x, (image * cin + gr * cinG) * in, cinG, packed[gr], mg, y, (image * cout + gr * mg) * out, parallel);
    });
  }

  /** dx (N, Cin, H, W) from dy (N, Cout, outH, outW): the convolution of dy with w flipped and transposed, padded by (k − 1)·d − p. */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, int groups, ConvGeometry g) {
    int cinG = cin / groups, mg = cout / groups, kh = g.kernel()[0], kw = g.kernel()[1], kk = kh * kw, k = mg * kk;
    float[][] packed = new float[groups][];
    for (int gr = 0; gr < groups; gr++) {
      float[] flipped = new float[cinG * k]; // (Cin/G, Cout/G, kh, kw), reversed in both spatial dims
      for (int o = 0; o < mg; o++)
        for (int c = 0; c < cinG; c++)
          for (int t = 0, from = ((gr * mg + o) * cinG + c) * kk; t < kk; t++) flipped[(c * mg + o) * kk + kk - 1 - t] = w[from + t];
      packed[gr] = packRows(flipped, 0, cinG, k);
    }
    int dh = g.dilation()[0], dw = g.dilation()[1];
    Plan plan = Plan.of(mg, g.out()[0], g.out()[1], kh, kw, dh * (kh - 1) - g.padding()[0], dw * (kw - 1) - g.padding()[1], dh, dw);
    int in = g.inSize(), out = g.outSize();
    ConvKernels.perImage(batch, (image, parallel) -> {
      for (int gr = 0; gr < groups; gr++)
        convolve(plan, dy, (image * cout + gr * mg) * out, mg, packed[gr], cinG, dx, (image * cin + gr * cinG) * in, parallel);
    });
  }

  /** A plan for the weight gradient's products: the unfolded input's rows as runs of the padded input. */
  static Plan weightPlan(ConvGeometry g, int channels) {
    return Plan.of(channels, g.in()[0], g.in()[1], g.kernel()[0], g.kernel()[1], g.padding()[0], g.padding()[1], g.dilation()[0], g.dilation()[1]);
  }

  /**
   * dWᵀ (channels·kh·kw × m) of one image and group into {@code transposed}: X·dyᵀ, where row (c, ki, kj) of X is a
   * run of the padded input and dy is laid out on the padded width with zeros in the discarded columns.
   */
  static void weightProduct(Plan plan, float[] x, int xBase, int channels, float[] dy, int dyBase, int m, float[] transposed, boolean parallel) {
    float[] xp = PADDED.get(plan.paddedLength(channels)), dyWide = OUT.get(m * plan.columns);
    plan.pad(x, xBase, channels, xp);
    widen(plan, dy, dyBase, m, dyWide);
    Sgemm.multiply(plan.rowOffset.length, m, plan.columns, new Runs(xp, plan.rowOffset), new Sgemm.Operand(dyWide, 0, 1, plan.columns), transposed, 0, parallel);
  }

  /** The rows of the unfolded input: row r is {@code xp[offset[r] ..]}, one array copy. */
  private record Runs(float[] xp, int[] offset) implements Sgemm.Rows {
    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      System.arraycopy(xp, offset[row] + j0, dst, at, n);
    }
  }

  /** {@code channels} planes (outH × outW) of dy laid out on the padded width, zero in the discarded columns. */
  private static void widen(Plan plan, float[] dy, int base, int channels, float[] wide) {
    java.util.Arrays.fill(wide, 0, channels * plan.columns, 0f);
    for (int c = 0; c < channels; c++)
      for (int i = 0; i < plan.outH; i++) System.arraycopy(dy, base + (c * plan.outH + i) * plan.outW, wide, c * plan.columns + i * plan.wp, plan.outW);
  }

  /**
   * Writes the convolution of {@code channels} planes of {@code x} (from {@code xBase}) with the packed kernel rows
   * ({@code m} outputs) into {@code m} planes of y (from {@code yBase}). Column strips are split over the workers
   * when {@code parallel}; every tile is whole (the kernel rows are zero-padded to MR, the columns to NR).
   */
  private static void convolve(Plan plan, float[] x, int xBase, int channels, float[] packed, int m, float[] y, int yBase, boolean parallel) {
    float[] xp = PADDED.get(plan.paddedLength(channels));
    plan.pad(x, xBase, channels, xp);
    int k = plan.rowOffset.length, width = roundUp(plan.columns, NR), rows = roundUp(m, MR);
    float[] wide = OUT.get(rows * width);
    int strips = width / NR;
    Parallel.Body body = (lo, hi) -> {
      for (int s = lo; s < hi; s++)
        for (int ir = 0; ir < rows; ir += MR) kernel(packed, ir * k, xp, plan.rowOffset, k, s * NR, wide, ir * width + s * NR, width);
    };
    if (parallel) Parallel.range(strips, 4, body);
    else body.run(0, strips);
    for (int o = 0; o < m; o++)
      for (int i = 0; i < plan.outH; i++) System.arraycopy(wide, o * width + i * plan.wp, y, yBase + (o * plan.outH + i) * plan.outW, plan.outW);
  }

  /** Rows {@code from ..} of a row-major (rows × k) matrix as MR-high panels (panel p: for each k its MR values), zero past {@code rows}. */
  private static float[] packRows(float[] a, int from, int rows, int k) {
    float[] out = new float[roundUp(rows, MR) * k];
    for (int r = 0; r < rows; r++)
      for (int q = 0, src = from + r * k, at = (r / MR) * MR * k + r % MR; q < k; q++, at += MR) out[at] = a[src + q];
    return out;
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }

  /**
   * The register tile: {@code out[at + r·ld + j] = Σ_q A panel (q, r) · xp[offset[q] + column + j]} for 6 rows and
   * 2 vectors of columns. The same FMA pattern as {@link Sgemm}'s kernel, with B read through the row offsets.
   */
  private static void kernel(float[] pa, int ao, float[] xp, int[] offset, int k, int column, float[] out, int at, int ld) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
    for (int q = 0; q < k; q++, ao += MR) {
      int bo = offset[q] + column;
      FloatVector b0 = FloatVector.fromArray(F, xp, bo), b1 = FloatVector.fromArray(F, xp, bo + L);
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
    int r1 = at + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
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
}
