package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** The identity: a disabled part of a model (timm's convention), so forward code needs no branches. */
public final class Identity extends Module implements Layer {
  @Override public Tensor forward(Tensor x) {
    return x;
  }
}
