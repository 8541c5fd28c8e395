package org.tessera.tensor;

/** Neural-network functions of a {@link Tensor}, composed of differentiable primitives. */
public interface NnOps {
  Tensor self();

  static Tensor onesLike(Tensor x) { return Tensor.ones(x.dtype(), x.device(), x.shape()); }
  static Tensor zerosLike(Tensor x) { return Tensor.zeros(x.dtype(), x.device(), x.shape()); }

  /** softmax along dim, shifted by the (constant) maximum for stability. */
  default Tensor softmax(int dim) {
    Tensor x = self();
    Tensor e = x.sub(x.amax(dim, true).detach()).exp();
    return e.div(e.sum(dim, true));
  }

  default Tensor logSoftmax(int dim) {
    Tensor x = self();
    return x.sub(x.logsumexp(new int[] {dim}, true));
  }

  /** Layer normalisation over the trailing {@code normalizedShape} dims (biased variance); weight and bias may be null. */
  default Tensor layerNorm(int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    Tensor x = self();
    int k = normalizedShape.length;
    int[] shape = x.shape();
    if (k > shape.length || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape))
      throw new IllegalArgumentException("layer_norm: normalized shape " + Shapes.str(normalizedShape) + " does not match the trailing dims of input "
          + Shapes.str(shape));
    int[] dims = new int[k];
    for (int i = 0; i < k; i++) dims[i] = shape.length - k + i;
    Tensor y = Normalization.normalize(x, dims, eps);
    if (weight != null) y = y.mul(weight);
    return bias != null ? y.add(bias) : y;
  }

  /** x·Wᵀ + b with W of shape (out, in), as torch.nn.functional.linear. */
  default Tensor linear(Tensor weight, Tensor bias) {
    return TensorOps.get().linear(self(), weight, bias);
  }

  /** Zeroes each element with probability p and scales the rest by 1/(1-p) when training; the identity otherwise. */
  default Tensor dropout(double p, boolean training, Generator gen) {
    Tensor x = self();
    if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
    if (!training || p == 0) return x;
    if (p == 1) return x.mul(0);
    Tensor keep = Tensor.rand(gen, x.shape()).to(x.device()).ge(p);
    return x.mul(keep.to(x.dtype())).div(1 - p);
  }

  /** 1-D convolution: x (N, Cin, L), weight (Cout, Cin/groups, k). */
  default Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
    return TensorOps.get().conv(self(), weight, bias, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
  }

  /** 2-D convolution: x (N, Cin, H, W), weight (Cout, Cin/groups, kh, kw); stride, padding, dilation as (h, w) or one value for both. */
  default Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    return TensorOps.get().conv(self(), weight, bias, spatial("conv2d", stride, 2), spatial("conv2d", padding, 2), spatial("conv2d", dilation, 2), groups);
  }

  default Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
    return conv2d(weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, 1);
  }

  /** 3-D convolution: x (N, Cin, D, H, W), weight (Cout, Cin/groups, kd, kh, kw). */
  default Tensor conv3d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    return TensorOps.get().conv(self(), weight, bias, spatial("conv3d", stride, 3), spatial("conv3d", padding, 3), spatial("conv3d", dilation, 3), groups);
  }

  /** 2-D transposed convolution: weight (Cin, Cout/groups, kh, kw). */
  default Tensor convTranspose2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
    return TensorOps.get().convTranspose(self(), weight, bias, spatial("conv_transpose2d", stride, 2), spatial("conv_transpose2d", padding, 2),
        spatial("conv_transpose2d", outputPadding, 2), spatial("conv_transpose2d", dilation, 2), groups);
  }

  /** 3-D transposed convolution: weight (Cin, Cout/groups, kd, kh, kw). */
  default Tensor convTranspose3d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
    return TensorOps.get().convTranspose(self(), weight, bias, spatial("conv_transpose3d", stride, 3), spatial("conv_transpose3d", padding, 3),
        spatial("conv_transpose3d", outputPadding, 3), spatial("conv_transpose3d", dilation, 3), groups);
  }

  /**
   * torch's scaled_dot_product_attention with this tensor as the query: softmax(q·kᵀ·scale + mask)·v, fused (the
   * Lq×Lk scores are never held whole). {@code attnMask}: null, BOOL (true = may attend, as torch) or an additive
   * float mask, broadcastable to (..., Lq, Lk); {@code scale} NaN means 1/√d.
   */
  default Tensor scaledDotProductAttention(Tensor key, Tensor value, Tensor attnMask, double scale) {
    Tensor q = self();
    double s = Double.isNaN(scale) ? 1 / Math.sqrt(q.size(-1)) : scale;
    Tensor bias = attnMask == null ? null
        : attnMask.dtype() == DType.BOOL ? Tensor.zeros(q.dtype(), q.device(), 1).where(attnMask, Double.NEGATIVE_INFINITY)
        : attnMask;
    return TensorOps.get().attention(q, key, value, bias, s);
  }

  default Tensor scaledDotProductAttention(Tensor key, Tensor value) {
    return scaledDotProductAttention(key, value, null, Double.NaN);
  }

  /** A per-dim parameter given once for all dims or once per dim, as torch's int-or-tuple arguments. */
  private static int[] spatial(String op, int[] values, int dims) {
    if (values.length == dims) return values.clone();
    if (values.length == 1) {
      int[] out = new int[dims];
      java.util.Arrays.fill(out, values[0]);
      return out;
    }
    throw new IllegalArgumentException(op + ": expected 1 or " + dims + " values, got " + Shapes.str(values));
  }
}
