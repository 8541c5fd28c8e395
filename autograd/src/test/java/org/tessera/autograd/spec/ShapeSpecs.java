package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;

import java.util.List;
import java.util.function.UnaryOperator;
import org.tessera.tensor.PadMode;
import org.tessera.tensor.Tensor;

/** Views, joins, indexing and padding. */
final class ShapeSpecs {
  private ShapeSpecs() {}

  static List<OpSpec> all() {
    return List.of(
        shaped("reshape", x -> x.reshape(-1, x.size(0))),
        shaped("view", x -> x.contiguous().view(x.size(0), -1)),
        shaped("flatten", x -> x.flatten()),
        shaped("flatten", x -> x.flatten(0, -2)),
        shaped("unsqueeze", x -> x.unsqueeze(1)),
        shaped("squeeze", x -> x.unsqueeze(1).squeeze()),
        shaped("squeeze", x -> x.unsqueeze(-1).squeeze(-1)),
        shaped("permute", x -> x.permute(reversed(x.dim()))),
        shaped("transpose", x -> x.transpose(0, -1)),
        shaped("mT", x -> x.unsqueeze(0).mT()),
        shaped("expand", x -> {
          int[] target = new int[x.dim() + 1];
          java.util.Arrays.fill(target, -1);
          target[0] = 3;
          return x.unsqueeze(0).expand(target);
        }),
        shaped("expandAs", x -> {
          int[] target = x.unsqueeze(1).shape();
          target[1] = 2;
          return x.unsqueeze(1).expandAs(Tensor.zeros(target).to(x.device()));
        }),
        shaped("slice", x -> x.slice(-1, 1, Integer.MAX_VALUE, 2)),
        shaped("slice", x -> x.slice(0, -2, -1, 1)),
        shaped("narrow", x -> x.narrow(0, x.size(0) / 2, (x.size(0) + 1) / 2)),
        shaped("select", x -> x.select(-1, -1)),
        shaped("split", x -> x.split(2, -1).getLast().mul(2)),
        shaped("chunk", x -> x.chunk(2, 0).getFirst()),
        shaped("contiguous", x -> x.contiguous()),
        shaped("flip", x -> x.flip(0, -1)),
        shaped("roll", x -> x.roll(2, -1)),
        shaped("repeat", x -> x.repeat(2, 1, 3)),
        shaped("tril", x -> x.tril(0)),
        shaped("tril", x -> x.tril(-1)),
        shaped("triu", x -> x.triu(1)),
        shaped("pad", x -> x.pad(1, 2)),
        shaped("pad", x -> x.pad(new int[] {-1, 1, 2, 0}, PadMode.CONSTANT, 0.5)),
        shaped("pad", x -> x.pad(new int[] {1, 1, 1, 0}, PadMode.REFLECT, 0)),
        shaped("pad", x -> x.pad(new int[] {2, 3, 0, 1}, PadMode.REPLICATE, 0)),
        shaped("pad", x -> x.pad(new int[] {1, 2}, PadMode.CIRCULAR, 0)),
        new OpSpec("cat", true, g -> {
          Inputs in = new Inputs(g);
          int[] a = in.shape(2, 3), b = a.clone();
          int dim = in.nextInt(a.length);
          b[dim] = 1 + in.nextInt(3);
          in.leaf(a, ANY);
          in.leaf(b, ANY);
          return in.build(t -> Tensor.cat(dim, t[0], t[1], t[0]));
        }),
        new OpSpec("stack", true, g -> {
          Inputs in = new Inputs(g);
          int[] a = in.shape(1, 3);
          in.leaf(a, ANY);
          in.leaf(a, ANY);
          int dim = in.nextInt(a.length + 1);
          return in.build(t -> Tensor.stack(dim, t[0], t[1]));
        }),
        new OpSpec("gather", true, g -> {
          Inputs in = new Inputs(g);
          int[] shape = in.shape(1, 3), index = shape.clone();
          int dim = in.nextInt(shape.length);
          index[dim] = 1 + in.nextInt(6);
          in.leaf(shape, ANY);
          in.indices(index, shape[dim]);
          return in.build(t -> t[0].gather(dim, t[1]));
        }),
        new OpSpec("scatterAdd", true, g -> {
          Inputs in = new Inputs(g);
          int[] shape = in.shape(1, 3), index = shape.clone();
          int dim = in.nextInt(shape.length);
          index[dim] = 1 + in.nextInt(6);
          in.leaf(shape, ANY);
          in.leaf(index, ANY);
          in.indices(index, shape[dim]);
          return in.build(t -> t[0].scatterAdd(dim, t[2], t[1]));
        }),
        new OpSpec("indexSelect", true, g -> {
          Inputs in = new Inputs(g);
          int[] shape = in.shape(1, 3);
          int dim = in.nextInt(shape.length);
          in.leaf(shape, ANY);
          in.indices(new int[] {1 + in.nextInt(6)}, shape[dim]);
          return in.build(t -> t[0].indexSelect(dim, t[1]));
        }),
        new OpSpec("oneHot", false, g -> {
          Inputs in = new Inputs(g);
          in.leaf(new int[] {1}, ANY); // unused: every case has one leaf
          in.indices(in.shape(0, 3), 5);
          return in.build(t -> t[1].oneHot(6));
        }));
  }

  /** A case on a 2- or 3-D input with dims of at least 2 (so that slices and reflect padding are non-trivial). */
  private static OpSpec shaped(String name, UnaryOperator<Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      int[] shape = in.shape(2, 3);
      for (int i = 0; i < shape.length; i++) shape[i] = Math.max(shape[i], 2);
      in.leaf(shape, ANY);
      return in.build(t -> op.apply(t[0]));
    });
  }

  private static int[] reversed(int rank) {
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) dims[i] = rank - 1 - i;
    return dims;
  }
}
