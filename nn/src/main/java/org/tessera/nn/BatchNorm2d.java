package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/**
 * torch.nn.BatchNorm2d: batch statistics while training (updating running_mean / running_var with momentum, the
 * variance unbiased, and num_batches_tracked), running statistics in evaluation.
 */
public final class BatchNorm2d extends Module implements Layer {
  public final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;
  private final double eps, momentum;

  public BatchNorm2d(int channels, double eps, double momentum) {
    this.eps = eps;
    this.momentum = momentum;
    this.weight = parameter("weight", Tensor.ones(DType.F32, Tensor.defaultDevice(), channels));
    this.bias = parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), channels));
    this.runningMean = buffer("running_mean", Tensor.zeros(DType.F32, Tensor.defaultDevice(), channels), true);
    this.runningVar = buffer("running_var", Tensor.ones(DType.F32, Tensor.defaultDevice(), channels), true);
    this.numBatchesTracked = buffer("num_batches_tracked", Tensor.zeros(DType.I64, Tensor.defaultDevice()), true);
  }

  public BatchNorm2d(int channels) {
    this(channels, 1e-5, 0.1);
  }

  @Override public Tensor forward(Tensor x) {
    if (x.dim() != 4) throw new IllegalArgumentException("BatchNorm2d expects (N, C, H, W), got " + org.tessera.tensor.Shapes.str(x.shape()));
    if (isTraining()) {
      try (var scope = org.tessera.autograd.GradMode.noGrad()) {
        numBatchesTracked.add_(Tensor.ones(DType.I64, numBatchesTracked.device()));
      }
    }
    return x.batchNorm(runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
  }
}
