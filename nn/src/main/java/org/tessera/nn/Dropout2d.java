package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** torch.nn.Dropout2d: while training, zeroes whole channels of (N, C, H, W) with probability p, scaling the rest. */
public final class Dropout2d extends Module implements Layer {
  private final double p;

  public Dropout2d(double p) {
    if (p < 0 || p > 1) throw new IllegalArgumentException("Dropout2d: p must be in [0, 1], got " + p);
    this.p = p;
  }

  @Override public Tensor forward(Tensor x) {
    if (!isTraining() || p == 0) return x;
    Tensor keep = Tensor.rand(Rng.generator(), x.size(0), x.size(1), 1, 1).to(x.device()).ge(p).to(x.dtype());
    return x.mul(keep).div(1 - p);
  }
}
