package org.tessera.tensor.cpu;

import org.tessera.tensor.ConvGeometry;

/**
 * Convolution as implicit GEMM on contiguous F32 arrays: the unfolded input (im2col) is never stored whole; SGEMM
 * packs its panels straight from the input through the geometry's source table. Per image and group:
 * forward y = W·cols(x); input gradient dx = fold(Wᵀ·dy); weight gradient dWᵀ = Σ cols(x)·dyᵀ (cols(x) as the left
 * operand, so that packing reads its rows as runs, rather than gathering cols(x)ᵀ one element at a time).
 */
final class ConvKernels {
  private ConvKernels() {}

  /** Rows of cols(x) for one image and group: row c·K + kk, column l reads x[c][src[kk·L + l]] (0 in the padding). */
  private record Windows(float[] x, int base, int inSize, int kernel, int out, int[] src) implements Sgemm.Rows {
    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      int plane = base + (row / kernel) * inSize, s = (row % kernel) * out + j0;
      for (int j = 0; j < n; j++) {
        int p = src[s + j];
        dst[at + j] = p >= 0 ? x[plane + p] : 0f;
      }
    }
  }

  /**
   * The same rows for 2-D convolutions, by arithmetic instead of the table: each output row of a window row is one
   * input row, so with unit width stride a packed run is one array copy between zeroed padding ends.
   */
  private record Windows2d(float[] x, int base, ConvGeometry g) implements Sgemm.Rows {
    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      int inH = g.in()[0], inW = g.in()[1], kw = g.kernel()[1], outW = g.out()[1], k = g.kernelSize();
      int sh = g.stride()[0], sw = g.stride()[1], ph = g.padding()[0], pw = g.padding()[1], dh = g.dilation()[0], dw = g.dilation()[1];
      int plane = base + (row / k) * inH * inW, kk = row % k, ki = kk / kw, kj = kk % kw;
      // output row oh, column ow; runs end at output rows, so only the first needs a division
      for (int j = j0, end = j0 + n, oh = j0 / outW, ow = j0 % outW; j < end; oh++, ow = 0) {
        int run = Math.min(outW - ow, end - j), to = at + (j - j0);
        int ih = oh * sh - ph + ki * dh, iw0 = ow * sw - pw + kj * dw;
        if (ih < 0 || ih >= inH) {
          zero(dst, to, to + run);
        } else if (sw == 1) {
          int lo = Math.clamp(-iw0, 0, run), hi = Math.clamp(inW - iw0, lo, run);
          zero(dst, to, to + lo);
          System.arraycopy(x, plane + ih * inW + iw0 + lo, dst, to + lo, hi - lo);
          zero(dst, to + hi, to + run);
        } else {
          for (int t = 0, iw = iw0; t < run; t++, iw += sw) dst[to + t] = iw >= 0 && iw < inW ? x[plane + ih * inW + iw] : 0f;
        }
        j += run;
      }
    }

    // the padding runs are mostly empty or one element: a plain loop, not a call into Arrays.fill each time
    private static void zero(float[] a, int from, int to) {
      for (int i = from; i < to; i++) a[i] = 0f;
    }

    /** The adjoint of {@link #copy} for a whole row: adds {@code cols[at .. at + L)} into x where the row reads it. */
    void addBack(int row, float[] cols, int at) {
      int inH = g.in()[0], inW = g.in()[1], kw = g.kernel()[1], outH = g.out()[0], outW = g.out()[1], k = g.kernelSize();
      int sh = g.stride()[0], sw = g.stride()[1], ph = g.padding()[0], pw = g.padding()[1], dh = g.dilation()[0], dw = g.dilation()[1];
      int plane = base + (row / k) * inH * inW, kk = row % k, ki = kk / kw, kj = kk % kw;
      for (int oh = 0; oh < outH; oh++) {
        int ih = oh * sh - ph + ki * dh, iw0 = -pw + kj * dw, from = at + oh * outW;
        if (ih < 0 || ih >= inH) continue;
        if (sw == 1) {
          int lo = Math.clamp(-iw0, 0, outW), hi = Math.clamp(inW - iw0, lo, outW);
          VectorKernels.addInto(cols, from + lo, x, plane + ih * inW + iw0 + lo, hi - lo);
        } else {
          for (int t = 0, iw = iw0; t < outW; t++, iw += sw) if (iw >= 0 && iw < inW) x[plane + ih * inW + iw] += cols[from + t];
        }
      }
    }
  }

  /** y (N, Cout, L) from x (N, Cin, in), w (Cout, Cin/G, K) and bias (Cout, or null: none). */
  static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int cin, int cout, int groups, ConvGeometry g) {
    if (PatchConv.applies(g, groups)) {
      PatchConv.forward(x, w, bias, y, batch, cin, cout, g);
      return;
    }
    if (Winograd.applies(g, cin, cout, groups)) {
      Winograd.forward(x, w, bias, y, batch, cin, cout, g);
      return;
    }
    if (ShiftedConv.applies(g)) {
      ShiftedConv.forward(x, w, bias, y, batch, cin, cout, groups, g);
      return;
    }
    int k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = cin / groups, mg = cout / groups, kg = cinG * k;
    int[] src = g.sourceIndex();
    perImage(batch, (image, parallel) -> {
      for (int gr = 0; gr < groups; gr++)
        Sgemm.multiply(mg, l, kg, new Sgemm.Operand(w, gr * mg * kg, kg, 1), windows(x, (image * cin + gr * cinG) * in, g, src), y,
            (image * cout + gr * mg) * l, parallel);
      if (bias != null) // the image's planes were just written: added while they are still in cache
        for (int o = 0; o < cout; o++)
          for (int j = 0, at = (image * cout + o) * l; j < l; j++) y[at + j] += bias[o];
    });
  }

  private static Sgemm.Rows windows(float[] x, int base, ConvGeometry g, int[] src) {
    return g.in().length == 2 ? new Windows2d(x, base, g) : new Windows(x, base, g.inSize(), g.kernelSize(), g.outSize(), src);
  }

  /** dx (N, Cin, in) from dy (N, Cout, L) and w (Cout, Cin/G, K). */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, int groups, ConvGeometry g) {
    if (PatchConv.applies(g, groups)) {
      PatchConv.inputGrad(dy, w, dx, batch, cin, cout, g);
      return;
    }
    if (Winograd.appliesToInputGrad(g, cin, cout, groups)) {
      Winograd.inputGrad(dy, w, dx, batch, cin, cout, g);
      return;
    }
    if (ShiftedConv.appliesToInputGrad(g)) {
      ShiftedConv.inputGrad(dy, w, dx, batch, cin, cout, groups, g);
      return;
    }
    int k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = cin / groups, mg = cout / groups, kg = cinG * k;
    int[] src = g.sourceIndex();
    perImage(batch, (image, parallel) -> {
      float[] cols = COLUMNS.get(kg * l);
      for (int gr = 0; gr < groups; gr++) {
        Sgemm.multiply(kg, l, mg, new Sgemm.Operand(w, gr * mg * kg, 1, kg), new Sgemm.Operand(dy, (image * cout + gr * mg) * l, l, 1), cols, 0, parallel);
        int base = (image * cin + gr * cinG) * in;
        if (g.in().length == 2) {
          Windows2d target = new Windows2d(dx, base, g);
          for (int row = 0; row < kg; row++) target.addBack(row, cols, row * l);
          continue;
        }
        for (int row = 0; row < kg; row++) {
          int plane = base + (row / k) * in, s = (row % k) * l;
          for (int j = 0; j < l; j++) {
            int p = src[s + j];
            if (p >= 0) dx[plane + p] += cols[row * l + j];
          }
        }
      }
    });
  }

  // the unfolded input gradient of one image (kg·L floats, megabytes), reused between images and calls
  private static final ThreadScratch COLUMNS = new ThreadScratch();

  /**
   * dw (Cout, Cin/G, K; zero on entry) from x (N, Cin, in) and dy (N, Cout, L): a partial sum per worker, added at
   * the end in the order of the workers' image ranges, so that the result does not depend on which worker finishes
   * first. A single range (one image, or one worker) adds straight into dw: DPT fusion's 2.4 MB partial cost its
   * zeroing and one more pass.
   */
  static void weightGrad(float[] x, float[] dy, float[] dw, int batch, int cin, int cout, int groups, ConvGeometry g) {
    int k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = cin / groups, mg = cout / groups, kg = cinG * k;
    if (PatchConv.applies(g, groups)) {
      PatchConv.weightGrad(x, dy, dw, batch, cin, cout, g);
      return;
    }
    if (Winograd.appliesToWeightGrad(g, cin, cout, groups)) {
      Winograd.weightGrad(x, dy, dw, batch, cin, cout, g);
      return;
    }
    boolean shifted = ShiftedConv.applies(g);
    if (shifted && ShiftedConv.isDepthwise(cin, cout, groups)) {
      ShiftedConv.depthwiseWeightGrad(x, dy, dw, batch, cin, g);
      return;
    }
    int[] src = shifted ? null : g.sourceIndex();
    ShiftedConv.Plan plan = shifted ? ShiftedConv.plan(g, cinG) : null;
    java.util.Map<Integer, float[]> partials = new java.util.concurrent.ConcurrentSkipListMap<>();
    Parallel.range(batch, 1, (lo, hi) -> {
      boolean whole = hi - lo == batch, parallel = whole && Parallel.THREADS > 1; // a single worker: let SGEMM split instead
      float[] partial = whole ? dw : new float[dw.length], transposed = shifted ? null : new float[kg * mg];
      for (int image = lo; image < hi; image++)
        for (int gr = 0; gr < groups; gr++) {
          int xBase = (image * cin + gr * cinG) * in, dyBase = (image * cout + gr * mg) * l;
          if (shifted) {
            ShiftedConv.addWeightProduct(plan, x, xBase, dy, dyBase, mg, partial, gr * mg * kg, parallel);
            continue;
          }
          Sgemm.multiply(kg, mg, l, windows(x, xBase, g, src), new Sgemm.Operand(dy, dyBase, 1, l), transposed, 0, parallel);
          for (int o = 0; o < mg; o++)
            for (int r = 0, at = (gr * mg + o) * kg; r < kg; r++) partial[at + r] += transposed[r * mg + o];
        }
      if (!whole) partials.put(lo, partial);
    });
    for (float[] partial : partials.values()) VectorKernels.addInto(partial, 0, dw, 0, dw.length);
  }

  @FunctionalInterface
  interface ImageTask {
    void run(int image, boolean parallel);
  }

  /** Images claimed one at a time by the workers when there are enough; otherwise images in turn, each split over the workers. */
  static void perImage(int batch, ImageTask task) {
    if (batch >= Parallel.THREADS) {
      Parallel.shared(batch, 1, (lo, hi) -> {
        for (int image = lo; image < hi; image++) task.run(image, false);
      });
    } else {
      for (int image = 0; image < batch; image++) task.run(image, true);
    }
  }
}
