package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.autograd.spec.Case;
import org.tessera.autograd.spec.OpSpec;
import org.tessera.autograd.spec.OpSpecs;
import org.tessera.tensor.Backends;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** Each backend against the reference backend in F32: forward values, dtypes, shapes and input gradients. */
class BackendParityTest {
  static final int SEEDS = 4;

  static Stream<Arguments> cases() {
    return Backends.available().stream().filter(d -> !d.equals(Device.REFERENCE))
        .flatMap(device -> OpSpecs.all().stream().flatMap(spec -> IntStream.range(0, SEEDS).mapToObj(seed -> Arguments.of(device, spec, seed))));
  }

  record Run(Tensor out, Tensor[] grads) {}

  static Run run(Case c, Device device, boolean differentiable, long seed) {
    Tensor[] leaves = new Tensor[c.inputs().length];
    for (int i = 0; i < leaves.length; i++) leaves[i] = c.inputs()[i].to(DType.F32).to(device).requiresGrad(differentiable);
    Tensor out = c.f().apply(leaves);
    Tensor[] grads = new Tensor[leaves.length];
    if (differentiable) {
      out.backward(Tensor.randn(new Generator(seed), out.shape()).to(device));
      for (int i = 0; i < leaves.length; i++) grads[i] = leaves[i].grad();
    }
    return new Run(out, grads);
  }

  @ParameterizedTest(name = "{1} on {0}, seed {2}")
  @MethodSource("cases")
  void agreesWithReference(Device device, OpSpec spec, int seed) {
    Case c = spec.generate(seed);
    Run want = run(c, Device.REFERENCE, spec.differentiable(), seed), got = run(c, device, spec.differentiable(), seed);
    String where = spec.name() + " seed " + seed + " (" + c.description() + ")";
    compare(where + " output", want.out(), got.out(), spec);
    for (int i = 0; i < want.grads().length; i++) {
      if (want.grads()[i] == null && got.grads()[i] == null) continue;
      if (want.grads()[i] == null || got.grads()[i] == null) fail(where + ": gradient of input " + i + " exists on one backend only");
      compare(where + " gradient of input " + i, want.grads()[i], got.grads()[i], spec);
    }
  }

  static void compare(String what, Tensor want, Tensor got, OpSpec spec) {
    assertEquals(want.dtype(), got.dtype(), what + ": dtype");
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    if (!want.dtype().floating) {
      assertArrayEquals(want.toLongArray(), got.toLongArray(), what);
      return;
    }
    double[] w = want.toDoubleArray(), g = got.toDoubleArray();
    for (int i = 0; i < w.length; i++) {
      boolean ok = Double.isNaN(w[i]) ? Double.isNaN(g[i]) : Math.abs(w[i] - g[i]) <= spec.atol() + spec.rtol() * Math.abs(w[i]);
      if (!ok) fail(what + ": element " + i + " is " + g[i] + ", reference " + w[i]);
    }
  }
}
