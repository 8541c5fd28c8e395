package org.tessera.tensor;

import java.util.Comparator;

/** Orders of storage offsets by their values: NaN sorts as the largest value, as in torch.sort. */
final class SortOrder {
  private SortOrder() {}

  static Comparator<Integer> ascending(HostStorage s) {
    if (!s.dtype().floating) return (p, q) -> Long.compare(s.getLong(p), s.getLong(q));
    return (p, q) -> {
      double a = s.getDouble(p), b = s.getDouble(q);
      if (a < b) return -1;
      if (a > b) return 1;
      return Boolean.compare(Double.isNaN(a), Double.isNaN(b)); // equal values (0.0 and -0.0 too) keep their order
    };
  }

  static Comparator<Integer> descending(HostStorage s) {
    return ascending(s).reversed();
  }
}
