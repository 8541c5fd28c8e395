package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.tensor.cpu.ConvKernelsTest.assertClose;
import static org.tessera.tensor.cpu.ConvKernelsTest.random;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.Generator;

/**
 * The Winograd F(2×2, 3×3) convolution, forward (with and without a bias), input and weight gradient, called directly (below
 * the channel count from which {@link ConvKernels} takes it) against a scalar loop in double precision, with
 * 12-row and 6-row tiles: odd output sizes (cropped tiles), rows of tiles shorter and longer than a vector, padding
 * 0 to 2 (the input gradient's 2 to 0), channels in two passes, output rows past the 12-row tiles, several images.
 */
class WinogradTest {
  record Case(int batch, int cin, int cout, int h, int w, int ph, int pw) {
    /** The same convolution in the general form the scalar loop of {@link ConvKernelsTest} takes. */
    ConvKernelsTest.Case general() {
      return new ConvKernelsTest.Case(batch, cin, cout, 1, h, w, 3, 3, 1, ph, pw, 1, 1);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case(1, 5, 7, 9, 11, 1, 1), // one image over the workers, odd output both ways
        new Case(3, 4, 13, 6, 40, 1, 1), // images per worker; 20 tiles a row (two vectors), 13 rows: a 12-row tile and one more
        new Case(1, 300, 14, 5, 6, 1, 1), // 300 channels: k in two passes
        new Case(2, 6, 30, 7, 5, 0, 0), // no padding: a 5 × 3 output; 30 rows: two 12-row tiles and 6 more
        new Case(1, 3, 4, 4, 4, 2, 2), // padding 2: the output larger than the input, the input gradient unpadded
        new Case(2, 16, 20, 33, 3, 2, 0), // padding in height only; 33 rows of tiles over several blocks
        new Case(1, 9, 64, 17, 70, 0, 1), // 35 tiles a row (three vectors), 64 rows: five 12-row tiles and 4 more
        new Case(2, 128, 128, 3, 4, 1, 1)).map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void agreesWithTheScalarLoop(Case c) {
    ConvGeometry g = c.general().geometry();
    int oh = g.out()[0], ow = g.out()[1];
    Generator gen = new Generator(c.hashCode());
    float[] x = random(gen, c.batch * c.cin * c.h * c.w), w = random(gen, c.cout * c.cin * 9), dy = random(gen, c.batch * c.cout * oh * ow);
    float[] bias = random(gen, c.cout);
    ConvKernelsTest.Expected want = ConvKernelsTest.scalarLoop(c.general(), x, w, dy);
    double[] y = want.y(), biased = want.biased(bias, c.cout, oh * ow);
    for (boolean tall : new boolean[] {true, false}) {
      float[] gotY = new float[y.length], gotBiased = new float[y.length], gotDx = new float[x.length];
      Winograd.forward(x, w, null, gotY, c.batch, c.cin, c.cout, g, tall);
      Winograd.forward(x, w, bias, gotBiased, c.batch, c.cin, c.cout, g, tall);
      Winograd.inputGrad(dy, w, gotDx, c.batch, c.cin, c.cout, g, tall);
      assertClose("y, tall " + tall, y, gotY);
      assertClose("y + bias, tall " + tall, biased, gotBiased);
      assertClose("dx, tall " + tall, want.dx(), gotDx);
    }
    float[] gotDw = new float[w.length];
    Winograd.weightGrad(x, dy, gotDw, c.batch, c.cin, c.cout, g);
    assertClose("dw", want.dw(), gotDw);
  }

  @Test
  void takesOnlyUndilatedUngroupedStrideOne3x3ConvolutionsWithManyChannels() {
    int[] one = {1, 1}, k3 = {3, 3}, in = {28, 28};
    ConvGeometry plain = ConvGeometry.of("conv2d", in, k3, one, one, one);
    assertTrue(Winograd.applies(plain, 128, 256, 1));
    assertTrue(Winograd.appliesToInputGrad(plain, 128, 256, 1));
    assertFalse(Winograd.applies(plain, 127, 256, 1), "too few input channels");
    assertTrue(Winograd.appliesToWeightGrad(plain, 192, 256, 1));
    assertFalse(Winograd.appliesToWeightGrad(plain, 128, 256, 1), "too few input channels for the weight gradient");
    assertFalse(Winograd.appliesToWeightGrad(plain, 256, 191, 1), "too few output channels for the weight gradient");
    assertFalse(Winograd.applies(plain, 256, 64, 1), "too few output channels");
    assertFalse(Winograd.applies(plain, 256, 256, 2), "groups");
    assertFalse(Winograd.applies(ConvGeometry.of("conv2d", in, k3, new int[] {2, 2}, one, one), 256, 256, 1), "stride");
    assertFalse(Winograd.applies(ConvGeometry.of("conv2d", in, k3, one, new int[] {2, 2}, new int[] {2, 2}), 256, 256, 1), "dilation");
    assertFalse(Winograd.applies(ConvGeometry.of("conv2d", in, new int[] {5, 5}, one, one, one), 256, 256, 1), "5×5");
    ConvGeometry wide = ConvGeometry.of("conv2d", in, k3, one, new int[] {3, 3}, one);
    assertTrue(Winograd.applies(wide, 256, 256, 1));
    assertFalse(Winograd.appliesToInputGrad(wide, 256, 256, 1), "padding 3: the input gradient's would be negative");
    assertFalse(Winograd.applies(ConvGeometry.of("conv2d", new int[] {28, 34}, k3, one, one, one), 256, 256, 1), "34 wide: 17 tiles a row");
  }

  @Test
  void roundsRowsOfTilesUpToVectorsOnlyWhereLittleIsWasted() {
    int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    assertTrue(Winograd.fillsVectors(2 * lanes), "whole vectors");
    assertTrue(Winograd.fillsVectors(2 * lanes - 1), "an odd width: the last tile cropped");
    assertFalse(Winograd.fillsVectors(2 * lanes + 2), "one tile past a vector");
    assertTrue(Winograd.fillsVectors(56), "DPT fusion at 224");
  }

}
