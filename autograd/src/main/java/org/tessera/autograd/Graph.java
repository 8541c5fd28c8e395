package org.tessera.autograd;

import org.tessera.tensor.Tensor;

/** Attaches a recorded op to its output when recording is on and an input needs a gradient. */
final class Graph {
  private Graph() {}

  static boolean needsGrad(Tensor... inputs) {
    if (!GradMode.isEnabled()) return false;
    for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
    return false;
  }

  /**
   * Returns {@code out}, recorded as the result of {@code name} on {@code inputs} when a gradient is needed.
   * {@code saved} lists the tensors the backward reads, so that an in-place change to one is caught and no leaf is
   * handed a gradient that shares their storage as its own.
   */
  static Tensor record(String name, Tensor out, Tensor[] inputs, Tensor[] saved, Node.Backward backward) {
    if (!needsGrad(inputs) || !out.dtype().floating) return out;
    return out.withGradFn(new Node(name, inputs, saved, backward));
  }

  static Tensor[] of(Tensor... tensors) {
    return tensors;
  }
}
