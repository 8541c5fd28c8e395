package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** timm's Mlp: fc1 → activation → dropout → fc2 → dropout (keys fc1.*, fc2.*). */
public final class Mlp extends Module implements Layer {
  public final Linear fc1, fc2;
  private final Layer act;
  private final Dropout drop;

  public Mlp(int in, int hidden, int out, Activation act, double drop) {
    this.fc1 = register("fc1", new Linear(in, hidden, true));
    this.act = act;
    this.fc2 = register("fc2", new Linear(hidden, out, true));
    this.drop = new Dropout(drop);
    register("act", act);
    register("drop", this.drop);
  }

  @Override public Tensor forward(Tensor x) {
    return drop.forward(fc2.forward(drop.forward(act.forward(fc1.forward(x)))));
  }
}
