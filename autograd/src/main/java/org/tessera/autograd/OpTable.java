package org.tessera.autograd;

import org.tessera.tensor.Tensor;

/**
 * The op table: every primitive of {@link org.tessera.tensor.TensorOps}, forward and backward together, grouped by
 * concern in {@link ElementwiseTable}, {@link MovementTable} and {@link ReductionTable}. The compiler checks that
 * the three cover every primitive. Registered as the {@code TensorOps} service.
 */
public final class OpTable implements ElementwiseTable, MovementTable, ReductionTable {
  @Override public void backward(Tensor root, Tensor upstream, boolean retainGraph) {
    Engine.backward(root, upstream, retainGraph);
  }
}
