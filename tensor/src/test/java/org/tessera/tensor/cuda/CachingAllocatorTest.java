package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachingAllocatorTest {
  /** A device of a fixed capacity handing out numbered blocks, recording what is live. */
  static final class FakeDevice implements DeviceMemory<Long> {
    final long capacity;
    long used, next = 1;
    final List<Long> freed = new ArrayList<>();
    final java.util.Map<Long, Long> live = new java.util.HashMap<>();

    FakeDevice(long capacity) {
      this.capacity = capacity;
    }

    @Override public Long allocate(long bytes) {
      if (used + bytes > capacity) return null;
      used += bytes;
      live.put(next, bytes);
      return next++;
    }

    @Override public void free(Long memory) {
      used -= live.remove(memory);
      freed.add(memory);
    }

    @Override public long totalBytes() {
      return capacity;
    }
  }

  @Test
  void sizeClassesRoundTo512BytesBelowOneMibAndTo2MibAbove() {
    assertEquals(512, CachingAllocator.sizeClass(0));
    assertEquals(512, CachingAllocator.sizeClass(1));
    assertEquals(512, CachingAllocator.sizeClass(512));
    assertEquals(1024, CachingAllocator.sizeClass(513));
    assertEquals(1 << 20, CachingAllocator.sizeClass((1 << 20) - 1));
    assertEquals(2 << 20, CachingAllocator.sizeClass(1 << 20));
    assertEquals(4 << 20, CachingAllocator.sizeClass((2 << 20) + 1));
  }

  @Test
  void aFreedBlockIsReusedForTheSameSizeClassWithoutTouchingTheDevice() {
    FakeDevice device = new FakeDevice(1 << 30);
    CachingAllocator<Long> allocator = new CachingAllocator<>(device, "cuda:0");
    var a = allocator.allocate(1000);
    allocator.free(a);
    var b = allocator.allocate(900); // same 1024-byte class
    assertSame(a.memory(), b.memory());
    var c = allocator.allocate(3000); // another class: a new device allocation
    assertEquals(2, device.live.size());
    var s = allocator.stats();
    assertEquals(1024 + 3072, s.allocatedBytes());
    assertEquals(1024 + 3072, s.reservedBytes());
    assertEquals(3, s.requests());
    assertEquals(1, s.cacheHits());
    assertEquals(2, s.deviceAllocations());
    allocator.free(b);
    allocator.free(c);
    assertEquals(0, allocator.stats().allocatedBytes());
    assertEquals(1024 + 3072, allocator.stats().reservedBytes());
    assertEquals(1024 + 3072, allocator.stats().peakAllocatedBytes());
    allocator.releaseCache();
    assertEquals(0, allocator.stats().reservedBytes());
    assertEquals(0, device.used);
  }

  @Test
  void aFullDeviceReleasesTheCacheAndRetriesBeforeItFails() {
    FakeDevice device = new FakeDevice(6L << 20);
    CachingAllocator<Long> allocator = new CachingAllocator<>(device, "cuda:0");
    var small = allocator.allocate(2L << 20);
    allocator.free(small); // cached, still reserved on the device
    var big = allocator.allocate(5L << 20); // 6 MiB class: fits only once the cache is released
    assertEquals(List.of(small.memory()), device.freed);
    assertEquals(6L << 20, big.size());
    var e = assertThrows(CudaOutOfMemoryError.class, () -> allocator.allocate(1L << 20));
    assertEquals("CUDA out of memory on cuda:0: tried to allocate 2.00 MiB; 6.00 MiB in use by tensors, 6.00 MiB total on the device",
        e.getMessage());
  }
}
