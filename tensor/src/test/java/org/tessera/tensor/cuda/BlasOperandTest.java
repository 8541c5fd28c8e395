package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cuBLAS argument mapping of matmul, checked on the CPU: a column-major GEMM written from the BLAS definition
 * (op, ld) and called the way the CUDA backend calls cuBLAS must give the row-major product of strided views.
 */
class BlasOperandTest {
  static Stream<Integer> seeds() {
    return IntStream.range(0, 60).boxed();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void columnMajorGemmOfTheMappedOperandsIsTheRowMajorProduct(int seed) {
    Random r = new Random(seed);
    int m = 1 + r.nextInt(7), k = 1 + r.nextInt(7), n = 1 + r.nextInt(7);
    View a = View.random(r, m, k), b = View.random(r, k, n);
    BlasOperand opA = BlasOperand.of(m, k, a.rowStride, a.colStride), opB = BlasOperand.of(k, n, b.rowStride, b.colStride);
    if (a.unitStride) assertNotNull(opA, "a unit-stride view of A was refused");
    if (b.unitStride) assertNotNull(opB, "a unit-stride view of B was refused");
    if (opA == null || opB == null) return; // the backend copies such a view first
    // Cᵀ (n×m, column-major, ld n) = op(B-data) · op(A-data), as the backend calls cublasSgemm
    double[] c = new double[m * n];
    gemmColumnMajor(opB.transposed(), opA.transposed(), n, m, k, b.data, b.offset, opB.ld(), a.data, a.offset, opA.ld(), c, n);
    double[] expected = new double[m * n];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++)
        for (int q = 0; q < k; q++) expected[i * n + j] += a.get(i, q) * b.get(q, j);
    assertArrayEquals(expected, c, 1e-12);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void viewsWithoutAUnitStrideNeedACopy(int seed) {
    Random r = new Random(seed);
    int rows = 2 + r.nextInt(5), cols = 2 + r.nextInt(5);
    assertNull(BlasOperand.of(rows, cols, 2 * cols, 2));
    assertEquals(new BlasOperand(false, cols), BlasOperand.of(rows, cols, cols, 1));
    assertEquals(new BlasOperand(true, rows), BlasOperand.of(rows, cols, 1, rows));
  }

  /** A rows×cols view of a flat array: row-major, transposed, a slice of a wider matrix, or with odd strides. */
  record View(double[] data, int offset, int rowStride, int colStride, boolean unitStride) {
    static View random(Random r, int rows, int cols) {
      double[] data = new double[4 * (rows + 2) * (cols + 2)];
      for (int i = 0; i < data.length; i++) data[i] = r.nextGaussian();
      return switch (r.nextInt(4)) {
        case 0 -> new View(data, 0, cols, 1, true);
        case 1 -> new View(data, 1, 1, rows + 1, true); // a transposed slice
        case 2 -> new View(data, 2, cols + 2, 1, true); // a narrowed row-major slice
        default -> new View(data, 0, 2 * cols, 2, false); // no unit stride
      };
    }

    double get(int i, int j) {
      return data[offset + i * rowStride + j * colStride];
    }
  }

  /** C (m×n, column-major) = op(A)·op(B) from the BLAS definition; op(X) = X or Xᵀ, X column-major with its ld. */
  static void gemmColumnMajor(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int ldc) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int q = 0; q < k; q++) {
          double av = transA ? a[aOff + q + i * lda] : a[aOff + i + q * lda];
          double bv = transB ? b[bOff + j + q * ldb] : b[bOff + q + j * ldb];
          s += av * bv;
        }
        c[i + j * ldc] = s;
      }
  }
}
