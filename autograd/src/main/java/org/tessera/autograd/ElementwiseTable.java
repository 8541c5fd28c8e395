package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.DType;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;
import org.tessera.tensor.UnaryOp;

/** Elementwise ops: each forward is one backend call, each derivative the case of its op beside it. */
interface ElementwiseTable extends TensorOps {
  double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  @Override default Tensor unary(UnaryOp op, Tensor x, double a, double b) {
    if (!x.dtype().floating) x = x.to(DType.F32);
    Tensor in = x;
    Tensor out = x.backend().unary(op, x, a, b);
    return record(op.name().toLowerCase(), out, of(in), of(in, out), g -> of(switch (op) {
      case NEG -> g.neg();
      case ABS -> g.mul(in.sign());
      case SIGN, FLOOR, ROUND -> g.mul(0);
      case EXP -> g.mul(out);
      case LOG -> g.div(in);
      case LOG1P -> g.div(in.add(1));
      case SQRT -> g.div(out.mul(2));
      case RSQRT -> g.mul(out.pow(3)).mul(-0.5);
      case RECIPROCAL -> g.mul(out.square()).neg();
      case SQUARE -> g.mul(in.mul(2));
      case SIN -> g.mul(in.cos());
      case COS -> g.mul(in.sin()).neg();
      case TANH -> g.mul(out.square().neg().add(1));
      case SIGMOID -> g.mul(out.mul(out.neg().add(1)));
      case RELU -> g.mul(in.gt(0).to(in.dtype()));
      case LEAKY_RELU -> g.mul(in.gt(0).to(in.dtype()).mul(1 - a).add(a));
      case GELU -> g.mul(unary(UnaryOp.GELU_GRAD, in, 0, 0));
      case GELU_TANH -> {
        Tensor t = in.pow(3).mul(0.044715).add(in).mul(SQRT_2_OVER_PI).tanh();
        Tensor dInner = in.square().mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
        yield g.mul(t.add(1).mul(0.5).add(in.mul(0.5).mul(t.square().neg().add(1)).mul(dInner)));
      }
      case SILU -> g.mul(unary(UnaryOp.SILU_GRAD, in, 0, 0));
      // φ(x)·(2 − x²)
      case GELU_GRAD -> {
        Tensor square = in.square();
        yield g.mul(square.mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI)).mul(square.neg().add(2)));
      }
      // s(1 − s)(2 + x(1 − 2s))
      case SILU_GRAD -> {
        Tensor s = in.sigmoid();
        yield g.mul(s.mul(s.neg().add(1)).mul(in.mul(s.mul(-2).add(1)).add(2)));
      }
      case ERF -> g.mul(in.square().neg().exp().mul(2 / Math.sqrt(Math.PI)));
      case POW -> a == 0 ? g.mul(0) : g.mul(in.pow(a - 1).mul(a));
      case RPOW -> g.mul(out.mul(Math.log(a)));
      case CLAMP -> {
        // torch passes the gradient where min <= x <= max, bounds included
        Tensor inside = in.eq(in); // true except at NaN
        if (!Double.isNaN(a)) inside = inside.logicalAnd(in.ge(a));
        if (!Double.isNaN(b)) inside = inside.logicalAnd(in.le(b));
        yield g.mul(inside.to(in.dtype()));
      }
      case AFFINE -> g.mul(a);
    }));
  }

  @Override default Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    DType dtype = DType.promote(a.dtype(), b.dtype());
    int[] shape = Shapes.broadcast(op.name().toLowerCase(), a.shape(), b.shape());
    requireSameDevice(op.name().toLowerCase(), a, b);
    Tensor x = a.to(dtype).expand(shape), y = b.to(dtype).expand(shape);
    Tensor out = x.backend().binary(op, x, y);
    if (op.producesBool()) return out;
    return record(op.name().toLowerCase(), out, of(x, y), of(x, y, out), g -> switch (op) {
      case ADD -> of(g, g);
      case SUB -> of(g, g.neg());
      case MUL -> of(g.mul(y), g.mul(x));
      case DIV -> of(g.div(y), g.mul(out).div(y).neg());
      case POW -> {
        Tensor dx = g.mul(y).mul(x.pow(y.sub(1)));
        // d/dy x^y = x^y ln x, taken as 0 where x = 0 and y >= 0 (as torch, so 0^y stays differentiable)
        Tensor dy = g.mul(out.mul(x.log()).maskedFill(x.eq(0).logicalAnd(y.ge(0)), 0));
        yield of(dx, dy);
      }
      case MAXIMUM, MINIMUM -> {
        // ties share the gradient equally, as in torch
        Tensor ties = x.eq(y).to(dtype).mul(0.5);
        Tensor xWins = (op == BinaryOp.MAXIMUM ? x.gt(y) : x.lt(y)).to(dtype).add(ties);
        Tensor yWins = (op == BinaryOp.MAXIMUM ? y.gt(x) : y.lt(x)).to(dtype).add(ties);
        yield of(g.mul(xWins), g.mul(yWins));
      }
      case ATAN2 -> {
        Tensor r2 = x.square().add(y.square());
        yield of(g.mul(y).div(r2), g.mul(x).div(r2).neg());
      }
      default -> throw new AssertionError(op + " has no gradient");
    });
  }

  @Override default Tensor where(Tensor cond, Tensor a, Tensor b) {
    if (cond.dtype() != DType.BOOL) throw new IllegalArgumentException("where: the condition must be a BOOL tensor, got " + cond.dtype());
    requireSameDevice("where", a, b);
    requireSameDevice("where", cond, a);
    DType dtype = DType.promote(a.dtype(), b.dtype());
    int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
    Tensor c = cond.expand(shape), x = a.to(dtype).expand(shape), y = b.to(dtype).expand(shape);
    Tensor out = x.backend().where(c, x, y);
    return record("where", out, of(x, y), of(), g -> of(g.where(c, 0), g.where(c.logicalNot(), 0)));
  }

  @Override default Tensor cast(Tensor x, DType dtype) {
    Tensor out = x.backend().copy(x, dtype);
    if (!x.dtype().floating) return out;
    return record("to_" + dtype.name().toLowerCase(), out, of(x), of(), g -> of(g.to(x.dtype())));
  }

  static void requireSameDevice(String op, Tensor a, Tensor b) {
    if (!a.device().equals(b.device()))
      throw new IllegalArgumentException(op + ": tensors are on different devices, " + a.device() + " and " + b.device()
          + " (shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + ")");
  }
}
