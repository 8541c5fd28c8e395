package org.tessera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Hungarian matching against brute force on every small shape, ties included, both directions. */
class LinearSumAssignmentTest {
  static Stream<Arguments> smallCases() {
    return IntStream.rangeClosed(1, 5).boxed().flatMap(r -> IntStream.rangeClosed(1, 5).boxed()
        .flatMap(c -> IntStream.range(0, 12).mapToObj(seed -> Arguments.of(r, c, seed))));
  }

  @ParameterizedTest(name = "{0}x{1} seed {2}")
  @MethodSource("smallCases")
  void findsTheOptimumOfBruteForce(int rows, int cols, int seed) {
    Generator gen = new Generator(seed * 100L + rows * 10L + cols);
    double[] cost = new double[rows * cols];
    // even seeds: small integers, so that ties are common; odd seeds: continuous values
    for (int i = 0; i < cost.length; i++) cost[i] = seed % 2 == 0 ? gen.nextLong(4) : gen.nextGaussian();
    for (boolean maximize : new boolean[] {false, true}) {
      LinearSumAssignment.Result r = LinearSumAssignment.solve(cost, rows, cols, maximize);
      int k = Math.min(rows, cols);
      assertEquals(k, r.rows().length);
      for (int i = 1; i < k; i++) assertTrue(r.rows()[i] > r.rows()[i - 1], "rows ascending");
      assertEquals(k, IntStream.of(r.cols()).distinct().count(), "columns distinct");
      double best = bruteForce(cost, rows, cols, maximize);
      assertEquals(best, r.totalCost(), 1e-9, "seed " + seed + (maximize ? " maximize" : ""));
    }
  }

  static Stream<Arguments> largerCases() {
    return IntStream.range(0, 40).mapToObj(seed -> Arguments.of(7 + seed % 13, 16 + (seed * 7) % 41, seed));
  }

  /** The vectorised search chooses exactly the columns of the scalar one (scipy's loop), ties and forbidden pairs included. */
  @ParameterizedTest(name = "{0}x{1} seed {2}")
  @MethodSource("largerCases")
  void vectorisedSearchMatchesTheScalarOracle(int rows, int cols, int seed) {
    Generator gen = new Generator(seed);
    for (int[] shape : new int[][] {{rows, cols}, {cols, rows}}) {
      double[] cost = new double[shape[0] * shape[1]];
      for (int i = 0; i < cost.length; i++) {
        long small = gen.nextLong(5);
        cost[i] = seed % 3 == 0 ? gen.nextDouble() : seed % 3 == 1 ? small : small == 4 && gen.nextLong(3) == 0 ? Double.POSITIVE_INFINITY : small;
      }
      for (boolean maximize : new boolean[] {false, true}) {
        if (maximize && seed % 3 == 2) continue; // +inf is rejected when maximising
        var scalar = LinearSumAssignment.solve(cost, shape[0], shape[1], maximize, false);
        var vector = LinearSumAssignment.solve(cost, shape[0], shape[1], maximize, true);
        assertArrayEquals(scalar.rows(), vector.rows());
        assertArrayEquals(scalar.cols(), vector.cols());
        assertEquals(scalar.totalCost(), vector.totalCost());
      }
    }
  }

  @Test
  void forbiddenPairsAreAvoidedAndInfeasibilityIsAnError() {
    double inf = Double.POSITIVE_INFINITY;
    var r = LinearSumAssignment.solve(new double[] {inf, 1, 2, inf}, 2, 2, false);
    assertArrayEquals(new int[] {1, 0}, r.cols());
    var e = assertThrows(IllegalArgumentException.class, () -> LinearSumAssignment.solve(new double[] {inf, inf, 1, 2}, 2, 2, false));
    assertTrue(e.getMessage().contains("infeasible"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LinearSumAssignment.solve(new double[] {Double.NaN, 1}, 1, 2, false));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LinearSumAssignment.solve(new double[] {inf, 1}, 1, 2, true));
    assertTrue(e.getMessage().contains("+inf"), e.getMessage());
  }

  @Test
  void wideAndTallMatricesMatchScipysOrder() {
    // scipy: linear_sum_assignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]) -> rows [0 1 2], cols [1 0 2]
    var r = LinearSumAssignment.solve(new double[] {4, 1, 3, 2, 0, 5, 3, 2, 2}, 3, 3, false);
    assertArrayEquals(new int[] {0, 1, 2}, r.rows());
    assertArrayEquals(new int[] {1, 0, 2}, r.cols());
    assertEquals(5, r.totalCost());
    // tall: the rows come out ascending, the chosen ones only
    var t = LinearSumAssignment.solve(new double[] {5, 1, 0, 9, 3, 2}, 3, 2, false);
    assertArrayEquals(new int[] {0, 1}, t.rows());
    assertArrayEquals(new int[] {1, 0}, t.cols());
  }

  private static double bruteForce(double[] cost, int rows, int cols, boolean maximize) {
    boolean transpose = rows > cols;
    int n = transpose ? cols : rows, m = transpose ? rows : cols;
    double[] best = {maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY};
    search(0, new boolean[m], 0, n, m, cost, cols, transpose, maximize, best);
    return best[0];
  }

  private static void search(int i, boolean[] used, double acc, int n, int m, double[] cost, int cols, boolean transpose, boolean maximize, double[] best) {
    if (i == n) {
      best[0] = maximize ? Math.max(best[0], acc) : Math.min(best[0], acc);
      return;
    }
    for (int j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      search(i + 1, used, acc + (transpose ? cost[j * cols + i] : cost[i * cols + j]), n, m, cost, cols, transpose, maximize, best);
      used[j] = false;
    }
  }
}
