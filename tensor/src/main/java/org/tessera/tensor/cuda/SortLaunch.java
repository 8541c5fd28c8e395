package org.tessera.tensor.cuda;

import org.tessera.tensor.DType;
import org.tessera.tensor.Reduction;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * What sort.cu's kernels are given besides the buffers: the lines along the sorted dim (their starts in the input and
 * in the contiguous I64 output, as Layouts over the shape with that dim of size 1), the line length and its power
 * of two, and a block of threads per line (or, for lines longer than shared memory holds, the network's stages).
 */
final class SortLaunch {
  static final int MAX_SORT = 2048;

  private SortLaunch() {}

  /**
   * Whether sort.cu sorts these lines: F32, F64, I64 or I32; lines of at most MAX_SORT in shared memory, longer ones
   * in global memory while every padded line fits one buffer of at most 2³¹ − 1 elements.
   */
  static boolean supports(Tensor x, int dim) {
    DType t = x.dtype();
    if (!(t == DType.F32 || t == DType.F64 || t == DType.I64 || t == DType.I32) || x.numel() == 0) return false;
    int n = x.size(dim);
    return n <= MAX_SORT || n <= 1 << 30 && (long) padded(n) * lines(x, dim) <= Integer.MAX_VALUE;
  }

  /** Whether a line of n sorts in one block's shared memory (else in global memory, a launch per stage). */
  static boolean inShared(int n) {
    return n <= MAX_SORT;
  }

  /** The network's stages (k, j) for lines padded to {@code padded}, in order: merges of size k at distance j. */
  static java.util.List<int[]> stages(int padded) {
    java.util.List<int[]> stages = new java.util.ArrayList<>();
    for (int k = 2; k <= padded; k <<= 1)
      for (int j = k >> 1; j > 0; j >>= 1) stages.add(new int[] {k, j});
    return stages;
  }

  /** The smallest power of two at least n (the bitonic network's length). */
  static int padded(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  /** The input's lines: x's shape with the dim of size 1, x's strides and offset. */
  static byte[] inputLines(Tensor x, int dim) {
    return LayoutArgument.of(lineShape(x, dim), x.strides(), x.offset());
  }

  /** The output's lines: the same shape over the contiguous strides of x's shape. */
  static byte[] outputLines(Tensor x, int dim) {
    return LayoutArgument.of(lineShape(x, dim), Shapes.contiguousStrides(x.shape()), 0);
  }

  static long outputStride(Tensor x, int dim) {
    return Shapes.contiguousStrides(x.shape())[dim];
  }

  static long lines(Tensor x, int dim) {
    return x.numel() / x.size(dim);
  }

  /** One block per line while they fill the device, threads for the padded line (a warp at least, 1024 at most). */
  static Launch launch(long lines, int n, int multiprocessors) {
    return new Launch((int) Math.min(lines, (long) multiprocessors * Launch.BLOCKS_PER_SM), Math.min(1024, Math.max(32, padded(n))));
  }

  /** x's shape with the sorted dim of size 1, as a reduction over it leaves it. */
  private static int[] lineShape(Tensor x, int dim) {
    return Reduction.of(x, new int[] {dim}).outShape();
  }
}
