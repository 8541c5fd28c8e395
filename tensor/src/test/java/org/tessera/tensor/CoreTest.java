package org.tessera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Shape arithmetic, view strides, dtype promotion and conversion, and the random stream. */
class CoreTest {
  @Test
  void broadcastingFollowsNumPy() {
    assertArrayEquals(new int[] {2, 3, 4}, Shapes.broadcast("op", new int[] {3, 1}, new int[] {2, 1, 4}));
    assertArrayEquals(new int[] {0, 5}, Shapes.broadcast("op", new int[] {1, 5}, new int[] {0, 1}));
    assertArrayEquals(new int[] {}, Shapes.broadcast("op", new int[] {}, new int[] {}));
    var e = assertThrows(IllegalArgumentException.class, () -> Shapes.broadcast("mul", new int[] {2, 3}, new int[] {4, 3}));
    assertEquals("mul: shapes [2, 3] and [4, 3] cannot be broadcast (dim 0: 2 vs 4)", e.getMessage());
  }

  @Test
  void viewStridesFollowTorch() {
    assertArrayEquals(new int[] {4, 1}, ViewStrides.of(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {6, 4}));
    // a transposed matrix cannot be flattened without a copy, but its rows can be split
    assertNull(ViewStrides.of(new int[] {3, 2}, new int[] {1, 3}, new int[] {6}));
    assertArrayEquals(new int[] {2, 1, 4}, ViewStrides.of(new int[] {4, 2}, new int[] {1, 4}, new int[] {2, 2, 2}));
    // size-1 dims may be inserted anywhere; broadcast (stride 0) dims merge with each other
    assertArrayEquals(new int[] {1, 6, 3}, ViewStrides.of(new int[] {3, 2}, new int[] {1, 3}, new int[] {3, 1, 2}));
    assertArrayEquals(new int[] {0, 1}, ViewStrides.of(new int[] {2, 3, 5}, new int[] {0, 0, 1}, new int[] {6, 5}));
  }

  @ParameterizedTest
  @CsvSource({"F32,F64,F64", "BF16,F16,F32", "I64,F16,F16", "BOOL,U8,U8", "I32,I64,I64", "BOOL,F32,F32", "BF16,BF16,BF16"})
  void promotionFollowsTorch(DType a, DType b, DType want) {
    assertEquals(want, DType.promote(a, b));
    assertEquals(want, DType.promote(b, a));
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    assertEquals((short) 0x3f80, Half.floatToBf16(1f));
    // 1 + 2^-8 is exactly half-way between two bf16 values: ties go to the even one (1.0)
    assertEquals((short) 0x3f80, Half.floatToBf16(1f + 0x1p-8f));
    assertEquals((short) 0x3f82, Half.floatToBf16(1f + 3 * 0x1p-8f));
    assertEquals(1f + 0x1p-7f, Half.bf16ToFloat(Half.floatToBf16(1f + 0x1p-7f)));
    assertEquals(Float.POSITIVE_INFINITY, Half.bf16ToFloat(Half.floatToBf16(Float.MAX_VALUE)));
    assertEquals(true, Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.NaN))));
  }

  @Test
  void storagesConvertLikeTorchCasts() {
    HostStorage s = HostStorage.allocate(DType.U8, Device.CPU, 2);
    s.setDouble(0, 255);
    s.setDouble(1, 256); // wraps as torch's uint8 cast does
    assertEquals(255, s.getLong(0));
    assertEquals(0, s.getLong(1));
    HostStorage f16 = HostStorage.allocate(DType.F16, Device.CPU, 1);
    f16.setDouble(0, 65520); // above the largest half (65504) rounds to infinity
    assertEquals(Double.POSITIVE_INFINITY, f16.getDouble(0));
    assertThrows(IllegalArgumentException.class, () -> new HostStorage(DType.F32, Device.CPU, new double[1]));
  }

  @Test
  void theGeneratorIsReproducibleAndRestorable() {
    Generator a = new Generator(7);
    a.nextGaussian();
    long state = a.state();
    double next = a.nextGaussian();
    Generator b = new Generator(0);
    b.setState(state);
    assertEquals(next, b.nextGaussian());
    for (int i = 0; i < 1000; i++) {
      long v = a.nextLong(3);
      assertEquals(true, v >= 0 && v < 3);
    }
  }

  @Test
  void devicesParse() {
    assertEquals(new Device("cuda", 1), Device.of("cuda:1"));
    assertEquals(Device.CPU, Device.of("cpu"));
    assertEquals("cuda:0", Device.of("cuda").toString());
    assertThrows(IllegalArgumentException.class, () -> Device.of("cuda:x"));
    var e = assertThrows(IllegalArgumentException.class, () -> Backends.of(Device.of("tpu")));
    assertEquals("no backend for device 'tpu' (known: [ref, cpu, cuda])", e.getMessage());
  }

  @Test
  void viewsThatReachOutsideTheirStorageAreRefused() {
    Storage s = HostStorage.allocate(DType.F32, Device.CPU, 6);
    assertThrows(IndexOutOfBoundsException.class, () -> Tensor.view(s, new int[] {2, 4}, new int[] {4, 1}, 0));
    assertEquals(6, Tensor.view(s, new int[] {2, 3}, new int[] {3, 1}, 0).numel());
  }
}
