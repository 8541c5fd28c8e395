package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.Generator;
import org.tessera.tensor.UnaryOp;

/**
 * The vector forms of the elementwise ops against their definitions ({@link UnaryOp#apply}, {@link BinaryOp#apply})
 * in double precision, on runs long enough for the vector loop (the op-spec parity tests use tensors of a few
 * elements, which only the scalar tail sees), with an odd tail and an unaligned start.
 */
class VectorKernelsTest {
  static final int N = 1000 + 13, OFFSET = 3;

  static Stream<Arguments> unaryOps() {
    return Arrays.stream(UnaryOp.values()).filter(VectorKernels::vectorizes).flatMap(op -> Stream.of(Arguments.of(op, 1L), Arguments.of(op, 2L)));
  }

  /** Values over the op's domain, from the saturated ends of sigmoid and erf to zero; positive for the logarithms and roots. */
  static float[] inputs(UnaryOp op, long seed) {
    Generator gen = new Generator(seed);
    boolean positive = switch (op) {
      case LOG, LOG1P, SQRT, RSQRT -> true;
      default -> false;
    };
    float[] x = new float[OFFSET + N];
    for (int i = 0; i < x.length; i++) {
      double u = gen.nextDouble();
      x[i] = (float) (positive ? 1e-3 + 20 * u : i % 97 == 0 ? 0 : 24 * (u - 0.5));
    }
    return x;
  }

  @ParameterizedTest(name = "{0}, seed {1}")
  @MethodSource("unaryOps")
  void unaryAgreesWithItsDefinition(UnaryOp op, long seed) {
    float[] x = inputs(op, seed), y = new float[N];
    float a = op == UnaryOp.CLAMP ? -1.5f : op == UnaryOp.AFFINE ? 0.75f : 0.1f, b = op == UnaryOp.CLAMP ? 2f : -0.25f;
    VectorKernels.unary(op, a, b, x, OFFSET, y, 0, N);
    for (int i = 0; i < N; i++) {
      double want = op.apply(x[OFFSET + i], a, b);
      // F32 arithmetic: a few ulps of the result, or of the input's size for functions steep near zero (sin, cos, erf)
      double tolerance = 4e-7 * Math.max(Math.abs(want), 1) + 4 * Math.ulp((float) want);
      assertTrue(Double.isInfinite(want) ? y[i] == want : Math.abs(y[i] - want) <= tolerance, op + "(" + x[OFFSET + i] + ") = " + y[i] + ", definition " + want);
    }
  }

  static Stream<Arguments> binaryOps() {
    return Arrays.stream(BinaryOp.values()).filter(VectorKernels::vectorizes)
        .flatMap(op -> Stream.of(Arguments.of(op, 1, 1), Arguments.of(op, 0, 1), Arguments.of(op, 1, 0)));
  }

  @ParameterizedTest(name = "{0}, strides {1} and {2}")
  @MethodSource("binaryOps")
  void binaryAgreesWithItsDefinition(BinaryOp op, int s1, int s2) {
    Generator gen = new Generator(7);
    float[] x1 = new float[OFFSET + N], x2 = new float[OFFSET + N], y = new float[N];
    for (int i = 0; i < x1.length; i++) {
      x1[i] = (float) (10 * (gen.nextDouble() - 0.5));
      x2[i] = (float) (0.5 + 10 * gen.nextDouble()); // away from zero, for DIV
    }
    VectorKernels.binary(op, x1, OFFSET, s1, x2, OFFSET, s2, y, 0, N);
    for (int i = 0; i < N; i++) {
      float p = x1[OFFSET + i * s1], q = x2[OFFSET + i * s2];
      double want = (float) op.apply(p, q); // one F32 rounding of the exact result
      assertTrue(y[i] == want, op + "(" + p + ", " + q + ") = " + y[i] + ", definition " + want);
    }
  }

  @org.junit.jupiter.api.Test
  void sumLanesFoldsHalvesInOneFixedOrder() {
    Generator g = new Generator(11);
    int lanes = VectorKernels.F.length();
    for (int round = 0; round < 50; round++) {
      float[] v = new float[lanes];
      for (int i = 0; i < lanes; i++) v[i] = (float) (g.nextGaussian() * Math.pow(10, g.nextLong(7) - 3));
      float[] folded = v.clone();
      for (int half = lanes / 2; half >= 1; half /= 2)
        for (int i = 0; i < half; i++) folded[i] += folded[i + half];
      float got = VectorKernels.sumLanes(jdk.incubator.vector.FloatVector.fromArray(VectorKernels.F, v, 0));
      org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits(folded[0]), Float.floatToIntBits(got), "round " + round + ": " + Arrays.toString(v));
    }
  }
}
