package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.Cursor;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.ReduceOp;
import org.tessera.tensor.Reduction;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.UnaryOp;

/** What the CUDA backend computes on the host before a launch: grids, argument structs, kernel names, sources. */
class CudaHostLogicTest {
  @Test
  void elementwiseLaunchesOneThreadPerElementUpToTheResidentBlocks() {
    assertEquals(new Launch(1, 256), Launch.elementwise(1, 132));
    assertEquals(new Launch(1, 256), Launch.elementwise(256, 132));
    assertEquals(new Launch(2, 256), Launch.elementwise(257, 132));
    assertEquals(new Launch(132 * 8, 256), Launch.elementwise(1L << 40, 132)); // H100: 132 SMs
    assertThrows(IllegalArgumentException.class, () -> Launch.elementwise(0, 132));
  }

  @Test
  void layoutArgumentIsTheStructTheKernelsRead() {
    // a (4, 5, 6) tensor transposed to (6, 5, 4) and narrowed to rows 1..3 of dim 1
    ByteBuffer b = ByteBuffer.wrap(LayoutArgument.of(new int[] {6, 3, 4}, new int[] {1, 6, 30}, 6)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(LayoutArgument.BYTES, b.capacity());
    assertEquals(3, b.getInt(0));
    long[] sizes = new long[3], strides = new long[3];
    for (int d = 0; d < 3; d++) {
      sizes[d] = b.getLong(LayoutArgument.SIZES_AT + 8 * d);
      strides[d] = b.getLong(LayoutArgument.STRIDES_AT + 8 * d);
    }
    assertEquals(Arrays.toString(new long[] {6, 3, 4}), Arrays.toString(sizes));
    assertEquals(Arrays.toString(new long[] {1, 6, 30}), Arrays.toString(strides));
    assertEquals(6, b.getLong(LayoutArgument.OFFSET_AT));
    var e = assertThrows(IllegalArgumentException.class, () -> LayoutArgument.of(new int[9], new int[9], 0));
    assertEquals("CUDA kernels take views of up to 8 dims, got 9", e.getMessage());
  }

  @Test
  void everyUnaryAndBinaryOpHasItsKernelInTheTemplateAndNoOtherIs() {
    String source = CudaSources.read("elementwise.cu");
    Set<String> unary = new TreeSet<>(), binary = new TreeSet<>();
    for (UnaryOp op : UnaryOp.values()) unary.add(op.name().toLowerCase(Locale.ROOT));
    for (BinaryOp op : BinaryOp.values()) binary.add(op.name().toLowerCase(Locale.ROOT));
    assertEquals(unary, opList(source, "UNARY_OPS"));
    Set<String> listed = new TreeSet<>(opList(source, "ARITHMETIC_OPS"));
    listed.addAll(opList(source, "COMPARISON_OPS"));
    assertTrue(source.contains("#define BINARY_OPS(X) ARITHMETIC_OPS(X) COMPARISON_OPS(X)"));
    assertEquals(binary, listed);
    assertEquals("unary_gelu_tanh_f32", KernelNames.unary(UnaryOp.GELU_TANH, DType.F32));
    assertEquals("binary_maximum_f64", KernelNames.binary(BinaryOp.MAXIMUM, DType.F64));
  }

  @Test
  void integerDivisionHasAKernelPerIntegerDtype() {
    String source = CudaSources.read("elementwise.cu");
    String[][] kernels = {{"long long", "i64"}, {"int", "i32"}, {"unsigned char", "u8"}};
    DType[] dtypes = {DType.I64, DType.I32, DType.U8};
    for (int i = 0; i < dtypes.length; i++) {
      assertEquals("divide_" + kernels[i][1], KernelNames.integerDivision(dtypes[i]));
      assertTrue(source.contains("DIVIDE_KERNEL(" + kernels[i][0] + ", " + kernels[i][1] + ")"), kernels[i][1]);
    }
    assertEquals(null, KernelNames.integerDivision(DType.BOOL));
    assertEquals(null, KernelNames.integerDivision(DType.F32));
  }

  /** elementwise.cu's floor_div, line for line: C's truncating quotient corrected toward -inf, -1 as a wrapping negation. */
  private static long floorDivTwin(long x, long y) {
    if (y == -1) return 0L - x;
    long q = x / y;
    return x % y != 0 && (x ^ y) < 0 ? q - 1 : q;
  }

  /** The twin equals BinaryOp.applyLong's Math.floorDiv (what the CPU backends compute) at the edges and at random. */
  @Test
  void floorDivisionOnTheDeviceIsJavasFloorDiv() {
    long[] edges = {Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MIN_VALUE, -256, -7, -2, -1, 0, 1, 2, 7, 255, Integer.MAX_VALUE, Long.MAX_VALUE};
    for (long x : edges)
      for (long y : edges)
        if (y != 0) assertEquals(BinaryOp.DIV.applyLong(x, y), floorDivTwin(x, y), x + " / " + y);
    Generator g = new Generator(99);
    for (int i = 0; i < 10_000; i++) {
      long x = g.nextLong(2001) - 1000, y = g.nextLong(41) - 20;
      if (y != 0) assertEquals(BinaryOp.DIV.applyLong(x, y), floorDivTwin(x, y), x + " / " + y);
    }
  }

  @Test
  void integersHaveEveryArithmeticKernelButDivision() {
    String source = CudaSources.read("elementwise.cu");
    Set<String> arithmetic = new TreeSet<>();
    for (BinaryOp op : BinaryOp.values())
      if (!op.producesBool() && op != BinaryOp.DIV) arithmetic.add(op.name().toLowerCase(Locale.ROOT));
    assertEquals(arithmetic, opList(source, "INTEGER_OPS"));
    for (DType t : new DType[] {DType.I64, DType.I32, DType.U8}) {
      String suffix = t.name();
      assertTrue(source.contains("INTEGER_OPS(INTEGER_" + suffix + ")"), suffix);
      assertTrue(KernelNames.integerArithmetic(BinaryOp.MUL, t) && !KernelNames.integerArithmetic(BinaryOp.DIV, t), suffix);
      assertEquals("binary_sub_" + suffix.toLowerCase(Locale.ROOT), KernelNames.binary(BinaryOp.SUB, t));
    }
    // BOOL arithmetic saturates to 0/1 on the host, and floats use the float kernels
    assertFalse(KernelNames.integerArithmetic(BinaryOp.ADD, DType.BOOL) || KernelNames.integerArithmetic(BinaryOp.ADD, DType.F32));
    assertFalse(KernelNames.integerArithmetic(BinaryOp.EQ, DType.I64));
  }

  @Test
  void bf16AndF16HaveEveryElementwiseKernel() {
    String source = CudaSources.read("elementwise.cu");
    for (DType t : new DType[] {DType.BF16, DType.F16}) {
      String suffix = t.name(), lower = suffix.toLowerCase(Locale.ROOT);
      assertTrue(source.contains("UNARY_OPS(UNARY_" + suffix + ")") && source.contains("BINARY_OPS(BINARY_" + suffix + ")"), suffix);
      assertTrue(source.contains("WHERE_KERNEL(" + lower + ", " + lower + ")"), suffix);
      assertEquals("unary_gelu_" + lower, KernelNames.unary(UnaryOp.GELU, t));
      assertEquals("binary_atan2_" + lower, KernelNames.binary(BinaryOp.ATAN2, t));
      assertEquals("binary_le_" + lower, KernelNames.binary(BinaryOp.LE, t)); // 1 or 0 in the dtype, then converted to BOOL
      assertTrue(KernelNames.converts(t, DType.BOOL), suffix);
      assertEquals("where_" + lower, KernelNames.where(t));
    }
  }

  @Test
  void reductionsLaunchABlockPerOutputWithAsManyThreadsAsTheyNeed() {
    assertEquals(new Launch(1, 32), Launch.reduction(1, 1, 132));
    assertEquals(new Launch(10, 64), Launch.reduction(10, 33, 132));
    assertEquals(new Launch(10, 256), Launch.reduction(10, 1 << 20, 132));
    assertEquals(new Launch(132 * 8, 128), Launch.reduction(1L << 30, 100, 132));
    assertThrows(IllegalArgumentException.class, () -> Launch.reduction(0, 5, 132));
  }

  @Test
  void everyReduceOpHasItsKernel() {
    Set<String> ops = new TreeSet<>();
    for (ReduceOp op : ReduceOp.values()) ops.add(op.name().toLowerCase(Locale.ROOT));
    String source = CudaSources.read("reduce.cu");
    assertEquals(ops, opList(source, "REDUCE_OPS"));
    assertEquals("reduce_max_f32", KernelNames.reduce(ReduceOp.MAX, DType.F32));
    assertEquals("argmin_f64", KernelNames.argReduce(false, DType.F64));
    // integers and BOOL (as bytes) accumulate in int64: sums written as I64, extremes in their own dtype
    for (DType t : new DType[] {DType.I64, DType.I32, DType.U8, DType.BOOL}) {
      String type = KernelNames.reduce(ReduceOp.SUM, t).substring("reduce_sum_".length());
      assertTrue(source.contains("REDUCE_OPS(REDUCE_" + type.toUpperCase(Locale.ROOT) + ")"), t + ": " + type);
      assertTrue(source.contains("REDUCE_KERNEL(" + (t == DType.I64 ? "long long" : t == DType.I32 ? "int" : "unsigned char") + ", " + type + ", long long, INT_OUT"),
          t + " accumulates in int64");
      assertEquals(DType.I64, ReduceOp.SUM.resultType(t));
      assertEquals(t, ReduceOp.MAX.resultType(t));
    }
    assertTrue(source.contains("X(sum, Sum, long long)") && source.contains("X(max, Max, T)") && source.contains("X(min, Min, T)"));
    assertEquals("reduce_min_u8", KernelNames.reduce(ReduceOp.MIN, DType.BOOL));
    // BF16 and F16 accumulate in double, as the reference backend, and round once into their own dtype
    for (DType t : new DType[] {DType.BF16, DType.F16}) {
      String type = t.name().toLowerCase(Locale.ROOT);
      assertEquals("reduce_sum_" + type, KernelNames.reduce(ReduceOp.SUM, t));
      assertTrue(source.contains("REDUCE_KERNEL(" + type + ", " + type + ", double, " + type + ", name, OP)"), t + " sums in double");
      assertTrue(source.contains("REDUCE_OPS(REDUCE_" + t.name() + ")"), t.name());
      assertEquals(t, ReduceOp.SUM.resultType(t));
    }
    // arg-reductions compare F32 and F64 in themselves, BF16 and F16 widened to double
    for (DType t : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) {
      String suffix = KernelNames.where(t).substring("where_".length());
      String c = t == DType.F32 ? "float" : t == DType.F64 ? "double" : suffix, compared = t == DType.F32 ? "float" : "double";
      for (boolean max : new boolean[] {true, false})
        assertTrue(source.contains("ARG_KERNEL(" + c + ", " + compared + ", " + suffix + ", " + KernelNames.argReduce(max, t).replace("_" + suffix, "") + ", "
            + max + ")"), KernelNames.argReduce(max, t));
      assertTrue(CudaSources.read("elementwise.cu").contains("WHERE_KERNEL(" + c + ", " + suffix + ")"), KernelNames.where(t));
    }
  }

  @Test
  void convKernelsExistForEveryDeviceDtype() {
    String source = CudaSources.read("conv.cu");
    for (DType t : new DType[] {DType.F32, DType.F64}) {
      String c = t == DType.F32 ? "float" : "double", suffix = KernelNames.where(t).substring("where_".length());
      assertTrue(source.contains("CONV_KERNELS(" + c + ", " + suffix + ")"), "conv.cu instantiates " + c);
      assertEquals("unfold_" + suffix, KernelNames.unfold(false, t));
      assertEquals("fold_" + suffix, KernelNames.unfold(true, t));
    }
    assertTrue(source.contains("void unfold_##SUFFIX(") && source.contains("void fold_##SUFFIX("));
  }

  @Test
  void includesArePastedOnce() {
    String source = CudaSources.read("reduce.cu");
    assertFalse(source.contains("#include"));
    assertEquals(1, source.split("struct Layout \\{", -1).length - 1);
    assertTrue(CudaSources.read("elementwise.cu").contains("__device__ __forceinline__ long long offset_of"));
  }

  /**
   * The two layouts a reduction launch passes, read by a Java twin of the kernels' offset_of, address exactly the
   * elements the reference backend's cursors reduce, in the same order, for random views (permuted, narrowed,
   * broadcast) and random sets of dims.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
  void reductionLayoutsAddressWhatTheReferenceReduces(int seed) {
    Generator g = new Generator(seed);
    int rank = 1 + (int) g.nextLong(4);
    int[] shape = new int[rank], strides = new int[rank];
    int stride = 1;
    for (int d = rank - 1; d >= 0; d--) {
      shape[d] = 1 + (int) g.nextLong(4);
      strides[d] = g.nextLong(5) == 0 ? 0 : stride; // now and then a broadcast dim
      stride *= shape[d] + 1; // gaps: a narrowed parent
    }
    for (int d = rank - 1; d > 0; d--) { // a permutation
      int e = (int) g.nextLong(d + 1);
      int t = shape[d]; shape[d] = shape[e]; shape[e] = t;
      t = strides[d]; strides[d] = strides[e]; strides[e] = t;
    }
    Tensor x = Tensor.view(HostStorage.allocate(DType.F32, Device.CPU, stride + 3), shape, strides, 3);
    int[] dims = IntStream.range(0, rank).filter(d -> g.nextLong(2) == 0).toArray();
    Reduction r = Reduction.of(x, dims);
    byte[] outer = LayoutArgument.of(r.outShape(), x.strides(), x.offset()), inner = LayoutArgument.of(r.innerShape(), r.innerStrides(), 0);
    Cursor outCursor = r.outer();
    for (long o = 0; o < Shapes.numel(r.outShape()); o++, outCursor.next()) {
      Cursor in = r.inner(outCursor.offsets[0]);
      for (long j = 0; j < r.innerSize(); j++, in.next())
        assertEquals(in.offsets[0], LayoutTwin.offsetOf(outer, o) + LayoutTwin.offsetOf(inner, j), "output " + o + ", reduced element " + j);
    }
  }

  /** The op names of an X-macro list {@code #define NAME(X) X(op, expr) \ ...}. */
  /** The op names of an X-macro list: its definition runs to the first line without a continuation backslash. */
  private static Set<String> opList(String source, String macro) {
    int start = source.indexOf("#define " + macro + "(X)"), end = start;
    while (source.charAt(source.indexOf('\n', end) - 1) == '\\') end = source.indexOf('\n', end) + 1;
    end = source.indexOf('\n', end);
    Matcher m = Pattern.compile("X\\((\\w+),").matcher(source.substring(start, end));
    Set<String> names = new TreeSet<>();
    while (m.find()) names.add(m.group(1));
    return names;
  }
}
