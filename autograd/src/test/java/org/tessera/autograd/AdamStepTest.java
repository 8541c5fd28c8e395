package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.AdamStep;
import org.tessera.tensor.Backends;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** The fused Adam/AdamW step on every backend against the reference backend, and on the CPU against the composed update. */
class AdamStepTest {
  static Stream<Arguments> cases() {
    return Backends.available().stream().filter(d -> !d.equals(Device.REFERENCE))
        .flatMap(device -> IntStream.range(0, 8).mapToObj(seed -> Arguments.of(device, seed)));
  }

  /** Odd sizes (vector tails), both decay modes, with and without decay; the gradient is a transposed view. */
  record Setup(int[] shape, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    static Setup random(Generator g) {
      int rows = 1 + (int) (g.nextDouble() * 9), cols = 1 + (int) (g.nextDouble() * 70);
      return new Setup(new int[] {rows, cols}, 1e-3 + g.nextDouble() * 0.05, 0.8 + g.nextDouble() * 0.15, 0.95 + g.nextDouble() * 0.049,
          g.nextDouble() < 0.5 ? 1e-8 : 1e-6, g.nextDouble() < 0.25 ? 0 : g.nextDouble() * 0.1, g.nextDouble() < 0.5);
    }

    AdamStep at(long step) {
      return new AdamStep(lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }
  }

  /** Three steps from the same start; returns {param, exp_avg, exp_avg_sq}. */
  static Tensor[] threeSteps(Setup s, Device device, Tensor p0, Tensor[] grads) {
    Tensor p = p0.to(device).mul(1), m = Tensor.zeros(DType.F32, device, s.shape()), v = Tensor.zeros(DType.F32, device, s.shape());
    for (int t = 1; t <= 3; t++) s.at(t).apply(p, grads[t - 1].to(device).mT().contiguous().mT(), m, v);
    return new Tensor[] {p, m, v};
  }

  @ParameterizedTest(name = "{0}, seed {1}")
  @MethodSource("cases")
  void agreesWithTheReference(Device device, int seed) {
    Generator g = new Generator(100 + seed);
    Setup s = Setup.random(g);
    Tensor p0 = Tensor.randn(g, s.shape());
    Tensor[] grads = {Tensor.randn(g, s.shape()), Tensor.randn(g, s.shape()).mul(1e-3), Tensor.randn(g, s.shape())};
    Tensor[] want = threeSteps(s, Device.REFERENCE, p0, grads), got = threeSteps(s, device, p0, grads);
    String[] names = {"param", "exp_avg", "exp_avg_sq"};
    for (int i = 0; i < 3; i++) {
      double[] w = want[i].toDoubleArray(), h = got[i].toDoubleArray();
      for (int j = 0; j < w.length; j++)
        assertEquals(w[j], h[j], 1e-6 + 1e-5 * Math.abs(w[j]), names[i] + "[" + j + "] of " + s);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void cpuGivesTheBitsOfTheComposedUpdate(int seed) {
    Generator g = new Generator(200 + seed);
    Setup s = Setup.random(g);
    Tensor p0 = Tensor.randn(g, s.shape());
    Tensor[] grads = {Tensor.randn(g, s.shape()), Tensor.randn(g, s.shape()), Tensor.randn(g, s.shape())};
    Tensor[] fused = threeSteps(s, Device.CPU, p0, grads);
    // the update as separate tensor ops, in the order the fused kernel follows
    Tensor p = p0.mul(1), m = Tensor.zeros(s.shape()), v = Tensor.zeros(s.shape());
    for (int t = 1; t <= 3; t++) {
      AdamStep a = s.at(t);
      Tensor d = grads[t - 1];
      if (s.weightDecay() != 0) {
        if (s.decoupled()) p = p.mul(1 - s.lr() * s.weightDecay());
        else d = d.add(p.mul(s.weightDecay()));
      }
      m = m.mul(s.beta1()).add(d.mul(1 - s.beta1()));
      v = v.mul(s.beta2()).add(d.square().mul(1 - s.beta2()));
      p = p.sub(m.div(v.sqrt().div(Math.sqrt(a.biasCorrection2())).add(s.eps())).mul(s.lr() / a.biasCorrection1()));
    }
    assertArrayEquals(p.toFloatArray(), fused[0].toFloatArray(), "param of " + s);
    assertArrayEquals(m.toFloatArray(), fused[1].toFloatArray(), "exp_avg of " + s);
    assertArrayEquals(v.toFloatArray(), fused[2].toFloatArray(), "exp_avg_sq of " + s);
  }

  static IntStream seeds() {
    return IntStream.range(0, 8);
  }

  @Test
  void aMismatchNamesTheTensorAndBothShapes() {
    Tensor p = Tensor.zeros(2, 3), m = Tensor.zeros(2, 3), v = Tensor.zeros(2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamStep(0.1, 0.9, 0.999, 1e-8, 0, true, 1).apply(p, Tensor.zeros(3, 2), m, v));
    assertEquals("adamStep: grad F32[3, 2] on cpu does not match param F32[2, 3] on cpu", e.getMessage());
  }

  @Test
  void stepsCountFromOne() {
    assertThrows(IllegalArgumentException.class, () -> new AdamStep(0.1, 0.9, 0.999, 1e-8, 0, true, 0));
  }
}
