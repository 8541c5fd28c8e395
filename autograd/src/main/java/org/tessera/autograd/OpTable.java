package org.tessera.autograd;

import org.tessera.tensor.Tensor;

/**
 * The op table: every primitive of {@link org.tessera.tensor.TensorOps}, forward and backward together, grouped by
 * concern in {@link ElementwiseTable}, {@link MovementTable}, {@link ReductionTable}, {@link ConvolutionTable},
 * {@link AttentionTable} and {@link DeformableAttentionTable}.
 * The compiler checks that together they cover every primitive. Registered as the {@code TensorOps} service.
 */
public final class OpTable implements ElementwiseTable, MovementTable, ReductionTable, ConvolutionTable, AttentionTable,
    DeformableAttentionTable {
  @Override public void backward(Tensor root, Tensor upstream, boolean retainGraph) {
    Engine.backward(root, upstream, retainGraph);
  }
}
