package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import java.util.Arrays;
import org.tessera.tensor.DType;
import org.tessera.tensor.ReduceOp;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;

/** Reductions and the matrix product. */
interface ReductionTable extends TensorOps {
  @Override default Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
    String name = switch (op) {
      case SUM -> "sum";
      case MAX -> "amax";
      case MIN -> "amin";
    };
    for (int d : dims)
      if (x.size(d) == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN))
        throw new IllegalArgumentException(name + ": cannot reduce over dim " + d + " of size 0 (shape " + Shapes.str(x.shape()) + ")");
    Tensor kept = x.backend().reduce(op, x, dims);
    int[] keptShape = kept.shape();
    Tensor out = keepdim ? kept : Tensor.contiguousView(kept.storage(), Shapes.without(keptShape, dims));
    return record(name, out, of(x), of(x, kept), g -> {
      Tensor gk = g.reshape(keptShape);
      return of(switch (op) {
        case SUM -> gk.expand(x.shape());
        case MAX, MIN -> {
          // the gradient is shared equally among the elements that attain the extreme, as torch.amax does
          Tensor hit = x.eq(kept).to(x.dtype());
          yield gk.mul(hit).div(hit.sum(dims, true));
        }
      });
    });
  }

  @Override default Tensor matmul(Tensor a, Tensor b) {
    if (a.dim() == 0 || b.dim() == 0)
      throw new IllegalArgumentException("matmul: both operands need at least 1 dim, got shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
    ElementwiseTable.requireSameDevice("matmul", a, b);
    DType low = Autocast.lowPrecision(a, b);
    if (low != null) return a.to(low).matmul(b.to(low)).to(DType.F32);
    DType dtype = DType.promote(a.dtype(), b.dtype());
    Tensor x = a.to(dtype), y = b.to(dtype);
    // 1-D operands become a row (left) or a column (right); the added dim is dropped from the result
    Tensor x2 = x.dim() == 1 ? x.unsqueeze(0) : x, y2 = y.dim() == 1 ? y.unsqueeze(1) : y;
    int m = x2.size(-2), k = x2.size(-1), n = y2.size(-1);
    if (y2.size(-2) != k)
      throw new IllegalArgumentException("matmul: shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + " cannot be multiplied (" + k + " vs "
          + y2.size(-2) + ")");
    int[] batch = Shapes.broadcast("matmul", Arrays.copyOf(x2.shape(), x2.dim() - 2), Arrays.copyOf(y2.shape(), y2.dim() - 2));
    // a batch of matrices times one matrix (every linear layer): one product with the batch folded into the rows,
    // so that the right operand is packed once and its gradient is one product over all rows, not a batch summed
    boolean foldBatch = y2.dim() == 2 && x2.dim() > 2;
    int rows = foldBatch ? Shapes.numel(batch) * m : m;
    Tensor product = foldBatch ? x.backend().matmul(view3(x2, 1, rows, k), view3(y2, 1, k, n))
        : x.backend().matmul(flattenBatch(x2, batch, m, k), flattenBatch(y2, batch, k, n));
    int[] outShape = Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    int[] resultShape = a.dim() == 1 && b.dim() == 1 ? new int[0]
        : a.dim() == 1 ? Shapes.without(outShape, new int[] {batch.length})
        : b.dim() == 1 ? Shapes.without(outShape, new int[] {batch.length + 1})
        : outShape;
    Tensor out = Tensor.contiguousView(product.storage(), resultShape);
    return record("matmul", out, of(x, y), of(x, y), g -> {
      Tensor g2 = g.reshape(outShape);
      Tensor gx = MovementTable.sumToShape(g2.matmul(y2.mT()), x2.shape()).reshape(x.shape());
      Tensor gy = foldBatch ? x2.reshape(rows, k).mT().matmul(g2.reshape(rows, n)).reshape(y.shape())
          : MovementTable.sumToShape(x2.mT().matmul(g2), y2.shape()).reshape(y.shape());
      return of(gx, gy);
    });
  }

  @Override default Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    if (weight.dim() != 2 || x.dim() == 0 || x.size(-1) != weight.size(1))
      throw new IllegalArgumentException("linear: input of shape " + Shapes.str(x.shape()) + " and weight of shape " + Shapes.str(weight.shape())
          + " do not match (the weight is (out features, in features))");
    if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
      throw new IllegalArgumentException("linear: bias of shape " + Shapes.str(bias.shape()) + " for " + weight.size(0) + " output features");
    ElementwiseTable.requireSameDevice("linear", x, weight);
    if (bias != null) ElementwiseTable.requireSameDevice("linear", x, bias);
    if (Autocast.lowPrecision(x, weight) != null) { // matmul runs the product in low precision; the bias added in F32 after it
      Tensor product = x.matmul(weight.mT());
      return bias == null ? product : product.add(bias);
    }
    DType dtype = DType.promote(x.dtype(), weight.dtype());
    if (bias != null) dtype = DType.promote(dtype, bias.dtype());
    Tensor in = x.to(dtype), w = weight.to(dtype), b = bias == null ? null : bias.to(dtype);
    int k = w.size(1), n = w.size(0), rows = Shapes.numel(Arrays.copyOf(in.shape(), in.dim() - 1));
    // the leading dims folded into the rows, the weight read transposed in place: one product, the bias added in it
    Tensor product = in.backend().linear(view3(in, 1, rows, k), view3(w.mT(), 1, k, n), b);
    int[] outShape = in.shape();
    outShape[outShape.length - 1] = n;
    Tensor out = Tensor.contiguousView(product.storage(), outShape);
    return record("linear", out, of(in, w, b), of(in, w), g -> {
      Tensor g2 = g.reshape(rows, n);
      return of(g2.matmul(w).reshape(in.shape()), g2.mT().matmul(in.reshape(rows, k)), b == null ? null : g2.sum(0));
    });
  }

  /** A (B, rows, cols) view (or copy) of t broadcast to batch + (rows, cols). */
  private static Tensor flattenBatch(Tensor t, int[] batch, int rows, int cols) {
    int[] full = Arrays.copyOf(batch, batch.length + 2);
    full[batch.length] = rows;
    full[batch.length + 1] = cols;
    return view3(t.expandRaw(full), Shapes.numel(batch), rows, cols);
  }

  /** t as a (batch, rows, cols) view when its strides allow, else as a contiguous copy. */
  private static Tensor view3(Tensor t, int batch, int rows, int cols) {
    int[] shape3 = {batch, rows, cols};
    int[] strides = org.tessera.tensor.ViewStrides.of(t.shape(), t.strides(), shape3);
    if (strides != null) return t.asStrided(shape3, strides, t.offset());
    return Tensor.contiguousView(t.backend().copy(t, t.dtype()).storage(), shape3);
  }
}
