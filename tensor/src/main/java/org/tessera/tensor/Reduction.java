package org.tessera.tensor;

/**
 * The geometry of reducing a tensor over some dims: the kept shape (reduced dims of size 1), a cursor over it
 * that tracks the input offset of each output position, and a cursor over the reduced dims from that offset.
 */
public record Reduction(Tensor x, int[] outShape, int[] innerShape, int[] innerStrides) {
  public static Reduction of(Tensor x, int[] dims) {
    int[] outShape = x.shape();
    int[] innerShape = new int[dims.length], innerStrides = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      innerShape[i] = outShape[dims[i]];
      innerStrides[i] = x.stride(dims[i]);
      outShape[dims[i]] = 1;
    }
    return new Reduction(x, outShape, innerShape, innerStrides);
  }

  public int innerSize() {
    return Shapes.numel(innerShape);
  }

  /** Walks the output positions; {@code offsets[0]} is the input offset where each position's reduction starts. */
  public Cursor outer() {
    return new Cursor(outShape, new int[][] {x.strides()}, new int[] {x.offset()});
  }

  public Cursor inner(int start) {
    return new Cursor(innerShape, new int[][] {innerStrides}, new int[] {start});
  }
}
