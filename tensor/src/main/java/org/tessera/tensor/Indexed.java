package org.tessera.tensor;

/** Values with their I64 indices along a dim, as torch's max(dim), sort and topk return them. */
public record Indexed(Tensor values, Tensor indices) {}
