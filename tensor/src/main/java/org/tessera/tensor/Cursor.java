package org.tessera.tensor;

/**
 * Walks the positions of a shape in row-major order, keeping the element offset of each of several strided
 * operands in step. {@code offsets[k]} is operand k's offset at the current position.
 */
public final class Cursor {
  private final int[] shape;
  private final int[][] strides;
  private final int[] base;
  private final int[] index;
  public final int[] offsets;

  public Cursor(int[] shape, int[][] strides, int[] base) {
    this.shape = shape;
    this.strides = strides;
    this.base = base;
    this.index = new int[shape.length];
    this.offsets = base.clone();
  }

  /** A cursor over the common shape of tensors that all have it (broadcast ones with stride 0). */
  public static Cursor over(Tensor... tensors) {
    int[][] strides = new int[tensors.length][];
    int[] base = new int[tensors.length];
    for (int k = 0; k < tensors.length; k++) {
      strides[k] = tensors[k].strides();
      base[k] = tensors[k].offset();
    }
    return new Cursor(tensors[0].shape(), strides, base);
  }

  /** Moves to the position with row-major linear index {@code linear}. */
  public Cursor seek(long linear) {
    System.arraycopy(base, 0, offsets, 0, base.length);
    for (int d = shape.length - 1; d >= 0; d--) {
      int n = shape[d];
      index[d] = n == 0 ? 0 : (int) (linear % n);
      linear = n == 0 ? 0 : linear / n;
      for (int k = 0; k < offsets.length; k++) offsets[k] += index[d] * strides[k][d];
    }
    return this;
  }

  /** Advances to the next position (wrapping to the first after the last). */
  public void next() {
    for (int d = shape.length - 1; d >= 0; d--) {
      for (int k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
      if (++index[d] < shape[d]) return;
      for (int k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * shape[d];
      index[d] = 0;
    }
  }
}
