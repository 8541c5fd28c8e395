package org.tessera.nn;

import org.tessera.autograd.GradMode;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/** torch.nn.init: fills a parameter in place (under no-grad) from a generator. */
public final class Init {
  private Init() {}

  /** fan_in and fan_out as torch computes them: dims 1 and 0 times the receptive field (the dims after them). */
  public static int[] fans(Tensor w) {
    if (w.dim() < 2) throw new IllegalArgumentException("fan in and fan out need at least 2 dims, got shape " + Shapes.str(w.shape()));
    int receptive = w.numel() / (w.size(0) * w.size(1));
    return new int[] {w.size(1) * receptive, w.size(0) * receptive};
  }

  public static Tensor uniform(Tensor t, double low, double high, Generator gen) {
    return fill(t, Tensor.rand(gen, t.shape()).mul(high - low).add(low));
  }

  public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
    return fill(t, Tensor.randn(gen, t.shape()).mul(std).add(mean));
  }

  /** Normal values redrawn until inside [a, b] (timm's trunc_normal_, by inverse CDF as torch does). */
  public static Tensor truncNormal(Tensor t, double mean, double std, double a, double b, Generator gen) {
    double lo = normCdf((a - mean) / std), hi = normCdf((b - mean) / std);
    double[] v = new double[t.numel()];
    for (int i = 0; i < v.length; i++) {
      double u = 2 * (lo + (hi - lo) * gen.nextDouble()) - 1;
      v[i] = Math.clamp(mean + std * Math.sqrt(2) * inverseErf(u), a, b);
    }
    return fill(t, Tensor.of(v, t.shape()));
  }

  /** Kaiming (He) uniform: bound gain·√(3 / fan), gain = √(2 / (1 + a²)) for leaky ReLU slope a. */
  public static Tensor kaimingUniform(Tensor t, double a, boolean fanIn, Generator gen) {
    int fan = fans(t)[fanIn ? 0 : 1];
    double bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3.0 / fan);
    return uniform(t, -bound, bound, gen);
  }

  public static Tensor kaimingNormal(Tensor t, double a, boolean fanIn, Generator gen) {
    int fan = fans(t)[fanIn ? 0 : 1];
    return normal(t, 0, Math.sqrt(2 / (1 + a * a)) / Math.sqrt(fan), gen);
  }

  public static Tensor xavierUniform(Tensor t, double gain, Generator gen) {
    int[] f = fans(t);
    double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
    return uniform(t, -bound, bound, gen);
  }

  public static Tensor constant(Tensor t, double value) {
    return fill(t, Tensor.full(value, t.shape()));
  }

  private static Tensor fill(Tensor t, Tensor values) {
    try (var scope = GradMode.noGrad()) {
      return t.copy_(values.to(t.device()));
    }
  }

  private static double normCdf(double x) {
    return 0.5 * (1 + org.tessera.tensor.UnaryOp.erf(x / Math.sqrt(2)));
  }

  private static double inverseErf(double x) {
    return org.apache.commons.math3.special.Erf.erfInv(x);
  }
}
