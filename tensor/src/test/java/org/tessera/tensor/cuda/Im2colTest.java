package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.Backend;
import org.tessera.tensor.Backends;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * The CUDA backend's convolution plan, run on the CPU: conv.cu's unfold and fold as Java twins of the kernels' index
 * arithmetic, Im2col's products (the operand views handed to cuBLAS) as reference-backend matrix products, against
 * the reference backend's own convolutions, in F64, for random 1-, 2- and 3-D geometries with groups.
 */
class Im2colTest {
  private static final Backend REF = Backends.of(Device.REFERENCE);

  record Case(int batch, int cin, int cout, int groups, ConvGeometry g) {
    @Override public String toString() {
      return "N=" + batch + " C=" + cin + " Cout=" + cout + " G=" + groups + " in=" + Shapes.str(g.in()) + " k=" + Shapes.str(g.kernel())
          + " s=" + Shapes.str(g.stride()) + " p=" + Shapes.str(g.padding()) + " d=" + Shapes.str(g.dilation());
    }
  }

  static Stream<Case> cases() {
    return IntStream.range(0, 15).mapToObj(seed -> {
      Generator gen = new Generator(7 + seed);
      int d = 1 + seed % 3, groups = 1 + (int) gen.nextLong(2);
      int[] in = new int[d], k = new int[d], s = new int[d], p = new int[d], dil = new int[d];
      for (int i = 0; i < d; i++) {
        k[i] = 1 + (int) gen.nextLong(3);
        s[i] = 1 + (int) gen.nextLong(2);
        dil[i] = 1 + (int) gen.nextLong(2);
        p[i] = (int) gen.nextLong(2);
        in[i] = dil[i] * (k[i] - 1) + 1 + (int) gen.nextLong(5);
      }
      return new Case(1 + (int) gen.nextLong(3), groups * (1 + (int) gen.nextLong(3)), groups * (1 + (int) gen.nextLong(3)), groups,
          ConvGeometry.of("conv", in, k, s, p, dil));
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theDevicePlanGivesTheReferenceConvolution(Case c) {
    ConvGeometry g = c.g;
    int k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = c.cin / c.groups;
    Generator gen = new Generator(c.toString().hashCode());
    Tensor x = random(gen, Shapes.withSpatial(c.batch, c.cin, g.in())), w = random(gen, Shapes.withSpatial(c.cout, cinG, g.kernel()));
    Tensor dy = random(gen, Shapes.withSpatial(c.batch, c.cout, g.out()));
    int[] src = g.sourceIndex();
    long planes = (long) c.batch * c.cin;

    double[] cols = unfold(x.toDoubleArray(), src, planes, k, l, in), y = new double[c.batch * c.cout * l];
    run(Im2col.forward(c.batch, c.cin, c.cout, c.groups, g), null, w.toDoubleArray(), cols, y);
    assertClose("forward", REF.convForward(x, w, g, c.groups), y);

    double[] dcols = new double[cols.length], dx = new double[x.numel()];
    run(Im2col.inputGrad(c.batch, c.cin, c.cout, c.groups, g), dy.toDoubleArray(), w.toDoubleArray(), dcols, null);
    fold(dcols, src, dx, planes, k, l, in);
    assertClose("input gradient", REF.convInputGrad(dy, w, g, c.groups, c.cin), dx);

    double[] dw = new double[w.numel()];
    run(Im2col.weightGrad(c.batch, c.cin, c.cout, c.groups, g), dy.toDoubleArray(), null, cols, dw);
    assertClose("weight gradient", REF.convWeightGrad(x, dy, g, c.groups), dw);
  }

  /** conv.cu's unfold_<dtype>, element by element. */
  private static double[] unfold(double[] x, int[] src, long planes, int k, int l, int inSize) {
    double[] cols = new double[Math.toIntExact(planes * k * l)];
    for (long i = 0; i < cols.length; i++) {
      long row = i / l;
      int p = src[(int) ((row % k) * l + i % l)];
      cols[(int) i] = p >= 0 ? x[(int) ((row / k) * inSize + p)] : 0;
    }
    return cols;
  }

  /** conv.cu's fold_<dtype> (its atomicAdd a plain +=). */
  private static void fold(double[] cols, int[] src, double[] x, long planes, int k, int l, int inSize) {
    for (long i = 0; i < (long) cols.length; i++) {
      long row = i / l;
      int p = src[(int) ((row % k) * l + i % l)];
      if (p >= 0) x[(int) ((row / k) * inSize + p)] += cols[(int) i];
    }
  }

  /** The products as CudaBlas.multiply computes them: out block b at outOffset + b·outBatchStride, set or accumulated. */
  private static void run(List<Im2col.Product> products, double[] input, double[] weight, double[] columns, double[] output) {
    for (Im2col.Product p : products) {
      Tensor prod = REF.matmul(view(p.a(), input, weight, columns, output), view(p.b(), input, weight, columns, output));
      double[] out = buffer(p.out(), input, weight, columns, output), values = prod.toDoubleArray();
      int rows = prod.size(1), cols = prod.size(2);
      for (int b = 0; b < prod.size(0); b++)
        for (int i = 0; i < rows * cols; i++) {
          int at = p.outOffset() + b * p.outBatchStride() + i;
          out[at] = (p.accumulate() ? out[at] : 0) + values[b * rows * cols + i];
        }
    }
  }

  private static Tensor view(Im2col.View v, double[] input, double[] weight, double[] columns, double[] output) {
    double[] data = buffer(v.buffer(), input, weight, columns, output);
    assertTrue(v.offset() >= 0, v + " starts before its buffer");
    return Tensor.view(new HostStorage(DType.F64, Device.REFERENCE, data), v.shape(), v.strides(), v.offset());
  }

  private static double[] buffer(Im2col.Buffer b, double[] input, double[] weight, double[] columns, double[] output) {
    return switch (b) {
      case INPUT -> input;
      case WEIGHT -> weight;
      case COLUMNS -> columns;
      case OUTPUT -> output;
    };
  }

  private static Tensor random(Generator gen, int[] shape) {
    double[] a = new double[Shapes.numel(shape)];
    for (int i = 0; i < a.length; i++) a[i] = gen.nextGaussian();
    return Tensor.contiguousView(new HostStorage(DType.F64, Device.REFERENCE, a), shape);
  }

  private static void assertClose(String what, Tensor want, double[] got) {
    double[] w = want.toDoubleArray();
    assertEquals(w.length, got.length, what + ": size");
    for (int i = 0; i < w.length; i++) assertEquals(w[i], got[i], 1e-9 * (1 + Math.abs(w[i])), what + "[" + i + "]");
  }
}
