package org.tessera.nn;

import org.tessera.autograd.GradMode;
import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/**
 * torch.nn.Linear: y = x·Wᵀ + b, weight (out, in); PyTorch's default initialisation. {@link #enableLora} turns it into
 * PEFT's LoRA layer in place: the weights move under {@code base_layer.*} (frozen) and {@code lora_A.default.weight}
 * (r, in; kaiming uniform) and {@code lora_B.default.weight} (out, r; zeros) are added, y = Wx + b + (α/r)·B·A·dropout(x).
 */
public final class Linear extends Module implements Layer {
  public final Tensor weight, bias;
  private final int in, out;
  private Linear loraA, loraB;
  private Dropout loraDropout;
  private double scaling;
  private boolean merged;

  public Linear(int in, int out, boolean bias) {
    this.in = in;
    this.out = out;
    this.weight = parameter("weight", Tensor.zeros(DType.F32, Tensor.defaultDevice(), out, in));
    this.bias = bias ? parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), out)) : null;
    Init.kaimingUniform(weight, Math.sqrt(5), true, Rng.generator());
    if (bias) Init.uniform(this.bias, -1 / Math.sqrt(in), 1 / Math.sqrt(in), Rng.generator());
  }

  /** Adds a rank-r LoRA adapter with scaling α/r and input dropout; the base weights are frozen. */
  public void enableLora(int r, double alpha, double dropout) {
    if (loraA != null) throw new IllegalStateException("LoRA is already enabled on this layer");
    unregisterParameter("weight");
    if (bias != null) unregisterParameter("bias");
    register("base_layer", new Base(weight, bias)).requiresGrad(false);
    loraA = register("lora_A", new Named(new Linear(in, r, false))).linear;
    loraB = register("lora_B", new Named(new Linear(r, out, false))).linear;
    Init.constant(loraB.weight, 0);
    loraDropout = register("lora_dropout", new Dropout(dropout));
    scaling = alpha / r;
  }

  /** Folds the adapter into the base weight (W ← W + (α/r)·B·A) for inference; {@link #unmerge} undoes it. */
  public void merge() {
    if (loraA == null || merged) return;
    try (var scope = GradMode.noGrad()) {
      weight.copy_(weight.add(loraB.weight.matmul(loraA.weight).mul(scaling)));
    }
    merged = true;
  }

  public void unmerge() {
    if (loraA == null || !merged) return;
    try (var scope = GradMode.noGrad()) {
      weight.copy_(weight.sub(loraB.weight.matmul(loraA.weight).mul(scaling)));
    }
    merged = false;
  }

  @Override public Tensor forward(Tensor x) {
    Tensor y = x.linear(weight, bias);
    if (loraA == null || merged) return y;
    return y.add(loraB.forward(loraA.forward(loraDropout.forward(x))).mul(scaling));
  }

  /** The re-homed base weights (PEFT's base_layer). */
  private static final class Base extends Module {
    Base(Tensor weight, Tensor bias) {
      parameter("weight", weight);
      if (bias != null) parameter("bias", bias);
    }
  }

  /** PEFT's ModuleDict of adapters, holding the one named "default". */
  private static final class Named extends Module {
    final Linear linear;

    Named(Linear linear) {
      this.linear = register("default", linear);
    }
  }
}
