package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import java.util.Arrays;
import org.tessera.tensor.DType;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;
import org.tessera.tensor.ViewStrides;

/** Views, copies and indexing. Views share storage with their input; their backward reshapes or scatters back. */
interface MovementTable extends TensorOps {
  @Override default Tensor contiguous(Tensor x) {
    return record("contiguous", x.backend().copy(x, x.dtype()), of(x), of(), g -> of(g));
  }

  @Override default Tensor reshape(Tensor x, int[] shape) {
    if (Arrays.equals(shape, x.shape())) return x;
    int[] strides = ViewStrides.of(x.shape(), x.strides(), shape);
    Tensor out = strides != null ? x.asStrided(shape, strides, x.offset()) : Tensor.contiguousView(x.backend().copy(x, x.dtype()).storage(), shape);
    return record("reshape", out, of(x), of(), g -> of(g.reshape(x.shape())));
  }

  @Override default Tensor permute(Tensor x, int[] dims) {
    int[] shape = x.shape(), strides = x.strides(), newShape = new int[dims.length], newStrides = new int[dims.length], inverse = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      newShape[i] = shape[dims[i]];
      newStrides[i] = strides[dims[i]];
      inverse[dims[i]] = i;
    }
    return record("permute", x.asStrided(newShape, newStrides, x.offset()), of(x), of(), g -> of(g.permute(inverse)));
  }

  @Override default Tensor expand(Tensor x, int[] shape) {
    if (Arrays.equals(shape, x.shape())) return x;
    return record("expand", x.expandRaw(shape), of(x), of(), g -> of(sumToShape(g, x.shape())));
  }

  @Override default Tensor slice(Tensor x, int dim, int start, int end, int step) {
    Tensor out = sliceView(x, dim, start, end, step);
    return record("slice", out, of(x), of(), g -> {
      Tensor full = Tensor.zeros(g.dtype(), g.device(), x.shape());
      full.backend().assign(sliceView(full, dim, start, end, step), g);
      return of(full);
    });
  }

  @Override default Tensor cat(Tensor[] xs, int dim) {
    int[] shape = xs[0].shape();
    DType dtype = xs[0].dtype();
    int total = 0;
    for (int i = 0; i < xs.length; i++) {
      int[] s = xs[i].shape();
      s[dim] = shape[dim];
      if (!Arrays.equals(s, shape))
        throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shapes.str(xs[i].shape()) + ", which differs from tensor 0's "
            + Shapes.str(xs[0].shape()) + " outside dim " + dim);
      ElementwiseTable.requireSameDevice("cat", xs[0], xs[i]);
      dtype = DType.promote(dtype, xs[i].dtype());
      total += xs[i].size(dim);
    }
    shape[dim] = total;
    Tensor out = Tensor.zeros(dtype, xs[0].device(), shape);
    int[] starts = new int[xs.length];
    for (int i = 0, at = 0; i < xs.length; at += xs[i].size(dim), i++) {
      starts[i] = at;
      out.backend().assign(sliceView(out, dim, at, at + xs[i].size(dim), 1), xs[i]);
    }
    return record("cat", out, xs.clone(), of(), g -> {
      Tensor[] grads = new Tensor[xs.length];
      for (int i = 0; i < xs.length; i++) grads[i] = g.narrow(dim, starts[i], xs[i].size(dim)).to(xs[i].dtype());
      return grads;
    });
  }

  @Override default Tensor gather(Tensor x, int dim, Tensor index) {
    checkIndex("gather", x, dim, index);
    Tensor out = x.backend().gather(x, dim, index);
    return record("gather", out, of(x), of(index), g -> {
      Tensor full = Tensor.zeros(g.dtype(), g.device(), x.shape());
      full.backend().scatterAdd(full, dim, index, g);
      return of(full);
    });
  }

  @Override default Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
    checkIndex("scatter_add", x, dim, index);
    if (!Arrays.equals(index.shape(), src.shape()))
      throw new IllegalArgumentException("scatter_add: index shape " + Shapes.str(index.shape()) + " differs from src shape " + Shapes.str(src.shape()));
    Tensor out = x.backend().copy(x, x.dtype());
    out.backend().scatterAdd(out, dim, index, src.to(x.dtype()));
    return record("scatter_add", out, of(x, src), of(index), g -> of(g, g.gather(dim, index).to(src.dtype())));
  }

  @Override default Tensor copy_(Tensor dst, Tensor src) {
    if (GradMode.isEnabled() && (dst.requiresGrad() || src.requiresGrad()))
      throw new IllegalStateException("copy_: in-place writes are not recorded by autograd (the destination " + (dst.requiresGrad() ? "requires grad" : "does not")
          + ", the source " + (src.requiresGrad() ? "requires grad" : "does not") + "): use out-of-place ops, or GradMode.noGrad() for updates such as optimizer steps");
    ElementwiseTable.requireSameDevice("copy_", dst, src);
    dst.backend().assign(dst, src.expandRaw(Shapes.broadcast("copy_", dst.shape(), src.shape())));
    dst.storage().bumpVersion();
    return dst;
  }

  /** Sums a broadcast gradient back to the shape of the tensor that was broadcast. */
  static Tensor sumToShape(Tensor g, int[] shape) {
    int lead = g.dim() - shape.length;
    int[] dims = new int[g.dim()];
    int n = 0;
    for (int d = 0; d < g.dim(); d++) if (d < lead || (shape[d - lead] == 1 && g.size(d) != 1)) dims[n++] = d;
    if (n == 0) return g;
    return g.sum(Arrays.copyOf(dims, n), true).reshape(shape);
  }

  private static Tensor sliceView(Tensor x, int dim, int start, int end, int step) {
    int[] shape = x.shape(), strides = x.strides();
    shape[dim] = Math.max(0, (end - start + step - 1) / step);
    int offset = x.offset() + (shape[dim] == 0 ? 0 : start * strides[dim]);
    strides[dim] *= step;
    return x.asStrided(shape, strides, offset);
  }

  /** torch's rules: an integer index of the same rank as x, no larger than x outside dim. */
  private static void checkIndex(String op, Tensor x, int dim, Tensor index) {
    if (index.dtype().floating || index.dtype() == DType.BOOL)
      throw new IllegalArgumentException(op + ": the index must be an integer tensor, got " + index.dtype());
    if (index.dim() != x.dim())
      throw new IllegalArgumentException(op + ": index of shape " + Shapes.str(index.shape()) + " and input of shape " + Shapes.str(x.shape()) + " differ in rank");
    for (int d = 0; d < x.dim(); d++)
      if (d != dim && index.size(d) > x.size(d))
        throw new IllegalArgumentException(op + ": index of shape " + Shapes.str(index.shape()) + " is larger than input of shape " + Shapes.str(x.shape())
            + " in dim " + d);
    ElementwiseTable.requireSameDevice(op, x, index);
  }
}
