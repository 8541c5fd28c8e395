package org.tessera.tensor;

import java.util.ServiceLoader;

/**
 * The primitive differentiable ops: every other op a {@link Tensor} offers is composed of these. The op table in
 * the {@code autograd} module implements them (forward through the {@link Backend}, backward beside it) and is found
 * through {@link ServiceLoader}, which keeps this module free of autograd while tensors carry their graph.
 */
public interface TensorOps {
  /** Elementwise {@code op(x; a, b)}; integer inputs are converted to F32 first. */
  Tensor unary(UnaryOp op, Tensor x, double a, double b);

  /** Elementwise with type promotion and NumPy broadcasting; comparisons and logical ops have no gradient. */
  Tensor binary(BinaryOp op, Tensor a, Tensor b);

  /** {@code cond ? a : b} with broadcasting. */
  Tensor where(Tensor cond, Tensor a, Tensor b);

  Tensor cast(Tensor x, DType dtype);

  Tensor contiguous(Tensor x);

  /** A view when the strides allow it, else a copy (shape fully specified, no -1). */
  Tensor reshape(Tensor x, int[] shape);

  Tensor permute(Tensor x, int[] dims);

  Tensor expand(Tensor x, int[] shape);

  /** Elements start, start+step, … below end along dim (bounds already clamped to the size). */
  Tensor slice(Tensor x, int dim, int start, int end, int step);

  Tensor cat(Tensor[] xs, int dim);

  Tensor gather(Tensor x, int dim, Tensor index);

  /** A copy of {@code x} with {@code src} added at {@code index} along {@code dim}. */
  Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src);

  Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim);

  /** torch.matmul: 1-D operands are promoted and the added dim removed, batch dims broadcast. */
  Tensor matmul(Tensor a, Tensor b);

  /** torch.nn.functional.linear: x (…, in) · weightᵀ (weight (out, in)) + bias (out) or null, in one product. */
  Tensor linear(Tensor x, Tensor weight, Tensor bias);

  /**
   * N-d convolution over the trailing dims (torch.nn.functional.conv1d/2d/3d): x (N, Cin, *in), weight
   * (Cout, Cin/groups, *k), bias (Cout) or null; stride, padding and dilation have one value per spatial dim.
   */
  Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups);

  /** N-d transposed convolution (torch's conv_transpose1d/2d/3d): weight (Cin, Cout/groups, *k). */
  Tensor convTranspose(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups);

  /**
   * softmax(scale·q·kᵀ + bias)·v over the last two dims, fused: q (..., Lq, d), k (..., Lk, d), v (..., Lk, dv) with
   * equal leading dims; bias additive, broadcastable to (..., Lq, Lk), or null.
   */
  Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale);

  /**
   * Multi-scale deformable attention, fused: value (N, S, M, D), spatialShapes (L, 2) and levelStartIndex (L) integer,
   * samplingLocations (N, Lq, M, L, P, 2) in [0, 1], attentionWeights (N, Lq, M, L, P) → (N, Lq, M·D).
   */
  Tensor msDeformAttn(Tensor value, Tensor spatialShapes, Tensor levelStartIndex, Tensor samplingLocations, Tensor attentionWeights);

  /** Writes {@code src} into {@code dst} (broadcasting, converting dtype); refused where autograd would lose track. */
  Tensor copy_(Tensor dst, Tensor src);

  void backward(Tensor root, Tensor upstream, boolean retainGraph);

  static TensorOps get() {
    return Holder.OPS;
  }

  final class Holder {
    private Holder() {}

    static final TensorOps OPS = ServiceLoader.load(TensorOps.class).findFirst().orElseThrow(() -> new IllegalStateException(
        "no op table on the class path: add the tessera-autograd module (it registers org.tessera.tensor.TensorOps)"));
  }
}
