package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.Generator;

/**
 * The 2-D convolution kernels (forward with and without a bias, input and weight gradient) against a scalar loop in double precision:
 * stride-1 geometries that take the shifted-rows path (kernel rows not a multiple of the 6-row tile, columns not a
 * multiple of the 32-column tile, k in several passes, dilation, groups, depthwise, one image split over the workers and several images), padding
 * beyond the kernel's reach (whose input gradient is not a convolution), patch embeddings (kernel = stride) as
 * products over the whole batch, and other strided ones that take im2col. The stride-1 path runs with 12-row tiles on
 * Intel and 6-row tiles elsewhere; the other height must give the same bits.
 */
class ConvKernelsTest {
  record Case(int batch, int cin, int cout, int groups, int h, int w, int kh, int kw, int stride, int ph, int pw, int dh, int dw) {
    ConvGeometry geometry() {
      return ConvGeometry.of("conv2d", new int[] {h, w}, new int[] {kh, kw}, new int[] {stride, stride}, new int[] {ph, pw}, new int[] {dh, dw});
    }
  }

  static Stream<Arguments> cases() {
    Stream<Case> fixed = Stream.of(
        new Case(1, 5, 7, 1, 9, 11, 3, 3, 1, 1, 1, 1, 1), // one image: column strips split over workers
        new Case(3, 4, 13, 1, 6, 40, 3, 3, 1, 1, 1, 1, 1), // rows 13 = 2 tiles + 1, a row longer than a strip
        new Case(1, 30, 16, 1, 7, 20, 3, 3, 1, 1, 1, 1, 1), // 4 and 6 rows past the 12-row tiles, two strips at a time, k in two passes; 5 strips: the last one's pair is past the end
        new Case(2, 128, 130, 1, 5, 28, 3, 3, 1, 1, 1, 1, 1), // 128 channels and more, 14 tiles a row: Winograd's F(2×2, 3×3)
        new Case(1, 40, 37, 1, 23, 37, 3, 3, 1, 1, 1, 1, 1), // k in two passes (forward 360, input gradient 333, weight gradient 897), dyᵀ in two panels
        new Case(2, 6, 6, 2, 7, 5, 1, 1, 1, 0, 0, 1, 1), // 1×1, groups
        new Case(2, 8, 8, 8, 9, 11, 3, 3, 1, 1, 1, 1, 1), // depthwise: a stencil per plane
        new Case(1, 5, 5, 5, 12, 40, 5, 3, 1, 3, 1, 2, 1), // depthwise, one image, dilated, padding (k − 1)·d − 1 in height
        new Case(2, 3, 4, 1, 12, 10, 5, 3, 1, 4, 2, 2, 1), // dilated, padding (k − 1)·d exactly
        new Case(2, 3, 5, 1, 6, 7, 2, 2, 1, 2, 0, 1, 1), // padding beyond the kernel's reach: input gradient by im2col
        new Case(2, 3, 4, 1, 5, 6, 2, 2, 1, 0, 2, 1, 1), // padding beyond the kernel's reach in width: the output wider than W + pw
        new Case(1, 2, 3, 1, 13, 1, 1, 9, 1, 0, 4, 1, 1), // one column, a 1×9 kernel: the last strip reads further past the planes than Wp
        new Case(2, 4, 6, 2, 9, 9, 3, 3, 2, 1, 1, 1, 1), // stride 2: im2col throughout
        new Case(3, 3, 7, 1, 17, 18, 4, 4, 4, 0, 0, 1, 1), // patches (kernel = stride) with a remainder the windows skip
        new Case(2, 3, 10, 1, 32, 48, 16, 16, 16, 0, 0, 1, 1), // a ViT patch embedding
        new Case(3, 3, 13, 1, 112, 96, 16, 16, 16, 0, 0, 1, 1), // 42 patches an image: tiles of y cross from one image into the next
        new Case(2, 30, 5, 1, 13, 12, 6, 6, 6, 0, 0, 1, 1)); // patches of 1080 values: the weight gradient packs them in two column blocks, the second from inside a run
    Stream<Case> random = IntStream.range(0, 12).mapToObj(seed -> {
      Generator gen = new Generator(100 + seed);
      java.util.function.IntUnaryOperator g = bound -> (int) gen.nextLong(bound);
      int groups = 1 + g.applyAsInt(2), kh = 1 + g.applyAsInt(3), kw = 1 + g.applyAsInt(3), dh = 1 + g.applyAsInt(2), dw = 1 + g.applyAsInt(2);
      return new Case(1 + g.applyAsInt(3), groups * (1 + g.applyAsInt(4)), groups * (1 + g.applyAsInt(9)), groups, dh * (kh - 1) + 1 + g.applyAsInt(8),
          dw * (kw - 1) + 1 + g.applyAsInt(40), kh, kw, 1, g.applyAsInt(dh * (kh - 1) + 1), g.applyAsInt(dw * (kw - 1) + 1), dh, dw);
    });
    return Stream.concat(fixed, random).map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void agreesWithTheScalarLoop(Case c) {
    ConvGeometry g = c.geometry();
    int cinG = c.cin / c.groups, oh = g.out()[0], ow = g.out()[1];
    Generator gen = new Generator(c.hashCode());
    float[] x = random(gen, c.batch * c.cin * c.h * c.w), w = random(gen, c.cout * cinG * c.kh * c.kw), dy = random(gen, c.batch * c.cout * oh * ow);
    Expected want = scalarLoop(c, x, w, dy);
    float[] bias = random(gen, c.cout), gotY = new float[dy.length], gotBiased = new float[dy.length], gotDx = new float[x.length], gotDw = new float[w.length];
    ConvKernels.forward(x, w, null, gotY, c.batch, c.cin, c.cout, c.groups, g);
    ConvKernels.forward(x, w, bias, gotBiased, c.batch, c.cin, c.cout, c.groups, g);
    ConvKernels.inputGrad(dy, w, gotDx, c.batch, c.cin, c.cout, c.groups, g);
    ConvKernels.weightGrad(x, dy, gotDw, c.batch, c.cin, c.cout, c.groups, g);
    assertClose("y", want.y, gotY);
    assertClose("y + bias", want.biased(bias, c.cout, oh * ow), gotBiased);
    assertClose("dx", want.dx, gotDx);
    assertClose("dw", want.dw, gotDw);
  }

  /** The convolution's output and its input and weight gradients, in double precision. */
  record Expected(double[] y, double[] dx, double[] dw) {
    /** y plus the bias of each of the {@code channels} planes of {@code plane} values. */
    double[] biased(float[] bias, int channels, int plane) {
      double[] out = y.clone();
      for (int i = 0; i < out.length; i++) out[i] += bias[i / plane % channels];
      return out;
    }
  }

  /** The convolution of x with w, and with dy as the output gradient its gradients, by a scalar loop over every window. */
  static Expected scalarLoop(Case c, float[] x, float[] w, float[] dy) {
    ConvGeometry g = c.geometry();
    int cinG = c.cin / c.groups, coutG = c.cout / c.groups, oh = g.out()[0], ow = g.out()[1];
    double[] y = new double[dy.length], dx = new double[x.length], dw = new double[w.length];
    for (int n = 0; n < c.batch; n++)
      for (int o = 0; o < c.cout; o++)
        for (int i = 0; i < oh; i++)
          for (int j = 0; j < ow; j++) {
            int yi = ((n * c.cout + o) * oh + i) * ow + j;
            for (int ci = 0; ci < cinG; ci++)
              for (int ki = 0; ki < c.kh; ki++)
                for (int kj = 0; kj < c.kw; kj++) {
                  int ih = i * c.stride - c.ph + ki * c.dh, iw = j * c.stride - c.pw + kj * c.dw;
                  if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
                  int xi = ((n * c.cin + (o / coutG) * cinG + ci) * c.h + ih) * c.w + iw, wi = ((o * cinG + ci) * c.kh + ki) * c.kw + kj;
                  y[yi] += (double) w[wi] * x[xi];
                  dx[xi] += (double) w[wi] * dy[yi];
                  dw[wi] += (double) x[xi] * dy[yi];
                }
          }
    return new Expected(y, dx, dw);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void fastPathsTakeTheirGeometriesOnly(Case c) {
    assertEquals(c.stride == 1, ShiftedConv.applies(c.geometry()));
    assertEquals(c.stride == c.kh && c.stride == c.kw && c.kw >= 4 && c.groups == 1 && c.ph == 0 && c.pw == 0, PatchConv.applies(c.geometry(), c.groups));
    if (ShiftedConv.appliesToInputGrad(c.geometry())) assertTrue(c.ph <= c.dh * (c.kh - 1) && c.pw <= c.dw * (c.kw - 1));
    int tiles = (c.geometry().out()[1] + 1) / 2, lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    boolean fills = 4 * ((tiles + lanes - 1) / lanes * lanes) <= 5 * tiles;
    assertEquals(c.stride == 1 && c.kh == 3 && c.kw == 3 && c.dh == 1 && c.dw == 1 && c.groups == 1 && c.cin >= 128 && c.cout >= 128 && fills,
        Winograd.applies(c.geometry(), c.cin, c.cout, c.groups));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void tallAndShortTilesGiveTheSameBits(Case c) {
    // the default on this machine is checked against the scalar loop above; the other tile height must match it exactly
    if (!ShiftedConv.applies(c.geometry())) return;
    ConvGeometry g = c.geometry();
    Generator gen = new Generator(c.hashCode() + 1);
    float[] x = random(gen, c.batch * c.cin * c.h * c.w), w = random(gen, c.cout * (c.cin / c.groups) * c.kh * c.kw), bias = random(gen, c.cout);
    float[] dy = random(gen, c.batch * c.cout * g.outSize());
    float[] tallY = new float[dy.length], shortY = new float[dy.length];
    ShiftedConv.forward(x, w, bias, tallY, c.batch, c.cin, c.cout, c.groups, g, true);
    ShiftedConv.forward(x, w, bias, shortY, c.batch, c.cin, c.cout, c.groups, g, false);
    assertArrayEquals(shortY, tallY, "forward");
    int coutG = c.cout / c.groups;
    float[] tallDw = new float[coutG * (c.cin / c.groups) * c.kh * c.kw], shortDw = new float[tallDw.length];
    ShiftedConv.Plan plan = ShiftedConv.plan(g, c.cin / c.groups);
    ShiftedConv.addWeightProduct(plan, x, 0, dy, 0, coutG, tallDw, 0, true, true);
    ShiftedConv.addWeightProduct(plan, x, 0, dy, 0, coutG, shortDw, 0, true, false);
    assertArrayEquals(shortDw, tallDw, "weight gradient of the first image and group");
    if (!ShiftedConv.appliesToInputGrad(g)) return;
    float[] tallDx = new float[x.length], shortDx = new float[x.length];
    ShiftedConv.inputGrad(dy, w, tallDx, c.batch, c.cin, c.cout, c.groups, g, true);
    ShiftedConv.inputGrad(dy, w, shortDx, c.batch, c.cin, c.cout, c.groups, g, false);
    assertArrayEquals(shortDx, tallDx, "input gradient");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void weightGradientReadsTriplesOfRowsOnlyFromUndilatedKernelsAMultipleOfThreeWide(Case c) {
    boolean triples = ShiftedConv.plan(c.geometry(), c.cin / c.groups).triples();
    assertEquals(c.kw % 3 == 0 && c.dw == 1, triples, c.toString());
  }

  static float[] random(Generator gen, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) gen.nextGaussian();
    return a;
  }

  static void assertClose(String what, double[] want, float[] got) {
    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), what + "[" + i + "]");
  }
}
