package org.tessera.tensor;

import java.util.Arrays;

/** Reductions, arg-reductions, sorting and matrix products of a {@link Tensor}. */
public interface ReduceOps {
  Tensor self();

  private Tensor reduce(ReduceOp op, int[] dims, boolean keepdim) {
    Tensor x = self();
    return TensorOps.get().reduce(op, x, dims(op.name().toLowerCase(), dims, x.dim()), keepdim);
  }

  default Tensor sum() { return reduce(ReduceOp.SUM, new int[0], false); }
  default Tensor sum(int dim) { return sum(new int[] {dim}, false); }
  default Tensor sum(int dim, boolean keepdim) { return sum(new int[] {dim}, keepdim); }
  default Tensor sum(int[] dims, boolean keepdim) { return reduce(ReduceOp.SUM, dims, keepdim); }

  default Tensor mean() { return mean(new int[0], false); }
  default Tensor mean(int dim) { return mean(new int[] {dim}, false); }
  default Tensor mean(int dim, boolean keepdim) { return mean(new int[] {dim}, keepdim); }

  default Tensor mean(int[] dims, boolean keepdim) {
    Tensor x = self();
    if (!x.dtype().floating) throw new IllegalArgumentException("mean needs a float tensor, got " + x.dtype() + ": convert with to(DType.F32)");
    return x.sum(dims, keepdim).div(count(x, dims));
  }

  /** The maximum over dims (NaN propagates; ties share the gradient equally, as torch.amax). */
  default Tensor amax(int[] dims, boolean keepdim) { return reduce(ReduceOp.MAX, dims, keepdim); }
  default Tensor amin(int[] dims, boolean keepdim) { return reduce(ReduceOp.MIN, dims, keepdim); }
  default Tensor amax(int dim, boolean keepdim) { return amax(new int[] {dim}, keepdim); }
  default Tensor amin(int dim, boolean keepdim) { return amin(new int[] {dim}, keepdim); }

  /** The maximum of all elements. */
  default Tensor max() { return amax(new int[0], false); }
  default Tensor min() { return amin(new int[0], false); }

  /** The maximum along dim with its index (the first one on ties); the gradient goes to that index. */
  default Indexed max(int dim, boolean keepdim) { return byIndex(argmax(dim, true), dim, keepdim); }
  default Indexed min(int dim, boolean keepdim) { return byIndex(argmin(dim, true), dim, keepdim); }

  private Indexed byIndex(Tensor index, int dim, boolean keepdim) {
    Tensor values = self().gather(dim, index);
    return keepdim ? new Indexed(values, index) : new Indexed(values.squeeze(dim), index.squeeze(dim));
  }

  default Tensor argmax(int dim, boolean keepdim) { return argReduce(true, dim, keepdim); }
  default Tensor argmin(int dim, boolean keepdim) { return argReduce(false, dim, keepdim); }

  /** The index of the maximum of the flattened tensor. */
  default Tensor argmax() { return self().reshape(-1).argmax(0, false); }
  default Tensor argmin() { return self().reshape(-1).argmin(0, false); }

  private Tensor argReduce(boolean max, int dim, boolean keepdim) {
    Tensor x = self();
    if (x.dim() == 0) return Tensor.zeros(DType.I64, x.device());
    int d = Shapes.dim(max ? "argmax" : "argmin", dim, x.dim());
    if (x.size(d) == 0) throw new IllegalArgumentException((max ? "argmax" : "argmin") + ": dim " + dim + " is empty");
    Tensor out = x.backend().argReduce(max, x, d);
    return keepdim ? out : out.squeeze(d);
  }

  /** Variance with Bessel's {@code correction} (1 = unbiased, torch's default). */
  default Tensor var(int[] dims, int correction, boolean keepdim) {
    Tensor x = self();
    Tensor centred = x.sub(x.mean(dims, true));
    return centred.mul(centred).sum(dims, keepdim).div(Math.max(0, count(x, dims) - correction));
  }

  default Tensor std(int[] dims, int correction, boolean keepdim) { return var(dims, correction, keepdim).sqrt(); }

  /** log(sum(exp(x))) over dims, computed stably around the maximum. */
  default Tensor logsumexp(int[] dims, boolean keepdim) {
    Tensor x = self();
    Tensor m = x.amax(dims, true).detach();
    m = m.where(m.abs().eq(Double.POSITIVE_INFINITY).logicalNot(), 0); // all -inf stays -inf, not NaN
    Tensor out = x.sub(m).exp().sum(dims, true).log().add(m);
    return keepdim ? out : out.reshape(Shapes.without(x.shape(), dims("logsumexp", dims, x.dim())));
  }

  /** The p-norm over dims: p = 1, 2, any positive p, or infinity. */
  default Tensor norm(double p, int[] dims, boolean keepdim) {
    Tensor a = self().abs();
    if (p == Double.POSITIVE_INFINITY) return a.amax(dims, keepdim);
    if (p == 1) return a.sum(dims, keepdim);
    if (p == 2) return self().square().sum(dims, keepdim).sqrt();
    if (!(p > 0)) throw new IllegalArgumentException("norm: p must be positive, got " + p);
    return a.pow(p).sum(dims, keepdim).pow(1 / p);
  }

  /** torch.matmul: matrix product with broadcast batch dims; 1-D operands act as vectors. */
  default Tensor matmul(Tensor other) { return TensorOps.get().matmul(self(), other); }

  /** Sorted values along dim with the stable permutation that sorts them. */
  default Indexed sort(int dim, boolean descending) {
    Tensor x = self();
    if (x.dim() == 0) return new Indexed(x, Tensor.zeros(DType.I64, x.device()));
    int d = Shapes.dim("sort", dim, x.dim());
    Tensor index = x.backend().sortIndices(x, d, descending);
    return new Indexed(x.gather(d, index), index);
  }

  default Tensor argsort(int dim, boolean descending) { return sort(dim, descending).indices(); }

  /** The k largest (or smallest) values along dim, in sorted order. */
  default Indexed topk(int k, int dim, boolean largest) {
    Tensor x = self();
    int n = x.dim() == 0 ? 1 : x.size(dim);
    if (k < 0 || k > n) throw new IllegalArgumentException("topk: k = " + k + " is out of range for dim " + dim + " of size " + n);
    Indexed sorted = sort(dim, largest);
    if (x.dim() == 0) return sorted;
    return new Indexed(sorted.values().narrow(dim, 0, k), sorted.indices().narrow(dim, 0, k));
  }

  /** Normalised, sorted, distinct dims; none means all. */
  private static int[] dims(String op, int[] dims, int rank) {
    if (dims.length == 0) return allDims(rank);
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) out[i] = Shapes.dim(op, dims[i], rank);
    Arrays.sort(out);
    for (int i = 1; i < out.length; i++)
      if (out[i] == out[i - 1]) throw new IllegalArgumentException(op + ": dim " + out[i] + " appears twice in " + Shapes.str(dims));
    return rank == 0 ? new int[0] : out;
  }

  private static int[] allDims(int rank) {
    int[] all = new int[rank];
    for (int i = 0; i < rank; i++) all[i] = i;
    return all;
  }

  private static int count(Tensor x, int[] dims) {
    int n = 1;
    for (int d : dims("count", dims, x.dim())) n *= x.size(d);
    return n;
  }
}
