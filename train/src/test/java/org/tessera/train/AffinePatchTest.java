package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tessera.train.data.AffinePatch;

/** The shared spatial augmentation: a plain crop, exact quarter turns and mirrors, zoom about the centre. */
class AffinePatchTest {
  private static final int H = 6, W = 8;
  private static final float[] IMAGE = new float[H * W];
  private static final byte[] LABELS = new byte[H * W];

  static {
    for (int i = 0; i < H * W; i++) {
      IMAGE[i] = i;
      LABELS[i] = (byte) (i % 5);
    }
  }

  private static float[] read(int cy, int cx, double angle, double scale, boolean flipY, boolean flipX, int size, long[] labels) {
    float[] out = new float[size * size];
    AffinePatch.read(new AffinePatch.Source(new float[][] {IMAGE}, LABELS, 0, H, W), new AffinePatch.Transform(cy, cx, angle, scale, flipY, flipX), size, size,
        out, 0, labels, 0);
    return out;
  }

  @Test
  void noTransformIsACropWithZerosOutside() {
    long[] labels = new long[16];
    float[] patch = read(2, 3, 0, 1, false, false, 4, labels);
    // rows 0..3, columns 1..4
    assertArrayEquals(new float[] {1, 2, 3, 4, 9, 10, 11, 12, 17, 18, 19, 20, 25, 26, 27, 28}, patch);
    assertEquals(LABELS[9], labels[4]);
    float[] corner = read(0, 0, 0, 1, false, false, 4, new long[16]);
    assertEquals(0, corner[0]); // row −2, column −2: outside
    assertEquals(IMAGE[0], corner[2 * 4 + 2]);
  }

  @Test
  void quarterTurnsAndMirrorsMoveWholePixels() {
    float[] plain = read(3, 4, 0, 1, false, false, 4, new long[16]), turned = read(3, 4, Math.PI / 2, 1, false, false, 4, new long[16]);
    float[] mirrored = read(3, 4, 0, 1, false, true, 4, new long[16]);
    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 4; x++) {
        // a quarter turn about the patch centre: (y, x) reads what the plain crop has at (3 − x, y)... or its transpose
        assertEquals(plain[(3 - x) * 4 + y], turned[y * 4 + x], 1e-4, "turned (" + y + ", " + x + ")");
        assertEquals(plain[y * 4 + 3 - x], mirrored[y * 4 + x], 0);
      }
  }

  @Test
  void zoomingInSamplesBetweenPixelsAboutTheCentre() {
    float[] zoomed = read(3, 4, 0, 2, false, false, 2, new long[4]);
    // the 2x2 patch's pixel centres sit a quarter pixel from the centre (2.5, 3.5): at (2.25, 3.25) and so on
    assertEquals(2.25 * W + 3.25, zoomed[0], 1e-5);
    assertEquals(2.75 * W + 3.75, zoomed[3], 1e-5);
  }
}
