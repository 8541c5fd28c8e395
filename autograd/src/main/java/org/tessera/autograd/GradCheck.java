package org.tessera.autograd;

import java.util.function.Function;
import org.tessera.tensor.DType;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * Gradient checks in F64 (torch.autograd.gradcheck's idea): the backward of {@code f} against central differences
 * of {@code sum(f(x) * u)} for a random upstream {@code u}, element by element, or along one random direction for
 * large inputs (⟨v, Jᵀu⟩ against the difference quotient along v).
 */
public final class GradCheck {
  private GradCheck() {}

  /** The worst element of a check: where, what backward gave, what the differences gave. */
  public record Mismatch(int input, int element, double analytic, double numeric, double allowed) {
    @Override public String toString() {
      return "input " + input + " element " + element + ": backward " + analytic + ", central difference " + numeric + " (allowed error " + allowed + ")";
    }
  }

  /**
   * Compares every element of every input's gradient; returns null when all agree within {@code atol + rtol * |numeric|},
   * else the worst mismatch. Inputs must be contiguous F64 tensors; {@code f} may take views of them.
   */
  public static Mismatch elementwise(Function<Tensor[], Tensor> f, Tensor[] inputs, long seed, double eps, double atol, double rtol) {
    Tensor upstream = upstreamFor(f, inputs, seed);
    Tensor[] analytic = analytic(f, inputs, upstream);
    Mismatch worst = null;
    double worstExcess = 0;
    for (int i = 0; i < inputs.length; i++) {
      double[] base = inputs[i].toDoubleArray();
      double[] grad = analytic[i] == null ? new double[base.length] : analytic[i].toDoubleArray();
      for (int j = 0; j < base.length; j++) {
        double numeric = (objective(f, inputs, i, base, j, eps, upstream) - objective(f, inputs, i, base, j, -eps, upstream)) / (2 * eps);
        double allowed = atol + rtol * Math.abs(numeric), excess = Math.abs(grad[j] - numeric) - allowed;
        if (!(excess <= worstExcess)) {
          worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
          worst = new Mismatch(i, j, grad[j], numeric, allowed);
        }
      }
    }
    return worst;
  }

  /** One random direction v over all inputs: ⟨v, Jᵀu⟩ against (g(x + εv) − g(x − εv)) / 2ε; null when they agree. */
  public static Mismatch directional(Function<Tensor[], Tensor> f, Tensor[] inputs, long seed, double eps, double atol, double rtol) {
    Tensor upstream = upstreamFor(f, inputs, seed);
    Tensor[] analytic = analytic(f, inputs, upstream);
    Generator gen = new Generator(seed * 31 + 7);
    Tensor[] plus = new Tensor[inputs.length], minus = new Tensor[inputs.length];
    double predicted = 0;
    for (int i = 0; i < inputs.length; i++) {
      Tensor v = Tensor.randn(gen, inputs[i].shape()).to(DType.F64).to(inputs[i].device());
      if (analytic[i] != null) predicted += analytic[i].mul(v).sum().item();
      plus[i] = inputs[i].add(v.mul(eps));
      minus[i] = inputs[i].add(v.mul(-eps));
    }
    double numeric = (evaluate(f, plus, upstream) - evaluate(f, minus, upstream)) / (2 * eps);
    double allowed = atol + rtol * Math.abs(numeric);
    return Math.abs(predicted - numeric) <= allowed ? null : new Mismatch(-1, -1, predicted, numeric, allowed);
  }

  private static Tensor upstreamFor(Function<Tensor[], Tensor> f, Tensor[] inputs, long seed) {
    for (Tensor t : inputs)
      if (t.dtype() != DType.F64 || !t.isContiguous() || t.offset() != 0)
        throw new IllegalArgumentException("gradient checks need contiguous F64 inputs, got " + t.dtype() + " " + Shapes.str(t.shape()));
    Tensor out;
    try (var scope = GradMode.noGrad()) {
      out = f.apply(inputs);
    }
    return Tensor.randn(new Generator(seed), out.shape()).to(DType.F64).to(out.device());
  }

  private static Tensor[] analytic(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor upstream) {
    Tensor[] leaves = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) leaves[i] = inputs[i].detach().requiresGrad(true);
    f.apply(leaves).backward(upstream);
    Tensor[] grads = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) grads[i] = leaves[i].grad();
    return grads;
  }

  private static double objective(Function<Tensor[], Tensor> f, Tensor[] inputs, int which, double[] base, int element, double delta, Tensor upstream) {
    double[] moved = base.clone();
    moved[element] += delta;
    Tensor[] args = inputs.clone();
    args[which] = Tensor.of(moved, inputs[which].shape()).to(inputs[which].device());
    return evaluate(f, args, upstream);
  }

  private static double evaluate(Function<Tensor[], Tensor> f, Tensor[] args, Tensor upstream) {
    try (var scope = GradMode.noGrad()) {
      return f.apply(args).to(DType.F64).mul(upstream).sum().item();
    }
  }
}
