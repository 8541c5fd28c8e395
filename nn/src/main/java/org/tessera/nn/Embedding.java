package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** torch.nn.Embedding: rows of a (num, dim) table picked by integer indices; initialised N(0, 1). */
public final class Embedding extends Module implements Layer {
  public final Tensor weight;

  public Embedding(int num, int dim) {
    this.weight = parameter("weight", Tensor.zeros(DType.F32, Tensor.defaultDevice(), num, dim));
    Init.normal(weight, 0, 1, Rng.generator());
  }

  @Override public Tensor forward(Tensor indices) {
    int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.dim() + 1);
    shape[indices.dim()] = weight.size(1);
    return weight.indexSelect(0, indices.reshape(-1)).reshape(shape);
  }
}
