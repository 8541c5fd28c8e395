package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.ConvGeometry;

/**
 * 2-D convolutions whose windows tile the input without overlap (kernel = stride, no padding or dilation, one
 * group): a ViT's patch embedding. The unfolded input is then just the patches side by side, P (N·L × C·kh·kw),
 * each row C·kh runs of kw floats of x, and all three products are single large GEMMs over every patch of the batch:
 * yᵀ = W·Pᵀ, dP = (dyᵀ)ᵀ·W, dW = dyᵀ·P. yᵀ and dyᵀ (Cout × N·L) are y and dy themselves, in NCHW, read and written
 * in place as SGEMM's matrices in blocks (one per image); the transposed operands are read in place by SGEMM's
 * packing, and the weight gradient packs P straight from x. Only the forward gathers P whole (SGEMM packs Pᵀ from a
 * strided matrix eight rows at a time), and the input gradient's dP is scattered into dx. One product over the batch
 * rather than one per image keeps the tiles whole (196 patches an image are 6 column panels and a sliver; 1568 are
 * 49 panels).
 */
final class PatchConv {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final ThreadScratch PATCHES = new ThreadScratch();

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
    Patches of = new Patches(x, cin, g);
    Parallel.range(rows, 16, (lo, hi) -> {
      for (int q = lo; q < hi; q++) of.copy(q, 0, k, patches, q * k);
    });
    // W·Pᵀ (Cout × N·L) written straight into NCHW: the columns of image n are y's block n, channel o its row o
    Sgemm.multiply(cout, rows, k, new Sgemm.Operand(w, 0, k, 1), new Sgemm.Operand(patches, 0, 1, k), bias, planes(y, cout, l), true);
  }

  /** dx (N, Cin, H, W) from dy (N, Cout, outH, outW): each patch's gradient dy·W put back where the patch was read (zero where none was). */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, ConvGeometry g) {
    int l = g.outSize(), k = cin * g.kernelSize(), rows = batch * l;
    float[] patches = PATCHES.lineAligned(rows * k);
    int line = ThreadScratch.LINE; // dP's rows on cache lines (k = 768: each row whole lines)
    Sgemm.multiply(rows, k, cout, planes(dy, cout, l).transposed(), new Sgemm.Operand(w, 0, k, 1), patches, line, true);
    Patches to = new Patches(dx, cin, g);
    Parallel.range(rows, 16, (lo, hi) -> {
      for (int q = lo; q < hi; q++) to.put(q, patches, line + q * k);
    });
  }

  /** dw (Cout, Cin, kh, kw) = dyᵀ·P over every patch of the batch, the patches read from x as they are packed. */
  static void weightGrad(float[] x, float[] dy, float[] dw, int batch, int cin, int cout, ConvGeometry g) {
    int l = g.outSize(), k = cin * g.kernelSize(), rows = batch * l;
    Sgemm.multiply(cout, k, rows, planes(dy, cout, l), new Patches(x, cin, g), dw, 0, true);
  }

  /** y or dy (N, Cout, L) read in place as the Cout × N·L matrix whose column n·L + p is patch p of image n (image n's plane o is block n's row o). */
  private static Sgemm.Blocks planes(float[] nchw, int cout, int l) {
    return new Sgemm.Blocks(nchw, 0, l, cout * l);
  }

  /**
   * The patches of x as the rows of P (N·L × Cin·kh·kw): row (n, oh, ow) is x[n, :, oh·kh .., ow·kw ..] in (c, ki, kj)
   * order, C·kh runs of kw floats. The runs are walked with running offsets: dividing out (c, ki, kj) for each run of a
   * ViT's 16 floats made the forward's gather about 0.6 ms slower, of a forward of 6.3 ms.
   */
  private static final class Patches implements Sgemm.Rows {
    private final float[] x;
    private final int cin, kh, kw, inH, inW, outW, l;

    Patches(float[] x, int cin, ConvGeometry g) {
      this.x = x;
      this.cin = cin;
      kh = g.kernel()[0];
      kw = g.kernel()[1];
      inH = g.in()[0];
      inW = g.in()[1];
      outW = g.out()[1];
      l = g.outSize();
    }

    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      int rows = j0 / kw, ki = rows % kh, kj = j0 % kw, src = at(row, rows / kh, ki) + kj;
      for (int left = n, run; left > 0; left -= run, at += run, kj = 0) {
        run = Math.min(left, kw - kj);
        copyRun(x, src, dst, at, run);
        src += inW - kj; // the window's next row, or the next channel's first after its last
        if (++ki == kh) {
          ki = 0;
          src += (inH - kh) * inW;
        }
      }
    }

    /** Writes row {@code row} back from {@code src[at..]} (the windows do not overlap, so a copy). */
    void put(int row, float[] src, int at) {
      for (int c = 0; c < cin; c++)
        for (int ki = 0, dst = at(row, c, ki); ki < kh; ki++, at += kw, dst += inW) copyRun(src, at, x, dst, kw);
    }

    /** Where the window of patch row (n, oh, ow) starts in x's channel c, row ki. */
    private int at(int row, int c, int ki) {
      int n = row / l, oh = row % l / outW, ow = row % outW;
      return ((n * cin + c) * inH + oh * kh + ki) * inW + ow * kw;
    }
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
