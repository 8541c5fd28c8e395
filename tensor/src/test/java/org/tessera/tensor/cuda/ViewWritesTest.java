package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CUDA backend's assign writes a view on the device only when its elements are distinct locations. */
class ViewWritesTest {
  @Test
  void contiguousTransposedNarrowedAndSizeOneViewsAreDistinct() {
    assertTrue(ViewWrites.distinct(new int[] {2, 3, 4}, new int[] {12, 4, 1}));
    assertTrue(ViewWrites.distinct(new int[] {4, 3}, new int[] {1, 4}), "a transpose");
    assertTrue(ViewWrites.distinct(new int[] {2, 3}, new int[] {10, 2}), "every other column of a wider storage");
    assertTrue(ViewWrites.distinct(new int[] {1, 5, 1}, new int[] {0, 1, 0}), "zero strides of size-1 dims write nothing twice");
    assertTrue(ViewWrites.distinct(new int[] {}, new int[] {}), "a scalar");
  }

  @Test
  void expandedAndSelfOverlappingViewsAreNot() {
    assertFalse(ViewWrites.distinct(new int[] {3, 4}, new int[] {0, 1}), "a row expanded over 3");
    assertFalse(ViewWrites.distinct(new int[] {3, 3}, new int[] {1, 1}), "sliding windows of one row");
    assertFalse(ViewWrites.distinct(new int[] {2, 4}, new int[] {3, 1}), "rows of 4 three apart");
  }
}
