package org.tessera.tensor.cuda;

import org.tessera.tensor.Backend;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.DType;
import org.tessera.tensor.ReduceOp;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.UnaryOp;

/**
 * Scaled-dot-product attention from batched products and elementwise kernels, a chunk of batch entries at a time so
 * that the chunk's Lq×Lk scores fit {@link #BUDGET}: on a GPU the four products of the backward and two of the forward
 * run in cuBLAS (on tensor cores for BF16/F16), where the fused kernel computes every score on CUDA cores. The
 * numbers are the fused kernel's: the scores, their softmax and every sum in F32 (F64 for F64 operands); for BF16/F16
 * the probabilities and the score gradient are rounded to the operands' dtype before their products, as flash
 * attention's second product does, and the results once at the end. Fully masked rows give out NaN and lse -inf.
 */
final class ComposedAttention {
  /** Score elements of one chunk (each F32 matrix of the backward 256 MB at most). */
  static final long BUDGET = 1L << 26;

  /** (B, M, K)·(B, K, N) in the compute dtype, the operands' {@link DType#accumulator}: F32 for BF16/F16. */
  interface Products {
    Tensor multiply(Tensor a, Tensor b);
  }

  private final Backend backend;
  private final Products products;
  private final long budget;

  ComposedAttention(Backend backend, Products products, long budget) {
    this.backend = backend;
    this.products = products;
    this.budget = budget;
  }

  /** Whether one batch entry's scores fit the budget (else the fused kernel, which never stores them, is the one to use). */
  static boolean fits(int lq, int lk, long budget) {
    return (long) lq * lk <= budget;
  }

  /** Batch entries per chunk. */
  static int chunk(int batch, int lq, int lk, long budget) {
    return (int) Math.max(1, Math.min(batch, budget / Math.max(1L, (long) lq * lk)));
  }

  /** {out (B, Lq, dv) in the operands' dtype, lse (B, Lq) in the compute dtype}, as {@link Backend#attention}. */
  Tensor[] forward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), dv = v.size(2);
    Tensor out = result(q.dtype(), batch, lq, dv), lse = result(q.dtype().accumulator(), batch, lq);
    for (int b0 = 0, step = chunk(batch, lq, lk, budget); b0 < batch; b0 += step) {
      int bc = Math.min(step, batch - b0);
      Tensor s = scores(q, k, bias, scale, b0, bc);
      Tensor max = finiteMax(s), e = backend.unary(UnaryOp.EXP, backend.binary(BinaryOp.SUB, s, along(max, lk)), 0, 0);
      Tensor sum = backend.reduce(ReduceOp.SUM, e, new int[] {2});
      backend.assign(rows(out, b0, bc), backend.binary(BinaryOp.DIV, products.multiply(as(e, q.dtype()), rows(v, b0, bc)), along(sum, dv)));
      Tensor rowLse = backend.binary(BinaryOp.ADD, max, backend.unary(UnaryOp.LOG, sum, 0, 0));
      backend.assign(rows(lse, b0, bc), Tensor.view(rowLse.storage(), new int[] {bc, lq}, new int[] {rowLse.stride(0), rowLse.stride(1)}, rowLse.offset()));
    }
    return new Tensor[] {out, lse};
  }

  /** {dq, dk, dv, score gradient or null} in the operands' dtype, as {@link Backend#attentionBackward}. */
  Tensor[] backward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor lse, Tensor gradOut, boolean scoreGrad) {
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
    DType dtype = q.dtype(), compute = dtype.accumulator();
    Tensor dq = result(dtype, batch, lq, d), dk = result(dtype, batch, lk, d), dValue = result(dtype, batch, lk, dv);
    Tensor dScores = scoreGrad ? result(dtype, batch, lq, lk) : null;
    for (int b0 = 0, step = chunk(batch, lq, lk, budget); b0 < batch; b0 += step) {
      int bc = Math.min(step, batch - b0);
      Tensor qc = rows(q, b0, bc), kc = rows(k, b0, bc), vc = rows(v, b0, bc), g = rows(gradOut, b0, bc);
      Tensor rowLse = as(rows(lse, b0, bc), compute);
      Tensor p = backend.unary(UnaryOp.EXP, backend.binary(BinaryOp.SUB, scores(q, k, bias, scale, b0, bc), along(column(rowLse), lk)), 0, 0);
      // Δ = rowsum(dO ∘ out), which equals rowsum(P ∘ dP)
      Tensor delta = backend.reduce(ReduceOp.SUM, backend.binary(BinaryOp.MUL, as(g, compute), as(rows(out, b0, bc), compute)), new int[] {2});
      backend.assign(rows(dValue, b0, bc), products.multiply(transposed(as(p, dtype)), g));
      Tensor dp = products.multiply(g, transposed(vc));
      Tensor ds = backend.binary(BinaryOp.MUL, p, backend.binary(BinaryOp.SUB, dp, along(delta, lk)));
      if (scoreGrad) backend.assign(rows(dScores, b0, bc), ds);
      Tensor dsOperand = as(ds, dtype); // P and dS rounded to BF16/F16 before their products
      backend.assign(rows(dq, b0, bc), backend.unary(UnaryOp.AFFINE, products.multiply(dsOperand, kc), scale, 0));
      backend.assign(rows(dk, b0, bc), backend.unary(UnaryOp.AFFINE, products.multiply(transposed(dsOperand), qc), scale, 0));
    }
    return new Tensor[] {dq, dk, dValue, dScores};
  }

  /** scale·q·kᵀ (+ bias) of batch entries b0 .. b0 + bc, in the compute dtype. */
  private Tensor scores(Tensor q, Tensor k, Tensor bias, double scale, int b0, int bc) {
    Tensor s = backend.unary(UnaryOp.AFFINE, products.multiply(rows(q, b0, bc), transposed(rows(k, b0, bc))), scale, 0);
    return bias == null ? s : backend.binary(BinaryOp.ADD, s, as(rows(bias, b0, bc), s.dtype()));
  }

  /**
   * Each row's maximum (B, Lq, 1), -inf raised to the lowest finite value: a fully masked row then has exp(s - max) = 0
   * everywhere, its sum 0, out 0/0 = NaN and lse = lowest + log 0 = -inf, where -inf - -inf would make its lse NaN.
   */
  private Tensor finiteMax(Tensor s) {
    double lowest = s.dtype() == DType.F64 ? -Double.MAX_VALUE : -Float.MAX_VALUE;
    return backend.unary(UnaryOp.CLAMP, backend.reduce(ReduceOp.MAX, s, new int[] {2}), lowest, Double.POSITIVE_INFINITY);
  }

  /** x in {@code dtype}: itself when it already is (a view, read in place), else a converted copy. */
  private Tensor as(Tensor x, DType dtype) {
    return x.dtype() == dtype ? x : backend.copy(x, dtype);
  }

  private Tensor result(DType dtype, int... shape) {
    return Tensor.contiguousView(backend.allocate(dtype, Shapes.numel(shape)), shape);
  }

  /** Batch entries b0 .. b0 + bc of a (B, …) view. */
  private static Tensor rows(Tensor t, int b0, int bc) {
    int[] shape = t.shape().clone();
    shape[0] = bc;
    return Tensor.view(t.storage(), shape, t.strides(), t.offset() + b0 * t.stride(0));
  }

  /** (B, M, N) as (B, N, M), read in place. */
  private static Tensor transposed(Tensor t) {
    return Tensor.view(t.storage(), new int[] {t.size(0), t.size(2), t.size(1)}, new int[] {t.stride(0), t.stride(2), t.stride(1)}, t.offset());
  }

  /** (B, L) as (B, L, 1). */
  private static Tensor column(Tensor t) {
    return Tensor.view(t.storage(), new int[] {t.size(0), t.size(1), 1}, new int[] {t.stride(0), t.stride(1), 1}, t.offset());
  }

  /** (B, L, 1) broadcast along its last dim to (B, L, n). */
  private static Tensor along(Tensor t, int n) {
    return Tensor.view(t.storage(), new int[] {t.size(0), t.size(1), n}, new int[] {t.stride(0), t.stride(1), 0}, t.offset());
  }
}
