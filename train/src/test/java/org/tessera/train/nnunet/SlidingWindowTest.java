package org.tessera.train.nnunet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.nn.Layer;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;
import org.tessera.train.data.Batches;

/** Tile positions and the importance map as nnU-Net computes them; what the window and the sampler do to known inputs. */
class SlidingWindowTest {
  @Test
  void tileStartsFollowNnunetsStepRule() {
    // models.md §5.6
    assertArrayEquals(new int[] {0, 64}, SlidingWindow.starts(512, 448, 0.5));
    assertArrayEquals(new int[] {0, 126, 252}, SlidingWindow.starts(700, 448, 0.5));
    assertArrayEquals(new int[] {0, 104}, SlidingWindow.starts(1000, 896, 0.5));
    assertArrayEquals(new int[] {0}, SlidingWindow.starts(128, 128, 0.5));
  }

  @Test
  void theImportanceMapIsNnunetsGaussian() {
    float[] g = SlidingWindow.gaussian(new int[] {16, 16});
    float[] row = new float[16];
    System.arraycopy(g, 8 * 16, row, 0, 16);
    float[] want = {0.00335f, 0.02187f, 0.11109f, 0.43937f, 1.35335f, 3.24652f, 6.06531f, 8.82497f, 10f, 8.82497f};
    for (int i = 0; i < want.length; i++) assertEquals(want[i], row[i], 1e-4 * Math.max(1, want[i]), "column " + i);
    assertEquals(1.1254e-6, g[0], 1e-9);
  }

  /** A "model" whose logits are its input's first channel and its negation: the window must give them back. */
  private static final Layer ECHO = x -> Tensor.cat(1, x.narrow(1, 0, 1), x.narrow(1, 0, 1).neg());

  @Test
  void windowsPaddingAndMirroringGiveBackAnEchoedImage() {
    Generator gen = new Generator(5);
    for (int[] hw : new int[][] {{40, 50}, {20, 24}, {32, 32}}) {
      float[] image = Tensor.randn(gen, hw[0] * hw[1]).toFloatArray();
      for (boolean mirror : new boolean[] {false, true}) {
        float[] logits = new SlidingWindow(ECHO, new int[] {32, 32}, mirror, 3).predict(new float[][] {image}, hw[0], hw[1], 2);
        for (int i = 0; i < image.length; i++) {
          assertEquals(image[i], logits[i], 1e-5);
          assertEquals(-image[i], logits[image.length + i], 1e-5);
        }
      }
    }
  }

  @Test
  void theLastThirdOfABatchIsCentredOnForeground() {
    int z = 6, h = 40, w = 40;
    float[] data = new float[z * h * w];
    byte[] seg = new byte[z * h * w];
    for (int i = 0; i < data.length; i++) data[i] = i;
    seg[(3 * h + 30) * w + 7] = 2; // one foreground voxel
    Preprocessor.Prepared c = new Preprocessor.Prepared("c", new float[][] {data}, seg, new int[] {z, h, w}, null);
    SliceSampler sampler = new SliceSampler(List.of(c), new int[] {16, 16}, 3, 0.33, 1);
    Generator gen = new Generator(2);
    for (int round = 0; round < 5; round++) {
      Batches.Batch b = sampler.batch(gen, 6, false);
      long[] labels = b.labels().toLongArray();
      float[] images = b.images().toFloatArray();
      for (int j = 0; j < 6; j++) {
        boolean forced = j >= Math.round(6 * (1 - 0.33));
        if (forced) assertEquals(2, labels[j * 256 + 8 * 16 + 8], "sample " + j + ": the voxel at the patch centre");
        // without augmentation a patch is a plain crop: values step by 1 along x and by w along y
        float first = images[j * 256];
        if (first != 0) assertEquals(first + w + 1, images[j * 256 + 17], 0);
      }
    }
    List<Batches.Batch> val = sampler.validation(10, 4, 9);
    assertEquals(3, val.size());
    List<Long> sizes = new ArrayList<>();
    for (Batches.Batch b : val) sizes.add((long) b.images().size(0));
    assertEquals(List.of(4L, 4L, 2L), sizes);
    assertTrue(val.get(0).images().toFloatArray().length == 4 * 256);
  }
}
