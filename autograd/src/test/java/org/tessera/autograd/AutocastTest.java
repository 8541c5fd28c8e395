package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * The autocast policy on the reference device (the scope names a device type; on a GPU it is "cuda"): matrix
 * products and convolutions of F32 tensors run on BF16-rounded operands, are rounded to BF16 and come back F32;
 * gradients reach the F32 parameters through the casts, with the backward products in BF16 as well (as in torch).
 * Every other available backend's BF16 convolutions are checked against the reference's.
 */
class AutocastTest {
  private static final Device REF = Device.REFERENCE;

  /** values rounded to BF16 (round to nearest even) and back */
  private static double[] bf16(double[] values) {
    return Tensor.of(values, values.length).to(DType.BF16).to(DType.F64).toDoubleArray();
  }

  /** (m, k)·(n, k)ᵀ in double over the given values, each sum rounded to BF16 */
  private static double[] productRounded(double[] x, double[] w, int m, int k, int n) {
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++)
        for (int q = 0; q < k; q++) out[i * n + j] += x[i * k + q] * w[j * k + q];
    return bf16(out);
  }

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape).to(REF);
  }

  @Test
  void linearRunsOnBf16OperandsAndReturnsF32WithTheBiasAddedInF32() {
    Tensor x = randn(1, 3, 5), w = randn(2, 4, 5), b = randn(3, 4);
    Tensor y;
    try (var scope = Autocast.enable("ref", DType.BF16)) {
      y = x.linear(w, b);
    }
    assertEquals(DType.F32, y.dtype());
    double[] want = productRounded(bf16(x.to(DType.F64).toDoubleArray()), bf16(w.to(DType.F64).toDoubleArray()), 3, 5, 4);
    double[] bias = b.to(DType.F64).toDoubleArray();
    for (int i = 0; i < want.length; i++) want[i] = (float) (want[i] + bias[i % 4]);
    assertArrayEquals(want, y.to(DType.F64).toDoubleArray(), 0);
    assertNotEquals(y.to(DType.F64).toDoubleArray()[0], x.linear(w, b).to(DType.F64).toDoubleArray()[0], "outside the scope: F32");
  }

  @Test
  void theWeightGradientIsF32AndComesFromBf16Products() {
    Tensor x = randn(4, 3, 5), w = randn(5, 4, 5).requiresGrad(true), g = randn(6, 3, 4);
    try (var scope = Autocast.enable("ref", DType.BF16)) {
      x.linear(w, null).mul(g).sum().backward();
    }
    assertEquals(DType.F32, w.grad().dtype());
    // dW = (gᵀ·x) in BF16: g rounded (the gradient through the cast back to F32), x rounded, the sums rounded
    double[] gt = new double[4 * 3], xt = new double[5 * 3], gv = bf16(g.to(DType.F64).toDoubleArray()), xv = bf16(x.to(DType.F64).toDoubleArray());
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) gt[j * 3 + i] = gv[i * 4 + j];
      for (int q = 0; q < 5; q++) xt[q * 3 + i] = xv[i * 5 + q];
    }
    assertArrayEquals(productRounded(gt, xt, 4, 3, 5), w.grad().to(DType.F64).toDoubleArray(), 0);
  }

  @Test
  void matmulOfF32OperandsIsRoundedAndWidened() {
    Tensor a = randn(7, 2, 3, 6), b = randn(8, 6, 4);
    Tensor y;
    try (var scope = Autocast.enable("ref", DType.BF16)) {
      y = a.matmul(b);
    }
    assertEquals(DType.F32, y.dtype());
    assertArrayEquals(new int[] {2, 3, 4}, y.shape());
    Tensor want = a.to(DType.BF16).matmul(b.to(DType.BF16)).to(DType.F32);
    assertArrayEquals(want.toFloatArray(), y.toFloatArray(), 0);
  }

  /** t rounded to BF16 and back */
  private static Tensor bf16(Tensor t) {
    return t.to(DType.BF16).to(DType.F32);
  }

  @Test
  void convolutionsAndAttentionTakeRoundedOperandsAndRoundTheirResult() {
    Tensor x = randn(11, 2, 3, 6, 5), w = randn(12, 4, 3, 3, 3), b = randn(13, 4);
    Tensor q = randn(14, 2, 7, 8), k = randn(15, 2, 9, 8), v = randn(16, 2, 9, 4);
    Tensor wt = randn(17, 3, 2, 2, 2);
    Tensor conv, convT, att;
    try (var scope = Autocast.enable("ref", DType.BF16)) {
      conv = x.conv2d(w, b, 1, 1);
      convT = x.convTranspose2d(wt, null, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1}, 1);
      att = q.scaledDotProductAttention(k, v);
    }
    // the convolution rounded, then its bias added and the sum rounded again (torch's cuDNN path adds the bias after)
    assertArrayEquals(bf16(bf16(bf16(x).conv2d(bf16(w), null, 1, 1)).add(bf16(b).reshape(1, 4, 1, 1))).toFloatArray(), conv.toFloatArray(), 0);
    assertArrayEquals(bf16(bf16(x).convTranspose2d(bf16(wt), null, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1}, 1)).toFloatArray(),
        convT.toFloatArray(), 0);
    assertArrayEquals(bf16(bf16(q).scaledDotProductAttention(bf16(k), bf16(v))).toFloatArray(), att.toFloatArray(), 0);
    assertEquals(DType.F32, conv.dtype());
    assertNotEquals(x.conv2d(w, b, 1, 1).toFloatArray()[0], conv.toFloatArray()[0], "outside the scope: F32");
  }

  static java.util.stream.Stream<Device> otherBackends() {
    return org.tessera.tensor.Backends.available().stream().filter(d -> !d.equals(REF));
  }

  /**
   * Every backend's BF16 convolutions (forward, both gradients, through autocast) against the reference's. Within one
   * BF16 ulp: a backend that accumulates in F32 (cuBLAS) may round a sum the other way from the reference's F64.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("otherBackends")
  void bf16ConvolutionsAgreeWithTheReference(Device device) {
    Tensor[] want = convolveUnderAutocast(REF), got = convolveUnderAutocast(device);
    for (int t = 0; t < want.length; t++) {
      float[] w = want[t].toFloatArray(), g = got[t].to(REF).toFloatArray();
      for (int i = 0; i < w.length; i++) {
        assertEquals(w[i], g[i], Math.abs(w[i]) / 256 + 1e-6, "output " + t + " element " + i + " on " + device);
        assertEquals(0, Float.floatToIntBits(g[i]) & 0xFFFF, "output " + t + " element " + i + " on " + device + " is a BF16 value");
      }
    }
  }

  /** conv2d and conv_transpose2d under BF16 autocast on {@code device}: their outputs and the input and weight gradients. */
  private static Tensor[] convolveUnderAutocast(Device device) {
    Tensor x = randn(21, 2, 6, 7, 5).to(device).requiresGrad(true), w = randn(22, 4, 3, 3, 3).to(device).requiresGrad(true);
    Tensor wt = randn(23, 4, 3, 2, 2).to(device).requiresGrad(true), b = randn(24, 4).to(device).requiresGrad(true);
    Tensor conv, convT;
    try (var scope = Autocast.enable(device.type(), DType.BF16)) {
      conv = x.conv2d(w, b, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2); // two groups
      convT = conv.convTranspose2d(wt, null, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1}, 1);
    }
    convT.mul(randn(25, convT.shape()).to(device)).sum().backward();
    return new Tensor[] {conv, convT, x.grad(), w.grad(), wt.grad(), b.grad()};
  }

  /**
   * Every backend's BF16 attention under autocast (output and the F32 gradients of q, k, v and an additive bias)
   * against the reference's. The CPU's F32 kernel on the widened values differs by the F32 accumulation's rounding
   * (one BF16 ulp); CUDA's products also round the probabilities and the score gradient to BF16 (2^-9 relative each)
   * before multiplying, so a value may move by a few ulps of its tensor's largest: 2^-6 of it bounds both.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("otherBackends")
  void bf16AttentionAgreesWithTheReference(Device device) {
    Tensor[] want = attendUnderAutocast(REF), got = attendUnderAutocast(device);
    for (int t = 0; t < want.length; t++) {
      float[] w = want[t].toFloatArray(), g = got[t].to(REF).toFloatArray();
      float largest = 0;
      for (float x : w) largest = Math.max(largest, Math.abs(x));
      for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], Math.scalb(largest, -6), "output " + t + " element " + i + " on " + device);
    }
    float[] out = got[0].to(REF).toFloatArray();
    for (int i = 0; i < out.length; i++) assertEquals(0, Float.floatToIntBits(out[i]) & 0xFFFF, "element " + i + " on " + device + " is a BF16 value");
  }

  /** attention under BF16 autocast on {@code device}: its output, then the gradients of q, k, v and the bias. */
  private static Tensor[] attendUnderAutocast(Device device) {
    Tensor q = randn(31, 2, 3, 7, 8).to(device).requiresGrad(true), k = randn(32, 2, 3, 9, 8).to(device).requiresGrad(true);
    Tensor v = randn(33, 2, 3, 9, 5).to(device).requiresGrad(true), bias = randn(34, 7, 9).to(device).requiresGrad(true);
    Tensor att;
    try (var scope = Autocast.enable(device.type(), DType.BF16)) {
      att = q.scaledDotProductAttention(k, v, bias, Double.NaN);
    }
    assertEquals(DType.F32, att.dtype());
    att.mul(randn(35, att.shape()).to(device)).sum().backward();
    return new Tensor[] {att, q.grad(), k.grad(), v.grad(), bias.grad()};
  }

  @Test
  void aConvolutionsWeightGradientUnderAutocastIsF32AndPassesTheRoundingCasts() {
    Tensor x = randn(18, 1, 2, 5, 5), w = randn(19, 3, 2, 3, 3).requiresGrad(true), up = randn(20, 1, 3, 3, 3);
    try (var scope = Autocast.enable("ref", DType.BF16)) {
      x.conv2d(w, null, 1, 0).mul(up).sum().backward();
    }
    assertEquals(DType.F32, w.grad().dtype());
    // the same graph written out: the upstream gradient rounded by the output's cast, the weight's by its own
    Tensor plain = w.detach().requiresGrad(true);
    bf16(bf16(x).conv2d(bf16(plain), null, 1, 0)).mul(up).sum().backward();
    assertArrayEquals(plain.grad().toFloatArray(), w.grad().toFloatArray(), 0);
    assertNotEquals(x.conv2d(w.detach().requiresGrad(true), null, 1, 0).toFloatArray()[0], bf16(x).conv2d(bf16(plain), null, 1, 0).toFloatArray()[0]);
  }

  @Test
  void otherDevicesOtherDtypesAndADisabledScopeAreLeftAlone() {
    Tensor a = randn(9, 3, 5), b = randn(10, 5, 2);
    float[] f32 = a.matmul(b).toFloatArray();
    try (var scope = Autocast.enable("cuda", DType.BF16)) {
      assertArrayEquals(f32, a.matmul(b).toFloatArray(), 0, "ref tensors under a cuda scope");
    }
    try (var scope = Autocast.enable("ref", DType.F16)) {
      assertEquals(DType.F64, a.to(DType.F64).matmul(b.to(DType.F64)).dtype(), "F64 is not cast");
      try (var off = Autocast.disable()) {
        assertArrayEquals(f32, a.matmul(b).toFloatArray(), 0, "disabled inside");
      }
      assertArrayEquals(a.to(DType.F16).matmul(b.to(DType.F16)).to(DType.F32).toFloatArray(), a.matmul(b).toFloatArray(), 0, "restored: F16");
    }
    assertArrayEquals(f32, a.matmul(b).toFloatArray(), 0, "after the scope");
  }

  @Test
  void onlyLowerPrecisionFloatDtypes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Autocast.enable("cuda", DType.F32));
    assertEquals("autocast runs in BF16 or F16, not F32", e.getMessage());
  }
}
