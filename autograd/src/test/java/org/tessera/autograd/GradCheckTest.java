package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.autograd.spec.Case;
import org.tessera.autograd.spec.OpSpec;
import org.tessera.autograd.spec.OpSpecs;
import org.tessera.tensor.Backends;
import org.tessera.tensor.Device;
import org.tessera.tensor.Tensor;

/** Every differentiable op's backward against F64 central differences, on seeded cases, on every backend. */
class GradCheckTest {
  static final int SEEDS = 3, LARGE = 2000;

  static Stream<Arguments> cases() {
    return Backends.available().stream().flatMap(device -> OpSpecs.all().stream().filter(OpSpec::differentiable)
        .flatMap(spec -> java.util.stream.IntStream.range(0, SEEDS).mapToObj(seed -> Arguments.of(device, spec, seed))));
  }

  @ParameterizedTest(name = "{1} on {0}, seed {2}")
  @MethodSource("cases")
  void backwardMatchesCentralDifferences(Device device, OpSpec spec, int seed) {
    Case c = spec.generate(seed);
    Tensor[] inputs = new Tensor[c.inputs().length];
    for (int i = 0; i < inputs.length; i++) inputs[i] = c.inputs()[i].to(device);
    // past a few thousand elements, one random direction instead of every element (the JAX-style check)
    boolean large = java.util.Arrays.stream(inputs).mapToInt(Tensor::numel).sum() > LARGE;
    GradCheck.Mismatch m = large ? GradCheck.directional(c.f(), inputs, seed, spec.gradEps(), spec.gradTol(), 1e-5)
        : GradCheck.elementwise(c.f(), inputs, seed, spec.gradEps(), spec.gradTol(), 1e-4);
    assertNull(m, () -> spec.name() + " seed " + seed + " on " + device + " (" + c.description() + "): " + m);
  }
}
