package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;
import static org.tessera.autograd.spec.Inputs.Domain.NONZERO;
import static org.tessera.autograd.spec.Inputs.Domain.POSITIVE;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.tessera.tensor.DType;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;
import org.tessera.tensor.UnaryOp;

/**
 * The op-spec list: one row per Tensor op. It drives the F64 gradient checks, the reference-vs-CPU parity and the
 * coverage test, which fails when a Tensor op has no row here.
 */
public final class OpSpecs {
  private OpSpecs() {}

  public static List<OpSpec> all() {
    List<OpSpec> s = new ArrayList<>();
    // elementwise, one argument
    s.add(unary("neg", ANY, Tensor::neg));
    s.add(unary("abs", NONZERO, Tensor::abs));
    s.add(unary("sign", NONZERO, Tensor::sign));
    s.add(unary("exp", ANY, Tensor::exp));
    s.add(unary("log", POSITIVE, Tensor::log));
    s.add(unary("log1p", POSITIVE, Tensor::log1p));
    s.add(unary("sqrt", POSITIVE, Tensor::sqrt));
    s.add(unary("rsqrt", POSITIVE, Tensor::rsqrt));
    s.add(unary("reciprocal", NONZERO, Tensor::reciprocal));
    s.add(unary("square", ANY, Tensor::square));
    s.add(unary("sin", ANY, Tensor::sin));
    s.add(unary("cos", ANY, Tensor::cos));
    s.add(unary("tanh", ANY, Tensor::tanh));
    s.add(unary("sigmoid", ANY, Tensor::sigmoid));
    s.add(unary("relu", NONZERO, Tensor::relu));
    s.add(unary("leakyRelu", NONZERO, x -> x.leakyRelu(0.1)));
    s.add(unary("gelu", ANY, Tensor::gelu));
    s.add(unary("geluTanh", ANY, Tensor::geluTanh));
    s.add(unary("silu", ANY, Tensor::silu));
    s.add(unary("erf", ANY, Tensor::erf));
    s.add(unary("geluGrad", ANY, x -> TensorOps.get().unary(UnaryOp.GELU_GRAD, x, 0, 0)));
    s.add(unary("siluGrad", ANY, x -> TensorOps.get().unary(UnaryOp.SILU_GRAD, x, 0, 0)));
    s.add(unary("floor", ANY, x -> x.mul(3.3).floor()));
    s.add(unary("round", ANY, x -> x.mul(3.3).round()));
    s.add(unary("pow", POSITIVE, x -> x.pow(2.5)));
    s.add(unary("clamp", NONZERO, x -> x.clamp(-1, 1)));
    s.add(unary("clampMin", NONZERO, x -> x.clampMin(-1)));
    s.add(unary("clampMax", NONZERO, x -> x.clampMax(1)));
    s.add(unary("to", ANY, x -> x.to(DType.F32).to(DType.F64)).gradient(1e-2, 1e-4));
    s.add(unary("dropout", ANY, x -> x.dropout(0.3, true, new Generator(5))));
    // elementwise, two arguments, broadcasting
    s.add(binary("add", ANY, ANY, Tensor::add));
    s.add(binary("sub", ANY, ANY, Tensor::sub));
    s.add(binary("mul", ANY, ANY, Tensor::mul));
    s.add(binary("div", ANY, NONZERO, Tensor::div));
    s.add(binary("pow", POSITIVE, ANY, Tensor::pow));
    s.add(binary("maximum", ANY, ANY, Tensor::maximum));
    s.add(binary("minimum", ANY, ANY, Tensor::minimum));
    s.add(binary("atan2", NONZERO, NONZERO, Tensor::atan2));
    s.add(unary("add", ANY, x -> x.add(1.5)));
    s.add(unary("sub", ANY, x -> x.sub(1.5)));
    s.add(unary("mul", ANY, x -> x.mul(-2)));
    s.add(unary("div", ANY, x -> x.div(4)));
    s.add(new OpSpec("where", true, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(1, 3);
      in.leaf(in.broadcastable(shape), ANY);
      in.leaf(in.broadcastable(shape), ANY);
      in.mask(shape);
      return in.build(a -> a[0].where(a[2], a[1]));
    }));
    s.add(masked("maskedFill", (x, m) -> x.maskedFill(m, -3)));
    s.add(masked("where", (x, m) -> x.where(m, 0.5)));
    // comparisons and logic: no gradient, exact BOOL results (small integers make ties)
    s.add(compare("eq", Tensor::eq));
    s.add(compare("ne", Tensor::ne));
    s.add(compare("lt", Tensor::lt));
    s.add(compare("le", Tensor::le));
    s.add(compare("gt", Tensor::gt));
    s.add(compare("ge", Tensor::ge));
    s.add(compare("logicalAnd", Tensor::logicalAnd));
    s.add(compare("logicalOr", Tensor::logicalOr));
    s.add(compare("logicalXor", Tensor::logicalXor));
    s.add(compare("logicalNot", (a, b) -> a.logicalNot()));
    s.add(compare("eq", (a, b) -> a.eq(1)));
    s.add(compare("ne", (a, b) -> a.ne(1)));
    s.add(compare("lt", (a, b) -> a.lt(1)));
    s.add(compare("le", (a, b) -> a.le(1)));
    s.add(compare("gt", (a, b) -> a.gt(1)));
    s.add(compare("ge", (a, b) -> a.ge(1)));
    // reductions
    s.add(reduction("sum", ANY, d -> true, (x, d) -> x.sum(d.dims, d.keepdim)));
    s.add(unary("sum", ANY, Tensor::sum));
    s.add(reduction("mean", ANY, d -> true, (x, d) -> x.mean(d.dims, d.keepdim)));
    s.add(unary("mean", ANY, Tensor::mean));
    s.add(reduction("var", ANY, d -> d.count > 1, (x, d) -> x.var(d.dims, 1, d.keepdim)));
    s.add(reduction("var", ANY, d -> true, (x, d) -> x.var(d.dims, 0, d.keepdim)));
    s.add(reduction("std", ANY, d -> d.count > 1, (x, d) -> x.std(d.dims, 1, d.keepdim)));
    s.add(reduction("amax", ANY, d -> true, (x, d) -> x.amax(d.dims, d.keepdim)));
    s.add(reduction("amin", ANY, d -> true, (x, d) -> x.amin(d.dims, d.keepdim)));
    s.add(unary("max", ANY, Tensor::max));
    s.add(unary("min", ANY, Tensor::min));
    s.add(oneDim("max", (x, d) -> x.max(d.dim, d.flag).values()));
    s.add(oneDim("min", (x, d) -> x.min(d.dim, d.flag).values()));
    s.add(oneDim("max", (x, d) -> x.max(d.dim, d.flag).indices()).constant());
    s.add(oneDim("argmax", (x, d) -> x.argmax(d.dim, d.flag)).constant());
    s.add(oneDim("argmin", (x, d) -> x.argmin(d.dim, d.flag)).constant());
    s.add(unary("argmax", ANY, Tensor::argmax).constant());
    s.add(unary("argmin", ANY, Tensor::argmin).constant());
    s.add(reduction("logsumexp", ANY, d -> true, (x, d) -> x.logsumexp(d.dims, d.keepdim)));
    s.add(reduction("norm", NONZERO, d -> true, (x, d) -> x.norm(2, d.dims, d.keepdim)));
    s.add(reduction("norm", NONZERO, d -> true, (x, d) -> x.norm(1, d.dims, d.keepdim)));
    s.add(reduction("norm", NONZERO, d -> true, (x, d) -> x.norm(3, d.dims, d.keepdim)));
    s.add(reduction("norm", NONZERO, d -> true, (x, d) -> x.norm(Double.POSITIVE_INFINITY, d.dims, d.keepdim)));
    s.add(oneDim("sort", (x, d) -> x.sort(d.dim, d.flag).values()));
    s.add(oneDim("sort", (x, d) -> x.sort(d.dim, d.flag).indices()).constant());
    s.add(oneDim("argsort", (x, d) -> x.argsort(d.dim, d.flag)).constant());
    s.add(oneDim("topk", (x, d) -> x.topk(Math.min(2, x.size(d.dim)), d.dim, d.flag).values()));
    s.add(oneDim("topk", (x, d) -> x.topk(Math.min(2, x.size(d.dim)), d.dim, d.flag).indices()).constant());
    s.addAll(MatmulSpecs.all());
    s.addAll(ShapeSpecs.all());
    s.addAll(NnSpecs.all());
    s.addAll(ConvSpecs.all());
    s.addAll(AttentionSpecs.all());
    s.addAll(VisionSpecs.all());
    return s;
  }

  static OpSpec unary(String name, Inputs.Domain domain, UnaryOperator<Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      in.leaf(in.shape(0, 3), domain);
      return in.build(a -> op.apply(a[0]));
    });
  }

  static OpSpec binary(String name, Inputs.Domain da, Inputs.Domain db, BinaryOperator<Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(0, 3);
      boolean swap = in.coin();
      in.leaf(swap ? in.broadcastable(shape) : shape, da);
      in.leaf(swap ? shape : in.broadcastable(shape), db);
      return in.build(a -> op.apply(a[0], a[1]));
    });
  }

  private static OpSpec masked(String name, BinaryOperator<Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(1, 3);
      in.leaf(shape, ANY);
      in.mask(in.broadcastable(shape));
      return in.build(a -> op.apply(a[0], a[1]));
    });
  }

  private static OpSpec compare(String name, BinaryOperator<Tensor> op) {
    return new OpSpec(name, false, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(0, 3);
      in.leaf(shape, ANY);
      in.leaf(in.broadcastable(shape), ANY);
      // rounded to small integers so that equal values occur
      return in.build(a -> op.apply(a[0].mul(1.5).to(DType.I64).to(a[0].dtype()), a[1].mul(1.5).to(DType.I64).to(a[1].dtype())));
    });
  }

  /** Random dims to reduce over and keepdim; {@code count} is how many elements each output reduces. */
  public record Dims(int[] dims, boolean keepdim, int count) {}

  /** One dim and a flag: keepdim, or for sort and topk, descending / largest. */
  public record Dim(int dim, boolean flag) {}

  /** Reduces over a random set of dims (some given negative) with random keepdim; {@code accept} filters the cases. */
  static OpSpec reduction(String name, Inputs.Domain domain, java.util.function.Predicate<Dims> accept, BiFunction<Tensor, Dims, Tensor> op) {
    return new OpSpec(name, true, g -> {
      while (true) {
        Inputs in = new Inputs(g);
        int[] shape = in.shape(1, 3);
        List<Integer> dims = new ArrayList<>();
        int count = 1;
        for (int d = 0; d < shape.length; d++)
          if (in.coin()) {
            dims.add(in.coin() ? d : d - shape.length);
            count *= shape[d];
          }
        if (dims.isEmpty()) {
          dims.add(shape.length - 1);
          count = shape[shape.length - 1];
        }
        Dims d = new Dims(dims.stream().mapToInt(Integer::intValue).toArray(), in.coin(), count);
        if (!accept.test(d)) continue;
        in.leaf(shape, domain);
        return in.build(a -> op.apply(a[0], d));
      }
    });
  }

  static OpSpec oneDim(String name, BiFunction<Tensor, Dim, Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(1, 3);
      Dim d = new Dim(in.nextInt(shape.length) - (in.coin() ? shape.length : 0), in.coin());
      in.leaf(shape, ANY);
      return in.build(a -> op.apply(a[0], d));
    });
  }
}
