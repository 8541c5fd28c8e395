package org.tessera.nn.optim;

import java.util.List;
import java.util.Map;
import org.tessera.tensor.AdamStep;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Tensor;

/**
 * torch.optim.Adam and, with {@code decoupled}, AdamW: moments with bias correction, step lr / (1 − β1^t), denominator
 * √v / √(1 − β2^t) + ε. Adam adds weight decay to the gradient; AdamW multiplies the parameter by 1 − lr·wd first.
 * Each parameter is updated in one fused pass on its device ({@link AdamStep}).
 */
public final class Adam extends Optimizer {
  private final double beta1, beta2, eps;
  private final boolean decoupled;

  public Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupled) {
    super(groups);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.decoupled = decoupled;
  }

  public static Adam adamW(List<ParamGroup> groups) {
    return new Adam(groups, 0.9, 0.999, 1e-8, true);
  }

  @Override protected void update(Tensor p, Tensor grad, ParamGroup g, Map<String, Tensor> s) {
    long t = s.containsKey("step") ? s.get("step").itemLong() + 1 : 1;
    s.put("step", Tensor.scalar(t, DType.I64, Device.CPU));
    // zero moments make the first step β·0 + (1 − β)·g, as torch's lazily created state does
    Tensor m = s.computeIfAbsent("exp_avg", k -> Tensor.zeros(p.dtype(), p.device(), p.shape()));
    Tensor v = s.computeIfAbsent("exp_avg_sq", k -> Tensor.zeros(p.dtype(), p.device(), p.shape()));
    new AdamStep(g.lr, beta1, beta2, eps, g.weightDecay, decoupled, t).apply(p, grad, m, v);
  }
}
