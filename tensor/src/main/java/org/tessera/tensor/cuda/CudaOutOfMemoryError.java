package org.tessera.tensor.cuda;

/** A device allocation failed even after the allocator released every cached block. */
public final class CudaOutOfMemoryError extends RuntimeException {
  CudaOutOfMemoryError(String message) {
    super(message);
  }
}
