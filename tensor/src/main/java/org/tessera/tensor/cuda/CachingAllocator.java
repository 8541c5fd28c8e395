package org.tessera.tensor.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory for tensors, cached by size class the way PyTorch's CUDA allocator does it: a training step frees
 * and reallocates the same activation sizes every iteration, and cuMemAlloc/cuMemFree synchronise the device, so
 * freed blocks go to a bin of their size class and the next request of that class takes one back. Requests round
 * up to 512 bytes below 1 MiB and to 2 MiB above, so that near sizes share a class. When the device is full the
 * cache is released and the request retried once; if it still fails, the error says what was asked and what is in use.
 *
 * <p>Blocks are used on the device's one stream, so a block freed while kernels that read it are still queued can be
 * handed out again at once: any later use is queued behind them.
 */
final class CachingAllocator<P> {
  static final long SMALL_ROUNDING = 512, LARGE_ROUNDING = 2L << 20, SMALL_LIMIT = 1L << 20;

  /** A piece of device memory of a size class. */
  record Block<P>(P memory, long size) {}

  /** Counters in bytes and events, as torch.cuda.memory_stats gives them. */
  record Stats(long allocatedBytes, long reservedBytes, long peakAllocatedBytes, long requests, long cacheHits, long deviceAllocations) {}

  private final DeviceMemory<P> memory;
  private final String deviceName;
  private final Map<Long, ArrayDeque<Block<P>>> freeBySize = new HashMap<>();
  private long allocated, reserved, peak, requests, cacheHits, deviceAllocations;

  CachingAllocator(DeviceMemory<P> memory, String deviceName) {
    this.memory = memory;
    this.deviceName = deviceName;
  }

  static long sizeClass(long bytes) {
    if (bytes <= 0) return SMALL_ROUNDING;
    long rounding = bytes < SMALL_LIMIT ? SMALL_ROUNDING : LARGE_ROUNDING;
    return (bytes + rounding - 1) / rounding * rounding;
  }

  synchronized Block<P> allocate(long bytes) {
    long size = sizeClass(bytes);
    requests++;
    ArrayDeque<Block<P>> bin = freeBySize.get(size);
    Block<P> block = bin == null ? null : bin.poll();
    if (block != null) {
      cacheHits++;
    } else {
      P fresh = memory.allocate(size);
      if (fresh == null) {
        releaseCache();
        fresh = memory.allocate(size);
      }
      if (fresh == null)
        throw new CudaOutOfMemoryError(String.format("CUDA out of memory on %s: tried to allocate %s; %s in use by tensors, %s total on the device",
            deviceName, mib(size), mib(allocated), mib(memory.totalBytes())));
      block = new Block<>(fresh, size);
      reserved += size;
      deviceAllocations++;
    }
    allocated += size;
    peak = Math.max(peak, allocated);
    return block;
  }

  /** Returns a block to its bin; it stays reserved on the device until {@link #releaseCache}. */
  synchronized void free(Block<P> block) {
    allocated -= block.size();
    freeBySize.computeIfAbsent(block.size(), s -> new ArrayDeque<>()).push(block);
  }

  /** Gives every cached block back to the device (torch.cuda.empty_cache). */
  synchronized void releaseCache() {
    for (ArrayDeque<Block<P>> bin : freeBySize.values())
      for (Block<P> b : bin) {
        memory.free(b.memory());
        reserved -= b.size();
      }
    freeBySize.clear();
  }

  synchronized Stats stats() {
    return new Stats(allocated, reserved, peak, requests, cacheHits, deviceAllocations);
  }

  private static String mib(long bytes) {
    return String.format("%.2f MiB", bytes / (double) (1 << 20));
  }
}
