package org.tessera.tensor;

/**
 * The scalars of one Adam or AdamW update ({@link Backend#adamStep}), {@code step} counted from 1. With
 * {@code decoupled} (AdamW) the weight decay shrinks the parameter by 1 − lr·wd before the update; otherwise (Adam) it
 * adds wd·p to the gradient.
 */
public record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {
  public AdamStep {
    if (step < 1) throw new IllegalArgumentException("Adam step counts from 1, got " + step);
  }

  /**
   * Updates {@code param}, {@code expAvg} and {@code expAvgSq} in place on their device: contiguous tensors of one
   * float dtype, shape and device (the gradient is made contiguous if it is not).
   */
  public void apply(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq) {
    Tensor[] all = {param, grad, expAvg, expAvgSq};
    String[] names = {"param", "grad", "exp_avg", "exp_avg_sq"};
    if (!param.dtype().floating) throw new IllegalArgumentException("adamStep: param must be a float tensor, got " + param.dtype());
    for (int i = 1; i < all.length; i++) {
      if (!java.util.Arrays.equals(all[i].shape(), param.shape()) || all[i].dtype() != param.dtype() || !all[i].device().equals(param.device()))
        throw new IllegalArgumentException("adamStep: " + names[i] + " " + all[i].dtype() + java.util.Arrays.toString(all[i].shape()) + " on "
            + all[i].device() + " does not match param " + param.dtype() + java.util.Arrays.toString(param.shape()) + " on " + param.device());
      if (i != 1 && !all[i].isContiguous()) throw new IllegalArgumentException("adamStep: " + names[i] + " must be contiguous");
    }
    if (!param.isContiguous()) throw new IllegalArgumentException("adamStep: param must be contiguous");
    param.backend().adamStep(param, grad.contiguous(), expAvg, expAvgSq, this);
    // in-place writes, like copy_: a graph that saved one of these tensors must notice before using it
    param.storage().bumpVersion();
    expAvg.storage().bumpVersion();
    expAvgSq.storage().bumpVersion();
  }

  /** 1 − β1^t, which divides the first moment. */
  public double biasCorrection1() {
    return 1 - Math.pow(beta1, step);
  }

  /** 1 − β2^t, whose square root divides the root of the second moment. */
  public double biasCorrection2() {
    return 1 - Math.pow(beta2, step);
  }
}
