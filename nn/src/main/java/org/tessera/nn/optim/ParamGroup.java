package org.tessera.nn.optim;

import java.util.List;
import org.tessera.tensor.Tensor;

/**
 * Parameters that share hyper-parameters (torch's param_groups): e.g. a lower learning rate for a pretrained
 * backbone, no weight decay on norms and biases. {@code initialLr} is what schedules scale.
 */
public final class ParamGroup {
  public final List<Tensor> params;
  public final double initialLr;
  public double lr;
  public double weightDecay;

  public ParamGroup(List<Tensor> params, double lr, double weightDecay) {
    this.params = List.copyOf(params);
    this.initialLr = lr;
    this.lr = lr;
    this.weightDecay = weightDecay;
  }
}
