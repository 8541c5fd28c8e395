package org.tessera.tensor;

/** The autograd node that produced a tensor: implemented by the {@code autograd} module. */
public interface GradFn {
  /** The op's name, for error messages and graph printing. */
  String name();
}
