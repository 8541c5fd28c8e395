package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadScratchTest {
  /** Our test JVM runs G1 with 1 MB regions (as .mvn/jvm.config and the benchmarks' forks do): the line-aligned arrays are humongous. */
  @Test
  void lineAlignedArraysAreHumongousAndStartTheirLinesAtFloat12() {
    assertEquals(12, ThreadScratch.LINE);
    ThreadScratch scratch = new ThreadScratch();
    float[] small = scratch.lineAligned(5);
    assertEquals((1 << 20) / 2 / Float.BYTES, small.length, "half a 1 MB region");
    assertSame(small, scratch.lineAligned(1000), "reused while long enough");
    float[] large = scratch.lineAligned(1 << 20);
    assertTrue(large.length >= ThreadScratch.LINE + (1 << 20));
  }
}
