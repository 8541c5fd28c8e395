package org.tessera.tensor;

/** The modes of torch.nn.functional.pad. */
public enum PadMode { CONSTANT, REFLECT, REPLICATE, CIRCULAR }
