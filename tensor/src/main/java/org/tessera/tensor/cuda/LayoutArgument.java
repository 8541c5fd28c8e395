package org.tessera.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tessera.tensor.Tensor;

/**
 * A tensor view as the {@code Layout} struct of the kernels (elementwise.cu), passed by value: int rank, 4 bytes of
 * padding, long long sizes[8], long long strides[8], long long offset — 144 bytes, little-endian, offsets in elements.
 * The .cu file asserts the same size and field offsets, so a change on one side fails the nvcc compile test.
 */
final class LayoutArgument {
  static final int MAX_DIMS = 8, BYTES = 144, SIZES_AT = 8, STRIDES_AT = 72, OFFSET_AT = 136;

  private LayoutArgument() {}

  static byte[] of(Tensor t) {
    return of(t.shape(), t.strides(), t.offset());
  }

  static byte[] of(int[] shape, int[] strides, long offset) {
    if (shape.length > MAX_DIMS)
      throw new IllegalArgumentException("CUDA kernels take views of up to " + MAX_DIMS + " dims, got " + shape.length);
    ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, shape.length);
    for (int d = 0; d < shape.length; d++) {
      b.putLong(SIZES_AT + 8 * d, shape[d]);
      b.putLong(STRIDES_AT + 8 * d, strides[d]);
    }
    b.putLong(OFFSET_AT, offset);
    return b.array();
  }
}
