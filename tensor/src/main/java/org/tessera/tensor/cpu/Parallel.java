package org.tessera.tensor.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one way kernels use threads: a range is cut into pieces (at most one per core, or pieces of a given size that
 * the threads claim one at a time), the calling thread runs pieces itself, and {@code THREADS − 1} resident workers
 * take the others. One range runs at a time: a range started while
 * another runs (an op within an op, or an op on another thread such as a data loader) runs its pieces one after
 * another on its calling thread, so nothing oversubscribes the cores and the pieces, and so the results, are the
 * same either way.
 *
 * <p>Why not a ForkJoinPool: a training step runs tens of thousands of small ranges, and waking a parked pool worker
 * and waiting for it cost about 28 µs per range on our 2-core machines; here a worker spins for a short while after
 * each range before it parks, so back-to-back ranges start in well under a microsecond.
 */
public final class Parallel {
  /** Worker count: {@code -Dtessera.threads=N}, else the number of cores. */
  public static final int THREADS = Math.max(1, Integer.getInteger("tessera.threads", Runtime.getRuntime().availableProcessors()));
  // how long an idle thread spins before parking: long enough to bridge the gap between consecutive ops
  private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  private static final AtomicBoolean BUSY = new AtomicBoolean();
  private static final Worker[] WORKERS = new Worker[THREADS - 1];

  // the range running now (or the last one): workers watch this field for a new job
  private static volatile Job current;
  private static volatile Thread owner;

  static {
    for (int i = 0; i < WORKERS.length; i++) {
      WORKERS[i] = new Worker("tessera-" + i);
      WORKERS[i].start();
    }
  }

  private Parallel() {}

  @FunctionalInterface
  public interface Body {
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over [0, n) in contiguous pieces of at least {@code grain} items, at most one piece per
   * thread, and returns when all are done. An exception thrown by a piece is rethrown here after the others finish.
   */
  public static void range(int n, int grain, Body body) {
    run(n, (int) Math.min(THREADS, Math.max(1, (long) n / Math.max(1, grain))), body);
  }

  /**
   * Runs {@code body} over [0, n) in {@code ceil(n / size)} contiguous pieces of about {@code size} items, claimed
   * one at a time by the threads, and returns when all are done. Where {@link #range} gives each thread a fixed
   * share, here a thread that the VM or the host slows down takes fewer pieces and the others take more. The pieces
   * do not depend on the thread count, so neither does the result.
   */
  public static void shared(int n, int size, Body body) {
    run(n, (int) Math.max(1, ((long) n + Math.max(1, size) - 1) / Math.max(1, size)), body);
  }

  private static void run(int n, int pieces, Body body) {
    Thread me = Thread.currentThread();
    if (pieces <= 1 || me instanceof Worker || owner == me || !BUSY.compareAndSet(false, true)) {
      // the same pieces, one after another: a body's result (partial sums per piece) must not depend on whether
      // another range happened to be running, or two runs of one training would differ in the last bits
      if (n > 0)
        for (int p = 0; p < pieces; p++) body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
      return;
    }
    try {
      owner = me;
      Job job = new Job(body, n, pieces, me);
      current = job;
      for (Worker w : WORKERS)
        if (w.parked) LockSupport.unpark(w);
      job.runPieces();
      job.await();
      job.body = null;
      if (job.failure instanceof RuntimeException e) throw e;
      if (job.failure instanceof Error e) throw e;
    } finally {
      owner = null;
      BUSY.set(false);
    }
  }

  /** One range: its pieces are claimed by counter, so a worker that arrives late finds none left and does nothing. */
  private static final class Job {
    Body body; // cleared when the range ends, so that the last job does not keep its arrays reachable
    final int n, pieces;
    final Thread owner;
    final AtomicInteger nextPiece = new AtomicInteger(), unfinished;
    volatile Throwable failure;
    volatile boolean ownerParked;

    Job(Body body, int n, int pieces, Thread owner) {
      this.body = body;
      this.n = n;
      this.pieces = pieces;
      this.owner = owner;
      this.unfinished = new AtomicInteger(pieces);
    }

    void runPieces() {
      for (int p; (p = nextPiece.getAndIncrement()) < pieces; ) {
        try {
          body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
        } catch (Throwable t) {
          if (failure == null) failure = t;
        } finally {
          if (unfinished.decrementAndGet() == 0 && ownerParked) LockSupport.unpark(owner);
        }
      }
    }

    /** Spins, then parks, until every piece has finished. */
    void await() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (unfinished.get() > 0) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
          continue;
        }
        ownerParked = true;
        if (unfinished.get() > 0) LockSupport.park(this);
        ownerParked = false;
      }
    }
  }

  private static final class Worker extends Thread {
    volatile boolean parked;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    @Override public void run() {
      Job seen = null;
      while (true) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (current == seen) {
          if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
            continue;
          }
          parked = true;
          if (current == seen) LockSupport.park(Parallel.class);
          parked = false;
        }
        seen = current;
        seen.runPieces();
      }
    }
  }
}
