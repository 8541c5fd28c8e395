package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** Stochastic depth (timm's DropPath): while training, drops a whole sample's residual branch with probability p. */
public final class DropPath extends Module implements Layer {
  private final double p;

  public DropPath(double p) {
    this.p = p;
  }

  @Override public Tensor forward(Tensor x) {
    if (!isTraining() || p == 0) return x;
    int[] shape = new int[x.dim()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = x.size(0);
    Tensor keep = Tensor.rand(Rng.generator(), shape).to(x.device()).ge(p).to(x.dtype());
    return x.mul(keep).div(1 - p);
  }
}
