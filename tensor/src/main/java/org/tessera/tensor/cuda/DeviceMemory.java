package org.tessera.tensor.cuda;

/** Raw device memory as the caching allocator sees it, with handles of type P: the CUDA driver implements it, tests fake it. */
interface DeviceMemory<P> {
  /** {@code bytes} of new device memory, or null when the device has no room for them. */
  P allocate(long bytes);

  void free(P memory);

  /** The device's total memory in bytes, for error messages. */
  long totalBytes();
}
