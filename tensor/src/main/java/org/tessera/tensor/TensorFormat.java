package org.tessera.tensor;

/** toString: nested values (abbreviated with … past 1000 elements, 3 per edge as torch), then shape, dtype, device. */
final class TensorFormat {
  private static final int THRESHOLD = 1000, EDGE = 3;

  private TensorFormat() {}

  static String format(Tensor t) {
    StringBuilder sb = new StringBuilder("tensor(");
    HostStorage host = t.toHost();
    boolean abbreviate = t.numel() > THRESHOLD;
    append(sb, host, t.shape(), Shapes.contiguousStrides(t.shape()), 0, 0, abbreviate, "tensor(".length() + 1);
    sb.append(", shape=").append(Shapes.str(t.shape())).append(", dtype=").append(t.dtype()).append(", device=").append(t.device());
    if (t.gradFn() != null) sb.append(", grad_fn=").append(t.gradFn().name());
    else if (t.requiresGrad()) sb.append(", requires_grad=true");
    return sb.append(')').toString();
  }

  private static void append(StringBuilder sb, HostStorage host, int[] shape, int[] strides, int dim, int offset, boolean abbreviate, int indent) {
    if (dim == shape.length) {
      sb.append(value(host, offset));
      return;
    }
    sb.append('[');
    int n = shape[dim];
    for (int i = 0; i < n; i++) {
      if (abbreviate && n > 2 * EDGE && i == EDGE) {
        sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim));
        i = n - EDGE;
      }
      append(sb, host, shape, strides, dim + 1, offset + i * strides[dim], abbreviate, indent);
      if (i < n - 1) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim));
    }
    sb.append(']');
  }

  private static String value(HostStorage host, int i) {
    return switch (host.dtype()) {
      case BOOL -> host.getLong(i) != 0 ? "true" : "false";
      case I64, I32, U8 -> Long.toString(host.getLong(i));
      default -> {
        double v = host.getDouble(i);
        yield Double.isFinite(v) ? String.format("%.4f", v) : Double.toString(v);
      }
    };
  }
}
