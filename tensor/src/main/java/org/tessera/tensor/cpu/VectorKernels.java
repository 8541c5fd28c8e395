package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.UnaryOp;

/**
 * Vector-API loops over contiguous F32 runs: a main loop to {@code F.loopBound(n)} and a scalar tail through the
 * op's definition ({@link UnaryOp#apply}, {@link BinaryOp#apply}), which the vector forms must agree with.
 */
final class VectorKernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private VectorKernels() {}

  /** Whether {@link #unary} has a vector form of op; the others run the scalar definition. */
  static boolean vectorizes(UnaryOp op) {
    return switch (op) {
      case NEG, ABS, EXP, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, SQUARE, SIN, COS, TANH, SIGMOID, RELU, LEAKY_RELU, SILU,
          GELU, GELU_TANH, ERF, CLAMP, AFFINE -> true;
      case SIGN, POW, RPOW, FLOOR, ROUND -> false;
    };
  }

  static void unary(UnaryOp op, float a, float b, float[] x, int xo, float[] y, int yo, int n) {
    int i = 0;
    if (vectorizes(op)) {
      for (int bound = F.loopBound(n); i < bound; i += F.length()) {
        FloatVector v = FloatVector.fromArray(F, x, xo + i);
        apply(op, v, a, b).intoArray(y, yo + i);
      }
    }
    for (; i < n; i++) y[yo + i] = (float) op.apply(x[xo + i], a, b);
  }

  private static FloatVector apply(UnaryOp op, FloatVector v, float a, float b) {
    return switch (op) {
      case NEG -> v.neg();
      case ABS -> v.abs();
      case EXP -> v.lanewise(VectorOperators.EXP);
      case LOG -> v.lanewise(VectorOperators.LOG);
      case LOG1P -> v.lanewise(VectorOperators.LOG1P);
      case SQRT -> v.sqrt();
      case RSQRT -> v.broadcast(1f).div(v.sqrt());
      case RECIPROCAL -> v.broadcast(1f).div(v);
      case SQUARE -> v.mul(v);
      case SIN -> v.lanewise(VectorOperators.SIN);
      case COS -> v.lanewise(VectorOperators.COS);
      case TANH -> v.lanewise(VectorOperators.TANH);
      case SIGMOID -> sigmoid(v);
      // NOTE: max(v, 0) would turn NaN into 0; blend keeps NaN as the scalar definition does
      case RELU -> v.blend(0f, v.compare(VectorOperators.LE, 0f));
      case LEAKY_RELU -> v.blend(v.mul(a), v.compare(VectorOperators.LE, 0f));
      case SILU -> v.mul(sigmoid(v));
      case GELU_TANH -> {
        FloatVector inner = v.mul(v).mul(0.044715f).add(1f).mul(v).mul((float) Math.sqrt(2 / Math.PI));
        yield inner.lanewise(VectorOperators.TANH).add(1f).mul(v).mul(0.5f);
      }
      case CLAMP -> {
        FloatVector r = Float.isNaN(a) ? v : v.blend(a, v.compare(VectorOperators.LT, a));
        yield Float.isNaN(b) ? r : r.blend(b, r.compare(VectorOperators.GT, b));
      }
      case AFFINE -> v.fma(a, b);
      case ERF -> erf(v);
      case GELU -> erf(v.mul((float) Math.sqrt(0.5))).add(1f).mul(v).mul(0.5f);
      case SIGN, POW, RPOW, FLOOR, ROUND -> throw new AssertionError(op + " has no vector form");
    };
  }

  /**
   * erf in F32 from the Chebyshev fit of erfc in Numerical Recipes (fractional error below 1.2e-7 in erfc, so an
   * absolute error below 1.2e-7 in erf): erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2).
   */
  private static FloatVector erf(FloatVector v) {
    FloatVector z = v.abs();
    FloatVector t = z.broadcast(1f).div(z.mul(0.5f).add(1f));
    FloatVector p = t.mul(0.17087277f).add(-0.82215223f);
    p = p.mul(t).add(1.48851587f);
    p = p.mul(t).add(-1.13520398f);
    p = p.mul(t).add(0.27886807f);
    p = p.mul(t).add(-0.18628806f);
    p = p.mul(t).add(0.09678418f);
    p = p.mul(t).add(0.37409196f);
    p = p.mul(t).add(1.00002368f);
    p = p.mul(t).add(-1.26551223f);
    FloatVector erfc = t.mul(p.sub(z.mul(z)).lanewise(VectorOperators.EXP));
    FloatVector erf = erfc.neg().add(1f);
    return erf.blend(erf.neg(), v.compare(VectorOperators.LT, 0f));
  }

  /** 1 / (1 + exp(-x)), saturating correctly at both ends. */
  private static FloatVector sigmoid(FloatVector v) {
    return v.broadcast(1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
  }

  static boolean vectorizes(BinaryOp op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV -> true;
      default -> false;
    };
  }

  /** y = op(x1, x2) over n elements where each operand steps by 1 or 0 (a broadcast scalar). */
  static void binary(BinaryOp op, float[] x1, int o1, int s1, float[] x2, int o2, int s2, float[] y, int yo, int n) {
    int i = 0;
    if (vectorizes(op)) {
      for (int bound = F.loopBound(n); i < bound; i += F.length()) {
        FloatVector a = s1 == 0 ? FloatVector.broadcast(F, x1[o1]) : FloatVector.fromArray(F, x1, o1 + i);
        FloatVector b = s2 == 0 ? FloatVector.broadcast(F, x2[o2]) : FloatVector.fromArray(F, x2, o2 + i);
        FloatVector r = switch (op) {
          case ADD -> a.add(b);
          case SUB -> a.sub(b);
          case MUL -> a.mul(b);
          case DIV -> a.div(b);
          default -> throw new AssertionError(op + " has no vector form");
        };
        r.intoArray(y, yo + i);
      }
    }
    for (; i < n; i++) y[yo + i] = (float) op.apply(x1[o1 + i * s1], x2[o2 + i * s2]);
  }

  private static final int SUM_BLOCK = 1024;

  /** The sum of n contiguous floats: F32 vector lanes within blocks of 1024, the block sums in F64. */
  static double sum(float[] x, int xo, int n) {
    double total = 0;
    for (int start = 0; start < n; start += SUM_BLOCK) {
      int len = Math.min(SUM_BLOCK, n - start), i = 0;
      FloatVector acc = FloatVector.zero(F);
      for (int bound = F.loopBound(len); i < bound; i += F.length()) acc = acc.add(FloatVector.fromArray(F, x, xo + start + i));
      float s = acc.reduceLanes(VectorOperators.ADD);
      for (; i < len; i++) s += x[xo + start + i];
      total += s;
    }
    return total;
  }

  /** dst[0..inner) = op over r < rows of src[r·inner .. r·inner + inner): a reduction of whole rows. */
  static void reduceRows(org.tessera.tensor.ReduceOp op, float[] src, int at, int rows, int inner, float[] dst, int to) {
    System.arraycopy(src, at, dst, to, inner);
    VectorOperators.Binary combine = switch (op) {
      case SUM -> VectorOperators.ADD;
      case MAX -> VectorOperators.MAX;
      case MIN -> VectorOperators.MIN;
    };
    for (int r = 1; r < rows; r++) {
      int row = at + r * inner, i = 0;
      for (int bound = F.loopBound(inner); i < bound; i += F.length())
        FloatVector.fromArray(F, dst, to + i).lanewise(combine, FloatVector.fromArray(F, src, row + i)).intoArray(dst, to + i);
      for (; i < inner; i++) dst[to + i] = (float) op.combine(dst[to + i], src[row + i]);
    }
  }

  /** y[0..n) += x[0..n). */
  static void addInto(float[] x, int xo, float[] y, int yo, int n) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += F.length())
      FloatVector.fromArray(F, y, yo + i).add(FloatVector.fromArray(F, x, xo + i)).intoArray(y, yo + i);
    for (; i < n; i++) y[yo + i] += x[xo + i];
  }
}
