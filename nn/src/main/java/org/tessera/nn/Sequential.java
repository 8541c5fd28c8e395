package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** torch.nn.Sequential: layers named "0", "1", … applied in order. */
public final class Sequential extends Module implements Layer {
  private final java.util.List<Layer> layers = new java.util.ArrayList<>();

  @SafeVarargs
  public <L extends Module & Layer> Sequential(L... layers) {
    for (L l : layers) add(l);
  }

  public <L extends Module & Layer> Sequential add(L layer) {
    register(Integer.toString(layers.size()), layer);
    layers.add(layer);
    return this;
  }

  @Override public Tensor forward(Tensor x) {
    for (Layer l : layers) x = l.forward(x);
    return x;
  }
}
