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
    Tensor centred = x.sub(x.mean(dims, true));
    Tensor y = centred.mul(centred.square().mean(dims, true).add(eps).rsqrt());
    if (weight != null) y = y.mul(weight);
    return bias != null ? y.add(bias) : y;
  }

  /** x·Wᵀ + b with W of shape (out, in), as torch.nn.functional.linear. */
  default Tensor linear(Tensor weight, Tensor bias) {
    Tensor y = self().matmul(weight.mT());
    return bias != null ? y.add(bias) : y;
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
}
