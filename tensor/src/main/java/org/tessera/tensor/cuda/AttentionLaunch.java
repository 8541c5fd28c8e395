package org.tessera.tensor.cuda;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/**
 * What attention.cu's kernels are given besides the buffers: each (B, L, d) operand as its offset and three strides
 * (a View3), and a grid of one block of {@link #ROWS} warps per ROWS rows of each batch entry. The kernels spread a
 * row over the 32 lanes of a warp and keep key/value tiles in static shared memory, which bounds the head dims.
 */
final class AttentionLaunch {
  static final int ROWS = 8;

  private AttentionLaunch() {}

  /** The largest head dim (of q·k and of v) the kernels take: 128 in F32, 64 in F64 (the tiles' shared memory). */
  static int maxHeadDim(DType dtype) {
    return switch (dtype) {
      case F32 -> 128;
      case F64 -> 64;
      default -> 0;
    };
  }

  /** Whether the kernels take these operands: q, k and v of one dtype, head dims within the tiles (others go through the host). */
  static boolean supports(Tensor q, Tensor k, Tensor v) {
    int max = maxHeadDim(q.dtype());
    return k.dtype() == q.dtype() && v.dtype() == q.dtype() && q.size(2) <= max && v.size(2) <= max;
  }

  /** A (B, L, d) view as attention.cu's View3 {offset, s0, s1, s2}; zeros for an absent bias. */
  static long[] view(Tensor t) {
    return t == null ? new long[4] : new long[] {t.offset(), t.stride(0), t.stride(1), t.stride(2)};
  }

  /** One block per {@link #ROWS} rows of each batch entry, a warp per row (null when there are no rows). */
  static Launch rows(int batch, int rows) {
    long blocks = (long) batch * ((rows + ROWS - 1) / ROWS);
    if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("attention: " + batch + " × " + rows + " rows need more than 2^31 blocks");
    return blocks == 0 ? null : new Launch((int) blocks, 32 * ROWS);
  }
}
