package org.tessera.tensor;

/** Reductions over a set of dims. MAX and MIN propagate NaN, as torch's amax/amin do. */
public enum ReduceOp {
  SUM, MAX, MIN;

  public double identity() {
    return switch (this) {
      case SUM -> 0;
      case MAX -> Double.NEGATIVE_INFINITY;
      case MIN -> Double.POSITIVE_INFINITY;
    };
  }

  public double combine(double acc, double x) {
    return switch (this) {
      case SUM -> acc + x;
      case MAX -> Double.isNaN(acc) || x > acc || Double.isNaN(x) ? (Double.isNaN(acc) ? acc : x) : acc;
      case MIN -> Double.isNaN(acc) || x < acc || Double.isNaN(x) ? (Double.isNaN(acc) ? acc : x) : acc;
    };
  }

  /** The result dtype: sums of integers and bools are I64, as in torch. */
  public DType resultType(DType in) {
    if (in.floating || this == MAX || this == MIN) return in;
    return DType.I64;
  }
}
