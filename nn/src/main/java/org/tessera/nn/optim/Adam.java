package org.tessera.nn.optim;

import java.util.List;
import java.util.Map;
import org.tessera.tensor.Tensor;

/**
 * torch.optim.Adam and, with {@code decoupled}, AdamW: moments with bias correction, step lr / (1 − β1^t), denominator
 * √v / √(1 − β2^t) + ε. Adam adds weight decay to the gradient; AdamW multiplies the parameter by 1 − lr·wd first.
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
    Tensor d = grad;
    if (g.weightDecay != 0) {
      if (decoupled) p.copy_(p.mul(1 - g.lr * g.weightDecay));
      else d = d.add(p.mul(g.weightDecay));
    }
    long t = s.containsKey("step") ? s.get("step").itemLong() + 1 : 1;
    s.put("step", Tensor.scalar(t, org.tessera.tensor.DType.I64, org.tessera.tensor.Device.CPU));
    Tensor m = s.containsKey("exp_avg") ? s.get("exp_avg").mul(beta1).add(d.mul(1 - beta1)) : d.mul(1 - beta1);
    Tensor v = s.containsKey("exp_avg_sq") ? s.get("exp_avg_sq").mul(beta2).add(d.square().mul(1 - beta2)) : d.square().mul(1 - beta2);
    s.put("exp_avg", m);
    s.put("exp_avg_sq", v);
    double bias1 = 1 - Math.pow(beta1, t), bias2 = 1 - Math.pow(beta2, t);
    Tensor denom = v.sqrt().div(Math.sqrt(bias2)).add(eps);
    p.copy_(p.sub(m.div(denom).mul(g.lr / bias1)));
  }
}
