package org.tessera.autograd;

import org.tessera.tensor.GradFn;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Storage;
import org.tessera.tensor.Tensor;

/**
 * One recorded op: its inputs, the tensors its backward reads (with their storage versions at the time, to catch
 * in-place changes), and the backward itself. Backward frees the closure unless the graph is retained.
 */
final class Node implements GradFn {
  /** The gradients of an op's inputs, in input order; null where an input gets none. */
  @FunctionalInterface
  interface Backward {
    Tensor[] apply(Tensor grad);
  }

  private final String name;
  final Tensor[] inputs;
  private Tensor[] saved;
  private int[] versions;
  private Backward backward;

  Node(String name, Tensor[] inputs, Tensor[] saved, Backward backward) {
    this.name = name;
    this.inputs = inputs;
    this.saved = saved;
    this.versions = new int[saved.length];
    for (int i = 0; i < saved.length; i++) versions[i] = saved[i].storage().version();
    this.backward = backward;
  }

  @Override public String name() {
    return name;
  }

  Tensor[] apply(Tensor grad) {
    if (backward == null)
      throw new IllegalStateException("backward through " + name + " a second time: its graph was freed by the first backward(); "
          + "pass retainGraph = true to the first call to keep it");
    for (int i = 0; i < saved.length; i++)
      if (saved[i].storage().version() != versions[i])
        throw new IllegalStateException("backward of " + name + ": a tensor it saved (shape " + Shapes.str(saved[i].shape())
            + ") was modified in place after the forward (version " + saved[i].storage().version() + ", saved at " + versions[i] + ")");
    Tensor[] grads = backward.apply(grad);
    if (grads.length != inputs.length) throw new AssertionError(name + " returned " + grads.length + " gradients for " + inputs.length + " inputs");
    return grads;
  }

  /** Whether one of the op's inputs or saved tensors (until released) lies in {@code storage}. */
  boolean sees(Storage storage) {
    for (Tensor t : inputs) if (t != null && t.storage() == storage) return true;
    if (saved != null) for (Tensor t : saved) if (t.storage() == storage) return true;
    return false;
  }

  void release() {
    backward = null;
    saved = null;
    versions = null;
  }
}
