package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.tessera.tensor.Tensor;

/** Model outputs against PyTorch's: same shape, every element within tol of the reference's largest magnitude (at least 1). */
final class Close {
  private Close() {}

  static void assertClose(Tensor want, Tensor got, double tol) {
    assertArrayEquals(want.shape(), got.shape());
    float[] w = want.toFloatArray(), g = got.toFloatArray();
    double scale = 0;
    for (float v : w) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], tol * Math.max(1, scale), "element " + i);
  }
}
