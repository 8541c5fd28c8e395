package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
