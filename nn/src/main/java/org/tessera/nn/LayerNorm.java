package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** torch.nn.LayerNorm over the trailing {@code normalizedShape} dims, with an elementwise affine. */
public final class LayerNorm extends Module implements Layer {
  public final Tensor weight, bias;
  private final int[] normalizedShape;
  private final double eps;

  public LayerNorm(int[] normalizedShape, double eps, boolean affine) {
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.weight = affine ? parameter("weight", Tensor.ones(DType.F32, Tensor.defaultDevice(), normalizedShape)) : null;
    this.bias = affine ? parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), normalizedShape)) : null;
  }

  public LayerNorm(int dim, double eps) {
    this(new int[] {dim}, eps, true);
  }

  @Override public Tensor forward(Tensor x) {
    return x.layerNorm(normalizedShape, weight, bias, eps);
  }
}
