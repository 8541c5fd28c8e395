package org.tessera.tensor.cuda;

import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Storage;

/**
 * Elements in device memory. The block goes back to the allocator's cache when the storage becomes unreachable
 * (a Cleaner: Java has no destructors) or when {@link #close} is called, whichever comes first.
 */
final class CudaStorage implements Storage, AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  private final DType dtype;
  private final Device device;
  private final int length;
  private final CUdeviceptr pointer;
  private final Cleaner.Cleanable release;
  private int version;

  CudaStorage(DType dtype, Device device, int length, CachingAllocator<CUdeviceptr> allocator) {
    this.dtype = dtype;
    this.device = device;
    this.length = length;
    CachingAllocator.Block<CUdeviceptr> block = allocator.allocate((long) length * dtype.byteSize);
    this.pointer = block.memory();
    // the action must not refer to this storage, or it would keep it reachable forever
    this.release = CLEANER.register(this, () -> allocator.free(block));
  }

  /** The address of element {@code index}. */
  CUdeviceptr at(long index) {
    return index == 0 ? pointer : pointer.withByteOffset(index * dtype.byteSize);
  }

  long bytes() {
    return (long) length * dtype.byteSize;
  }

  @Override public DType dtype() { return dtype; }
  @Override public int length() { return length; }
  @Override public Device device() { return device; }
  @Override public int version() { return version; }
  @Override public void bumpVersion() { version++; }

  @Override public void close() {
    release.clean();
  }
}
