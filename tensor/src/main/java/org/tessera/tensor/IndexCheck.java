package org.tessera.tensor;

/** Bounds checks for index values read inside kernels, so a bad index is an error naming the op, never a wrong read. */
public final class IndexCheck {
  private IndexCheck() {}

  /** The index when it lies in [0, size) (torch's gather and scatter take no negative indices), else an error naming the op. */
  public static long check(String op, long index, int size, int dim) {
    if (index < 0 || index >= size)
      throw new IndexOutOfBoundsException(op + ": index " + index + " is out of bounds for dim " + dim + " with size " + size);
    return index;
  }
}
