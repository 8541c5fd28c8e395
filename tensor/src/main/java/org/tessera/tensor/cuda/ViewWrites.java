package org.tessera.tensor.cuda;

import java.util.Arrays;
import java.util.Comparator;

/** Whether a kernel may write every element of a view in parallel: no two of its elements share a memory location. */
final class ViewWrites {
  private ViewWrites() {}

  /**
   * True when the view's elements are distinct locations: taken by increasing stride, each dim of size > 1 steps
   * past everything the smaller ones span (a sufficient test; a zero stride, as in an expanded view, fails it).
   */
  static boolean distinct(int[] shape, int[] strides) {
    Integer[] dims = new Integer[shape.length];
    for (int d = 0; d < dims.length; d++) dims[d] = d;
    Arrays.sort(dims, Comparator.comparingLong(d -> Math.abs((long) strides[d])));
    long span = 0; // the largest offset the smaller dims reach
    for (int d : dims) {
      if (shape[d] <= 1) continue;
      long stride = Math.abs((long) strides[d]);
      if (stride <= span) return false;
      span += stride * (shape[d] - 1);
    }
    return true;
  }
}
