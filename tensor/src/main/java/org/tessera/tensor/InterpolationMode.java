package org.tessera.tensor;

/** The modes of torch.nn.functional.interpolate, with the number of spatial dims each needs (0: any). */
public enum InterpolationMode {
  NEAREST(0), LINEAR(1), BILINEAR(2), BICUBIC(2), TRILINEAR(3);

  final int spatialDims;

  InterpolationMode(int spatialDims) {
    this.spatialDims = spatialDims;
  }
}
