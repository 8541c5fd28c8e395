package org.tessera.tensor;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact rectangular linear assignment (Hungarian matching) in F64: the shortest-augmenting-path method of
 * Jonker–Volgenant as Crouse describes it (2016), the algorithm behind {@code scipy.optimize.linear_sum_assignment},
 * with the same tie-breaking and output order, so both give the same matching. O(n²·m) for n ≤ m.
 * An infinite cost forbids a pair; NaN (and −∞ when minimising, +∞ when maximising) is rejected.
 *
 * <p>The search visits the unscanned columns in scipy's order; the vectorised search keeps its per-column state in
 * that order (position-indexed arrays, a visited column swapped to the tail) so that the relaxation is a gather and
 * a few lane-wise operations, and the choice of the next column the same two-rule scan as scipy's loop: the first
 * column at the minimum, unless a later free column ties with it (then the last such one). The scalar search is the
 * oracle of the tests and runs for narrow matrices.
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
    return solve(cost, rows, cols, maximize, true);
  }

  static Result solve(double[] cost, int rows, int cols, boolean maximize, boolean vectorized) {
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
    VectorSearch search = vectorized && nc >= 2 * DOUBLES.length() ? new VectorSearch(nc) : null;
    for (int cur = 0; cur < nr; cur++) {
      int sink = search != null ? search.augmentingPath(c, u, v, path, row4col, shortest, cur, sr, sc, minVal)
          : augmentingPath(nc, c, u, v, path, row4col, shortest, cur, sr, sc, remaining, minVal);
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

  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
  /** Ints with as many lanes as {@link #DOUBLES}, for the path row of each column. */
  private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));

  /** The same search as {@link #augmentingPath} on position-indexed state, vectorised over the unscanned columns. */
  private static final class VectorSearch {
    final int nc;
    final int[] colAt, pathAt, free;
    final double[] shortestAt, vAt;

    VectorSearch(int nc) {
      this.nc = nc;
      colAt = new int[nc];
      pathAt = new int[nc];
      free = new int[nc];
      shortestAt = new double[nc];
      vAt = new double[nc];
    }

    int augmentingPath(double[] cost, double[] u, double[] v, int[] path, int[] row4col, double[] shortest, int i, boolean[] sr, boolean[] sc,
        double[] minValOut) {
      // scipy's initial order of the unscanned columns is descending
      for (int p = 0; p < nc; p++) {
        int j = nc - p - 1;
        colAt[p] = j;
        vAt[p] = v[j];
        free[p] = row4col[j] == -1 ? 1 : 0;
      }
      Arrays.fill(shortestAt, Double.POSITIVE_INFINITY);
      Arrays.fill(sr, false);
      double minVal = 0;
      int numRemaining = nc, sink = -1;
      while (sink == -1) {
        sr[i] = true;
        int index = relaxAndSelect(cost, i * nc, minVal - u[i], i, numRemaining);
        minVal = shortestAt[index];
        if (minVal == Double.POSITIVE_INFINITY) return -1;
        int j = colAt[index];
        if (free[index] == 1) sink = j;
        else i = row4col[j];
        swap(index, --numRemaining);
      }
      // the caller reads shortest, path and sc of the scanned columns only: they sit at the tail
      Arrays.fill(sc, false);
      for (int p = numRemaining; p < nc; p++) {
        int j = colAt[p];
        shortest[j] = shortestAt[p];
        path[j] = pathAt[p];
        sc[j] = true;
      }
      minValOut[0] = minVal;
      return sink;
    }

    /** Relaxes the unscanned columns through row i and returns the position scipy's loop would choose next. */
    private int relaxAndSelect(double[] cost, int row, double rowBase, int i, int n) {
      int lanes = DOUBLES.length(), p = 0;
      DoubleVector lowestV = DoubleVector.broadcast(DOUBLES, Double.POSITIVE_INFINITY);
      IntVector rowV = IntVector.broadcast(INTS, i);
      for (; p <= n - lanes; p += lanes) {
        DoubleVector r = DoubleVector.fromArray(DOUBLES, cost, row, colAt, p).add(rowBase).sub(DoubleVector.fromArray(DOUBLES, vAt, p));
        DoubleVector sh = DoubleVector.fromArray(DOUBLES, shortestAt, p);
        VectorMask<Double> shorter = r.compare(VectorOperators.LT, sh);
        sh = sh.blend(r, shorter);
        sh.intoArray(shortestAt, p);
        IntVector.fromArray(INTS, pathAt, p).blend(rowV, shorter.cast(INTS)).intoArray(pathAt, p);
        lowestV = lowestV.min(sh);
      }
      double lowest = lowestV.reduceLanes(VectorOperators.MIN);
      for (; p < n; p++) {
        double r = rowBase + cost[row + colAt[p]] - vAt[p];
        if (r < shortestAt[p]) {
          shortestAt[p] = r;
          pathAt[p] = i;
        }
        lowest = Math.min(lowest, shortestAt[p]);
      }
      int first = -1, lastFree = -1, q = 0;
      for (; q <= n - lanes; q += lanes) {
        long ties = DoubleVector.fromArray(DOUBLES, shortestAt, q).compare(VectorOperators.EQ, lowest).toLong();
        for (; ties != 0; ties &= ties - 1) {
          int t = q + Long.numberOfTrailingZeros(ties);
          if (first < 0) first = t;
          if (free[t] == 1) lastFree = t;
        }
      }
      for (; q < n; q++)
        if (shortestAt[q] == lowest) {
          if (first < 0) first = q;
          if (free[q] == 1) lastFree = q;
        }
      return lastFree >= 0 ? lastFree : first;
    }

    private void swap(int a, int b) {
      int col = colAt[a], pathRow = pathAt[a], isFree = free[a];
      double sh = shortestAt[a], vv = vAt[a];
      colAt[a] = colAt[b];
      pathAt[a] = pathAt[b];
      free[a] = free[b];
      shortestAt[a] = shortestAt[b];
      vAt[a] = vAt[b];
      colAt[b] = col;
      pathAt[b] = pathRow;
      free[b] = isFree;
      shortestAt[b] = sh;
      vAt[b] = vv;
    }
  }
}
