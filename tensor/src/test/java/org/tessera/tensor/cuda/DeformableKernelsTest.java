package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
 * deformable.cu run on the CPU: Java twins of its forward (a thread per output element) and backward (a thread per
 * sampling point, atomics into the value gradient) reading the levels as the host packs them
 * ({@link DeformableLaunch#levels}), against the reference backend in F64 — up to three levels of odd sizes, and
 * locations from −0.2 to 1.2 so that corners fall outside the maps.
 */
class DeformableKernelsTest {
  private static final Backend REF = Backends.of(Device.REFERENCE);

  record Case(int seed, Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights) {
    @Override public String toString() {
      return "seed " + seed + ": value " + java.util.Arrays.toString(value.shape()) + ", levels " + java.util.Arrays.toString(shapes) + ", weights "
          + java.util.Arrays.toString(weights.shape());
    }
  }

  static Stream<Case> cases() {
    return IntStream.range(0, 16).mapToObj(seed -> {
      Generator g = new Generator(900 + seed);
      int n = 1 + (int) g.nextLong(2), m = 1 + (int) g.nextLong(3), d = 1 + (int) g.nextLong(5), lq = 1 + (int) g.nextLong(6);
      int levels = 1 + (int) g.nextLong(3), points = 1 + (int) g.nextLong(3), s = 0;
      int[] shapes = new int[2 * levels], starts = new int[levels];
      for (int l = 0; l < levels; l++) {
        shapes[2 * l] = 1 + (int) g.nextLong(6);
        shapes[2 * l + 1] = 1 + (int) g.nextLong(6);
        starts[l] = s;
        s += shapes[2 * l] * shapes[2 * l + 1];
      }
      Tensor locations = filled(g, -0.2, 1.4, n, lq, m, levels, points, 2);
      return new Case(seed, filled(g, -1, 2, n, s, m, d), shapes, starts, locations, filled(g, 0, 1, n, lq, m, levels, points));
    });
  }

  /** A contiguous F64 tensor of uniform values in [from, from + width). */
  static Tensor filled(Generator g, double from, double width, int... shape) {
    HostStorage st = HostStorage.allocate(DType.F64, Device.REFERENCE, java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact));
    for (int i = 0; i < st.length(); i++) st.setDouble(i, from + width * g.nextDouble());
    return Tensor.contiguousView(st, shape);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardComputesWhatTheReferenceComputes(Case c) {
    double[] want = REF.msDeformAttn(c.value, c.shapes, c.starts, c.locations, c.weights).toDoubleArray();
    Twin twin = new Twin(c);
    double[] out = new double[want.length];
    for (long i = 0; i < out.length; i++) twin.forward(i, out);
    assertClose(want, out, "out");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardComputesWhatTheReferenceComputes(Case c) {
    Tensor gradOut = filled(new Generator(c.seed), -1, 2, c.weights.size(0), c.weights.size(1), c.value.size(2) * c.value.size(3));
    Tensor[] want = REF.msDeformAttnBackward(c.value, c.shapes, c.starts, c.locations, c.weights, gradOut);
    Twin twin = new Twin(c);
    double[] grad = gradOut.toDoubleArray(), dValue = new double[c.value.numel()], dLocations = new double[c.locations.numel()], dWeights = new double[c.weights.numel()];
    for (long a = 0; a < dWeights.length; a++) twin.backward(a, grad, dValue, dLocations, dWeights);
    assertClose(want[0].toDoubleArray(), dValue, "value gradient");
    assertClose(want[1].toDoubleArray(), dLocations, "location gradient");
    assertClose(want[2].toDoubleArray(), dWeights, "weight gradient");
  }

  @Test
  void theLevelsArePackedAtTheStructsOffsets() {
    ByteBuffer b = ByteBuffer.wrap(DeformableLaunch.levels(new int[] {4, 5, 2, 3}, new int[] {0, 20})).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(DeformableLaunch.BYTES, b.capacity());
    assertEquals(2, b.getInt(0));
    assertEquals(4, b.getInt(DeformableLaunch.HEIGHT_AT));
    assertEquals(2, b.getInt(DeformableLaunch.HEIGHT_AT + 4));
    assertEquals(5, b.getInt(DeformableLaunch.WIDTH_AT));
    assertEquals(3, b.getInt(DeformableLaunch.WIDTH_AT + 4));
    assertEquals(20L, b.getLong(DeformableLaunch.START_AT + 8));
    String source = CudaSources.read("deformable.cu");
    assertTrue(source.contains("sizeof(Levels) == " + DeformableLaunch.BYTES) && source.contains("#define MAX_LEVELS " + DeformableLaunch.MAX_LEVELS));
    assertTrue(source.contains("offsetof(Levels, height) == " + DeformableLaunch.HEIGHT_AT) && source.contains("offsetof(Levels, width) == " + DeformableLaunch.WIDTH_AT)
        && source.contains("offsetof(Levels, start) == " + DeformableLaunch.START_AT));
  }

  @Test
  void moreLevelsThanTheStructHoldsGoThroughTheHost() {
    assertTrue(DeformableLaunch.supports(8) && !DeformableLaunch.supports(9));
    var e = assertThrows(IllegalArgumentException.class, () -> DeformableLaunch.levels(new int[18], new int[9]));
    assertEquals("ms_deform_attn: 9 levels with 18 sizes; the CUDA kernels take up to 8", e.getMessage());
  }

  @Test
  void bothKernelsAreDefinedForF32AndF64() {
    String source = CudaSources.read("deformable.cu");
    assertTrue(source.contains("DEFORMABLE_KERNELS(float, f32)") && source.contains("DEFORMABLE_KERNELS(double, f64)"));
    assertTrue(source.contains(" ms_deform_attn_forward_##SUFFIX(") && source.contains(" ms_deform_attn_backward_##SUFFIX("));
    assertEquals("ms_deform_attn_backward_f64", KernelNames.deformable(true, DType.F64));
    assertEquals("ms_deform_attn_forward_f32", KernelNames.deformable(false, DType.F32));
  }

  private static void assertClose(double[] want, double[] got, String what) {
    assertEquals(want.length, got.length, what + " length");
    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12 * Math.max(1, Math.abs(want[i])), what + " element " + i);
  }

  /** The kernels of deformable.cu, line for line, reading the packed Levels. */
  private static final class Twin {
    final double[] value, loc, weight;
    final ByteBuffer levels;
    final int count, s, m, d, lq, points;

    Twin(Case c) {
      value = c.value.toDoubleArray();
      loc = c.locations.toDoubleArray();
      weight = c.weights.toDoubleArray();
      levels = ByteBuffer.wrap(DeformableLaunch.levels(c.shapes, c.starts)).order(ByteOrder.LITTLE_ENDIAN);
      count = levels.getInt(0);
      s = c.value.size(1);
      m = c.value.size(2);
      d = c.value.size(3);
      lq = c.weights.size(1);
      points = c.weights.size(4);
    }

    int height(int l) {
      return levels.getInt(DeformableLaunch.HEIGHT_AT + 4 * l);
    }

    int width(int l) {
      return levels.getInt(DeformableLaunch.WIDTH_AT + 4 * l);
    }

    /** corners(): the value rows (-1 outside) and weights of the four corners, then lx, ly. */
    double[] corners(long a, int l, long b, int h, long[] row) {
      int height = height(l), width = width(l);
      double x = loc[(int) (2 * a)] * width - 0.5, y = loc[(int) (2 * a + 1)] * height - 0.5;
      int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
      double lx = x - x0, ly = y - y0;
      for (int k = 0; k < 4; k++) {
        int cx = x0 + (k & 1), cy = y0 + (k >> 1);
        boolean inside = cx >= 0 && cx < width && cy >= 0 && cy < height;
        row[k] = inside ? ((b * s + levels.getLong(DeformableLaunch.START_AT + 8 * l) + (long) cy * width + cx) * m + h) : -1;
      }
      return new double[] {(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx, lx, ly};
    }

    void forward(long i, double[] out) {
      int e = (int) (i % d);
      long t = i / d;
      int h = (int) (t % m);
      t /= m;
      long q = t % lq, b = t / lq;
      double acc = 0;
      long[] row = new long[4];
      for (int l = 0; l < count; l++)
        for (int p = 0; p < points; p++) {
          long a = (((b * lq + q) * m + h) * count + l) * points + p;
          double[] c = corners(a, l, b, h, row);
          for (int k = 0; k < 4; k++)
            if (row[k] >= 0) acc += weight[(int) a] * c[k] * value[(int) (row[k] * d + e)];
        }
      out[(int) i] = acc;
    }

    void backward(long a, double[] grad, double[] dValue, double[] dLoc, double[] dWeight) {
      long t = a / points;
      int l = (int) (t % count);
      t /= count;
      int h = (int) (t % m);
      t /= m;
      long q = t % lq, b = t / lq, o = ((b * lq + q) * m + h) * d;
      long[] row = new long[4];
      double[] c = corners(a, l, b, h, row);
      double w = weight[(int) a], lx = c[4], ly = c[5];
      double[] gv = new double[4];
      for (int k = 0; k < 4; k++) {
        if (row[k] < 0) continue;
        for (int e = 0; e < d; e++) {
          double g = grad[(int) (o + e)];
          gv[k] += g * value[(int) (row[k] * d + e)];
          dValue[(int) (row[k] * d + e)] += w * c[k] * g;
        }
      }
      dWeight[(int) a] = c[0] * gv[0] + c[1] * gv[1] + c[2] * gv[2] + c[3] * gv[3];
      dLoc[(int) (2 * a)] = w * ((1 - ly) * (gv[1] - gv[0]) + ly * (gv[3] - gv[2])) * width(l);
      dLoc[(int) (2 * a + 1)] = w * ((1 - lx) * (gv[2] - gv[0]) + lx * (gv[3] - gv[1])) * height(l);
    }
  }
}
