package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;

import java.util.List;
import java.util.function.BinaryOperator;
import org.tessera.autograd.GradMode;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** Softmax, normalisation, dropout and the in-place writes. */
final class NnSpecs {
  private NnSpecs() {}

  static List<OpSpec> all() {
    return List.of(
        OpSpecs.oneDim("softmax", (x, d) -> x.softmax(d.dim())),
        OpSpecs.oneDim("logSoftmax", (x, d) -> x.logSoftmax(d.dim())),
        new OpSpec("layerNorm", true, g -> {
          Inputs in = new Inputs(g);
          int[] shape = in.shape(2, 3);
          int k = 1 + in.nextInt(shape.length - 1);
          int[] normalized = java.util.Arrays.copyOfRange(shape, shape.length - k, shape.length);
          in.leaf(shape, ANY);
          in.leaf(normalized, ANY);
          in.leaf(normalized, ANY);
          return in.build(t -> t[0].layerNorm(normalized, t[1], t[2], 1e-5));
        }).gradient(1e-6, 1e-4),
        OpSpecs.unary("dropout", ANY, x -> x.dropout(0.5, false, new Generator(1))),
        inPlace("copy_", (dst, src) -> dst.copy_(src)),
        inPlace("add_", (dst, src) -> dst.add_(src)),
        inPlace("mul_", (dst, src) -> dst.mul_(-3)),
        inPlace("fill_", (dst, src) -> dst.fill_(2.5)),
        inPlace("zero_", (dst, src) -> dst.zero_()));
  }

  /** Writes into a fresh copy of the first input (under noGrad, as optimizers do); the result is the written tensor. */
  private static OpSpec inPlace(String name, BinaryOperator<Tensor> op) {
    return new OpSpec(name, false, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(1, 3);
      in.leaf(shape, ANY);
      in.leaf(in.broadcastable(shape), ANY);
      return in.build(t -> {
        try (var scope = GradMode.noGrad()) {
          Tensor dst = t[0].mul(1);
          Tensor same = op.apply(dst, t[1]);
          if (same != dst) throw new AssertionError(name + " must return the tensor it wrote");
          return dst;
        }
      });
    });
  }
}
