package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernel rows of a convolution packed for its tiles, in {@code panels} from {@code tallAt}: the first
 * {@code tallRows} (a multiple of 12) as 12-row panels for {@link TallTile}, the rest from {@code restAt} as
 * {@code restHeight}-row panels.
 */
record KernelRows(int rows, int tallRows, int restHeight, float[] panels, int tallAt, int restAt) {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int MR = Sgemm.MR;
  private static final ThreadScratch SCRATCH = new ThreadScratch();

  /** The rows the tiles write: the tall rows and the rest rounded up to whole panels. */
  int paddedRows() {
    return paddedRows(rows, tallRows, restHeight);
  }

  private static int paddedRows(int rows, int tallRows, int restHeight) {
    return tallRows + Sgemm.roundUp(rows - tallRows, restHeight);
  }

  private static int tallRows(int rows, boolean tall) {
    return tall ? rows / TallTile.MR * TallTile.MR : 0;
  }

  private static int restHeight(boolean tall) {
    return tall ? ShortTile.WIDE_MR : MR;
  }

  /**
   * Each group's kernel rows, packed by {@link #pack} one after another into this thread's scratch: group gr's
   * matrix starts at {@code base + gr·groupStride}.
   */
  static KernelRows[] packGroups(float[] a, int base, int groupStride, int groups, int rows, int rowStride, int outer, int outerStride, int inner,
      int innerStride, boolean tall) {
    int size = size(rows, outer * inner, tall);
    float[] into = SCRATCH.get(groups * size);
    KernelRows[] packed = new KernelRows[groups];
    for (int gr = 0; gr < groups; gr++)
      packed[gr] = pack(a, base + gr * groupStride, rows, rowStride, outer, outerStride, inner, innerStride, tall, into, gr * size);
    return packed;
  }

  /** The floats {@link #pack} writes for {@code rows} rows of {@code k}. */
  private static int size(int rows, int k, boolean tall) {
    return paddedRows(rows, tallRows(rows, tall), restHeight(tall)) * k;
  }

  /**
   * A (rows × outer·inner) matrix read through strides: element (r, u·inner + v) is
   * {@code a[base + r·rowStride + u·outerStride + v·innerStride]}, written into {@code into} from {@code at}
   * ({@link #size} floats, every one of them); when {@code tall}, 12-row panels for as many rows as fill them and
   * 4-row panels for the rest (for {@link ShortTile#inPlaceBWide}), else 6-row panels throughout.
   */
  private static KernelRows pack(float[] a, int base, int rows, int rowStride, int outer, int outerStride, int inner, int innerStride, boolean tall,
      float[] into, int at) {
    int tallRows = tallRows(rows, tall), restHeight = restHeight(tall), restAt = at + tallRows * outer * inner;
    panels(a, base, tallRows, rowStride, outer, outerStride, inner, innerStride, TallTile.MR, into, at);
    panels(a, base + tallRows * rowStride, rows - tallRows, rowStride, outer, outerStride, inner, innerStride, restHeight, into, restAt);
    return new KernelRows(rows, tallRows, restHeight, into, at, restAt);
  }

  /**
   * {@code rows} rows as {@code mr}-high panels (panel p: for each column its mr values) into {@code out} from
   * {@code at}, zero past {@code rows}. Each column of a panel is one gather of its rows and one masked store of
   * mr lanes, panel by panel, where each row was scattered across its panel (in L2): DPT fusion's weights
   * (256 × 2304) 0.72 -> 0.41 ms, flipped for the input gradient 0.80 -> 0.45 ms. The panels go into this
   * thread's scratch: a fresh array's zeroing was about 0.2 ms of each. Panels are split over the workers
   * (packing megabytes of weights on one thread cost 3 % of a convolution).
   */
  private static void panels(float[] a, int base, int rows, int rowStride, int outer, int outerStride, int inner, int innerStride, int mr,
      float[] out, int at) {
    int k = outer * inner;
    VectorMask<Float> panelRows = F.indexInRange(0, mr);
    Parallel.range((rows + mr - 1) / mr, 8, (lo, hi) -> {
      for (int p = lo; p < hi; p++) {
        // lanes past the panel's rows point at its first row (a gather checks every lane's index) and are zeroed
        // after the gather: a masked gather is not compiled to vector code (JDK 25), and packing DPT fusion's
        // kernel rows took 0.41 ms with one
        int height = Math.min(mr, rows - p * mr);
        int[] rowOffsets = ShiftedConv.laneOffsets(rowStride, height);
        VectorMask<Float> lanes = F.indexInRange(0, height);
        FloatVector zero = FloatVector.zero(F);
        for (int u = 0, to = at + p * mr * k; u < outer; u++)
          for (int v = 0, src = base + p * mr * rowStride + u * outerStride; v < inner; v++, src += innerStride, to += mr)
            zero.blend(FloatVector.fromArray(F, a, src, rowOffsets, 0), lanes).intoArray(out, to, panelRows);
      }
    });
  }
}
