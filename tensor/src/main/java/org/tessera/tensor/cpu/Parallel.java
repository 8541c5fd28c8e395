package org.tessera.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one way kernels use threads: ranges split over a single shared pool with one worker per core. A range
 * started from inside the pool (an op within an op) runs on the calling thread, so nesting never oversubscribes.
 */
public final class Parallel {
  /** Worker count: {@code -Dtessera.threads=N}, else the number of cores. */
  public static final int THREADS = Integer.getInteger("tessera.threads", Runtime.getRuntime().availableProcessors());
  private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
    var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
    t.setName("tessera-" + t.getPoolIndex());
    t.setDaemon(true);
    return t;
  }, null, false);

  private Parallel() {}

  @FunctionalInterface
  public interface Body {
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over [0, n) in contiguous pieces of at least {@code grain} items, at most one piece per
   * worker, and returns when all are done.
   */
  public static void range(int n, int grain, Body body) {
    int pieces = (int) Math.min(THREADS, Math.max(1, (long) n / Math.max(1, grain)));
    if (pieces <= 1 || ForkJoinTask.inForkJoinPool()) {
      if (n > 0) body.run(0, n);
      return;
    }
    POOL.invoke(new Piece(body, n, pieces, 0, pieces));
  }

  private static final class Piece extends RecursiveAction {
    private final Body body;
    private final int n, pieces, lo, hi;

    Piece(Body body, int n, int pieces, int lo, int hi) {
      this.body = body;
      this.n = n;
      this.pieces = pieces;
      this.lo = lo;
      this.hi = hi;
    }

    @Override protected void compute() {
      if (hi - lo == 1) {
        body.run((int) ((long) n * lo / pieces), (int) ((long) n * hi / pieces));
        return;
      }
      int mid = (lo + hi) >>> 1;
      invokeAll(new Piece(body, n, pieces, lo, mid), new Piece(body, n, pieces, mid, hi));
    }
  }
}
