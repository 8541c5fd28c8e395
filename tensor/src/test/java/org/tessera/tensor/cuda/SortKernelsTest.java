package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.tessera.tensor.Tensor;

/**
 * sort.cu run on the CPU: a Java twin of its bitonic network over (value, index) pairs, reading and writing through
 * the Layouts the backend packs ({@link SortLaunch}), against the reference backend's stable sort — lines of odd
 * lengths, ties, ±0, NaN, both orders, F64 and I64, a transposed view sorted along either dim.
 */
class SortKernelsTest {
  private static final Backend REF = Backends.of(Device.REFERENCE);

  record Case(int seed, Tensor x, int dim, boolean descending) {
    @Override public String toString() {
      return "seed " + seed + ": " + x.dtype() + " " + java.util.Arrays.toString(x.shape()) + " dim " + dim + (descending ? " descending" : "");
    }
  }

  static Stream<Case> cases() {
    return cases(new int[] {1, 2, 3, 5, 17, 64, 100}, 28, 500);
  }

  /** Lines longer than shared memory holds (the global-memory network: padded to 4096), sorted along the long dim. */
  static Stream<Case> longCases() {
    return cases(new int[] {2049, 2500, 4096}, 12, 900).filter(c -> c.x.size(c.dim) > SortLaunch.MAX_SORT);
  }

  static Stream<Case> cases(int[] lengths, int count, int seed0) {
    return IntStream.range(0, count).mapToObj(seed -> {
      Generator g = new Generator(seed0 + seed);
      int n = lengths[seed % lengths.length], other = 1 + (int) g.nextLong(4);
      DType dtype = seed % 4 == 3 ? DType.I64 : DType.F64;
      // (other, n) storage viewed transposed as (n, other): the sorted dim is strided either way
      HostStorage s = HostStorage.allocate(dtype, Device.REFERENCE, 1 + n * other);
      for (int i = 0; i < s.length(); i++) {
        double u = g.nextDouble();
        double v = u < 0.1 ? Double.NaN : u < 0.2 ? 0.0 : u < 0.3 ? -0.0 : Math.floor(8 * g.nextDouble()) - 4; // many ties
        if (dtype == DType.I64) s.setLong(i, Double.isNaN(v) ? 7 : (long) v);
        else s.setDouble(i, v);
      }
      Tensor x = Tensor.view(s, new int[] {n, other}, new int[] {1, n}, 1);
      return new Case(seed, x, seed % 2, seed % 3 == 0);
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theNetworkGivesTheStableSort(Case c) {
    long[] want = REF.sortIndices(c.x, c.dim, c.descending).toLongArray();
    long[] got = new long[c.x.numel()];
    twin(c.x, c.dim, c.descending, got);
    assertArrayEquals(want, got);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longCases")
  void theGlobalMemoryNetworkGivesTheStableSort(Case c) {
    assertFalse(SortLaunch.inShared(c.x.size(c.dim)));
    long[] want = REF.sortIndices(c.x, c.dim, c.descending).toLongArray();
    long[] got = new long[c.x.numel()];
    longTwin(c.x, c.dim, c.descending, got);
    assertArrayEquals(want, got);
  }

  /**
   * sort_load, sort_merge per stage and sort_store, element by element as their threads index: every line padded at
   * line·P in one buffer, a pair handled by the thread of its lower element.
   */
  private static void longTwin(Tensor x, int dim, boolean descending, long[] out) {
    HostStorage in = (HostStorage) x.storage();
    byte[] inLines = SortLaunch.inputLines(x, dim), outLines = SortLaunch.outputLines(x, dim);
    int n = x.size(dim), padded = SortLaunch.padded(n);
    long lines = SortLaunch.lines(x, dim), inStride = x.stride(dim), outStride = SortLaunch.outputStride(x, dim);
    int total = Math.toIntExact(lines * padded);
    double[] value = new double[total];
    int[] index = new int[total];
    for (int i = 0; i < total; i++) { // sort_load
      long line = i / padded;
      int t = (int) (i % padded);
      value[i] = t < n ? in.getDouble((int) (LayoutTwin.offsetOf(inLines, line) + t * inStride)) : 0;
      index[i] = t;
    }
    for (int[] stage : SortLaunch.stages(padded))
      for (int i = 0; i < total; i++) { // sort_merge
        int start = i / padded * padded;
        compareExchange(value, index, start, i - start, stage[0], stage[1], n, descending);
      }
    for (long i = 0; i < lines * n; i++) { // sort_store
      long line = i / n;
      int t = (int) (i % n);
      out[(int) (LayoutTwin.offsetOf(outLines, line) + t * outStride)] = index[(int) (line * padded + t)];
    }
  }

  private static void compareExchange(double[] value, int[] index, int start, int p, int k, int j, int n, boolean descending) {
    int q = p ^ j;
    if (q <= p) return;
    int a = start + p, b = start + q;
    boolean up = (p & k) == 0;
    boolean swap = up ? before(value[b], index[b], value[a], index[a], n, descending) : before(value[a], index[a], value[b], index[b], n, descending);
    if (swap) {
      double v = value[a];
      value[a] = value[b];
      value[b] = v;
      int i = index[a];
      index[a] = index[b];
      index[b] = i;
    }
  }

  /** sort_lines: every line into shared arrays, the network's compare-and-swaps stage by stage, the indices out. */
  private static void twin(Tensor x, int dim, boolean descending, long[] out) {
    HostStorage in = (HostStorage) x.storage();
    byte[] inLines = SortLaunch.inputLines(x, dim), outLines = SortLaunch.outputLines(x, dim);
    int n = x.size(dim), padded = SortLaunch.padded(n);
    long inStride = x.stride(dim), outStride = SortLaunch.outputStride(x, dim);
    for (long line = 0; line < SortLaunch.lines(x, dim); line++) {
      long base = LayoutTwin.offsetOf(inLines, line);
      double[] value = new double[padded];
      int[] index = new int[padded];
      for (int t = 0; t < padded; t++) {
        value[t] = t < n ? in.getDouble((int) (base + t * inStride)) : 0;
        index[t] = t;
      }
      for (int k = 2; k <= padded; k <<= 1)
        for (int j = k >> 1; j > 0; j >>= 1)
          for (int p = 0; p < padded; p++) compareExchange(value, index, 0, p, k, j, n, descending);
      long at = LayoutTwin.offsetOf(outLines, line);
      for (int t = 0; t < n; t++) out[(int) (at + t * outStride)] = index[t];
    }
  }

  private static boolean before(double v, int i, double w, int j, int n, boolean descending) {
    if (i >= n || j >= n) return i < j;
    boolean vn = Double.isNaN(v), wn = Double.isNaN(w);
    int c = vn || wn ? (vn == wn ? 0 : vn ? 1 : -1) : (v < w ? -1 : v > w ? 1 : 0);
    if (descending) c = -c;
    return c != 0 ? c < 0 : i < j;
  }

  @Test
  void linesArePaddedToAPowerOfTwoAndLongOnesSortInGlobalMemory() {
    assertEquals(1, SortLaunch.padded(1));
    assertEquals(2, SortLaunch.padded(2));
    assertEquals(4, SortLaunch.padded(3));
    assertEquals(2048, SortLaunch.padded(2048));
    HostStorage s = HostStorage.allocate(DType.F32, Device.CPU, 2049);
    assertTrue(SortLaunch.supports(Tensor.contiguousView(s, 2049), 0) && !SortLaunch.inShared(2049));
    assertTrue(SortLaunch.supports(Tensor.contiguousView(s, 3, 683), 1) && SortLaunch.inShared(683));
    // padded lines past one buffer of 2^31 - 1 elements go through the host
    Tensor one = Tensor.contiguousView(HostStorage.allocate(DType.F32, Device.CPU, 1), 1);
    assertTrue(SortLaunch.supports(Tensor.view(one.storage(), new int[] {1, (1 << 29) + 1}, new int[] {0, 0}, 0), 1));
    assertFalse(SortLaunch.supports(Tensor.view(one.storage(), new int[] {3, (1 << 29) + 1}, new int[] {0, 0}, 0), 1));
    // the stages of a network of 8: (2,1) (4,2) (4,1) (8,4) (8,2) (8,1); m(m + 1)/2 of them for 2^m
    assertEquals("[[2, 1], [4, 2], [4, 1], [8, 4], [8, 2], [8, 1]]", SortLaunch.stages(8).stream().map(java.util.Arrays::toString).toList().toString());
    assertEquals(12 * 13 / 2, SortLaunch.stages(4096).size());
    assertFalse(SortLaunch.supports(Tensor.contiguousView(HostStorage.allocate(DType.BF16, Device.CPU, 4), 4), 0));
    assertEquals(new Launch(5, 32), SortLaunch.launch(5, 3, 132));
    assertEquals(new Launch(132 * Launch.BLOCKS_PER_SM, 1024), SortLaunch.launch(1_000_000, 2000, 132));
    String source = CudaSources.read("sort.cu");
    assertTrue(source.contains("#define MAX_SORT " + SortLaunch.MAX_SORT));
    assertTrue(source.contains("SORTABLE(SORT_KERNEL)") && source.contains("SORTABLE(LONG_SORT_KERNELS)") && source.contains("void sort_store("));
    for (DType t : new DType[] {DType.F32, DType.F64, DType.I64, DType.I32}) {
      String c = switch (t) {
        case F32 -> "float";
        case F64 -> "double";
        case I64 -> "long long";
        default -> "int";
      };
      String suffix = KernelNames.sort(t).substring("sort_".length());
      assertTrue(source.contains("X(" + c + ", " + suffix + ")"), t.name());
      assertEquals("sort_load_" + suffix, KernelNames.longSort(false, t));
      assertEquals("sort_merge_" + suffix, KernelNames.longSort(true, t));
    }
  }
}
