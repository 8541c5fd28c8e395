package org.tessera.tensor;

/**
 * The sliding windows of an N-d convolution over the spatial dims: input size, kernel, stride, padding, dilation,
 * and the output size they give, {@code (in + 2·pad − dilation·(k − 1) − 1) / stride + 1} per dim (torch's rule).
 * The unfolded ("im2col") form of an input (N, C, *in) is (N, C·∏kernel, ∏out), row {@code c·∏kernel + kernel offset}.
 */
public record ConvGeometry(int[] in, int[] kernel, int[] stride, int[] padding, int[] dilation, int[] out) {
  public static ConvGeometry of(String op, int[] in, int[] kernel, int[] stride, int[] padding, int[] dilation) {
    int d = in.length;
    if (kernel.length != d || stride.length != d || padding.length != d || dilation.length != d)
      throw new IllegalArgumentException(op + ": kernel, stride, padding and dilation need " + d + " values each");
    int[] out = new int[d];
    for (int i = 0; i < d; i++) {
      if (stride[i] < 1 || dilation[i] < 1 || padding[i] < 0 || kernel[i] < 1)
        throw new IllegalArgumentException(op + ": stride and dilation must be >= 1, padding >= 0, kernel >= 1; got stride " + Shapes.str(stride)
            + " padding " + Shapes.str(padding) + " dilation " + Shapes.str(dilation) + " kernel " + Shapes.str(kernel));
      int span = dilation[i] * (kernel[i] - 1) + 1;
      if (in[i] + 2 * padding[i] < span)
        throw new IllegalArgumentException(op + ": input size " + Shapes.str(in) + " (padded by " + Shapes.str(padding) + ") is smaller than the dilated kernel "
            + Shapes.str(kernel) + " in dim " + i);
      out[i] = (in[i] + 2 * padding[i] - span) / stride[i] + 1;
    }
    return new ConvGeometry(in.clone(), kernel.clone(), stride.clone(), padding.clone(), dilation.clone(), out);
  }

  /**
   * The windows of a transposed convolution's output: {@code windows} per dim given (the transposed input's size)
   * rather than derived, since output_padding makes the output larger than the windows reach; positions a window
   * would read past the output are cropped like padding.
   */
  public static ConvGeometry ofWindows(int[] in, int[] kernel, int[] stride, int[] padding, int[] dilation, int[] windows) {
    return new ConvGeometry(in.clone(), kernel.clone(), stride.clone(), padding.clone(), dilation.clone(), windows.clone());
  }

  public int kernelSize() {
    return Shapes.numel(kernel);
  }

  public int outSize() {
    return Shapes.numel(out);
  }

  public int inSize() {
    return Shapes.numel(in);
  }

  /**
   * For each kernel offset (row-major over the kernel dims) and output position (row-major), the input position it
   * reads, or -1 where it falls in the padding. Shared by every backend's unfold and fold.
   */
  public int[] sourceIndex() {
    int k = kernelSize(), o = outSize(), d = in.length;
    int[] src = new int[k * o];
    int[] kIdx = new int[d], oIdx = new int[d];
    for (int kk = 0; kk < k; kk++) {
      unravel(kk, kernel, kIdx);
      for (int oo = 0; oo < o; oo++) {
        unravel(oo, out, oIdx);
        int pos = 0;
        boolean inside = true;
        for (int i = 0; i < d && inside; i++) {
          int p = oIdx[i] * stride[i] - padding[i] + kIdx[i] * dilation[i];
          inside = p >= 0 && p < in[i];
          pos = pos * in[i] + p;
        }
        src[kk * o + oo] = inside ? pos : -1;
      }
    }
    return src;
  }

  private static void unravel(int linear, int[] shape, int[] idx) {
    for (int i = shape.length - 1; i >= 0; i--) {
      idx[i] = linear % shape[i];
      linear /= shape[i];
    }
  }
}
