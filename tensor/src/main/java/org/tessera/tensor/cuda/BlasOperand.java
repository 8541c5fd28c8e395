package org.tessera.tensor.cuda;

/**
 * How cuBLAS, which is column-major, reads one operand of a row-major product C = A·B: we ask it for Cᵀ = Bᵀ·Aᵀ, so a
 * row-major matrix with unit column stride is its own transpose in column-major order (op N) and one with unit row
 * stride (a transposed view) is read as is with op T; either way no copy. {@code ld} is the leading dimension.
 */
record BlasOperand(boolean transposed, int ld) {
  /**
   * The operand for a rows×cols row-major view with the given strides, or null when neither stride is 1 (the view
   * must be copied to a contiguous buffer first). Size-1 dims may have any stride; the leading dimension must be at
   * least the column-major row count, as cuBLAS checks.
   */
  static BlasOperand of(int rows, int cols, int rowStride, int colStride) {
    // read as stored (rows apart by ld) or as a transposed view (columns apart by ld); a size-1 dim's stride is free
    int ld = rows == 1 ? Math.max(cols, 1) : rowStride;
    if ((cols == 1 || colStride == 1) && ld >= Math.max(cols, 1)) return new BlasOperand(false, ld);
    ld = cols == 1 ? Math.max(rows, 1) : colStride;
    if ((rows == 1 || rowStride == 1) && ld >= Math.max(rows, 1)) return new BlasOperand(true, ld);
    return null;
  }
}
