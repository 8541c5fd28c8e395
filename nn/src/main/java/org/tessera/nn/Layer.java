package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** A module with one input and one output, so that layers compose ({@link Sequential}). */
public interface Layer {
  Tensor forward(Tensor x);
}
