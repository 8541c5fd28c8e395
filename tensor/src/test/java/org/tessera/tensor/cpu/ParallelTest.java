package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
  @Test
  void everyIndexRunsExactlyOnce() {
    for (int n : new int[] {0, 1, 7, 1000, 100_003}) {
      AtomicIntegerArray hits = new AtomicIntegerArray(n);
      Parallel.range(n, 10, (lo, hi) -> {
        for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
      });
      for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
    }
  }

  @Test
  void sharedPiecesCoverEveryIndexOnceInPiecesOfAboutTheSize() {
    for (int[] c : new int[][] {{0, 4}, {1, 4}, {7, 4}, {98, 4}, {384, 16}, {100_003, 1000}, {5, 100}}) {
      int n = c[0], size = c[1], pieces = (n + size - 1) / size; // n = 0: no piece at all
      AtomicIntegerArray hits = new AtomicIntegerArray(n);
      List<Integer> lengths = java.util.Collections.synchronizedList(new ArrayList<>());
      Parallel.shared(n, size, (lo, hi) -> {
        lengths.add(hi - lo);
        for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
      });
      for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
      assertEquals(pieces, lengths.size(), n + " in pieces of " + size);
      for (int length : lengths) assertTrue(length >= n / pieces && length <= (n + pieces - 1) / pieces, "piece of " + length);
    }
  }

  @Test
  void sharedPiecesAreTheSameWhenThePoolIsBusy() {
    List<String> free = java.util.Collections.synchronizedList(new ArrayList<>()), nested = java.util.Collections.synchronizedList(new ArrayList<>());
    Parallel.shared(98, 4, (lo, hi) -> free.add(lo + ".." + hi));
    Parallel.range(2, 1, (lo, hi) -> {
      if (lo == 0) Parallel.shared(98, 4, (l2, h2) -> nested.add(l2 + ".." + h2));
    });
    java.util.Collections.sort(free);
    java.util.Collections.sort(nested);
    assertEquals(free, nested);
    assertEquals(25, nested.size());
  }

  @Test
  void nestedRangesRunInlineWithoutDeadlock() {
    AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
    Parallel.range(64, 1, (lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        int row = i;
        Parallel.range(64, 1, (l2, h2) -> {
          for (int j = l2; j < h2; j++) hits.incrementAndGet(row * 64 + j);
        });
      }
    });
    for (int i = 0; i < 64 * 64; i++) assertEquals(1, hits.get(i));
  }

  @Test
  void aRangeStartedWhileAnotherRunsHasTheSamePieces() {
    // the pieces a body sees decide its partial sums: they must not depend on whether the pool was free
    List<String> free = new ArrayList<>(), nested = java.util.Collections.synchronizedList(new ArrayList<>());
    Parallel.range(10, 1, (lo, hi) -> {
      synchronized (free) {
        free.add(lo + ".." + hi);
      }
    });
    Parallel.range(2, 1, (lo, hi) -> {
      if (lo == 0) Parallel.range(10, 1, (l2, h2) -> nested.add(l2 + ".." + h2)); // the pool is busy with the outer range
    });
    java.util.Collections.sort(free);
    assertEquals(free, nested);
    assertEquals(Math.min(Parallel.THREADS, 10), nested.size());
  }

  @Test
  void aFailingPieceFailsTheRangeAfterTheOthersFinish() {
    AtomicIntegerArray hits = new AtomicIntegerArray(100);
    var e = assertThrows(IllegalStateException.class, () -> Parallel.range(100, 1, (lo, hi) -> {
      for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
      if (hi == 100) throw new IllegalStateException("piece ending at 100");
    }));
    assertEquals("piece ending at 100", e.getMessage());
    for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
    // the pool is usable afterwards
    everyIndexRunsExactlyOnce();
  }

  @Test
  void rangesFromSeveralThreadsAtOnceEachRunExactlyOnce() throws InterruptedException {
    int threads = 4, n = 5000;
    AtomicIntegerArray hits = new AtomicIntegerArray(threads * n);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * n;
      started.add(Thread.ofPlatform().start(() -> {
        for (int round = 0; round < 200; round++)
          Parallel.range(n, 7, (lo, hi) -> {
            for (int i = lo; i < hi; i++) hits.incrementAndGet(base + i);
          });
      }));
    }
    for (Thread t : started) t.join();
    for (int i = 0; i < threads * n; i++) assertEquals(200, hits.get(i), "index " + i);
  }
}
