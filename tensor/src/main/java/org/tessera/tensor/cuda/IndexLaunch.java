package org.tessera.tensor.cuda;

import org.tessera.tensor.DType;
import org.tessera.tensor.IndexCheck;
import org.tessera.tensor.Tensor;

/**
 * What index.cu's gather and scatter_add kernels are given besides the buffers: the data's layout walked over the
 * index's shape with the indexed dim's stride set to 0 (the kernel adds index·stride), and, after the launch, the
 * kernel's record of the first index out of range turned into the CPU backends' error.
 */
final class IndexLaunch {
  private IndexLaunch() {}

  /** The layout of {@code data} over {@code index}'s positions, dim {@code dim} contributing nothing. */
  static byte[] dataLayout(Tensor data, Tensor index, int dim) {
    int[] strides = data.strides();
    strides[dim] = 0;
    return LayoutArgument.of(index.shape(), strides, data.offset());
  }

  /** Whether index.cu has kernels for this index dtype (I64 and I32; others go through the host). */
  static boolean indexDtype(DType dtype) {
    return dtype == DType.I64 || dtype == DType.I32;
  }

  /** Throws the error the CPU backends give when the kernel recorded a bad index ({@code bad = {flag, value}}). */
  static void check(String op, long[] bad, int size, int dim) {
    if (bad[0] != 0) IndexCheck.check(op, bad[1], size, dim);
  }
}
