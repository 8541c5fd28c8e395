package org.tessera.tensor;

/** The normalisation every norm layer shares, composed of differentiable ops. */
final class Normalization {
  private Normalization() {}

  /** (x − mean) / sqrt(var + eps) over dims, the variance biased, as torch's layer/group/instance/batch norms. */
  static Tensor normalize(Tensor x, int[] dims, double eps) {
    Tensor centred = x.sub(x.mean(dims, true));
    return centred.mul(centred.square().mean(dims, true).add(eps).rsqrt());
  }
}
