package org.tessera.tensor;

import java.util.Arrays;

/** Shape arithmetic: element counts, contiguous strides, NumPy broadcasting, dim normalisation. */
public final class Shapes {
  private Shapes() {}

  public static int numel(int... shape) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) throw new IllegalArgumentException("negative size in shape " + str(shape));
      n *= s;
      if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
    }
    return (int) n;
  }

  public static int[] contiguousStrides(int... shape) {
    int[] strides = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= Math.max(shape[i], 1);
    }
    return strides;
  }

  /** The broadcast of two shapes (NumPy rules), or an error naming the op and both shapes. */
  public static int[] broadcast(String op, int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i < n - a.length ? 1 : a[i - (n - a.length)];
      int db = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (da != db && da != 1 && db != 1)
        throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast (dim " + i + ": " + da + " vs " + db + ")");
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** A dim in [-rank, rank) made non-negative, or an error naming the op. */
  public static int dim(String op, int dim, int rank) {
    int r = Math.max(rank, 1);
    if (dim < -r || dim >= r)
      throw new IndexOutOfBoundsException(op + ": dim " + dim + " is out of range for a tensor of rank " + rank + " (expected -" + r + ".." + (r - 1) + ")");
    return dim < 0 ? dim + r : dim;
  }

  /** The shape with the (sorted) dims removed, as a reduction without keepdim leaves it. */
  public static int[] without(int[] shape, int[] sortedDims) {
    return java.util.stream.IntStream.range(0, shape.length).filter(d -> Arrays.binarySearch(sortedDims, d) < 0).map(d -> shape[d]).toArray();
  }

  /** (a, b, *spatial): the shape of a batch of channels over spatial dims, or of a convolution weight. */
  public static int[] withSpatial(int a, int b, int[] spatial) {
    int[] shape = new int[2 + spatial.length];
    shape[0] = a;
    shape[1] = b;
    System.arraycopy(spatial, 0, shape, 2, spatial.length);
    return shape;
  }

  public static String str(int... shape) {
    return Arrays.toString(shape);
  }
}
