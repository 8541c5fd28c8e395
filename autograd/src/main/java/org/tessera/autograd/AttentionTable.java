package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import java.util.Arrays;
import org.tessera.tensor.DType;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;

/**
 * Fused scaled-dot-product attention: the backend's forward returns the output and each score row's log-sum-exp,
 * from which its backward recomputes the probabilities block by block (flash attention), so neither pass keeps the
 * Lq×Lk matrix. The score gradient is formed only when the bias itself needs a gradient.
 */
interface AttentionTable extends TensorOps {
  @Override default Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim())
      throw new IllegalArgumentException("attention: q, k and v need the same rank >= 2, got " + Shapes.str(q.shape()) + ", " + Shapes.str(k.shape()) + ", "
          + Shapes.str(v.shape()));
    int[] lead = Arrays.copyOf(q.shape(), q.dim() - 2);
    if (!Arrays.equals(lead, Arrays.copyOf(k.shape(), k.dim() - 2)) || !Arrays.equals(lead, Arrays.copyOf(v.shape(), v.dim() - 2))
        || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2))
      throw new IllegalArgumentException("attention: q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + " and v " + Shapes.str(v.shape())
          + " do not fit (q and k share the last dim, k and v the keys, all three the leading dims)");
    ElementwiseTable.requireSameDevice("attention", q, k);
    ElementwiseTable.requireSameDevice("attention", q, v);
    if (!q.dtype().floating || q.dtype() != k.dtype() || q.dtype() != v.dtype())
      throw new IllegalArgumentException("attention: q, k and v need one float dtype, got " + q.dtype() + ", " + k.dtype() + ", " + v.dtype());
    DType low = Autocast.lowPrecision(q, k);
    if (low != null && Autocast.lowPrecision(q, v) != null)
      try (var off = Autocast.disable()) {
        return attention(q.to(low), k.to(low), v.to(low), bias, scale).to(DType.F32);
      }
    int batch = Shapes.numel(lead), lq = q.size(-2), lk = k.size(-2), d = q.size(-1), dv = v.size(-1);
    int[] scoreShape = Arrays.copyOf(lead, lead.length + 2);
    scoreShape[lead.length] = lq;
    scoreShape[lead.length + 1] = lk;
    int[] outShape = scoreShape.clone();
    outShape[lead.length + 1] = dv;
    if (bias != null && !Arrays.equals(Shapes.broadcast("attention", bias.shape(), scoreShape), scoreShape))
      throw new IllegalArgumentException("attention: the mask " + Shapes.str(bias.shape()) + " does not broadcast to the scores " + Shapes.str(scoreShape));
    Tensor q3, k3, v3, b3, out3, lse;
    try (var scope = GradMode.noGrad()) {
      q3 = q.reshape(batch, lq, d);
      k3 = k.reshape(batch, lk, d);
      v3 = v.reshape(batch, lk, dv);
      b3 = bias == null ? null : bias.to(q.dtype()).expand(scoreShape).reshape(batch, lq, lk);
      Tensor[] r = q.backend().attention(q3, k3, v3, b3, scale);
      out3 = r[0];
      lse = r[1];
    }
    Tensor out = Tensor.contiguousView(out3.storage(), outShape);
    return record("attention", out, of(q, k, v, bias), of(q, k, v), g -> {
      boolean biasGrad = bias != null && bias.requiresGrad();
      Tensor[] grads = q.backend().attentionBackward(q3, k3, v3, b3, scale, out3, lse, g.reshape(batch, lq, dv), biasGrad);
      Tensor db = biasGrad ? MovementTable.sumToShape(grads[3].reshape(scoreShape), bias.shape()).to(bias.dtype()) : null;
      return of(grads[0].reshape(q.shape()), grads[1].reshape(k.shape()), grads[2].reshape(v.shape()), db);
    });
  }
}
