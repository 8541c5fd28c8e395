package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.Backend;
import org.tessera.tensor.Backends;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.Tensor;

/**
 * The CUDA backend's attention from products, run on the host backends: in F64 on the reference backend (its own
 * matmul as the products) against the reference's attention, with budgets that split the batch into chunks of one,
 * two or all entries; in BF16 on the CPU backend (products of the widened operands, as cuBLAS's F32 accumulation)
 * against the CPU's F32 kernel on the same values. The cases are AttentionKernelsTest's: transposed, narrowed views,
 * a bias broadcast over the batch with -inf entries.
 */
class ComposedAttentionTest {
  private static final Backend REF = Backends.of(Device.REFERENCE), CPU = Backends.of(Device.CPU);
  private static final double TOLERANCE = 1e-12;

  static java.util.stream.Stream<AttentionKernelsTest.Case> cases() {
    return AttentionKernelsTest.cases();
  }

  private static ComposedAttention onReference(long budget) {
    return new ComposedAttention(REF, REF::matmul, budget);
  }

  private static long[] budgets(AttentionKernelsTest.Case c) {
    long scores = (long) c.q().size(1) * c.k().size(1);
    return new long[] {1, 2 * scores, ComposedAttention.BUDGET};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardComputesWhatTheReferenceComputes(AttentionKernelsTest.Case c) {
    Tensor[] want = REF.attention(c.q(), c.k(), c.v(), c.bias(), c.scale());
    for (long budget : budgets(c)) {
      Tensor[] got = onReference(budget).forward(c.q(), c.k(), c.v(), c.bias(), c.scale());
      assertClose(want[0], got[0], "out, budget " + budget);
      assertClose(want[1], got[1], "lse, budget " + budget);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardComputesWhatTheReferenceComputes(AttentionKernelsTest.Case c) {
    Tensor[] forward = REF.attention(c.q(), c.k(), c.v(), c.bias(), c.scale());
    Tensor gradOut = AttentionKernelsTest.view(new Generator(c.seed()), c.q().size(0), c.q().size(1), c.v().size(2));
    Tensor[] want = REF.attentionBackward(c.q(), c.k(), c.v(), c.bias(), c.scale(), forward[0], forward[1], gradOut, true);
    for (long budget : budgets(c)) {
      Tensor[] got = onReference(budget).backward(c.q(), c.k(), c.v(), c.bias(), c.scale(), forward[0], forward[1], gradOut, true);
      String[] names = {"dq", "dk", "dv", "score gradient"};
      for (int i = 0; i < 4; i++) assertClose(want[i], got[i], names[i] + ", budget " + budget);
      assertNull(onReference(budget).backward(c.q(), c.k(), c.v(), c.bias(), c.scale(), forward[0], forward[1], gradOut, false)[3]);
    }
  }

  @Test
  void aFullyMaskedRowHasOutNanAndLseMinusInfinityAsTheFusedKernels() {
    Generator g = new Generator(5);
    Tensor q = AttentionKernelsTest.view(g, 1, 2, 3), k = AttentionKernelsTest.view(g, 1, 4, 3), v = AttentionKernelsTest.view(g, 1, 4, 2);
    HostStorage s = HostStorage.allocate(DType.F64, Device.REFERENCE, 2 * 4);
    for (int j = 0; j < 4; j++) {
      s.setDouble(j, Double.NEGATIVE_INFINITY);
      s.setDouble(4 + j, 0.1 * j);
    }
    Tensor bias = Tensor.view(s, new int[] {1, 2, 4}, new int[] {0, 4, 1}, 0);
    Tensor[] got = onReference(ComposedAttention.BUDGET).forward(q, k, v, bias, 0.5);
    double[] out = got[0].toDoubleArray(), lse = got[1].toDoubleArray();
    assertTrue(Double.isNaN(out[0]) && Double.isNaN(out[1]), "softmax over no key is NaN, as in torch");
    assertEquals(Double.NEGATIVE_INFINITY, lse[0]);
    double[] want = REF.attention(q, k, v, bias, 0.5)[0].toDoubleArray();
    assertEquals(want[2], out[2], TOLERANCE);
    assertEquals(want[3], out[3], TOLERANCE);
  }

  /**
   * BF16 operands: P and dS are rounded to BF16 before their products (2^-9 relative each) and every result once more
   * (2^-9), where the F32 kernel rounds only its operands; a result may differ by a few BF16 ulps of the largest
   * value of its tensor, not more: 2^-6 of it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void bf16OperandsGiveTheF32KernelsResultWithinBf16Rounding(AttentionKernelsTest.Case c) {
    Tensor q = CPU.copy(onCpu(c.q()), DType.BF16), k = CPU.copy(onCpu(c.k()), DType.BF16), v = CPU.copy(onCpu(c.v()), DType.BF16);
    Tensor bias = c.bias() == null ? null : CPU.copy(onCpu(c.bias()), DType.BF16);
    ComposedAttention composed = new ComposedAttention(CPU, (a, b) -> CPU.matmul(CPU.copy(a, DType.F32), CPU.copy(b, DType.F32)), 2L * c.q().size(1) * c.k().size(1));
    Tensor[] got = composed.forward(q, k, v, bias, c.scale());
    Tensor[] want = CPU.attention(f32(q), f32(k), f32(v), bias == null ? null : f32(bias), c.scale());
    assertEquals(DType.BF16, got[0].dtype());
    assertBf16Close(want[0], got[0], "out");
    Tensor gradOut = CPU.copy(onCpu(AttentionKernelsTest.view(new Generator(c.seed()), c.q().size(0), c.q().size(1), c.v().size(2))), DType.BF16);
    Tensor[] grads = composed.backward(q, k, v, bias, c.scale(), got[0], got[1], gradOut, false);
    Tensor[] wantGrads = CPU.attentionBackward(f32(q), f32(k), f32(v), bias == null ? null : f32(bias), c.scale(), want[0], want[1], f32(gradOut), false);
    String[] names = {"dq", "dk", "dv"};
    for (int i = 0; i < 3; i++) {
      assertEquals(DType.BF16, grads[i].dtype());
      assertBf16Close(wantGrads[i], grads[i], names[i]);
    }
  }

  @Test
  void chunksHoldAsManyBatchEntriesAsTheBudgetAllowsAndAtLeastOne() {
    assertEquals(1, ComposedAttention.chunk(5, 10, 10, 99));
    assertEquals(2, ComposedAttention.chunk(5, 10, 10, 200));
    assertEquals(5, ComposedAttention.chunk(5, 10, 10, 10_000));
    assertEquals(1, ComposedAttention.chunk(5, 0, 10, 1));
    assertTrue(ComposedAttention.fits(8192, 8192, ComposedAttention.BUDGET));
    assertTrue(!ComposedAttention.fits(8193, 8192, ComposedAttention.BUDGET));
  }

  private static Tensor onCpu(Tensor t) {
    return t.to(Device.CPU);
  }

  private static Tensor f32(Tensor t) {
    return CPU.copy(t, DType.F32);
  }

  private static void assertClose(Tensor want, Tensor got, String what) {
    double[] w = want.toDoubleArray(), g = got.toDoubleArray();
    assertEquals(w.length, g.length, what);
    for (int i = 0; i < w.length; i++) {
      if (Double.isNaN(w[i]) || Double.isInfinite(w[i])) {
        assertEquals(w[i], g[i], what + " [" + i + "]");
        continue;
      }
      assertEquals(w[i], g[i], TOLERANCE * Math.max(1, Math.abs(w[i])), what + " [" + i + "]");
    }
  }

  private static void assertBf16Close(Tensor want, Tensor got, String what) {
    double[] w = want.toDoubleArray(), g = got.toDoubleArray();
    double largest = 0;
    for (double x : w) largest = Math.max(largest, Math.abs(x));
    for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], Math.scalb(largest, -6), what + " [" + i + "]");
  }
}
