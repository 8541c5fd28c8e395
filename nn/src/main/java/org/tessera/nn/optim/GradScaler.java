package org.tessera.nn.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tessera.autograd.GradMode;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Tensor;

/**
 * torch.amp.GradScaler, the loss scaling of F16 training: the loss is multiplied by the scale before backward, so
 * that gradients too small for F16 survive; {@link #unscale} divides them back and checks them; a step with an inf
 * or NaN gradient is skipped and the scale multiplied by the backoff factor, and after {@code growthInterval} good
 * steps in a row the scale grows by the growth factor. Per iteration: {@code scale(loss).backward()}, optionally
 * {@code unscale} and clip, {@code step}, {@code update}.
 */
public final class GradScaler {
  private final double growthFactor, backoffFactor;
  private final int growthInterval;
  private double scale;
  private int goodSteps;
  private Boolean finite; // whether this iteration's gradients were all finite, null until unscaled

  /** torch's defaults: scale 2^16, growth ×2 every 2000 good steps, backoff ×0.5. */
  public GradScaler() {
    this(65536, 2, 0.5, 2000);
  }

  public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
    if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1)
      throw new IllegalArgumentException("GradScaler: need scale > 0, growth factor > 1, backoff factor in (0, 1), growth interval >= 1; got " + initScale
          + ", " + growthFactor + ", " + backoffFactor + ", " + growthInterval);
    this.scale = initScale;
    this.growthFactor = growthFactor;
    this.backoffFactor = backoffFactor;
    this.growthInterval = growthInterval;
  }

  public double scale() {
    return scale;
  }

  /** torch's state_dict names: the scale and the count of good steps since the last change. */
  public Map<String, Tensor> stateDict() {
    return Map.of("scale", Tensor.scalar(scale, DType.F64, Device.CPU), "growth_tracker", Tensor.scalar(goodSteps, DType.I64, Device.CPU));
  }

  public void loadStateDict(Map<String, Tensor> state) {
    Tensor s = state.get("scale"), tracker = state.get("growth_tracker");
    if (s == null || tracker == null || s.numel() != 1 || tracker.numel() != 1)
      throw new IllegalArgumentException("GradScaler state needs scalars 'scale' and 'growth_tracker', got " + state.keySet());
    double value = s.item();
    if (!(value > 0)) throw new IllegalArgumentException("GradScaler state: scale must be positive, got " + value);
    scale = value;
    goodSteps = (int) tracker.item();
  }

  /** The loss times the scale, to call backward on. */
  public Tensor scale(Tensor loss) {
    return loss.mul(scale);
  }

  /** Divides the gradients by the scale (once per iteration; before clipping them) and notes whether all are finite. */
  public void unscale(List<Tensor> params) {
    if (finite != null) throw new IllegalStateException("GradScaler: unscale was already called since the last update");
    List<Tensor> sums = new ArrayList<>();
    try (var scope = GradMode.noGrad()) {
      for (Tensor p : params)
        if (p.grad() != null) {
          p.grad().mul_(1 / scale);
          sums.add(p.grad().mul(0).sum()); // NaN exactly when some gradient element is inf or NaN
        }
      double probe = 0;
      for (Tensor s : sums) probe += s.item();
      finite = !Double.isNaN(probe);
    }
  }

  /** Steps the optimizer unless a gradient is inf or NaN (unscaling first if that was not done); whether it stepped. */
  public boolean step(Optimizer optimizer) {
    if (finite == null) {
      List<Tensor> params = new ArrayList<>();
      for (ParamGroup g : optimizer.groups()) params.addAll(g.params);
      unscale(params);
    }
    if (finite) optimizer.step();
    return finite;
  }

  /** After the step: backoff if it was skipped, growth after growthInterval good steps in a row. */
  public void update() {
    if (finite == null) throw new IllegalStateException("GradScaler: update before step");
    if (!finite) {
      scale *= backoffFactor;
      goodSteps = 0;
    } else if (++goodSteps == growthInterval) {
      scale *= growthFactor;
      goodSteps = 0;
    }
    finite = null;
  }
}
