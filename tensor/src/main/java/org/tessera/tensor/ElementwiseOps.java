package org.tessera.tensor;

import static org.tessera.tensor.BinaryOp.*;

/** Elementwise math, comparisons and casts of a {@link Tensor}; names follow torch in camelCase. */
public interface ElementwiseOps {
  Tensor self();

  private Tensor u(UnaryOp op) { return TensorOps.get().unary(op, self(), 0, 0); }
  private Tensor b(BinaryOp op, Tensor other) { return TensorOps.get().binary(op, self(), other); }
  private Tensor b(BinaryOp op, double other) { return TensorOps.get().binary(op, self(), scalarLike(other)); }

  /** A 0-d tensor of {@code value} on this device, in the dtype torch gives a tensor combined with a Python scalar. */
  default Tensor scalarLike(double value) {
    Tensor x = self();
    return Tensor.scalar(value, x.dtype().withScalar(value), x.device());
  }

  default Tensor neg() { return u(UnaryOp.NEG); }
  default Tensor abs() { return u(UnaryOp.ABS); }
  default Tensor sign() { return u(UnaryOp.SIGN); }
  default Tensor exp() { return u(UnaryOp.EXP); }
  default Tensor log() { return u(UnaryOp.LOG); }
  default Tensor log1p() { return u(UnaryOp.LOG1P); }
  default Tensor sqrt() { return u(UnaryOp.SQRT); }
  default Tensor rsqrt() { return u(UnaryOp.RSQRT); }
  default Tensor reciprocal() { return u(UnaryOp.RECIPROCAL); }
  default Tensor square() { return u(UnaryOp.SQUARE); }
  default Tensor sin() { return u(UnaryOp.SIN); }
  default Tensor cos() { return u(UnaryOp.COS); }
  default Tensor tanh() { return u(UnaryOp.TANH); }
  default Tensor sigmoid() { return u(UnaryOp.SIGMOID); }
  default Tensor relu() { return u(UnaryOp.RELU); }
  default Tensor silu() { return u(UnaryOp.SILU); }
  default Tensor erf() { return u(UnaryOp.ERF); }
  default Tensor floor() { return u(UnaryOp.FLOOR); }

  /** Rounds half to even, as torch.round. */
  default Tensor round() { return u(UnaryOp.ROUND); }

  /** GELU with the exact erf form (torch's default {@code approximate='none'}). */
  default Tensor gelu() { return u(UnaryOp.GELU); }

  /** GELU with torch's {@code approximate='tanh'} form. */
  default Tensor geluTanh() { return u(UnaryOp.GELU_TANH); }

  default Tensor leakyRelu(double negativeSlope) { return TensorOps.get().unary(UnaryOp.LEAKY_RELU, self(), negativeSlope, 0); }

  default Tensor pow(double exponent) { return TensorOps.get().unary(UnaryOp.POW, self(), exponent, 0); }

  /** Clamps to [min, max]; pass NaN for a missing bound. */
  default Tensor clamp(double min, double max) { return TensorOps.get().unary(UnaryOp.CLAMP, self(), min, max); }
  default Tensor clampMin(double min) { return clamp(min, Double.NaN); }
  default Tensor clampMax(double max) { return clamp(Double.NaN, max); }

  default Tensor add(Tensor other) { return b(ADD, other); }
  default Tensor add(double other) { return b(ADD, other); }
  default Tensor sub(Tensor other) { return b(SUB, other); }
  default Tensor sub(double other) { return b(SUB, other); }
  default Tensor mul(Tensor other) { return b(MUL, other); }
  default Tensor mul(double other) { return b(MUL, other); }

  /** True division: integer operands give a float result, as in torch. */
  default Tensor div(Tensor other) {
    Tensor x = self();
    if (!x.dtype().floating && !other.dtype().floating) return x.to(DType.F32).div(other.to(DType.F32));
    return b(DIV, other);
  }

  default Tensor div(double other) {
    return self().dtype().floating ? b(DIV, other) : self().to(DType.F32).div(other);
  }

  /** Elementwise power with a tensor exponent (for a scalar exponent, {@link #pow(double)}). */
  default Tensor pow(Tensor exponent) { return b(POW, exponent); }
  default Tensor maximum(Tensor other) { return b(MAXIMUM, other); }
  default Tensor minimum(Tensor other) { return b(MINIMUM, other); }
  default Tensor atan2(Tensor other) { return b(ATAN2, other); }

  default Tensor eq(Tensor other) { return b(EQ, other); }
  default Tensor eq(double other) { return b(EQ, other); }
  default Tensor ne(Tensor other) { return b(NE, other); }
  default Tensor ne(double other) { return b(NE, other); }
  default Tensor lt(Tensor other) { return b(LT, other); }
  default Tensor lt(double other) { return b(LT, other); }
  default Tensor le(Tensor other) { return b(LE, other); }
  default Tensor le(double other) { return b(LE, other); }
  default Tensor gt(Tensor other) { return b(GT, other); }
  default Tensor gt(double other) { return b(GT, other); }
  default Tensor ge(Tensor other) { return b(GE, other); }
  default Tensor ge(double other) { return b(GE, other); }
  default Tensor logicalAnd(Tensor other) { return b(AND, other); }
  default Tensor logicalOr(Tensor other) { return b(OR, other); }
  default Tensor logicalXor(Tensor other) { return b(XOR, other); }
  default Tensor logicalNot() { return b(EQ, 0); }

  /** torch's {@code x.where(cond, other)}: this where {@code cond} holds, else {@code other}. */
  default Tensor where(Tensor cond, Tensor other) { return TensorOps.get().where(cond, self(), other); }
  default Tensor where(Tensor cond, double other) { return TensorOps.get().where(cond, self(), scalarLike(other)); }

  /** Sets the elements where {@code mask} is true to {@code value}. */
  default Tensor maskedFill(Tensor mask, double value) { return TensorOps.get().where(mask, scalarLike(value), self()); }

  /** The same values in another dtype (differentiable between float types). */
  default Tensor to(DType dtype) { return self().dtype() == dtype ? self() : TensorOps.get().cast(self(), dtype); }

  /** Writes {@code src} into this tensor in place (broadcasting, converting dtype). */
  default Tensor copy_(Tensor src) { return TensorOps.get().copy_(self(), src); }
  default Tensor fill_(double value) { return copy_(scalarLike(value)); }
  default Tensor zero_() { return fill_(0); }
  default Tensor add_(Tensor other) { return copy_(self().add(other)); }
  default Tensor mul_(double factor) { return copy_(self().mul(factor)); }

  /** Values equal within {@code |a - b| <= atol + rtol * |b|} (and NaN where both are NaN is not equal, as torch). */
  default boolean allClose(Tensor other, double rtol, double atol) {
    Tensor a = self().to(DType.F64), b = other.to(DType.F64);
    return a.sub(b).abs().le(b.abs().mul(rtol).add(atol)).logicalNot().sum().item() == 0;
  }
}

