package org.tessera.tensor;

/**
 * Pooling over the last two dims, composed of differentiable ops: windows are gathered from the (padded) input by
 * the index table of a {@link ConvGeometry}; max pooling picks the first maximum of each window (its gradient goes
 * there, as torch's indices say), average pooling sums and divides. Adaptive average pooling multiplies by the
 * per-dim averaging matrices of torch's start/end index rule.
 */
final class Pooling {
  private Pooling() {}

  /** The windows of x (N, C, H, W) as (N, C, K, Ho·Wo), after padding with {@code fill}. */
  private static Tensor windows(Tensor x, String op, int[] kernel, int[] stride, int[] padding, double fill) {
    if (x.dim() != 4) throw new IllegalArgumentException(op + ": expected (N, C, H, W), got shape " + Shapes.str(x.shape()));
    for (int i = 0; i < 2; i++)
      if (padding[i] > kernel[i] / 2)
        throw new IllegalArgumentException(op + ": padding " + Shapes.str(padding) + " must be at most half the kernel " + Shapes.str(kernel));
    Tensor padded = x.pad(new int[] {padding[1], padding[1], padding[0], padding[0]}, PadMode.CONSTANT, fill);
    int hp = padded.size(2), wp = padded.size(3);
    ConvGeometry g = ConvGeometry.of(op, new int[] {hp, wp}, kernel, stride, new int[] {0, 0}, new int[] {1, 1});
    int[] src = g.sourceIndex();
    long[] index = new long[src.length];
    for (int i = 0; i < src.length; i++) index[i] = src[i];
    int n = x.size(0), c = x.size(1), k = g.kernelSize(), l = g.outSize();
    Tensor idx = Tensor.of(index, 1, 1, k * l).to(x.device()).expand(n, c, k * l);
    return padded.reshape(n, c, hp * wp).gather(2, idx).reshape(n, c, k, l);
  }

  static Indexed maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    Tensor win = windows(x, "max_pool2d", kernel, stride, padding, Double.NEGATIVE_INFINITY);
    Indexed max = win.max(2, false);
    int[] out = outShape(x, kernel, stride, padding);
    // torch reports each maximum's position as a flat index into the unpadded H·W plane
    int w = x.size(3), l = out[2] * out[3];
    long[] base = new long[kernel[0] * kernel[1] * l];
    for (int kk = 0; kk < kernel[0] * kernel[1]; kk++)
      for (int o = 0; o < l; o++) {
        int oh = o / out[3], ow = o % out[3];
        base[kk * l + o] = (long) (oh * stride[0] - padding[0] + kk / kernel[1]) * w + (ow * stride[1] - padding[1] + kk % kernel[1]);
      }
    Tensor flatIndex = Tensor.of(base, 1, 1, kernel[0] * kernel[1], l).to(x.device()).expand(x.size(0), x.size(1), kernel[0] * kernel[1], l)
        .gather(2, max.indices().unsqueeze(2)).squeeze(2);
    return new Indexed(max.values().reshape(out), flatIndex.reshape(out));
  }

  static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
    Tensor sum = windows(x, "avg_pool2d", kernel, stride, padding, 0).sum(2);
    int[] out = outShape(x, kernel, stride, padding);
    if (countIncludePad || (padding[0] == 0 && padding[1] == 0)) return sum.div(kernel[0] * kernel[1]).reshape(out);
    Tensor ones = Tensor.ones(x.dtype(), x.device(), 1, 1, x.size(2), x.size(3));
    Tensor count = windows(ones, "avg_pool2d", kernel, stride, padding, 0).sum(2);
    return sum.div(count).reshape(out);
  }

  static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
    if (x.dim() != 4) throw new IllegalArgumentException("adaptive_avg_pool2d: expected (N, C, H, W), got shape " + Shapes.str(x.shape()));
    Tensor rows = averaging(x.size(2), outH).to(x.dtype()).to(x.device()), cols = averaging(x.size(3), outW).to(x.dtype()).to(x.device());
    return rows.matmul(x).matmul(cols.mT());
  }

  /** (out, in): row i averages input [floor(i·in/out), ceil((i+1)·in/out)). */
  private static Tensor averaging(int in, int out) {
    double[] m = new double[out * in];
    for (int i = 0; i < out; i++) {
      int start = (int) Math.floor((double) i * in / out), end = (int) Math.ceil((double) (i + 1) * in / out);
      for (int j = start; j < end; j++) m[i * in + j] = 1.0 / (end - start);
    }
    return Tensor.of(m, out, in);
  }

  private static int[] outShape(Tensor x, int[] kernel, int[] stride, int[] padding) {
    int[] s = x.shape();
    for (int i = 0; i < 2; i++) s[2 + i] = (s[2 + i] + 2 * padding[i] - kernel[i]) / stride[i] + 1;
    return s;
  }
}
