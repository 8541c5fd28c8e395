package org.tessera.autograd.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/** Seeded generators of shapes, values and views for op specs: small odd dims, size-1 dims, non-contiguous views. */
public final class Inputs {
  /** The value ranges an op accepts or is smooth on. */
  public enum Domain {
    /** standard normal */
    ANY,
    /** uniform in [0.5, 2.5] */
    POSITIVE,
    /** |x| uniform in [0.2, 2], either sign: away from kinks at 0 */
    NONZERO,
    /** uniform in [-0.9, 0.9] */
    UNIT
  }

  /** A leaf (contiguous, F64) and how the function under test views it; {@code view} maps a leaf to a tensor of the wanted shape. */
  public record Leaf(Tensor base, UnaryOperator<Tensor> view, String how) {}

  private final Generator gen;
  private final List<Leaf> leaves = new ArrayList<>();
  private final List<Tensor> constants = new ArrayList<>();

  public Inputs(Generator gen) {
    this.gen = gen;
  }

  public int nextInt(int bound) {
    return (int) gen.nextLong(bound);
  }

  public boolean coin() {
    return gen.nextDouble() < 0.5;
  }

  /** A random shape of rank in [minRank, maxRank] with dims 1..5 (1 more often than chance). */
  public int[] shape(int minRank, int maxRank) {
    int[] s = new int[minRank + nextInt(maxRank - minRank + 1)];
    for (int i = 0; i < s.length; i++) s[i] = gen.nextDouble() < 0.2 ? 1 : 2 + nextInt(4);
    return s;
  }

  /** A shape that broadcasts to {@code target}: some dims 1, maybe fewer leading dims. */
  public int[] broadcastable(int[] target) {
    int drop = target.length > 0 && gen.nextDouble() < 0.3 ? 1 + nextInt(target.length) : 0;
    int[] s = java.util.Arrays.copyOfRange(target, drop, target.length);
    for (int i = 0; i < s.length; i++) if (gen.nextDouble() < 0.3) s[i] = 1;
    return s;
  }

  public Tensor values(int[] shape, Domain domain) {
    double[] v = new double[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++)
      v[i] = switch (domain) {
        case ANY -> gen.nextGaussian();
        case POSITIVE -> 0.5 + 2 * gen.nextDouble();
        case NONZERO -> (0.2 + 1.8 * gen.nextDouble()) * (coin() ? 1 : -1);
        case UNIT -> -0.9 + 1.8 * gen.nextDouble();
      };
    return Tensor.of(v, shape);
  }

  /** An input of {@code shape}, randomly contiguous, a transposed view, or a strided slice of a larger leaf. */
  public Leaf leaf(int[] shape, Domain domain) {
    int kind = shape.length == 0 ? 0 : nextInt(3);
    Leaf leaf = switch (kind) {
      case 1 -> {
        if (shape.length < 2) yield stepped(shape, domain);
        int[] swapped = shape.clone();
        swapped[shape.length - 1] = shape[shape.length - 2];
        swapped[shape.length - 2] = shape[shape.length - 1];
        yield new Leaf(values(swapped, domain), t -> t.transpose(-1, -2), "transposed");
      }
      case 2 -> stepped(shape, domain);
      default -> new Leaf(values(shape, domain), t -> t, "contiguous");
    };
    leaves.add(leaf);
    return leaf;
  }

  private Leaf stepped(int[] shape, Domain domain) {
    int[] bigger = shape.clone();
    bigger[0] = 2 * shape[0];
    return new Leaf(values(bigger, domain), t -> t.slice(0, 1, Integer.MAX_VALUE, 2), "every 2nd row");
  }

  /** A constant without gradient (indices, masks): passed to {@code f} after the leaves, on their device. */
  public void constant(Tensor value) {
    constants.add(value);
  }

  /** The case: {@code f} applied to the views of all leaves made so far, then the constants. */
  public Case build(java.util.function.Function<Tensor[], Tensor> f) {
    List<Leaf> mine = List.copyOf(leaves);
    List<Tensor> fixed = List.copyOf(constants);
    StringBuilder desc = new StringBuilder();
    Tensor[] bases = new Tensor[mine.size()];
    for (int i = 0; i < bases.length; i++) {
      bases[i] = mine.get(i).base();
      desc.append(i == 0 ? "" : ", ").append(Shapes.str(bases[i].shape())).append(' ').append(mine.get(i).how());
    }
    for (Tensor c : fixed) desc.append("; constant ").append(c.dtype()).append(' ').append(Shapes.str(c.shape()));
    return new Case(desc.toString(), bases, in -> {
      Tensor[] args = new Tensor[in.length + fixed.size()];
      for (int i = 0; i < in.length; i++) args[i] = mine.get(i).view().apply(in[i]);
      for (int i = 0; i < fixed.size(); i++) args[in.length + i] = fixed.get(i).to(in[0].device());
      return f.apply(args);
    });
  }

  /** I64 indices in [0, bound) of a shape, added as a constant. */
  public void indices(int[] shape, int bound) {
    long[] v = new long[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = gen.nextLong(bound);
    constant(Tensor.of(v, shape));
  }

  /** A random BOOL mask of a shape, added as a constant. */
  public void mask(int[] shape) {
    boolean[] v = new boolean[Shapes.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = coin();
    constant(Tensor.of(v, shape));
  }
}
