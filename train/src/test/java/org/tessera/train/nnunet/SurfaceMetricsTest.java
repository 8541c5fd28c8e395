package org.tessera.train.nnunet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.Generator;

/** The distance transform against brute force on random masks, and the metrics on cases with known answers. */
class SurfaceMetricsTest {
  static Stream<Arguments> shapes() {
    return Stream.of(Arguments.of(new int[] {1, 9, 7}, new double[] {1, 0.8, 1.3}, 1), Arguments.of(new int[] {5, 6, 7}, new double[] {2.5, 0.75, 0.75}, 2),
        Arguments.of(new int[] {4, 4, 11}, new double[] {1, 1, 1}, 3), Arguments.of(new int[] {3, 8, 5}, new double[] {0.5, 2, 1}, 4));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void distancesAreExactEuclideanDistancesInMillimetres(int[] shape, double[] spacing, long seed) {
    Generator gen = new Generator(seed);
    int n = shape[0] * shape[1] * shape[2];
    boolean[] feature = new boolean[n];
    for (int i = 0; i < n; i++) feature[i] = gen.nextDouble() < 0.08;
    feature[(int) gen.nextLong(n)] = true;
    double[] d = SurfaceMetrics.distances(feature, shape, spacing);
    for (int i = 0; i < n; i++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        if (!feature[j]) continue;
        double dz = (i / (shape[1] * shape[2]) - j / (shape[1] * shape[2])) * spacing[0], dy = (i / shape[2] % shape[1] - j / shape[2] % shape[1]) * spacing[1],
            dx = (i % shape[2] - j % shape[2]) * spacing[2];
        best = Math.min(best, Math.sqrt(dz * dz + dy * dy + dx * dx));
      }
      assertEquals(best, d[i], 1e-9, "voxel " + i);
    }
  }

  @Test
  void edgesOfABoxAreItsFaces() {
    boolean[] box = new boolean[5 * 5 * 5];
    for (int z = 1; z < 4; z++) for (int y = 1; y < 4; y++) for (int x = 1; x < 4; x++) box[(z * 5 + y) * 5 + x] = true;
    boolean[] e = SurfaceMetrics.edges(box, new int[] {5, 5, 5});
    long count = 0;
    for (boolean b : e) if (b) count++;
    assertEquals(26, count, "a 3x3x3 cube minus its centre");
    // one slice: in-plane neighbours only
    boolean[] square = new boolean[25];
    for (int y = 1; y < 4; y++) for (int x = 1; x < 4; x++) square[y * 5 + x] = true;
    long edges = 0;
    for (boolean b : SurfaceMetrics.edges(square, new int[] {1, 5, 5})) if (b) edges++;
    assertEquals(8, edges);
  }

  @Test
  void aShiftedCubeHasTheShiftAsItsHausdorffDistance() {
    int[] shape = {12, 12, 12};
    boolean[] truth = new boolean[12 * 12 * 12], pred = new boolean[truth.length];
    for (int z = 3; z < 8; z++)
      for (int y = 3; y < 8; y++)
        for (int x = 3; x < 8; x++) {
          truth[(z * 12 + y) * 12 + x] = true;
          pred[(z * 12 + y) * 12 + x + 2] = true;
        }
    SurfaceMetrics.Result r = SurfaceMetrics.compute(pred, truth, shape, new double[] {1, 1, 0.75}, 1.0);
    assertEquals(2.0 * 75 / 250, r.dice(), 1e-12);
    assertEquals(1.5, r.hd95(), 1e-12); // a shift of 2 voxels of 0.75 mm
    assertTrue(r.nsd() > 0 && r.nsd() < 1, "some surface voxels lie further than 1 mm: " + r.nsd());
    SurfaceMetrics.Result same = SurfaceMetrics.compute(truth, truth, shape, new double[] {1, 1, 1}, 1.0);
    assertArrayEquals(new double[] {1, 0, 1}, new double[] {same.dice(), same.hd95(), same.nsd()});
    SurfaceMetrics.Result missed = SurfaceMetrics.compute(new boolean[truth.length], truth, shape, new double[] {1, 1, 1}, 1.0);
    assertEquals(0, missed.dice());
    assertEquals(Double.POSITIVE_INFINITY, missed.hd95());
    assertTrue(Double.isNaN(SurfaceMetrics.compute(pred, new boolean[truth.length], shape, new double[] {1, 1, 1}, 1).dice()), "absent class: NaN");
  }
}
