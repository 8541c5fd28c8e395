package org.tessera.tensor;

/**
 * A flat buffer of elements of one dtype on one device. Tensors are views into a storage (shape, strides, offset).
 * The version counter counts in-place writes, so autograd can tell when a tensor it saved was modified.
 */
public interface Storage {
  DType dtype();

  int length();

  Device device();

  int version();

  void bumpVersion();
}
