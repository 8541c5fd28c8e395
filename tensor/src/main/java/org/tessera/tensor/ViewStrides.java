package org.tessera.tensor;

/** The strides under which a strided tensor can be viewed in another shape without copying (torch's computeStride). */
public final class ViewStrides {
  private ViewStrides() {}

  /** Strides for {@code newShape} over the same elements in the same order, or null when only a copy can do it. */
  public static int[] of(int[] oldShape, int[] oldStrides, int[] newShape) {
    if (Shapes.numel(oldShape) == 0) return Shapes.contiguousStrides(newShape);
    if (oldShape.length == 0) {
      oldShape = new int[] {1};
      oldStrides = new int[] {1};
    }
    int[] newStrides = new int[newShape.length];
    int viewD = newShape.length - 1;
    long chunkBaseStride = oldStrides[oldStrides.length - 1];
    long tensorNumel = 1, viewNumel = 1;
    // walk the old dims from the last, in chunks that are contiguous among themselves; each chunk must be
    // covered by whole new dims
    for (int d = oldShape.length - 1; d >= 0; d--) {
      tensorNumel *= oldShape[d];
      boolean chunkEnds = d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBaseStride);
      if (!chunkEnds) continue;
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
        newStrides[viewD] = (int) (viewNumel * chunkBaseStride);
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel != tensorNumel) return null;
      if (d > 0) {
        chunkBaseStride = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
    return viewD == -1 ? newStrides : null;
  }
}
