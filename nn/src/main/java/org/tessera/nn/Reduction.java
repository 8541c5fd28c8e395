package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** How a loss reduces its per-element values, as torch's {@code reduction=}. */
public enum Reduction {
  NONE, MEAN, SUM;

  Tensor apply(Tensor perElement) {
    return switch (this) {
      case NONE -> perElement;
      case MEAN -> perElement.mean();
      case SUM -> perElement.sum();
    };
  }
}
