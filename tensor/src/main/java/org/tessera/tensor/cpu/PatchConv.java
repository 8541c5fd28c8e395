package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.ConvGeometry;

/**
 * 2-D convolutions whose windows tile the input without overlap (kernel = stride, no padding or dilation, one
 * group): a ViT's patch embedding. The unfolded input is then just the patches side by side, P (N·L × C·kh·kw),
 * each row gathered as C·kh runs of kw floats, and all three products are single large GEMMs over every patch of
 * the batch: yᵀ = W·Pᵀ, dP = (dyᵀ)ᵀ·W, dW = dyᵀ·P, the transposed operands read in place by SGEMM's packing. yᵀ
 * (Cout × N·L) is written straight into NCHW (SGEMM's C in blocks, one per image); dy is first copied channel-major
 * (Cout × N·L, one run of L values per image and channel). One product over the batch rather than one per image
 * keeps the tiles whole (196 patches an image are 6 column panels and a sliver; 1568 are 49 panels).
 */
final class PatchConv {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final ThreadScratch PATCHES = new ThreadScratch(), ROWS = new ThreadScratch();

  private PatchConv() {}

  /** Whether the windows tile the input (kernel = stride, no padding or dilation, one group) in rows of at least 4 floats. */
  static boolean applies(ConvGeometry g, int groups) {
    if (g.in().length != 2 || groups != 1 || g.kernel()[1] < 4) return false;
    for (int i = 0; i < 2; i++)
      if (g.stride()[i] != g.kernel()[i] || g.padding()[i] != 0 || g.dilation()[i] != 1 || g.out()[i] != g.in()[i] / g.kernel()[i]) return false;
    return true;
  }

  /** y (N, Cout, outH, outW) from x (N, Cin, H, W), w (Cout, Cin, kh, kw) and bias (Cout, or null). */
  static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int cin, int cout, ConvGeometry g) {
    int l = g.outSize(), k = cin * g.kernelSize(), rows = batch * l;
    float[] patches = PATCHES.get(rows * k);
    gather(x, batch, cin, g, patches);
    // W·Pᵀ (Cout × N·L) written straight into NCHW: the columns of image n are y's block n, channel o its row o
    Sgemm.multiply(cout, rows, k, new Sgemm.Operand(w, 0, k, 1), new Sgemm.Operand(patches, 0, 1, k), bias, new Sgemm.Out(y, 0, l, cout * l), true);
  }

  /** dx (N, Cin, H, W) from dy (N, Cout, outH, outW): each patch's gradient dy·W put back where the patch was read (zero where none was). */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, ConvGeometry g) {
    int l = g.outSize(), k = cin * g.kernelSize(), rows = batch * l;
    float[] dyT = channelMajor(dy, batch, cout, l), patches = PATCHES.get(rows * k);
    Sgemm.multiply(rows, k, cout, new Sgemm.Operand(dyT, 0, 1, rows), new Sgemm.Operand(w, 0, k, 1), patches, 0, true);
    scatter(patches, batch, cin, g, dx);
  }

  /** dw (Cout, Cin, kh, kw) = dyᵀ·P over every patch of the batch. */
  static void weightGrad(float[] x, float[] dy, float[] dw, int batch, int cin, int cout, ConvGeometry g) {
    int l = g.outSize(), k = cin * g.kernelSize(), rows = batch * l;
    float[] patches = PATCHES.get(rows * k), dyT = channelMajor(dy, batch, cout, l);
    gather(x, batch, cin, g, patches);
    Sgemm.multiply(cout, k, rows, new Sgemm.Operand(dyT, 0, rows, 1), new Sgemm.Operand(patches, 0, k, 1), dw, 0, true);
  }

  /** dy (N, Cout, L) as Cout × N·L, one run of L values per image and channel: the output gradient of every patch of a channel in a row. */
  private static float[] channelMajor(float[] dy, int batch, int cout, int l) {
    int rows = batch * l;
    float[] out = ROWS.get(cout * rows);
    Parallel.range(batch * cout, 16, (lo, hi) -> {
      for (int i = lo; i < hi; i++) System.arraycopy(dy, i * l, out, (i % cout) * rows + (i / cout) * l, l);
    });
    return out;
  }

  private static void gather(float[] x, int batch, int cin, ConvGeometry g, float[] patches) {
    copyPatches(x, patches, batch, cin, g, true);
  }

  /** The adjoint of {@link #gather}: patch rows written back into x (the windows do not overlap, so a copy). */
  private static void scatter(float[] patches, int batch, int cin, ConvGeometry g, float[] x) {
    copyPatches(x, patches, batch, cin, g, false);
  }

  /** Between x and the patch rows (N·L × Cin·kh·kw), row (n, oh, ow) being x[n, :, oh·kh .., ow·kw ..] in (c, ki, kj) order. */
  private static void copyPatches(float[] x, float[] patches, int batch, int cin, ConvGeometry g, boolean toPatches) {
    int inH = g.in()[0], inW = g.in()[1], kh = g.kernel()[0], kw = g.kernel()[1], outH = g.out()[0], outW = g.out()[1], k = cin * kh * kw;
    Parallel.range(batch * outH, 4, (lo, hi) -> {
      for (int r = lo; r < hi; r++)
        for (int ow = 0, n = r / outH, oh = r % outH; ow < outW; ow++)
          for (int c = 0, at = (r * outW + ow) * k; c < cin; c++)
            for (int ki = 0; ki < kh; ki++, at += kw) {
              int xAt = ((n * cin + c) * inH + oh * kh + ki) * inW + ow * kw;
              if (toPatches) copyRun(x, xAt, patches, at, kw);
              else copyRun(patches, at, x, xAt, kw);
            }
    });
  }

  /**
   * n floats from {@code src[s..]} to {@code dst[d..]}: whole vectors, then one at a time. A ViT's runs are 16 floats,
   * for which a call of System.arraycopy each cost more than the copy (gathering (8,3,224,224): 0.40 -> 0.23 ms).
   */
  private static void copyRun(float[] src, int s, float[] dst, int d, int n) {
    int j = 0;
    for (; j + L <= n; j += L) FloatVector.fromArray(F, src, s + j).intoArray(dst, d + j);
    for (; j < n; j++) dst[d + j] = src[s + j];
  }
}
