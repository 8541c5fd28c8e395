package org.tessera.autograd.spec;

import java.util.function.Function;
import org.tessera.tensor.Tensor;

/**
 * One generated input: contiguous F64 leaves and the function under test, which may take views of them
 * (transposed, strided, broadcast) before calling the op. {@code description} says which, for failure messages.
 */
public record Case(String description, Tensor[] inputs, Function<Tensor[], Tensor> f) {}
