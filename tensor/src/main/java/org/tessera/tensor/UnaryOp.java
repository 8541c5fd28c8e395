package org.tessera.tensor;

/**
 * Elementwise functions of one argument with up to two scalar parameters {@code a, b}. {@link #apply} is the
 * definition every backend is tested against; fast backends may vectorise but must agree with it.
 */
public enum UnaryOp {
  NEG, ABS, SIGN, EXP, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, SQUARE, SIN, COS, TANH, SIGMOID, RELU,
  /** a = negative slope */
  LEAKY_RELU,
  GELU, GELU_TANH, SILU, ERF,
  /** the derivatives of GELU (erf form) and SiLU: their backward in one pass instead of a chain of elementwise ops */
  GELU_GRAD, SILU_GRAD,
  /** no gradient (zero almost everywhere) */
  FLOOR,
  /** round half to even, as torch.round; no gradient */
  ROUND,
  /** x^a */
  POW,
  /** a^x */
  RPOW,
  /** min(max(x, a), b); NaN bounds mean "no bound" */
  CLAMP,
  /** x * a + b */
  AFFINE;

  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  public double apply(double x, double a, double b) {
    return switch (this) {
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SIGN -> Math.signum(x);
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case LOG1P -> Math.log1p(x);
      case SQRT -> Math.sqrt(x);
      case RSQRT -> 1 / Math.sqrt(x);
      case RECIPROCAL -> 1 / x;
      case SQUARE -> x * x;
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0);
      case LEAKY_RELU -> x > 0 ? x : x * a;
      case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
      case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
      case SILU -> x * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
      case ERF -> erf(x);
      case GELU_GRAD -> 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      case SILU_GRAD -> {
        double s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
        yield s * (1 + x * (1 - s));
      }
      case FLOOR -> Math.floor(x);
      case ROUND -> Math.rint(x);
      case POW -> Math.pow(x, a);
      case RPOW -> Math.pow(a, x);
      case CLAMP -> {
        double y = Double.isNaN(a) ? x : Math.max(x, a);
        yield Double.isNaN(b) ? y : Math.min(y, b);
      }
      case AFFINE -> x * a + b;
    };
  }

  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  /**
   * erf to double precision (about 1e-15 relative): the Maclaurin series below |x| = 2.5, beyond it 1 − erfc from
   * erfc's continued fraction (evaluated by Lentz's method).
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double a = Math.abs(x);
    if (a > 6) return Math.signum(x);
    if (a <= 2.5) {
      double x2 = x * x, term = x, sum = x;
      for (int n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
        term *= -x2 / n;
        sum += term / (2 * n + 1);
      }
      return TWO_OVER_SQRT_PI * sum;
    }
    // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …)))))
    double tiny = 1e-300, f = a, c = a, d = 0;
    for (int n = 1; n < 200; n++) {
      double an = n / 2.0;
      d = a + an * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = a + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    double erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    return Math.signum(x) * (1 - erfc);
  }
}
