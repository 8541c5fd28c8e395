package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
        Arguments.of(13, 37, 1100, true, false), // K in two passes of 550 (Zen's blocking and the Xeon's): later ones accumulate
        Arguments.of(19, 70, 2500, false, false), // three passes of 834, 834, 832 (four of 625 on a Xeon) over whole and edge tiles
        Arguments.of(29, 19, 64, false, true),
        Arguments.of(101, 70, 33, true, true),
        Arguments.of(200, 1100, 20, false, false), // N crosses the NC block
        Arguments.of(300, 1100, 1030, false, true), // four steps (two column blocks × two k passes), six A blocks each
        Arguments.of(2100, 290, 780, true, false), // the Xeon's order: two chunks of A × two passes × two blocks of B
        Arguments.of(5, 5, 0, false, false));
    // every blocking on every machine: Zen's reads A in place, the Xeon's packs it
    return Stream.concat(edges, layouts).flatMap(args -> Stream.of(Sgemm.ZEN, Sgemm.XEON).map(blocking -> {
      Object[] with = java.util.Arrays.copyOf(args.get(), 6);
      with[5] = blocking;
      return Arguments.of(with);
    }));
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} {5}")
  @MethodSource("shapes")
  void agreesWithTheScalarTwin(int m, int n, int k, boolean transA, boolean transB, Sgemm.Blocking blocking) {
    Generator gen = new Generator(m * 1000L + n * 10L + k);
    float[] a = new float[m * k + 3], b = new float[k * n + 5];
    for (int i = 0; i < a.length; i++) a[i] = (float) gen.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) gen.nextGaussian();
    // offsets 3 and 5; a transposed operand is stored column-major and read through its strides
    Sgemm.Operand A = transA ? new Sgemm.Operand(a, 3, 1, m) : new Sgemm.Operand(a, 3, k, 1);
    Sgemm.Operand B = transB ? new Sgemm.Operand(b, 5, 1, k) : new Sgemm.Operand(b, 5, n, 1);
    float[] c = new float[m * n + 2];
    c[0] = c[c.length - 1] = 42; // untouched guards around the output
    Sgemm.multiply(blocking, m, n, k, A, B, null, c, 1, true);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double want = 0;
        for (int q = 0; q < k; q++) want += (double) a[A.offset() + i * A.rowStride() + q * A.colStride()] * b[B.offset() + q * B.rowStride() + j * B.colStride()];
        assertEquals(want, c[1 + i * n + j], 1e-4 * Math.max(1, Math.sqrt(k)), "C[" + i + "][" + j + "]");
      }
    assertEquals(42, c[0]);
    assertEquals(42, c[c.length - 1]);
  }

  static Stream<Arguments> packedShapes() {
    int nr = Sgemm.NR;
    return Stream.of(
        Arguments.of(6, nr, 9, 40, 0, 0, false, false), // one whole tile
        Arguments.of(13, 2 * nr + 5, 17, 50, 11, nr, false, false), // edge rows and columns, rows q0.. and panels j0.. of B
        Arguments.of(64, 3 * nr, 64, 64, 0, 2 * nr, false, true), // B transposed when packed (keys for attention scores)
        Arguments.of(7, 5, 30, 90, 60, 0, true, false), // A transposed: packed, not read in place
        Arguments.of(1, 1, 1, 1, 0, 0, false, false));
  }

  /** A block product against rows q0 .. q0 + kc and panels from column j0 of a B packed once whole. */
  @ParameterizedTest(name = "m={0} n={1} kc={2} k={3} q0={4} j0={5} transA={6} transB={7}")
  @MethodSource("packedShapes")
  void aBlockOfAWholePackedBAgreesWithTheScalarTwin(int m, int n, int kc, int k, int q0, int j0, boolean transA, boolean transB) {
    int nb = j0 + n; // B is k × nb
    Generator gen = new Generator(m * 31L + n * 7L + k);
    float[] a = new float[m * (kc + 2)], b = new float[k * nb + 3];
    for (int i = 0; i < a.length; i++) a[i] = (float) gen.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) gen.nextGaussian();
    // A from its column 2 of a wider matrix (row stride kc + 2) or column-major; B from offset 3
    Sgemm.Operand A = transA ? new Sgemm.Operand(a, 0, 1, m) : new Sgemm.Operand(a, 0, kc + 2, 1);
    int pc = transA ? 0 : 2;
    Sgemm.Operand B = transB ? new Sgemm.Operand(b, 3, 1, k) : new Sgemm.Operand(b, 3, nb, 1);
    float[] packed = new float[Sgemm.roundUp(nb, Sgemm.NR) * k];
    Sgemm.packWhole(B, k, nb, packed);
    int ldc = n + 1;
    float[] c = new float[m * ldc];
    java.util.Arrays.fill(c, 42); // the column past n in each row must stay untouched
    Sgemm.multiplyPacked(m, n, kc, A, pc, packed, k, q0, j0, c, 0, ldc);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double want = 0;
        for (int q = 0; q < kc; q++)
          want += (double) a[A.offset() + i * A.rowStride() + (pc + q) * A.colStride()] * b[B.offset() + (q0 + q) * B.rowStride() + (j0 + j) * B.colStride()];
        assertEquals(want, c[i * ldc + j], 1e-4 * Math.max(1, Math.sqrt(kc)), "C[" + i + "][" + j + "]");
      }
      assertEquals(42, c[i * ldc + n], "past row " + i);
    }
  }

  /** The bias seeds each block's rows of C: one k pass, several (the later ones accumulate), N across the NC block, k = 0. */
  @ParameterizedTest(name = "m={0} n={1} k={2} {3}")
  @MethodSource("biasShapes")
  void theBiasIsAddedToEveryRow(int m, int n, int k, Sgemm.Blocking blocking) {
    Generator gen = new Generator(m + 7L * n + 13L * k);
    float[] a = new float[m * k], b = new float[k * n], bias = new float[n];
    for (int i = 0; i < a.length; i++) a[i] = (float) gen.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) gen.nextGaussian();
    for (int j = 0; j < n; j++) bias[j] = (float) gen.nextGaussian();
    float[] c = new float[m * n];
    java.util.Arrays.fill(c, 42); // C's old contents must not leak into the result
    Sgemm.multiply(blocking, m, n, k, new Sgemm.Operand(a, 0, k, 1), new Sgemm.Operand(b, 0, n, 1), bias, c, 0, true);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double want = bias[j];
        for (int q = 0; q < k; q++) want += (double) a[i * k + q] * b[q * n + j];
        assertEquals(want, c[i * n + j], 1e-4 * Math.max(1, Math.sqrt(k)), "C[" + i + "][" + j + "]");
      }
  }

  static Stream<Arguments> biasShapes() {
    return Stream.of(Sgemm.ZEN, Sgemm.XEON).flatMap(blocking -> Stream.of(Arguments.of(13, 37, 20, blocking), Arguments.of(19, 70, 1100, blocking),
        Arguments.of(200, 1100, 9, blocking), Arguments.of(5, 33, 0, blocking)));
  }

  static Stream<Arguments> blockShapes() {
    int nr = Sgemm.NR;
    return Stream.of(Sgemm.ZEN, Sgemm.XEON).flatMap(blocking -> Stream.of(
        Arguments.of(13, 3 * 37, 20, 37, "row", blocking), // blocks of 37 columns: tiles cross each block's end
        Arguments.of(7, 4 * 5, 9, 5, "none", blocking), // blocks narrower than a tile: one tile spans four of them
        Arguments.of(30, 2 * nr, 1100, nr, "row", blocking), // blocks of whole tiles, k in passes (the later ones add)
        Arguments.of(19, 8 * 196, 40, 196, "column", blocking), // a ViT's 196 patches an image, over N crossing the NC block
        Arguments.of(5, 2 * 33, 0, 33, "row", blocking)));
  }

  /**
   * C in blocks (a convolution's NCHW output over a batch): element (i, j) at (j / bc)·stride + i·bc + j % bc, each
   * row starting as the column bias, its row's bias or zero; the gaps between blocks stay untouched.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2} blockCols={3} bias={4} {5}")
  @MethodSource("blockShapes")
  void cInBlocksGetsEachElementWhereItsLayoutSays(int m, int n, int k, int blockCols, String biasKind, Sgemm.Blocking blocking) {
    Generator gen = new Generator(m * 101L + n + 7L * k);
    float[] a = new float[m * k], b = new float[k * n], bias = new float[biasKind.equals("row") ? m : n];
    for (int i = 0; i < a.length; i++) a[i] = (float) gen.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) gen.nextGaussian();
    for (int i = 0; i < bias.length; i++) bias[i] = (float) gen.nextGaussian();
    int blockStride = m * blockCols + 3, blocks = n / blockCols; // 3 floats of gap after each block
    float[] c = new float[blocks * blockStride + 1];
    java.util.Arrays.fill(c, 42);
    Sgemm.multiply(blocking, m, n, k, new Sgemm.Operand(a, 0, k, 1), new Sgemm.Operand(b, 0, n, 1), biasKind.equals("column") ? bias : null,
        biasKind.equals("row") ? bias : null, new Sgemm.Blocks(c, 1, blockCols, blockStride), true);
    boolean[] written = new boolean[c.length];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double want = biasKind.equals("row") ? bias[i] : biasKind.equals("column") ? bias[j] : 0;
        for (int q = 0; q < k; q++) want += (double) a[i * k + q] * b[q * n + j];
        int at = 1 + (j / blockCols) * blockStride + i * blockCols + j % blockCols;
        assertEquals(want, c[at], 1e-4 * Math.max(1, Math.sqrt(k)), "C[" + i + "][" + j + "]");
        written[at] = true;
      }
    for (int at = 0; at < c.length; at++)
      if (!written[at]) assertEquals(42, c[at], "untouched at " + at);
  }

  static Stream<Arguments> blockOperandShapes() {
    return Stream.of(Sgemm.ZEN, Sgemm.XEON).flatMap(blocking -> Stream.of(
        Arguments.of(3 * 37, 20, 29, 37, blocking), // blocks of 37 rows of Aᵀ: 12-row panels cross each block's end
        Arguments.of(4 * 5, 9, 33, 5, blocking), // blocks narrower than a panel
        Arguments.of(2 * 196, 40, 1100, 196, blocking), // a ViT's 196 patches an image, k in passes
        Arguments.of(24, 70, 3 * 12, 12, blocking))); // blocks of whole panels
  }

  /**
   * A matrix in blocks of columns (a batch's NCHW planes) as an operand: A read transposed (a patch embedding's dy as
   * patches × channels; packed a run per column where a panel lies in one block), and A and B read as they are.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2} blockCols={3} {4}")
  @MethodSource("blockOperandShapes")
  void operandsInBlocksAgreeWithTheScalarTwin(int m, int n, int k, int blockCols, Sgemm.Blocking blocking) {
    Generator gen = new Generator(m * 17L + n + 3L * k);
    // Aᵀ (k × m) in blocks of blockCols columns with 2 floats of gap after each; A (n × m, the same layout) for the second product
    int blockStride = k * blockCols + 2, blocks = m / blockCols;
    float[] at = new float[blocks * blockStride], b = new float[k * n], a2 = new float[blocks * (n * blockCols + 2)];
    for (int i = 0; i < at.length; i++) at[i] = (float) gen.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) gen.nextGaussian();
    for (int i = 0; i < a2.length; i++) a2[i] = (float) gen.nextGaussian();
    Sgemm.Blocks aT = new Sgemm.Blocks(at, 0, blockCols, blockStride), bInBlocks = new Sgemm.Blocks(a2, 0, blockCols, n * blockCols + 2);
    // C = A·B with A = aTᵀ (m × k); then D = bInBlocks (n × m) · A (m × k), both operands in blocks
    float[] c = new float[m * n], d = new float[n * k];
    Sgemm.multiply(blocking, m, n, k, aT.transposed(), new Sgemm.Operand(b, 0, n, 1), null, c, 0, true);
    Sgemm.multiply(blocking, n, k, m, bInBlocks, aT.transposed(), null, d, 0, true);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double want = 0;
        for (int q = 0; q < k; q++) want += (double) at[aT.at(q, i)] * b[q * n + j];
        assertEquals(want, c[i * n + j], 1e-4 * Math.max(1, Math.sqrt(k)), "C[" + i + "][" + j + "]");
      }
    for (int i = 0; i < n; i++)
      for (int j = 0; j < k; j++) {
        double want = 0;
        for (int q = 0; q < m; q++) want += (double) a2[bInBlocks.at(i, q)] * at[aT.at(j, q)];
        assertEquals(want, d[i * k + j], 1e-4 * Math.max(1, Math.sqrt(m)), "D[" + i + "][" + j + "]");
      }
  }

  @Test
  void aBiasPerColumnAndOnePerRowTogetherAreRefused() {
    float[] one = {1};
    var e = assertThrows(IllegalArgumentException.class, () -> Sgemm.multiply(Sgemm.XEON, 1, 1, 1, new Sgemm.Operand(one, 0, 1, 1),
        new Sgemm.Operand(one, 0, 1, 1), one, one, new Sgemm.Blocks(new float[1], 0, 1, 0), false));
    assertEquals("sgemm: a bias per column or per row, not both", e.getMessage());
  }

  /** A thread that fails mid-product ends it with its own error; the other stops waiting for the items it claimed. */
  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aFailingThreadEndsTheProductWithItsError() {
    int m = 300, n = 1100, k = 1030;
    float[] a = new float[m * k], c = new float[m * n];
    Sgemm.Rows failingB = (row, j0, cols, dst, at) -> {
      if (j0 >= Sgemm.NC) throw new IllegalStateException("row " + row + " unreadable"); // the second column block
      java.util.Arrays.fill(dst, at, at + cols, 1f);
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Sgemm.multiply(m, n, k, new Sgemm.Operand(a, 0, k, 1), failingB, c, 0, true));
    assertEquals("row 0 unreadable", e.getMessage());
  }
}
