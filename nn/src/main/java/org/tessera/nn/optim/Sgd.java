package org.tessera.nn.optim;

import java.util.List;
import java.util.Map;
import org.tessera.tensor.Tensor;

/** torch.optim.SGD: weight decay added to the gradient, momentum with dampening, optionally Nesterov. */
public final class Sgd extends Optimizer {
  private final double momentum, dampening;
  private final boolean nesterov;

  public Sgd(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
    super(groups);
    if (nesterov && (momentum <= 0 || dampening != 0)) throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and no dampening");
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
  }

  @Override protected void update(Tensor p, Tensor grad, ParamGroup g, Map<String, Tensor> s) {
    Tensor d = g.weightDecay != 0 ? grad.add(p.mul(g.weightDecay)) : grad;
    if (momentum != 0) {
      Tensor buf = s.get("momentum_buffer");
      buf = buf == null ? d.mul(1) : buf.mul(momentum).add(d.mul(1 - dampening));
      s.put("momentum_buffer", buf);
      d = nesterov ? d.add(buf.mul(momentum)) : buf;
    }
    p.copy_(p.sub(d.mul(g.lr)));
  }
}
