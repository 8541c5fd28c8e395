package org.tessera.tensor.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.SoftReference;

/**
 * A float array per thread, reused from call to call: a kernel that needs megabytes of working space for every call
 * would otherwise pay the zeroing and page faults of a fresh array each time. The array is soft-referenced, so the
 * collector may take it back under memory pressure. Its contents are whatever the last user left: callers overwrite
 * every element they read.
 */
final class ThreadScratch {
  /**
   * The index of the first float that starts a 64-byte cache line in an array from {@link #lineAligned}, or 0 where
   * that cannot be known. Java aligns arrays to 8 bytes only, but G1 gives an array of half a region or more regions
   * of its own, so its header (16 bytes, with the default compressed class pointers) starts a region. A 16-float
   * vector read from float 12 of such an array, or from a multiple of 16 floats after it, lies on one cache line;
   * from float 0 it straddles two. The 12×32 GEMM tile on B panels read from float 12 against float 0, in L1: 235
   * against 219 GFLOP/s on one thread; the patch embedding's three products 4 % faster.
   */
  static final int LINE;
  // an array of at least this many floats is humongous (allocated in regions of its own); 0: not G1, or not known
  private static final int HUMONGOUS;
  // the most a scratch array is lengthened to become humongous: half of an 8 MB region
  private static final int MAX_PADDED = (4 << 20) / Float.BYTES;

  static {
    int line = 0, humongous = 0;
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      boolean g1 = Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue());
      boolean sixteenByteHeader = Boolean.parseBoolean(vm.getVMOption("UseCompressedClassPointers").getValue())
          && !Boolean.parseBoolean(vm.getVMOption("UseCompactObjectHeaders").getValue());
      if (g1 && sixteenByteHeader) {
        humongous = (int) (Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue()) / 2 / Float.BYTES);
        line = 12;
      }
    } catch (RuntimeException | LinkageError e) {
      // another JVM: alignment unknown, arrays as they come
    }
    LINE = line;
    HUMONGOUS = humongous;
  }

  private final ThreadLocal<SoftReference<float[]>> cached = new ThreadLocal<>();

  /** This thread's array, at least {@code length} long. */
  float[] get(int length) {
    SoftReference<float[]> ref = cached.get();
    float[] array = ref == null ? null : ref.get();
    if (array == null || array.length < length) {
      array = new float[length];
      cached.set(new SoftReference<>(array));
    }
    return array;
  }

  /**
   * This thread's array, at least {@link #LINE} + {@code length} long and large enough that its float {@link #LINE}
   * starts a cache line: half a region at least, where regions are up to 8 MB (1 MB with our JVM options). With larger
   * regions (G1's own choice for heaps of 32 GB and more) only arrays that long by themselves are aligned, rather than
   * every scratch array taking 8 MB or more per thread.
   */
  float[] lineAligned(int length) {
    return get(Math.max(LINE + length, HUMONGOUS <= MAX_PADDED ? HUMONGOUS : 0));
  }
}
