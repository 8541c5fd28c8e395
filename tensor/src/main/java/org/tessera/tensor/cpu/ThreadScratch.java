package org.tessera.tensor.cpu;

import java.lang.ref.SoftReference;

/**
 * A float array per thread, reused from call to call: a kernel that needs megabytes of working space for every call
 * would otherwise pay the zeroing and page faults of a fresh array each time. The array is soft-referenced, so the
 * collector may take it back under memory pressure. Its contents are whatever the last user left: callers overwrite
 * every element they read.
 */
final class ThreadScratch {
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
}
