package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** torch.nn.Dropout: while training, zeroes each element with probability p and scales the rest by 1/(1 − p). */
public final class Dropout extends Module implements Layer {
  private final double p;

  public Dropout(double p) {
    if (p < 0 || p > 1) throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
    this.p = p;
  }

  @Override public Tensor forward(Tensor x) {
    return isTraining() ? x.dropout(p, true, Rng.generator()) : x;
  }
}
