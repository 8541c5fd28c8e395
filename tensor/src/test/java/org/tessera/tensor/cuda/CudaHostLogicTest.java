package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.UnaryOp;

/** What the CUDA backend computes on the host before a launch: grids, argument structs, kernel names. */
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
    assertEquals(binary, opList(source, "BINARY_OPS"));
    assertEquals("unary_gelu_tanh_f32", KernelNames.unary(UnaryOp.GELU_TANH, org.tessera.tensor.DType.F32));
    assertEquals("binary_maximum_f64", KernelNames.binary(BinaryOp.MAXIMUM, org.tessera.tensor.DType.F64));
  }

  /** The op names of an X-macro list {@code #define NAME(X) X(op, expr) \ ...}. */
  private static Set<String> opList(String source, String macro) {
    int start = source.indexOf("#define " + macro + "(X)");
    int end = source.indexOf("\n\n", start);
    Matcher m = Pattern.compile("X\\((\\w+),").matcher(source.substring(start, end));
    Set<String> names = new TreeSet<>();
    while (m.find()) names.add(m.group(1));
    return names;
  }
}
