package org.tessera.tensor;

import java.util.Arrays;

/**
 * Exact rectangular linear assignment (Hungarian matching) in F64: the shortest-augmenting-path method of
 * Jonker–Volgenant as Crouse describes it (2016), the algorithm behind {@code scipy.optimize.linear_sum_assignment},
 * with the same tie-breaking and output order, so both give the same matching. O(n²·m) for n ≤ m.
 * An infinite cost forbids a pair; NaN (and −∞ when minimising, +∞ when maximising) is rejected.
 */
public final class LinearSumAssignment {
  /** Matched rows ascending, the column of each, and the total cost of the matching. */
  public record Result(int[] rows, int[] cols, double totalCost) {}

  private LinearSumAssignment() {}

  /** Solves for a 2-D cost tensor (any float dtype, read as F64). */
  public static Result solve(Tensor cost, boolean maximize) {
    if (cost.dim() != 2) throw new IllegalArgumentException("linear_sum_assignment: the cost must be 2-D, got shape " + Shapes.str(cost.shape()));
    return solve(cost.toDoubleArray(), cost.size(0), cost.size(1), maximize);
  }

  /** Solves for a cost matrix given row-major as {@code cost[r * cols + c]}. */
  public static Result solve(double[] cost, int rows, int cols, boolean maximize) {
    if (cost.length != (long) rows * cols) throw new IllegalArgumentException("linear_sum_assignment: " + cost.length + " costs for a " + rows + "×" + cols + " matrix");
    if (rows == 0 || cols == 0) return new Result(new int[0], new int[0], 0);
    boolean transpose = cols < rows;
    int nr = transpose ? cols : rows, nc = transpose ? rows : cols;
    double[] c = new double[nr * nc];
    for (int i = 0; i < nr; i++)
      for (int j = 0; j < nc; j++) {
        double v = transpose ? cost[j * cols + i] : cost[i * cols + j];
        c[i * nc + j] = maximize ? -v : v;
      }
    for (double v : c)
      if (Double.isNaN(v) || v == Double.NEGATIVE_INFINITY)
        throw new IllegalArgumentException("linear_sum_assignment: the cost matrix contains " + (Double.isNaN(v) ? "NaN" : maximize ? "+inf" : "-inf")
            + " (infinite costs forbid a pair only in the direction of the optimisation)");

    double[] u = new double[nr], v = new double[nc], shortest = new double[nc];
    int[] path = new int[nc], col4row = new int[nr], row4col = new int[nc], remaining = new int[nc];
    boolean[] sr = new boolean[nr], sc = new boolean[nc];
    Arrays.fill(path, -1);
    Arrays.fill(col4row, -1);
    Arrays.fill(row4col, -1);
    double[] minVal = new double[1];
    for (int cur = 0; cur < nr; cur++) {
      int sink = augmentingPath(nc, c, u, v, path, row4col, shortest, cur, sr, sc, remaining, minVal);
      if (sink < 0) throw new IllegalArgumentException("linear_sum_assignment: the cost matrix is infeasible (no complete assignment avoids the forbidden pairs)");
      // update the dual variables
      u[cur] += minVal[0];
      for (int i = 0; i < nr; i++) if (sr[i] && i != cur) u[i] += minVal[0] - shortest[col4row[i]];
      for (int j = 0; j < nc; j++) if (sc[j]) v[j] -= minVal[0] - shortest[j];
      // augment the previous solution along the path
      for (int j = sink; ; ) {
        int i = path[j];
        row4col[j] = i;
        int previous = col4row[i];
        col4row[i] = j;
        j = previous;
        if (i == cur) break;
      }
    }

    int[] a = new int[nr], b = new int[nr];
    if (transpose) {
      Integer[] order = new Integer[nr];
      for (int i = 0; i < nr; i++) order[i] = i;
      Arrays.sort(order, (p, q) -> Integer.compare(col4row[p], col4row[q]));
      for (int i = 0; i < nr; i++) {
        a[i] = col4row[order[i]];
        b[i] = order[i];
      }
    } else {
      for (int i = 0; i < nr; i++) {
        a[i] = i;
        b[i] = col4row[i];
      }
    }
    double total = 0;
    for (int i = 0; i < nr; i++) total += cost[a[i] * cols + b[i]];
    return new Result(a, b, total);
  }

  /** Dijkstra-like search from row i over the reduced costs for the cheapest path to a free column. */
  private static int augmentingPath(int nc, double[] cost, double[] u, double[] v, int[] path, int[] row4col, double[] shortest, int i, boolean[] sr,
      boolean[] sc, int[] remaining, double[] minValOut) {
    double minVal = 0;
    // columns still to visit, in reverse order, so that ties resolve to the lowest index as in scipy
    int numRemaining = nc;
    for (int it = 0; it < nc; it++) remaining[it] = nc - it - 1;
    Arrays.fill(sr, false);
    Arrays.fill(sc, false);
    Arrays.fill(shortest, Double.POSITIVE_INFINITY);
    int sink = -1;
    while (sink == -1) {
      int index = -1;
      double lowest = Double.POSITIVE_INFINITY;
      sr[i] = true;
      int row = i * nc;
      double rowBase = minVal - u[i];
      for (int it = 0; it < numRemaining; it++) {
        int j = remaining[it];
        double r = rowBase + cost[row + j] - v[j];
        if (r < shortest[j]) {
          path[j] = i;
          shortest[j] = r;
        }
        // among equally short paths prefer one that ends at a free column: a new sink
        if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1)) {
          lowest = shortest[j];
          index = it;
        }
      }
      minVal = lowest;
      if (minVal == Double.POSITIVE_INFINITY) return -1;
      int j = remaining[index];
      if (row4col[j] == -1) sink = j;
      else i = row4col[j];
      sc[j] = true;
      remaining[index] = remaining[--numRemaining];
    }
    minValOut[0] = minVal;
    return sink;
  }
}
