package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** torch.nn.GroupNorm. */
public final class GroupNorm extends Module implements Layer {
  public final Tensor weight, bias;
  private final int groups;
  private final double eps;

  public GroupNorm(int groups, int channels, double eps) {
    if (channels % groups != 0) throw new IllegalArgumentException("GroupNorm: " + groups + " groups must divide " + channels + " channels");
    this.groups = groups;
    this.eps = eps;
    this.weight = parameter("weight", Tensor.ones(DType.F32, Tensor.defaultDevice(), channels));
    this.bias = parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), channels));
  }

  @Override public Tensor forward(Tensor x) {
    return x.groupNorm(groups, weight, bias, eps);
  }
}
