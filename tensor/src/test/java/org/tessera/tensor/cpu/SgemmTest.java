package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.Generator;

/** The packed SGEMM against its scalar twin: every row and column remainder of the tile, transposed operands, K blocks. */
class SgemmTest {
  static Stream<Arguments> shapes() {
    int nr = Sgemm.NR;
    Stream<Arguments> edges = IntStream.rangeClosed(1, 2 * Sgemm.MR + 1)
        .boxed().flatMap(m -> IntStream.of(1, nr - 1, nr, nr + 1, 2 * nr + 3).mapToObj(n -> Arguments.of(m, n, 7, false, false)));
    Stream<Arguments> layouts = Stream.of(
        Arguments.of(13, 37, 1100, true, false), // K in two passes of 550: the second accumulates
        Arguments.of(19, 70, 2500, false, false), // three passes of 834, 834, 832 over whole and edge tiles
        Arguments.of(29, 19, 64, false, true),
        Arguments.of(101, 70, 33, true, true),
        Arguments.of(200, 1100, 20, false, false), // N crosses the NC block
        Arguments.of(5, 5, 0, false, false));
    return Stream.concat(edges, layouts);
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("shapes")
  void agreesWithTheScalarTwin(int m, int n, int k, boolean transA, boolean transB) {
    Generator gen = new Generator(m * 1000L + n * 10L + k);
    float[] a = new float[m * k + 3], b = new float[k * n + 5];
    for (int i = 0; i < a.length; i++) a[i] = (float) gen.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) gen.nextGaussian();
    // offsets 3 and 5; a transposed operand is stored column-major and read through its strides
    Sgemm.Operand A = transA ? new Sgemm.Operand(a, 3, 1, m) : new Sgemm.Operand(a, 3, k, 1);
    Sgemm.Operand B = transB ? new Sgemm.Operand(b, 5, 1, k) : new Sgemm.Operand(b, 5, n, 1);
    float[] c = new float[m * n + 2];
    c[0] = c[c.length - 1] = 42; // untouched guards around the output
    Sgemm.multiply(m, n, k, A, B, c, 1, true);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double want = 0;
        for (int q = 0; q < k; q++) want += (double) a[A.offset() + i * A.rowStride() + q * A.colStride()] * b[B.offset() + q * B.rowStride() + j * B.colStride()];
        assertEquals(want, c[1 + i * n + j], 1e-4 * Math.max(1, Math.sqrt(k)), "C[" + i + "][" + j + "]");
      }
    assertEquals(42, c[0]);
    assertEquals(42, c[c.length - 1]);
  }
}
