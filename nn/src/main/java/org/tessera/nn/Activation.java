package org.tessera.nn;

import java.util.function.UnaryOperator;
import org.tessera.tensor.Tensor;

/** Parameter-free activations as modules: {@code Activation.gelu()}, {@code relu()}, {@code silu()}, … */
public final class Activation extends Module implements Layer {
  private final String name;
  private final UnaryOperator<Tensor> f;

  private Activation(String name, UnaryOperator<Tensor> f) {
    this.name = name;
    this.f = f;
  }

  /** nn.GELU() (erf form). */
  public static Activation gelu() { return new Activation("GELU", Tensor::gelu); }

  /** nn.GELU(approximate='tanh'). */
  public static Activation geluTanh() { return new Activation("GELU(tanh)", Tensor::geluTanh); }

  public static Activation relu() { return new Activation("ReLU", Tensor::relu); }

  public static Activation silu() { return new Activation("SiLU", Tensor::silu); }

  public static Activation sigmoid() { return new Activation("Sigmoid", Tensor::sigmoid); }

  @Override public Tensor forward(Tensor x) {
    return f.apply(x);
  }

  @Override public String toString() {
    return name;
  }
}
