package org.tessera.tensor.cpu;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Work counters of the steps of one SGEMM (each step packs a block of B, then computes with it), shared by the
 * threads in it: a thread claims a step's items of one kind until none are left, and waits for the items the others
 * claimed before it goes on. A thread waits only when nothing is left to claim, so the items may also run one after
 * another on one thread.
 */
final class Steps {
  /** The two kinds of item in a step: packing B's panels, then computing tiles with them. */
  static final int PACKING = 0, COMPUTING = 1;
  private static final long SPIN_NANOS = 50_000;
  private final AtomicIntegerArray claimed, finished;
  private volatile boolean failed; // a thread threw: the others stop waiting for items it will never finish, and return

  Steps(int steps) {
    claimed = new AtomicIntegerArray(2 * steps);
    finished = new AtomicIntegerArray(2 * steps);
  }

  /**
   * Runs {@code body} (the steps, in order) on every thread when {@code parallel}, else once on this one; a thread
   * that throws marks the product failed, so that the others stop waiting for it, and its error is rethrown here.
   */
  void run(boolean parallel, Parallel.Body body) {
    Parallel.Body guarded = (lo, hi) -> {
      try {
        body.run(lo, hi);
      } catch (Throwable e) {
        failed = true;
        throw e;
      }
    };
    if (parallel) Parallel.range(Parallel.THREADS, 1, guarded);
    else guarded.run(0, 1);
  }

  int claim(int step, int kind) {
    return claimed.getAndIncrement(2 * step + kind);
  }

  void done(int step, int kind) {
    finished.incrementAndGet(2 * step + kind);
  }

  /**
   * Waits until the step's items of this kind are finished; false if a thread failed instead. Spins, then yields
   * the core after {@link #SPIN_NANOS} (the other thread may be waiting for it, or a data loader could use it).
   */
  boolean await(int step, int kind, int items) {
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    while (finished.get(2 * step + kind) < items) {
      if (failed) return false;
      if (System.nanoTime() < spinUntil) Thread.onSpinWait();
      else Thread.yield();
    }
    return true;
  }
}
