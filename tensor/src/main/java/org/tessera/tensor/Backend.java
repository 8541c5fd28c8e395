package org.tessera.tensor;

/**
 * The buffer-level operations a device implements. Inputs are tensors read as views (storage, shape, strides,
 * offset; strides may be 0 for broadcast dims); results are new contiguous tensors. No autograd here: the op table
 * in {@code autograd/} composes these. No default methods, so a backend missing an op does not compile.
 */
public interface Backend {
  Device device();

  /** A zero-filled storage. */
  Storage allocate(DType dtype, int length);

  /** A storage on this device with the contents of a host storage (may return it unchanged on host devices). */
  Storage upload(HostStorage host);

  /** The contents of a storage of this device in host memory (may return it unchanged on host devices). */
  HostStorage download(Storage storage);

  /** A contiguous copy of {@code x} converted to {@code dtype}. */
  Tensor copy(Tensor x, DType dtype);

  /** Writes {@code src} (same shape, may be broadcast) into the view {@code dst}, converting dtype. */
  void assign(Tensor dst, Tensor src);

  Tensor unary(UnaryOp op, Tensor x, double a, double b);

  /** {@code a} and {@code b} have the same shape and dtype; the result is BOOL for comparisons and logical ops. */
  Tensor binary(BinaryOp op, Tensor a, Tensor b);

  /** {@code cond ? a : b} elementwise; all three have the same shape, {@code a} and {@code b} the same dtype. */
  Tensor where(Tensor cond, Tensor a, Tensor b);

  /** Reduces over {@code dims} (sorted, distinct); the result keeps them with size 1. */
  Tensor reduce(ReduceOp op, Tensor x, int[] dims);

  /** The I64 index of the first maximum (or minimum) along {@code dim}, kept with size 1; NaN counts as the maximum. */
  Tensor argReduce(boolean max, Tensor x, int dim);

  /** Batched product of {@code a} (B, M, K) and {@code b} (B, K, N), same float dtype, batch strides may be 0. */
  Tensor matmul(Tensor a, Tensor b);

  /** {@link #matmul} plus {@code bias} (N, same dtype, or null) added to every row of every product: a linear layer. */
  Tensor linear(Tensor a, Tensor b, Tensor bias);

  /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1, likewise for any dim; out has the index's shape. */
  Tensor gather(Tensor x, int dim, Tensor index);

  /** {@code dst[i][index[i][j][k]][k] += src[i][j][k]} for dim 1, likewise for any dim; dst is contiguous. */
  void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src);

  /**
   * Convolution y (N, Cout, *g.out) of x (N, Cin, *g.in) with w (Cout, Cin/groups, *g.kernel), no bias. With
   * {@link #convInputGrad} and {@link #convWeightGrad} it also serves transposed convolutions, whose forward is a
   * convolution's input gradient.
   */
  Tensor convForward(Tensor x, Tensor w, ConvGeometry g, int groups);

  /** {@link #convForward} plus bias (Cout), or none when null, at every output position; a backend may fuse the add. */
  default Tensor convForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, int groups) {
    Tensor y = convForward(x, w, g, groups);
    if (bias == null) return y;
    int[] view = new int[y.dim()];
    java.util.Arrays.fill(view, 1);
    view[1] = bias.size(0);
    return y.add(bias.reshape(view));
  }

  /** The gradient (N, Cin, *g.in) of a convolution's input from dy (N, Cout, *g.out) and w (Cout, Cin/groups, *g.kernel). */
  Tensor convInputGrad(Tensor dy, Tensor w, ConvGeometry g, int groups, int inChannels);

  /** The gradient (Cout, Cin/groups, *g.kernel) of a convolution's weight from x (N, Cin, *g.in) and dy (N, Cout, *g.out). */
  Tensor convWeightGrad(Tensor x, Tensor dy, ConvGeometry g, int groups);

  /**
   * Scaled-dot-product attention on (B, L, d) operands of one float dtype: softmax(scale·q·kᵀ + bias)·v. Returns
   * {out (B, Lq, dv), lse (B, Lq)}, lse the log-sum-exp of each score row, in F32 for BF16/F16 operands (as flash
   * attention keeps it: the backward's probabilities exp(s - lse) would otherwise carry its rounding, 2^-9 of a
   * value near log Lk). bias is (B, Lq, Lk) (a broadcast view is fine) or null. Backends need not hold the Lq×Lk scores.
   */
  Tensor[] attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale);

  /** {dq, dk, dv, dScores} of attention from its out and lse; dScores (B, Lq, Lk) only when asked for, else null. */
  Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor lse, Tensor gradOut, boolean scoreGrad);

  /**
   * Multi-scale deformable attention (Deformable DETR's ms_deform_attn_core): value (N, S, M, D) holding L levels of
   * sizes {@code shapes[2l] × shapes[2l+1]} from row {@code starts[l]}, locations (N, Lq, M, L, P, 2) as (x, y) in
   * [0, 1], weights (N, Lq, M, L, P); bilinear, zeros outside, align_corners = False. Returns (N, Lq, M·D).
   */
  Tensor msDeformAttn(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights);

  /** {dValue, dLocations, dWeights} of msDeformAttn. */
  Tensor[] msDeformAttnBackward(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights, Tensor gradOut);

  /**
   * One Adam/AdamW step in place (torch's fused optimizer step): for each element, with g the gradient,
   * p ← p·(1 − lr·wd) when decoupled, else g ← g + wd·p; m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
   * p ← p − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε). param, grad, expAvg and expAvgSq are contiguous, of one float
   * dtype and one shape; param, expAvg and expAvgSq are written.
   */
  void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step);

  /** The I64 permutation that sorts {@code x} along {@code dim} stably (NaN last ascending, first descending). */
  Tensor sortIndices(Tensor x, int dim, boolean descending);
}
