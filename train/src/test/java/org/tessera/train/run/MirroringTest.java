package org.tessera.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.tessera.nn.Layer;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** Test-time mirroring against a model that is not flip-invariant: x ⊙ W, whose mirrored logits are x ⊙ (W averaged with its flips). */
class MirroringTest {
  @Test
  void theLogitsAreAveragedOverTheFourFlipsEachFlippedBack() {
    int c = 2, h = 3, w = 5;
    Tensor x = Tensor.randn(new Generator(1), 2, c, h, w), weights = Tensor.randn(new Generator(2), 1, c, h, w);
    Layer model = in -> in.mul(weights);
    float[] xs = x.toFloatArray(), ws = weights.toFloatArray(), want = new float[xs.length];
    for (int n = 0; n < 2; n++)
      for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < h; i++)
          for (int j = 0; j < w; j++) {
            int plane = ch * h * w;
            float mean = (ws[plane + i * w + j] + ws[plane + (h - 1 - i) * w + j] + ws[plane + i * w + (w - 1 - j)] + ws[plane + (h - 1 - i) * w + (w - 1 - j)]) / 4;
            int at = (n * c + ch) * h * w + i * w + j;
            want[at] = xs[at] * mean;
          }
    assertArrayEquals(want, Mirroring.logits(model, x, true).toFloatArray(), 1e-6f);
    assertArrayEquals(x.mul(weights).toFloatArray(), Mirroring.logits(model, x, false).toFloatArray(), 0);
  }
}
