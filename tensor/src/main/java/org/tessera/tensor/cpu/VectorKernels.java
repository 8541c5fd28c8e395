package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.UnaryOp;

/**
 * Vector-API loops over contiguous F32 runs: a main loop to {@code F.loopBound(n)} and a scalar tail through the
 * op's definition ({@link UnaryOp#apply}, {@link BinaryOp#apply}), which the vector forms must agree with.
 */
final class VectorKernels {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  private VectorKernels() {}

  /** Whether {@link #unary} has a vector form of op; the others run the scalar definition. */
  static boolean vectorizes(UnaryOp op) {
    return switch (op) {
      case NEG, ABS, EXP, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, SQUARE, SIN, COS, TANH, SIGMOID, RELU, LEAKY_RELU, SILU,
          GELU, GELU_TANH, ERF, GELU_GRAD, SILU_GRAD, CLAMP, AFFINE -> true;
      case SIGN, POW, RPOW, FLOOR, ROUND -> false;
    };
  }

  static void unary(UnaryOp op, float a, float b, float[] x, int xo, float[] y, int yo, int n) {
    int i = vectorizes(op) ? vectorPart(op, a, b, x, xo, y, yo, F.loopBound(n)) : 0;
    for (; i < n; i++) y[yo + i] = (float) op.apply(x[xo + i], a, b);
  }

  /**
   * The vector part of {@link #unary} up to {@code bound}, a multiple of the vector length: one small method per op,
   * so that each loop is compiled with its vector calls inlined (in one method with all the loops, C2 ran out of
   * inlining budget: every load went through the Vector API's Java fallback, 8 % of a ViT training step) and no
   * vector crosses a call that is not inlined (it would be boxed).
   */
  private static int vectorPart(UnaryOp op, float a, float b, float[] x, int xo, float[] y, int yo, int bound) {
    switch (op) {
      case NEG -> neg(x, xo, y, yo, bound);
      case ABS -> abs(x, xo, y, yo, bound);
      case EXP -> exp(x, xo, y, yo, bound);
      case LOG -> log(x, xo, y, yo, bound);
      case LOG1P -> log1p(x, xo, y, yo, bound);
      case SQRT -> sqrt(x, xo, y, yo, bound);
      case RSQRT -> rsqrt(x, xo, y, yo, bound);
      case RECIPROCAL -> reciprocal(x, xo, y, yo, bound);
      case SQUARE -> square(x, xo, y, yo, bound);
      case SIN -> sin(x, xo, y, yo, bound);
      case COS -> cos(x, xo, y, yo, bound);
      case TANH -> tanh(x, xo, y, yo, bound);
      case SIGMOID -> sigmoid(x, xo, y, yo, bound);
      case RELU -> relu(x, xo, y, yo, bound);
      case LEAKY_RELU -> leakyRelu(a, x, xo, y, yo, bound);
      case SILU -> silu(x, xo, y, yo, bound);
      case GELU_TANH -> geluTanh(x, xo, y, yo, bound);
      case CLAMP -> clamp(a, b, x, xo, y, yo, bound);
      case AFFINE -> affine(a, b, x, xo, y, yo, bound);
      case ERF -> erf(x, xo, y, yo, bound);
      case GELU -> gelu(x, xo, y, yo, bound);
      case GELU_GRAD -> geluGrad(x, xo, y, yo, bound);
      case SILU_GRAD -> siluGrad(x, xo, y, yo, bound);
      case SIGN, POW, RPOW, FLOOR, ROUND -> throw new AssertionError(op + " has no vector form");
    }
    return bound;
  }

  private static void neg(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).neg().intoArray(y, yo + i);
  }

  private static void abs(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).abs().intoArray(y, yo + i);
  }

  private static void exp(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).lanewise(VectorOperators.EXP).intoArray(y, yo + i);
  }

  private static void log(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).lanewise(VectorOperators.LOG).intoArray(y, yo + i);
  }

  private static void log1p(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).lanewise(VectorOperators.LOG1P).intoArray(y, yo + i);
  }

  private static void sqrt(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).sqrt().intoArray(y, yo + i);
  }

  private static void rsqrt(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) FloatVector.broadcast(F, 1f).div(load(x, xo + i).sqrt()).intoArray(y, yo + i);
  }

  private static void reciprocal(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) FloatVector.broadcast(F, 1f).div(load(x, xo + i)).intoArray(y, yo + i);
  }

  private static void square(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i);
      v.mul(v).intoArray(y, yo + i);
    }
  }

  private static void sin(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).lanewise(VectorOperators.SIN).intoArray(y, yo + i);
  }

  private static void cos(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).lanewise(VectorOperators.COS).intoArray(y, yo + i);
  }

  private static void tanh(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).lanewise(VectorOperators.TANH).intoArray(y, yo + i);
  }

  private static void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) sigmoid(load(x, xo + i)).intoArray(y, yo + i);
  }

  // NOTE: max(v, 0) would turn NaN into 0; blend keeps NaN as the scalar definition does
  private static void relu(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i);
      v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i);
    }
  }

  private static void leakyRelu(float slope, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i);
      v.blend(v.mul(slope), v.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i);
    }
  }

  private static void silu(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i);
      v.mul(sigmoid(v)).intoArray(y, yo + i);
    }
  }

  private static void geluTanh(float[] x, int xo, float[] y, int yo, int n) {
    float sqrt2OverPi = (float) Math.sqrt(2 / Math.PI);
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i), inner = v.mul(v).mul(0.044715f).add(1f).mul(v).mul(sqrt2OverPi);
      inner.lanewise(VectorOperators.TANH).add(1f).mul(v).mul(0.5f).intoArray(y, yo + i);
    }
  }

  private static void clamp(float lo, float hi, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i), r = Float.isNaN(lo) ? v : v.blend(lo, v.compare(VectorOperators.LT, lo));
      (Float.isNaN(hi) ? r : r.blend(hi, r.compare(VectorOperators.GT, hi))).intoArray(y, yo + i);
    }
  }

  private static void affine(float scale, float shift, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) load(x, xo + i).fma(scale, shift).intoArray(y, yo + i);
  }

  private static void erf(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) erf(load(x, xo + i)).intoArray(y, yo + i);
  }

  private static void gelu(float[] x, int xo, float[] y, int yo, int n) {
    float sqrtHalf = (float) Math.sqrt(0.5);
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i);
      erf(v.mul(sqrtHalf)).add(1f).mul(v).mul(0.5f).intoArray(y, yo + i);
    }
  }

  /** Φ(x) + x·φ(x) */
  private static void geluGrad(float[] x, int xo, float[] y, int yo, int n) {
    float sqrtHalf = (float) Math.sqrt(0.5), invSqrt2Pi = (float) (1 / Math.sqrt(2 * Math.PI));
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i), pdf = v.mul(v).mul(-0.5f).lanewise(VectorOperators.EXP).mul(invSqrt2Pi);
      erf(v.mul(sqrtHalf)).add(1f).mul(0.5f).add(v.mul(pdf)).intoArray(y, yo + i);
    }
  }

  /** s·(1 + x·(1 − s)) with s = sigmoid(x) */
  private static void siluGrad(float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = load(x, xo + i), s = sigmoid(v);
      s.mul(v.mul(s.neg().add(1f)).add(1f)).intoArray(y, yo + i);
    }
  }

  private static FloatVector load(float[] x, int at) {
    return FloatVector.fromArray(F, x, at);
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
  // lane i takes lane i + half, for half = L/2, L/4, … 1: the folds of sumLanes
  private static final VectorShuffle<Float>[] FOLDS = folds();

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] folds() {
    VectorShuffle<Float>[] out = new VectorShuffle[Integer.numberOfTrailingZeros(L)];
    for (int k = 0, half = L / 2; half >= 1; k++, half /= 2) {
      int h = half;
      out[k] = VectorShuffle.fromOp(F, i -> (i + h) % L);
    }
    return out;
  }

  /**
   * The sum of a vector's lanes in one fixed order (halves folded onto each other). reduceLanes(ADD) may add in
   * another order once the JIT compiles it than in the interpreter, so results would depend on compile timing.
   */
  static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
    return v.lane(0);
  }

  /** The sum of n contiguous floats: F32 vector lanes within blocks of 1024, the block sums in F64. */
  static double sum(float[] x, int xo, int n) {
    double total = 0;
    for (int start = 0; start < n; start += SUM_BLOCK) {
      int len = Math.min(SUM_BLOCK, n - start), i = 0;
      FloatVector acc = FloatVector.zero(F);
      for (int bound = F.loopBound(len); i < bound; i += F.length()) acc = acc.add(FloatVector.fromArray(F, x, xo + start + i));
      float s = sumLanes(acc);
      for (; i < len; i++) s += x[xo + start + i];
      total += s;
    }
    return total;
  }

  /** op over n contiguous floats: {@link #sum}, or a vector max/min (NaN propagates, as in torch's amax/amin). */
  static double reduce(org.tessera.tensor.ReduceOp op, float[] x, int xo, int n) {
    if (op == org.tessera.tensor.ReduceOp.SUM) return sum(x, xo, n);
    boolean max = op == org.tessera.tensor.ReduceOp.MAX;
    int i = 0, bound = F.loopBound(n);
    double result = op.identity();
    if (bound > 0) {
      FloatVector v = FloatVector.fromArray(F, x, xo);
      for (i = F.length(); i < bound; i += F.length()) v = max ? v.max(FloatVector.fromArray(F, x, xo + i)) : v.min(FloatVector.fromArray(F, x, xo + i));
      result = max ? v.reduceLanes(VectorOperators.MAX) : v.reduceLanes(VectorOperators.MIN);
    }
    for (; i < n; i++) result = op.combine(result, x[xo + i]);
    return result;
  }

  /**
   * dst[0..inner) = op over r < rows of src[r·inner .. r·inner + inner): a reduction of whole rows. One loop per op:
   * {@code lanewise} with an operator that is not a compile-time constant runs the Vector API's slow generic path
   * (25× slower here).
   */
  static void reduceRows(org.tessera.tensor.ReduceOp op, float[] src, int at, int rows, int inner, float[] dst, int to) {
    System.arraycopy(src, at, dst, to, inner);
    for (int r = 1; r < rows; r++) {
      int row = at + r * inner, i = 0, bound = F.loopBound(inner);
      switch (op) {
        case SUM -> {
          for (; i < bound; i += F.length()) FloatVector.fromArray(F, dst, to + i).add(FloatVector.fromArray(F, src, row + i)).intoArray(dst, to + i);
        }
        case MAX -> {
          for (; i < bound; i += F.length()) FloatVector.fromArray(F, dst, to + i).max(FloatVector.fromArray(F, src, row + i)).intoArray(dst, to + i);
        }
        case MIN -> {
          for (; i < bound; i += F.length()) FloatVector.fromArray(F, dst, to + i).min(FloatVector.fromArray(F, src, row + i)).intoArray(dst, to + i);
        }
      }
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
