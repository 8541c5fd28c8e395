package org.tessera.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The levels of multi-scale deformable attention as deformable.cu's {@code Levels} struct, passed by value: int
 * count, int height[8], int width[8], long long start[8] — 136 bytes, little-endian. The .cu file asserts the same
 * size and field offsets, so a change on one side fails the nvcc compile test.
 */
final class DeformableLaunch {
  static final int MAX_LEVELS = 8, BYTES = 136, HEIGHT_AT = 4, WIDTH_AT = 36, START_AT = 72;

  private DeformableLaunch() {}

  /** Whether the kernels take this many levels (more go through the host). */
  static boolean supports(int levels) {
    return levels <= MAX_LEVELS;
  }

  /** shapes (h0, w0, h1, w1, …) and each level's first row of value, packed. */
  static byte[] levels(int[] shapes, int[] starts) {
    int count = starts.length;
    if (!supports(count) || shapes.length != 2 * count)
      throw new IllegalArgumentException("ms_deform_attn: " + count + " levels with " + shapes.length + " sizes; the CUDA kernels take up to " + MAX_LEVELS);
    ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, count);
    for (int l = 0; l < count; l++) {
      b.putInt(HEIGHT_AT + 4 * l, shapes[2 * l]);
      b.putInt(WIDTH_AT + 4 * l, shapes[2 * l + 1]);
      b.putLong(START_AT + 8 * l, starts[l]);
    }
    return b.array();
  }
}
