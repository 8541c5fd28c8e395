package org.tessera.tensor;

import java.util.ArrayList;
import java.util.List;

/** Views, joins, indexing and padding of a {@link Tensor}. Views share storage; the rest copy. */
public interface MovementOps {
  Tensor self();

  /** A tensor with the same elements in this shape (one dim may be -1); a view when the strides allow it. */
  default Tensor reshape(int... shape) {
    return TensorOps.get().reshape(self(), inferShape("reshape", shape, self().numel()));
  }

  /** Like reshape, but an error instead of a copy when no view exists. */
  default Tensor view(int... shape) {
    Tensor x = self();
    int[] target = inferShape("view", shape, x.numel());
    if (ViewStrides.of(x.shape(), x.strides(), target) == null)
      throw new IllegalArgumentException("view: a tensor of shape " + Shapes.str(x.shape()) + " with strides " + Shapes.str(x.strides())
          + " cannot be viewed as " + Shapes.str(target) + ": use reshape (which copies)");
    return TensorOps.get().reshape(x, target);
  }

  default Tensor flatten() { return reshape(-1); }

  /** Merges dims start..end (inclusive) into one. */
  default Tensor flatten(int start, int end) {
    int[] shape = self().shape();
    int s = Shapes.dim("flatten", start, shape.length), e = Shapes.dim("flatten", end, shape.length);
    if (shape.length == 0) return reshape(1);
    if (s > e) throw new IllegalArgumentException("flatten: start dim " + start + " is after end dim " + end);
    int[] out = new int[shape.length - (e - s)];
    for (int d = 0, o = 0; d < shape.length; d++) {
      if (d > s && d <= e) out[o - 1] *= shape[d];
      else out[o++] = shape[d];
    }
    return reshape(out);
  }

  default Tensor unsqueeze(int dim) {
    int[] shape = self().shape();
    int d = Shapes.dim("unsqueeze", dim, shape.length + 1);
    int[] out = new int[shape.length + 1];
    for (int i = 0, j = 0; i < out.length; i++) out[i] = i == d ? 1 : shape[j++];
    return reshape(out);
  }

  /** Removes all size-1 dims. */
  default Tensor squeeze() {
    return reshape(java.util.Arrays.stream(self().shape()).filter(s -> s != 1).toArray());
  }

  /** Removes {@code dim} if it has size 1 (else returns the tensor unchanged, as torch). */
  default Tensor squeeze(int dim) {
    int[] shape = self().shape();
    if (shape.length == 0) return self();
    int d = Shapes.dim("squeeze", dim, shape.length);
    if (shape[d] != 1) return self();
    int[] out = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) if (i != d) out[j++] = shape[i];
    return reshape(out);
  }

  default Tensor permute(int... dims) {
    int rank = self().dim();
    if (dims.length != rank)
      throw new IllegalArgumentException("permute: " + dims.length + " dims given for a tensor of rank " + rank + " (shape " + Shapes.str(self().shape()) + ")");
    int[] norm = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      norm[i] = Shapes.dim("permute", dims[i], rank);
      if (seen[norm[i]]) throw new IllegalArgumentException("permute: dim " + dims[i] + " appears twice in " + Shapes.str(dims));
      seen[norm[i]] = true;
    }
    return TensorOps.get().permute(self(), norm);
  }

  default Tensor transpose(int dim0, int dim1) {
    int rank = self().dim();
    int a = Shapes.dim("transpose", dim0, rank), b = Shapes.dim("transpose", dim1, rank);
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) dims[i] = i;
    dims[a] = b;
    dims[b] = a;
    return rank == 0 ? self() : TensorOps.get().permute(self(), dims);
  }

  /** The transpose of the last two dims (torch's {@code mT}); a 2-D tensor's {@code t()}. */
  default Tensor mT() { return transpose(-2, -1); }

  /** Broadcasts to a shape; -1 keeps a dim's size. */
  default Tensor expand(int... shape) {
    int[] own = self().shape();
    int[] target = shape.clone();
    for (int i = 0; i < target.length; i++) {
      int j = i - (target.length - own.length);
      if (target[i] == -1) {
        if (j < 0) throw new IllegalArgumentException("expand: -1 is not allowed for a new leading dim, in " + Shapes.str(shape));
        target[i] = own[j];
      }
    }
    return TensorOps.get().expand(self(), target);
  }

  default Tensor expandAs(Tensor other) { return expand(other.shape()); }

  /** Elements start, start+step, … before end along dim; negative and out-of-range bounds clamp as in Python. */
  default Tensor slice(int dim, int start, int end, int step) {
    int[] shape = self().shape();
    int d = Shapes.dim("slice", dim, shape.length);
    if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
    int n = shape[d];
    int s = Math.clamp(start < 0 ? start + n : start, 0, n);
    int e = Math.clamp(end < 0 ? (long) end + n : end, s, n);
    return TensorOps.get().slice(self(), d, s, e, step);
  }

  /** {@code length} elements from {@code start} along dim; out-of-range is an error (torch.narrow). */
  default Tensor narrow(int dim, int start, int length) {
    int n = self().size(dim);
    int s = start < 0 ? start + n : start;
    if (s < 0 || length < 0 || s + length > n)
      throw new IndexOutOfBoundsException("narrow: start " + start + " length " + length + " is out of range for dim " + dim + " of size " + n);
    return TensorOps.get().slice(self(), Shapes.dim("narrow", dim, self().dim()), s, s + length, 1);
  }

  /** The sub-tensor at {@code index} along dim, without that dim. */
  default Tensor select(int dim, int index) {
    int n = self().size(dim);
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dim " + dim + " of size " + n);
    return narrow(dim, i, 1).squeeze(dim);
  }

  /** Pieces of {@code size} along dim (the last may be smaller). */
  default List<Tensor> split(int size, int dim) {
    if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
    int n = self().size(dim);
    List<Tensor> out = new ArrayList<>();
    for (int s = 0; s < n || (n == 0 && s == 0); s += size) out.add(narrow(dim, s, Math.min(size, n - s)));
    return out;
  }

  /** {@code chunks} pieces of equal size along dim (the last may be smaller, as torch.chunk). */
  default List<Tensor> chunk(int chunks, int dim) {
    if (chunks <= 0) throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
    return split(Math.max(1, (self().size(dim) + chunks - 1) / chunks), dim);
  }

  default Tensor contiguous() { return self().isContiguous() ? self() : TensorOps.get().contiguous(self()); }

  default Tensor gather(int dim, Tensor index) {
    return TensorOps.get().gather(self(), Shapes.dim("gather", dim, self().dim()), index);
  }

  /** A copy with {@code src} added at {@code index} along dim (torch.scatter_add). */
  default Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    return TensorOps.get().scatterAdd(self(), Shapes.dim("scatter_add", dim, self().dim()), index, src);
  }

  /** The slices at {@code index} (1-D, integer) along dim. */
  default Tensor indexSelect(int dim, Tensor index) {
    Tensor x = self();
    int d = Shapes.dim("index_select", dim, x.dim());
    if (index.dim() != 1 || index.dtype().floating)
      throw new IllegalArgumentException("index_select: index must be a 1-D integer tensor, got " + index.dtype() + " " + Shapes.str(index.shape()));
    int[] view = new int[x.dim()];
    java.util.Arrays.fill(view, 1);
    view[d] = index.size(0);
    int[] target = x.shape();
    target[d] = index.size(0);
    return x.gather(d, index.reshape(view).expand(target));
  }

  /** Reverses the order along each of {@code dims}. */
  default Tensor flip(int... dims) {
    Tensor out = self();
    for (int dim : dims) {
      int n = out.size(dim);
      out = out.indexSelect(dim, Tensor.arange(n - 1, -1, -1).to(out.device()));
    }
    return out;
  }

  /** Shifts elements by {@code shift} along dim, wrapping around (torch.roll). */
  default Tensor roll(int shift, int dim) {
    int n = self().size(dim);
    if (n == 0) return self();
    long[] idx = new long[n];
    for (int i = 0; i < n; i++) idx[i] = Math.floorMod(i - shift, n);
    return indexSelect(dim, Tensor.of(idx, n).to(self().device()));
  }

  /** Tiles the tensor {@code repeats[i]} times along each dim (torch.Tensor.repeat). */
  default Tensor repeat(int... repeats) {
    Tensor x = self();
    if (repeats.length < x.dim())
      throw new IllegalArgumentException("repeat: " + repeats.length + " repeats given for a tensor of rank " + x.dim());
    int lead = repeats.length - x.dim();
    int[] shape = x.shape();
    int[] interleaved = new int[2 * repeats.length], expanded = new int[2 * repeats.length], out = new int[repeats.length];
    for (int i = 0; i < repeats.length; i++) {
      int s = i < lead ? 1 : shape[i - lead];
      interleaved[2 * i] = 1;
      interleaved[2 * i + 1] = s;
      expanded[2 * i] = repeats[i];
      expanded[2 * i + 1] = s;
      out[i] = repeats[i] * s;
    }
    return x.reshape(interleaved).expand(expanded).contiguous().reshape(out);
  }

  /** The lower triangle of the last two dims, from diagonal {@code k} down; the rest zero. */
  default Tensor tril(int k) { return triangle(k, true); }

  /** The upper triangle of the last two dims, from diagonal {@code k} up; the rest zero. */
  default Tensor triu(int k) { return triangle(k, false); }

  private Tensor triangle(int k, boolean lower) {
    Tensor x = self();
    if (x.dim() < 2) throw new IllegalArgumentException((lower ? "tril" : "triu") + " needs at least 2 dims, got shape " + Shapes.str(x.shape()));
    int rows = x.size(-2), cols = x.size(-1);
    Tensor r = Tensor.arange(rows).to(x.device()).reshape(rows, 1), c = Tensor.arange(cols).to(x.device()).reshape(1, cols);
    Tensor keep = lower ? c.sub(r).le(k) : c.sub(r).ge(k);
    return x.where(keep, 0);
  }

  /** Pads the last dims: {@code pads} = (left, right) of the last dim, then of the one before, … as torch.nn.functional.pad. */
  default Tensor pad(int[] pads, PadMode mode, double value) {
    return Padding.pad(self(), pads, mode, value);
  }

  default Tensor pad(int... pads) { return pad(pads, PadMode.CONSTANT, 0); }

  /** One-hot encoding of an integer tensor into a new last dim of {@code numClasses} (I64, as torch). */
  default Tensor oneHot(int numClasses) {
    Tensor x = self();
    if (x.dtype().floating) throw new IllegalArgumentException("one_hot needs an integer tensor, got " + x.dtype());
    if (x.numel() > 0) {
      long lo = x.min().itemLong(), hi = x.max().itemLong();
      if (lo < 0 || hi >= numClasses)
        throw new IndexOutOfBoundsException("one_hot: class values must be in [0, " + numClasses + "), found " + (lo < 0 ? lo : hi));
    }
    return x.unsqueeze(-1).eq(Tensor.arange(numClasses).to(x.device())).to(DType.I64);
  }

  private static int[] inferShape(String op, int[] shape, int numel) {
    int[] out = shape.clone();
    int infer = -1, known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == -1) {
        if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim can be -1, got " + Shapes.str(shape));
        infer = i;
      } else if (out[i] < 0) {
        throw new IllegalArgumentException(op + ": invalid size " + out[i] + " in " + Shapes.str(shape));
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || numel % known != 0)
        throw new IllegalArgumentException(op + ": shape " + Shapes.str(shape) + " is invalid for a tensor of " + numel + " elements");
      out[infer] = numel / known;
    } else if (known != numel) {
      throw new IllegalArgumentException(op + ": shape " + Shapes.str(shape) + " is invalid for a tensor of " + numel + " elements");
    }
    return out;
  }
}
