package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** torch.nn.Dropout (elementwise) and, with {@code channelwise}, Dropout2d (whole channels of (N, C, H, W)). */
public final class Dropout extends Module implements Layer {
  private final double p;
  private final boolean channelwise;

  public Dropout(double p) {
    this(p, false);
  }

  public Dropout(double p, boolean channelwise) {
    if (p < 0 || p > 1) throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
    this.p = p;
    this.channelwise = channelwise;
  }

  @Override public Tensor forward(Tensor x) {
    if (!isTraining() || p == 0) return x;
    if (!channelwise) return x.dropout(p, true, Rng.generator());
    int[] maskShape = {x.size(0), x.size(1), 1, 1};
    Tensor keep = Tensor.rand(Rng.generator(), maskShape).to(x.device()).ge(p).to(x.dtype());
    return x.mul(keep).div(1 - p);
  }
}
