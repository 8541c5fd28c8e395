package org.tessera.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** common.cuh's offset_of in Java, on a packed Layout: how the kernels' twins in the tests address a view. */
final class LayoutTwin {
  private LayoutTwin() {}

  static long offsetOf(byte[] layout, long i) {
    ByteBuffer b = ByteBuffer.wrap(layout).order(ByteOrder.LITTLE_ENDIAN);
    long off = b.getLong(LayoutArgument.OFFSET_AT);
    for (int d = b.getInt(0) - 1; d >= 0; --d) {
      long size = b.getLong(LayoutArgument.SIZES_AT + 8 * d);
      off += (i % size) * b.getLong(LayoutArgument.STRIDES_AT + 8 * d);
      i /= size;
    }
    return off;
  }
}
