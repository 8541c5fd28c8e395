package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * index.cu's gather and scatter_add, run on the CPU: Java twins of the kernels reading the layouts the backend packs
 * ({@link IndexLaunch#dataLayout}, {@link LayoutArgument}) against the reference backend, in F64, for random
 * permuted and narrowed views of every rank up to 3, each dim gathered, indices of both index dtypes.
 */
class IndexKernelsTest {
  private static final Backend REF = Backends.of(Device.REFERENCE);

  record Case(int seed, Tensor data, int dim, Tensor index) {
    @Override public String toString() {
      return "seed " + seed + ": data " + Shapes.str(data.shape()) + " strides " + Shapes.str(data.strides()) + ", dim " + dim + ", index "
          + Shapes.str(index.shape()) + " " + index.dtype();
    }
  }

  static Stream<Case> cases() {
    return IntStream.range(0, 24).mapToObj(seed -> {
      Generator g = new Generator(300 + seed);
      Tensor data = randomView(g, 1 + seed % 3);
      int dim = (int) g.nextLong(data.dim());
      int[] shape = new int[data.dim()];
      for (int d = 0; d < shape.length; d++) shape[d] = d == dim ? 1 + (int) g.nextLong(5) : 1 + (int) g.nextLong(data.size(d));
      DType indexDtype = seed % 2 == 0 ? DType.I64 : DType.I32;
      HostStorage values = HostStorage.allocate(indexDtype, Device.REFERENCE, Shapes.numel(shape));
      for (int i = 0; i < values.length(); i++) values.setLong(i, g.nextLong(data.size(dim)));
      return new Case(seed, data, dim, Tensor.contiguousView(values, shape));
    });
  }

  /** A view of a larger F64 storage: dims of 1..4, a gap after each (a narrowed parent), permuted, from offset 2. */
  static Tensor randomView(Generator g, int rank) {
    int[] shape = new int[rank], strides = new int[rank];
    int stride = 1;
    for (int d = rank - 1; d >= 0; d--) {
      shape[d] = 1 + (int) g.nextLong(4);
      strides[d] = stride;
      stride *= shape[d] + 1;
    }
    for (int d = rank - 1; d > 0; d--) {
      int e = (int) g.nextLong(d + 1);
      int t = shape[d]; shape[d] = shape[e]; shape[e] = t;
      t = strides[d]; strides[d] = strides[e]; strides[e] = t;
    }
    HostStorage s = HostStorage.allocate(DType.F64, Device.REFERENCE, stride + 2);
    for (int i = 0; i < s.length(); i++) s.setDouble(i, g.nextGaussian());
    return Tensor.view(s, shape, strides, 2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gatherReadsWhatTheReferenceGathers(Case c) {
    byte[] lx = IndexLaunch.dataLayout(c.data, c.index, c.dim), li = LayoutArgument.of(c.index);
    HostStorage x = (HostStorage) c.data.storage(), index = (HostStorage) c.index.storage();
    double[] want = REF.gather(c.data, c.dim, c.index).toDoubleArray();
    for (int i = 0; i < want.length; i++) {
      long j = index.getLong((int) LayoutTwin.offsetOf(li, i));
      assertEquals(want[i], x.getDouble((int) (LayoutTwin.offsetOf(lx, i) + j * c.data.stride(c.dim))), "element " + i);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void scatterAddWritesWhereTheReferenceAdds(Case c) {
    Tensor want = Tensor.contiguousView(HostStorage.allocate(DType.F64, Device.REFERENCE, c.data.numel()), c.data.shape());
    Tensor got = Tensor.contiguousView(HostStorage.allocate(DType.F64, Device.REFERENCE, c.data.numel()), c.data.shape());
    // the source broadcast along its first dim (stride 0), from offset 1
    int[] shape = c.index.shape(), strides = new int[shape.length];
    for (int d = shape.length - 1, stride = 1; d >= 0; stride *= shape[d], d--) strides[d] = d == 0 ? 0 : stride;
    HostStorage srcValues = HostStorage.allocate(DType.F64, Device.REFERENCE, 1 + Shapes.numel(shape));
    Generator g = new Generator(c.seed);
    for (int i = 0; i < srcValues.length(); i++) srcValues.setDouble(i, g.nextGaussian());
    Tensor src = Tensor.view(srcValues, shape, strides, 1);
    REF.scatterAdd(want, c.dim, c.index, src);
    byte[] ld = IndexLaunch.dataLayout(got, c.index, c.dim), li = LayoutArgument.of(c.index), ls = LayoutArgument.of(src);
    HostStorage dst = (HostStorage) got.storage(), index = (HostStorage) c.index.storage(), values = (HostStorage) src.storage();
    for (long i = 0; i < c.index.numel(); i++) {
      int at = (int) (LayoutTwin.offsetOf(ld, i) + index.getLong((int) LayoutTwin.offsetOf(li, i)) * got.stride(c.dim));
      dst.setDouble(at, dst.getDouble(at) + values.getDouble((int) LayoutTwin.offsetOf(ls, i)));
    }
    assertEquals(java.util.Arrays.toString(want.toDoubleArray()), java.util.Arrays.toString(got.toDoubleArray()));
  }

  @Test
  void aBadIndexTheKernelRecordedIsTheCpuBackendsError() {
    IndexLaunch.check("gather", new long[] {0, 0}, 4, 1); // nothing recorded
    var e = assertThrows(IndexOutOfBoundsException.class, () -> IndexLaunch.check("gather", new long[] {1, 7}, 4, 1));
    assertEquals("gather: index 7 is out of bounds for dim 1 with size 4", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> IndexLaunch.check("scatter_add", new long[] {1, -1}, 3, 0));
    assertEquals("scatter_add: index -1 is out of bounds for dim 0 with size 3", e.getMessage());
  }

  @Test
  void everyDtypeAndIndexDtypeHasItsKernel() {
    String source = CudaSources.read("index.cu");
    for (DType index : new DType[] {DType.I64, DType.I32}) {
      String c = index == DType.I64 ? "long long" : "int", suffix = index == DType.I64 ? "i64" : "i32";
      assertTrue(source.contains("GATHERS(" + c + ", " + suffix + ")"), "gathers by " + c);
      for (DType t : DType.values()) assertEquals("gather_" + t.byteSize + "_" + suffix, KernelNames.gather(t, index));
      assertTrue(source.contains("GATHER_KERNEL(unsigned long long, 8, I, ISUFFIX)") && source.contains("GATHER_KERNEL(unsigned char, 1, I, ISUFFIX)"));
      assertTrue(source.contains("SCATTER_ADD_KERNEL(float, f32, " + c + ", " + suffix + ")"), "scatter_add f32 by " + c);
      assertTrue(source.contains("SCATTER_ADD_KERNEL(double, f64, " + c + ", " + suffix + ")"), "scatter_add f64 by " + c);
      assertEquals("scatter_add_f32_" + suffix, KernelNames.scatterAdd(DType.F32, index));
    }
    assertTrue(IndexLaunch.indexDtype(DType.I32) && !IndexLaunch.indexDtype(DType.U8));
  }
}
