package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;

import java.util.List;
import org.tessera.tensor.Tensor;

/** Matrix products: every rank combination torch.matmul accepts, broadcast batches, and linear. */
final class MatmulSpecs {
  private MatmulSpecs() {}

  static List<OpSpec> all() {
    return List.of(
        new OpSpec("matmul", true, g -> {
          Inputs in = new Inputs(g);
          int m = 1 + in.nextInt(5), k = 1 + in.nextInt(5), n = 1 + in.nextInt(5), b = 1 + in.nextInt(3);
          int[][] shapes = switch (in.nextInt(8)) {
            case 0 -> new int[][] {{k}, {k}};
            case 1 -> new int[][] {{m, k}, {k}};
            case 2 -> new int[][] {{k}, {k, n}};
            case 3 -> new int[][] {{m, k}, {k, n}};
            case 4 -> new int[][] {{b, m, k}, {k, n}};
            case 5 -> new int[][] {{m, k}, {b, k, n}};
            case 6 -> new int[][] {{2, b, m, k}, {k, n}}; // batch folded into the rows
            default -> new int[][] {{2, 1, m, k}, {b, k, n}};
          };
          in.leaf(shapes[0], ANY);
          in.leaf(shapes[1], ANY);
          return in.build(a -> a[0].matmul(a[1]));
        }),
        // a larger product, so the CPU kernel's packing and tile edges (6 rows, 2 vectors of columns) are crossed
        new OpSpec("matmul", true, g -> {
          Inputs in = new Inputs(g);
          int m = 7 + in.nextInt(30), k = 5 + in.nextInt(40), n = 17 + in.nextInt(40);
          in.leaf(new int[] {m, k}, ANY);
          in.leaf(new int[] {k, n}, ANY);
          return in.build(a -> a[0].matmul(a[1]));
        }).tolerances(1e-4, 1e-4).gradient(1e-6, 1e-5),
        new OpSpec("linear", true, g -> {
          Inputs in = new Inputs(g);
          int features = 1 + in.nextInt(5), out = 1 + in.nextInt(5);
          in.leaf(new int[] {2, 1 + in.nextInt(3), features}, ANY);
          in.leaf(new int[] {out, features}, ANY);
          in.leaf(new int[] {out}, ANY);
          return in.build(a -> a[0].linear(a[1], a[2]));
        }),
        // larger, so the bias is added inside the CPU kernel's whole and edge tiles; and without a bias
        new OpSpec("linear", true, g -> {
          Inputs in = new Inputs(g);
          int features = 5 + in.nextInt(30), out = 17 + in.nextInt(50);
          in.leaf(new int[] {2, 4 + in.nextInt(6), features}, ANY);
          in.leaf(new int[] {out, features}, ANY);
          in.leaf(new int[] {out}, ANY);
          return in.build(a -> a[0].linear(a[1], a[2]));
        }).tolerances(1e-4, 1e-4).gradient(1e-6, 1e-5),
        new OpSpec("linear", true, g -> {
          Inputs in = new Inputs(g);
          int features = 1 + in.nextInt(5), out = 1 + in.nextInt(5);
          in.leaf(new int[] {1 + in.nextInt(3), features}, ANY);
          in.leaf(new int[] {out, features}, ANY);
          return in.build(a -> a[0].linear(a[1], null));
        }));
  }
}
