package org.tessera.train.nnunet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.nn.Layer;
import org.tessera.tensor.Tensor;

/** A whole case through crop, normalisation, resampling to the plan's spacing, the window, and back into the volume. */
class NnunetPredictorTest {
  /** Logits (−x, x): label 1 wherever the normalised input is positive. */
  private static final Layer SIGN = x -> Tensor.cat(1, x.neg(), x);

  @Test
  void labelsComeBackInTheVolumesShapeAndPlace() {
    int z = 2, h = 20, w = 30;
    float[] data = new float[z * h * w];
    for (int k = 0; k < z; k++)
      for (int y = 0; y < h; y++)
        for (int x = 3; x < w; x++) data[(k * h + y) * w + x] = x >= 16 ? 100 : 10; // zero (cropped away) left of x = 3
    Volume v = new Volume(new float[][] {data}, new int[] {z, h, w}, new double[] {1, 1, 1}, null);
    // the plan's spacing is half the image's: every slice is predicted at 40 x 54 and resampled back
    Fingerprint.Stats stats = new Fingerprint.Stats(0, 1, 0, 0, 0, 0, 0);
    Plan plan = new Plan("test", new double[] {0.5, 0.5}, new int[] {32, 32}, 2, List.of("ZScoreNormalization"), List.of(stats), new int[] {40, 54});
    byte[] labels = new NnunetPredictor(SIGN, plan, 2, true).predict("case", v);
    assertEquals(z * h * w, labels.length);
    int wrong = 0;
    for (int k = 0; k < z; k++)
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
          int want = x >= 16 ? 1 : 0;
          if (labels[(k * h + y) * w + x] != want && x != 15 && x != 16) wrong++; // the edge column may go either way
        }
    assertEquals(0, wrong, "voxels labelled against the bright/dark halves");
  }
}
