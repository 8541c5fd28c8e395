package org.tessera.train.run;

import org.tessera.nn.Layer;
import org.tessera.tensor.Tensor;

/**
 * nnU-Net's test-time mirroring: the model's logits of an (N, C, H, W) batch averaged over the identity and the
 * flips of each spatial axis and of both, each flipped back. It costs four forward passes.
 */
public final class Mirroring {
  private Mirroring() {}

  /** The logits of {@code x}, mirrored when asked (the mean over the four flips), else the plain forward. */
  public static Tensor logits(Layer model, Tensor x, boolean mirror) {
    Tensor out = model.forward(x);
    if (!mirror) return out;
    return out.add(model.forward(x.flip(2)).flip(2)).add(model.forward(x.flip(3)).flip(3)).add(model.forward(x.flip(2, 3)).flip(2, 3)).div(4);
  }
}
