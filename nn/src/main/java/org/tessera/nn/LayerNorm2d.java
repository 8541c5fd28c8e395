package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** LayerNorm over the channels of (N, C, *spatial) at each position (ConvNeXt/SAM's LayerNorm2d, Primus' LayerNormNd). */
public final class LayerNorm2d extends Module implements Layer {
  public final Tensor weight, bias;
  private final double eps;

  public LayerNorm2d(int channels, double eps) {
    this.eps = eps;
    this.weight = parameter("weight", Tensor.ones(DType.F32, Tensor.defaultDevice(), channels));
    this.bias = parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), channels));
  }

  @Override public Tensor forward(Tensor x) {
    return x.layerNorm2d(weight, bias, eps);
  }
}
