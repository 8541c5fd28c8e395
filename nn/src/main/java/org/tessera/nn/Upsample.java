package org.tessera.nn;

import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Tensor;

/** torch.nn.Upsample by a scale factor. */
public final class Upsample extends Module implements Layer {
  private final double scale;
  private final InterpolationMode mode;
  private final boolean alignCorners;

  public Upsample(double scale, InterpolationMode mode, boolean alignCorners) {
    this.scale = scale;
    this.mode = mode;
    this.alignCorners = alignCorners;
  }

  @Override public Tensor forward(Tensor x) {
    return x.interpolate(new double[] {scale}, mode, alignCorners);
  }
}
