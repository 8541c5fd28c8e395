package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** Tensor creation, views, conversions, printing, and the errors bad input gets. */
class TensorTest {
  static Tensor range(int... shape) {
    return Tensor.arange(0, org.tessera.tensor.Shapes.numel(shape), 1).to(DType.F32).reshape(shape);
  }

  @Test
  void viewsShareStorageAndCopiesDoNot() {
    Tensor x = range(2, 3, 4);
    assertSame(x.storage(), x.reshape(6, 4).storage());
    assertSame(x.storage(), x.permute(2, 0, 1).storage());
    assertSame(x.storage(), x.slice(2, 1, 4, 2).storage());
    assertSame(x.storage(), x.unsqueeze(1).squeeze(1).storage());
    assertSame(x.storage(), x.expand(5, 2, 3, 4).storage());
    Tensor t = x.transpose(1, 2);
    assertFalse(t.isContiguous());
    assertNotSame(x.storage(), t.reshape(2, 12).storage()); // no view exists: reshape copies
    assertTrue(t.contiguous().isContiguous());
  }

  @Test
  void stridedViewsReadTheRightElements() {
    Tensor x = range(3, 4);
    assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11}, x.slice(1, 1, 4, 2).toFloatArray());
    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, x.mT().toFloatArray());
    assertArrayEquals(new int[] {0, 4, 1}, x.unsqueeze(0).expand(2, 3, 4).strides());
    assertArrayEquals(new float[] {8, 9, 10, 11}, x.select(0, -1).toFloatArray());
    assertArrayEquals(new float[] {11, 10, 9, 8}, x.flip(1).select(0, 2).toFloatArray());
  }

  @Test
  void creationMatchesTorch() {
    assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, Tensor.linspace(0, 1, 5).toFloatArray());
    assertArrayEquals(new long[] {2, 5, 8}, Tensor.arange(2, 10, 3).toLongArray());
    assertEquals(DType.F32, Tensor.arange(0, 1, 0.25).dtype());
    assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
    assertArrayEquals(new float[] {7, 7}, Tensor.full(7, 2).toFloatArray());
    assertEquals(DType.BOOL, Tensor.of(new boolean[] {true}, 1).dtype());
  }

  @Test
  void randomTensorsAreReproducibleBySeed() {
    assertArrayEquals(Tensor.randn(new Generator(9), 100).toFloatArray(), Tensor.randn(new Generator(9), 100).toFloatArray());
    float[] u = Tensor.rand(new Generator(1), 10_000).toFloatArray();
    double mean = 0;
    for (float v : u) {
      assertTrue(v >= 0 && v < 1);
      mean += v / u.length;
    }
    assertEquals(0.5, mean, 0.02);
    long[] r = Tensor.randint(new Generator(2), -3, 4, 1000).toLongArray();
    assertEquals(-3, java.util.Arrays.stream(r).min().orElseThrow());
    assertEquals(3, java.util.Arrays.stream(r).max().orElseThrow());
    float[] n = Tensor.randn(new Generator(5), 20_000).toFloatArray();
    double m = 0, v2 = 0;
    for (float v : n) m += v / n.length;
    for (float v : n) v2 += (v - m) * (v - m) / n.length;
    assertEquals(0, m, 0.03);
    assertEquals(1, v2, 0.03);
  }

  @Test
  void dropoutZeroesAboutPAndScalesTheRest() {
    Tensor y = Tensor.ones(10_000).dropout(0.3, true, new Generator(4));
    float[] v = y.toFloatArray();
    int zeros = 0;
    for (float f : v) {
      if (f == 0) zeros++;
      else assertEquals(1 / 0.7, f, 1e-6);
    }
    assertEquals(0.3, zeros / 10_000.0, 0.02);
    Tensor x = Tensor.ones(3);
    assertSame(x, x.dropout(0.3, false, null));
  }

  @Test
  void dtypeConversionsAreExactWhereTheyShouldBe() {
    long big = (1L << 60) + 1;
    Tensor i = Tensor.of(new long[] {big, -big}, 2);
    assertArrayEquals(new long[] {big, -big}, i.reshape(2, 1).mT().contiguous().toLongArray());
    assertArrayEquals(new long[] {big + 1, -big + 1}, i.add(Tensor.of(new long[] {1}, 1)).toLongArray());
    assertEquals(DType.F32, Tensor.of(new long[] {1, 2}, 2).div(2).dtype());
    assertArrayEquals(new float[] {0.5f, 1}, Tensor.of(new long[] {1, 2}, 2).div(2).toFloatArray());
    assertArrayEquals(new long[] {1, 0, -2}, Tensor.of(new float[] {1.9f, -0.5f, -2.7f}, 3).to(DType.I64).toLongArray());
    assertArrayEquals(new boolean[] {true, false, true}, Tensor.of(new float[] {2, 0, Float.NaN}, 3).toBooleanArray());
    assertEquals(DType.F64, Tensor.ones(1).add(Tensor.ones(DType.F64, Device.CPU, 1)).dtype());
    assertEquals(DType.F32, Tensor.ones(DType.BF16, Device.CPU, 1).add(Tensor.ones(DType.F16, Device.CPU, 1)).dtype());
    assertEquals(DType.BF16, Tensor.ones(DType.BF16, Device.CPU, 2).mul(3).exp().dtype());
  }

  @Test
  void toStringShowsValuesShapeDtypeAndDevice() {
    assertEquals("tensor([[0.0000, 1.0000],\n        [2.0000, 3.0000]], shape=[2, 2], dtype=F32, device=cpu)", range(2, 2).toString());
    assertEquals("tensor([1, 2], shape=[2], dtype=I64, device=cpu)", Tensor.of(new long[] {1, 2}, 2).toString());
    String big = range(2000).toString();
    assertTrue(big.startsWith("tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000, 1998.0000, 1999.0000], shape=[2000]"), big);
    assertTrue(Tensor.ones(1).requiresGrad(true).mul(2).toString().endsWith("grad_fn=mul)"));
  }

  @Test
  void shapeMismatchesNameTheOpAndBothShapes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).add(Tensor.ones(4)));
    assertEquals("add: shapes [2, 3] and [4] cannot be broadcast (dim 1: 3 vs 4)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).matmul(Tensor.ones(4, 5)));
    assertEquals("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 vs 4)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.ones(2, 3), Tensor.ones(2, 4)));
    assertTrue(e.getMessage().startsWith("cat: tensor 1 has shape [2, 4]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).reshape(4, -1));
    assertEquals("reshape: shape [4, -1] is invalid for a tensor of 6 elements", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).mT().view(6));
    assertTrue(e.getMessage().startsWith("view: a tensor of shape [3, 2] with strides [1, 3] cannot be viewed as [6]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).layerNorm(new int[] {2}, null, null, 1e-5));
    assertTrue(e.getMessage().startsWith("layer_norm: normalized shape [2]"), e.getMessage());
  }

  @Test
  void dtypeAndDeviceMismatchesNameTheOp() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).add(Tensor.ones(2).to(Device.REFERENCE)));
    assertEquals("add: tensors are on different devices, cpu and ref (shapes [2] and [2])", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).gather(0, Tensor.ones(2)));
    assertEquals("gather: the index must be an integer tensor, got F32", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).where(Tensor.ones(3), Tensor.zeros(3)));
    assertEquals("where: the condition must be a BOOL tensor, got F32", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).mean());
    assertTrue(e.getMessage().startsWith("mean needs a float tensor, got I64"), e.getMessage());
  }

  @Test
  void outOfRangeDimsAndIndicesSayWhich() {
    var e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ones(2, 3).sum(2));
    assertEquals("sum: dim 2 is out of range for a tensor of rank 2 (expected -2..1)", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ones(2, 3).gather(1, Tensor.of(new long[] {0, 3}, 1, 2)));
    assertEquals("gather: index 3 is out of bounds for dim 1 with size 3", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ones(4).indexSelect(0, Tensor.of(new long[] {-1}, 1)));
    assertEquals("gather: index -1 is out of bounds for dim 0 with size 4", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ones(2, 3).narrow(1, 2, 2));
    assertEquals("narrow: start 2 length 2 is out of range for dim 1 of size 3", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.of(new long[] {0, 5}, 2).oneHot(5));
    assertEquals("one_hot: class values must be in [0, 5), found 5", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ones(2).scatterAdd(0, Tensor.of(new long[] {2}, 1), Tensor.ones(1)));
    assertEquals("scatter_add: index 2 is out of bounds for dim 0 with size 2", e.getMessage());
    var s = assertThrows(IllegalStateException.class, () -> Tensor.ones(2).item());
    assertTrue(s.getMessage().contains("shape [2]"));
  }

  @Test
  void reductionsOfEmptyDimsFollowTorch() {
    assertEquals(0, Tensor.zeros(0, 3).sum().item());
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).amax(new int[] {0}, false));
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 0).argmax(1, false));
  }

  @Test
  void nanPropagatesThroughMaxAndSortsLast() {
    Tensor x = Tensor.of(new float[] {1, Float.NaN, 3}, 3);
    assertTrue(Double.isNaN(x.max().item()));
    assertEquals(1, x.argmax().itemLong());
    assertArrayEquals(new long[] {0, 2, 1}, x.argsort(0, false).toLongArray());
    assertArrayEquals(new long[] {1, 2, 0}, x.argsort(0, true).toLongArray());
    assertTrue(Double.isNaN(x.relu().toFloatArray()[1]));
  }

  @Test
  void referenceAndCpuBackendsGiveTheSameTensorsAcrossDevices() {
    Tensor x = Tensor.randn(new Generator(1), 4, 5);
    Tensor onRef = x.to(Device.REFERENCE);
    assertEquals(Device.REFERENCE, onRef.device());
    assertEquals(Device.REFERENCE, onRef.exp().device());
    assertArrayEquals(x.toFloatArray(), onRef.to(Device.CPU).toFloatArray());
  }

  @Test
  void toArrayReturnsCopies() {
    Tensor x = Tensor.ones(3);
    x.toFloatArray()[0] = 5;
    assertEquals(1, x.toFloatArray()[0]);
    float[] data = {1, 2};
    Tensor y = Tensor.of(data, 2);
    data[0] = 9;
    assertEquals(1, y.toFloatArray()[0]);
  }
}
