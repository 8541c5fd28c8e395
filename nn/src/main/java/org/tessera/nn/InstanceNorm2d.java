package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** torch.nn.InstanceNorm2d (affine, no running statistics: the defaults nnU-Net overrides to affine=True). */
public final class InstanceNorm2d extends Module implements Layer {
  public final Tensor weight, bias;
  private final double eps;

  public InstanceNorm2d(int channels, double eps, boolean affine) {
    this.eps = eps;
    this.weight = affine ? parameter("weight", Tensor.ones(DType.F32, Tensor.defaultDevice(), channels)) : null;
    this.bias = affine ? parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), channels)) : null;
  }

  @Override public Tensor forward(Tensor x) {
    return x.instanceNorm(weight, bias, eps);
  }
}
