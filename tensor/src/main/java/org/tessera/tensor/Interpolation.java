package org.tessera.tensor;

/**
 * torch.nn.functional.interpolate, separably: every mode resamples one spatial dim at a time, each output index a
 * weighted sum of a few input indices ("taps"), with PyTorch's exact source-index, coefficient and border rules
 * (aten/src/ATen/native/UpSample.h). Composed of index_select, mul and add, so it is differentiable as it stands.
 */
final class Interpolation {
  private Interpolation() {}

  /** For one dim: {@code index[t][o]} and {@code weight[t][o]}, the t-th tap of output index o. */
  record Taps(long[][] index, double[][] weight) {}

  static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, InterpolationMode mode, boolean alignCorners, boolean antialias) {
    int spatial = x.dim() - 2;
    String op = "interpolate(" + mode.name().toLowerCase() + ")";
    if (spatial < 1) throw new IllegalArgumentException(op + ": expected (N, C, *spatial), got shape " + Shapes.str(x.shape()));
    if (mode.spatialDims > 0 && spatial != mode.spatialDims)
      throw new IllegalArgumentException(op + " needs " + (mode.spatialDims + 2) + "-D input, got shape " + Shapes.str(x.shape()));
    if ((size == null) == (scaleFactor == null)) throw new IllegalArgumentException(op + ": give exactly one of size and scale_factor");
    if (mode == InterpolationMode.NEAREST && alignCorners) throw new IllegalArgumentException(op + ": align_corners is only for linear and cubic modes");
    if (antialias && mode != InterpolationMode.BILINEAR && mode != InterpolationMode.BICUBIC)
      throw new IllegalArgumentException(op + ": antialias is only for bilinear and bicubic");
    Tensor out = x;
    for (int d = 0; d < spatial; d++) {
      int in = x.size(2 + d);
      double scale = scaleFactor == null ? Double.NaN : scaleFactor[scaleFactor.length == 1 ? 0 : d];
      int outSize = size != null ? size[size.length == 1 ? 0 : d] : (int) Math.floor(in * scale);
      if (outSize < 1) throw new IllegalArgumentException(op + ": output size " + outSize + " for dim " + (2 + d) + " of size " + in);
      Taps taps = switch (mode) {
        case NEAREST -> nearest(in, outSize, scale);
        case BILINEAR, TRILINEAR, LINEAR -> antialias ? antialiased(in, outSize, scale, alignCorners, 2) : linear(in, outSize, scale, alignCorners);
        case BICUBIC -> antialias ? antialiased(in, outSize, scale, alignCorners, 4) : cubic(in, outSize, scale, alignCorners);
      };
      out = resample(out, 2 + d, taps);
    }
    return out;
  }

  /** Σ over taps of x.index_select(dim, index_t) · weight_t (broadcast along dim). */
  static Tensor resample(Tensor x, int dim, Taps taps) {
    int out = taps.index[0].length;
    int[] weightShape = new int[x.dim()];
    java.util.Arrays.fill(weightShape, 1);
    weightShape[dim] = out;
    Tensor sum = null;
    for (int t = 0; t < taps.index.length; t++) {
      Tensor picked = x.indexSelect(dim, Tensor.of(taps.index[t], out).to(x.device()));
      if (taps.weight == null) return picked; // nearest: one tap of weight 1
      Tensor w = Tensor.of(taps.weight[t], weightShape).to(x.dtype()).to(x.device());
      Tensor term = picked.mul(w);
      sum = sum == null ? term : sum.add(term);
    }
    return sum;
  }

  /** area_pixel_compute_scale: the input step per output step. */
  static double scale(int in, int out, boolean alignCorners, double scaleFactor) {
    if (alignCorners) return out > 1 ? (in - 1) / (double) (out - 1) : 0;
    return scaleFactor > 0 ? 1 / scaleFactor : in / (double) out;
  }

  /** area_pixel_compute_source_index. */
  static double source(double scale, int dst, boolean alignCorners, boolean cubic) {
    if (alignCorners) return scale * dst;
    double src = scale * (dst + 0.5) - 0.5;
    return !cubic && src < 0 ? 0 : src;
  }

  /** Legacy 'nearest': floor(dst · scale) in float arithmetic, with torch's shortcuts for equal and double size. */
  private static Taps nearest(int in, int out, double scaleFactor) {
    long[] idx = new long[out];
    float scale = (float) (scaleFactor > 0 ? 1 / scaleFactor : in / (double) out);
    for (int o = 0; o < out; o++)
      idx[o] = out == in ? o : out == 2 * in ? o >> 1 : Math.min((long) Math.floor(o * scale), in - 1);
    return new Taps(new long[][] {idx}, null);
  }

  private static Taps linear(int in, int out, double scaleFactor, boolean alignCorners) {
    long[] i0 = new long[out], i1 = new long[out];
    double[] w0 = new double[out], w1 = new double[out];
    double scale = scale(in, out, alignCorners, scaleFactor);
    for (int o = 0; o < out; o++) {
      if (in == out) {
        i0[o] = i1[o] = o;
        w0[o] = 1;
        continue;
      }
      double src = source(scale, o, alignCorners, false);
      int lo = (int) src;
      i0[o] = lo;
      i1[o] = lo + (lo < in - 1 ? 1 : 0);
      w1[o] = Math.clamp(src - lo, 0, 1);
      w0[o] = 1 - w1[o];
    }
    return new Taps(new long[][] {i0, i1}, new double[][] {w0, w1});
  }

  /** Keys' cubic convolution with A = −0.75, taps at floor(src) − 1 .. + 2 clamped to the border. */
  private static Taps cubic(int in, int out, double scaleFactor, boolean alignCorners) {
    long[][] idx = new long[4][out];
    double[][] w = new double[4][out];
    double scale = scale(in, out, alignCorners, scaleFactor), a = -0.75;
    for (int o = 0; o < out; o++) {
      double src = source(scale, o, alignCorners, true);
      int lo = (int) Math.floor(src);
      double t = src - lo;
      w[0][o] = cubicFar(t + 1, a);
      w[1][o] = cubicNear(t, a);
      w[2][o] = cubicNear(1 - t, a);
      w[3][o] = cubicFar(2 - t, a);
      for (int k = 0; k < 4; k++) idx[k][o] = Math.clamp(lo - 1 + k, 0, in - 1);
    }
    return new Taps(idx, w);
  }

  private static double cubicNear(double x, double a) {
    return ((a + 2) * x - (a + 3)) * x * x + 1;
  }

  private static double cubicFar(double x, double a) {
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  }

  /**
   * Antialiased resampling (PIL's, as torch computes it): a triangle (bilinear) or Keys A = −0.5 (bicubic) filter
   * stretched by the scale when downsampling, over the input indices its support covers, weights normalised.
   */
  private static Taps antialiased(int in, int out, double scaleFactor, boolean alignCorners, int interpSize) {
    double scale = scale(in, out, alignCorners, scaleFactor);
    double support = scale >= 1 ? interpSize * 0.5 * scale : interpSize * 0.5;
    int maxTaps = (int) Math.ceil(support) * 2 + 1;
    long[][] idx = new long[maxTaps][out];
    double[][] w = new double[maxTaps][out];
    double invScale = scale >= 1 ? 1 / scale : 1;
    for (int o = 0; o < out; o++) {
      double center = scale * (o + 0.5);
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xsize = Math.clamp(Math.min((int) (center + support + 0.5), in) - xmin, 0, maxTaps);
      double total = 0;
      for (int j = 0; j < maxTaps; j++) {
        idx[j][o] = Math.min(xmin + j, in - 1);
        w[j][o] = j < xsize ? filter((j + xmin - center + 0.5) * invScale, interpSize) : 0;
        total += w[j][o];
      }
      if (total != 0) for (int j = 0; j < maxTaps; j++) w[j][o] /= total;
    }
    return new Taps(idx, w);
  }

  private static double filter(double x, int interpSize) {
    x = Math.abs(x);
    if (interpSize == 2) return Math.max(0, 1 - x);
    double a = -0.5;
    return x < 1 ? cubicNear(x, a) : x < 2 ? cubicFar(x, a) : 0;
  }
}
