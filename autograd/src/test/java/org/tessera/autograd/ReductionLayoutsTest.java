package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * The CPU reductions' layouts (rows, trailing runs, kept dims between reduced ones, reduced dims moved last) against
 * the reference, NaN included.
 */
class ReductionLayoutsTest {
  @Test
  void everyLayoutAgreesWithTheReference() {
    Generator gen = new Generator(3);
    Tensor x = Tensor.randn(gen, 3, 5, 37, 6);
    Tensor ref = x.to(Device.REFERENCE);
    int[][] dimSets = {{0, 2, 3}, {0, 3}, {0, 1, 3}, {1, 3}, {0, 2}, {2, 3}, {3}, {1}, {0, 1, 2, 3}};
    for (int[] dims : dimSets) {
      assertArrayEquals(ref.sum(dims, false).toDoubleArray(), x.sum(dims, false).toDoubleArray(), 1e-4, "sum " + java.util.Arrays.toString(dims));
      assertArrayEquals(ref.amax(dims, false).toDoubleArray(), x.amax(dims, false).toDoubleArray(), 0, "amax " + java.util.Arrays.toString(dims));
      assertArrayEquals(ref.amin(dims, false).toDoubleArray(), x.amin(dims, false).toDoubleArray(), 0, "amin " + java.util.Arrays.toString(dims));
    }
    // transposed input
    Tensor t = x.transpose(1, 3);
    assertArrayEquals(t.to(Device.REFERENCE).sum(new int[] {0, 3}, false).toDoubleArray(), t.sum(new int[] {0, 3}, false).toDoubleArray(), 1e-4);
  }

  @Test
  void maxAndMinPropagateNaNInEveryPath() {
    float[] v = new float[2 * 64];
    for (int i = 0; i < v.length; i++) v[i] = i;
    v[37] = Float.NaN;
    Tensor x = Tensor.of(v, 2, 64);
    double[] trailing = x.amax(new int[] {1}, false).toDoubleArray(), moved = x.amin(new int[] {0}, false).toDoubleArray();
    assertTrue(Double.isNaN(trailing[0]) && trailing[1] == 127, java.util.Arrays.toString(trailing));
    assertTrue(Double.isNaN(moved[37]) && moved[36] == 36, "amin over the leading dim");
    double[] between = Tensor.of(v, 2, 4, 16).amax(new int[] {0, 2}, false).toDoubleArray(); // 37 is in (0, 2, 5)
    assertTrue(Double.isNaN(between[2]) && between[1] == 127 - 32, java.util.Arrays.toString(between));
  }

  @Test
  void aSumOverLeadingAndTrailingDimsOfAnEmptyTensorIsZero() {
    assertArrayEquals(new double[] {0, 0, 0}, Tensor.zeros(0, 3, 4).sum(new int[] {0, 2}, false).toDoubleArray());
  }
}
