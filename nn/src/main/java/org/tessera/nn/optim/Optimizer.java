package org.tessera.nn.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.autograd.GradMode;
import org.tessera.tensor.Tensor;

/**
 * An optimizer over parameter groups with PyTorch's update formulas. Per-parameter state (momentum, moments) is kept
 * by parameter and can be saved and restored ({@link #stateDict}) for checkpoints.
 */
public abstract class Optimizer {
  protected final List<ParamGroup> groups;
  protected final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
  protected long steps;

  protected Optimizer(List<ParamGroup> groups) {
    this.groups = List.copyOf(groups);
  }

  public List<ParamGroup> groups() {
    return groups;
  }

  /** One update of every parameter that has a gradient, under no-grad. */
  public void step() {
    steps++;
    try (var scope = GradMode.noGrad()) {
      for (ParamGroup g : groups)
        for (Tensor p : g.params)
          if (p.grad() != null) update(p, p.grad(), g, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
    }
  }

  /** Updates p in place from its gradient; {@code s} is p's own state, empty at the first step. */
  protected abstract void update(Tensor p, Tensor grad, ParamGroup group, Map<String, Tensor> s);

  /** Clears the gradients (torch's zero_grad(set_to_none=True)). */
  public void zeroGrad() {
    for (ParamGroup g : groups) for (Tensor p : g.params) p.setGrad(null);
  }

  public long stepCount() {
    return steps;
  }

  /** The state as flat named tensors: "state.{group}.{index}.{name}" plus "step", for a checkpoint. */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("step", Tensor.scalar(steps, org.tessera.tensor.DType.I64, org.tessera.tensor.Device.CPU));
    for (int gi = 0; gi < groups.size(); gi++) {
      List<Tensor> params = groups.get(gi).params;
      out.put("lr." + gi, Tensor.scalar(groups.get(gi).lr, org.tessera.tensor.DType.F64, org.tessera.tensor.Device.CPU));
      for (int pi = 0; pi < params.size(); pi++) {
        Map<String, Tensor> s = state.get(params.get(pi));
        if (s == null) continue;
        for (var e : s.entrySet()) out.put("state." + gi + "." + pi + "." + e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Restores what {@link #stateDict} saved, for the same parameter groups. */
  public void loadStateDict(Map<String, Tensor> saved) {
    state.clear();
    steps = saved.containsKey("step") ? saved.get("step").itemLong() : 0;
    for (var e : saved.entrySet()) {
      String[] parts = e.getKey().split("\\.", 4);
      if (parts[0].equals("lr")) groups.get(Integer.parseInt(parts[1])).lr = e.getValue().item();
      if (!parts[0].equals("state")) continue;
      int gi = Integer.parseInt(parts[1]), pi = Integer.parseInt(parts[2]);
      if (gi >= groups.size() || pi >= groups.get(gi).params.size())
        throw new IllegalArgumentException("optimizer state " + e.getKey() + " names a parameter this optimizer does not have");
      Tensor p = groups.get(gi).params.get(pi);
      state.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(parts[3], e.getValue().to(p.device()).mul(1));
    }
  }

  /** Scales all gradients so that their global L2 norm is at most maxNorm (clip_grad_norm_); returns the norm before. */
  public static double clipGradNorm(List<Tensor> params, double maxNorm) {
    double total = 0;
    List<Tensor> withGrad = new ArrayList<>();
    for (Tensor p : params)
      if (p.grad() != null) {
        withGrad.add(p);
        double n = p.grad().norm(2, new int[0], false).item();
        total += n * n;
      }
    total = Math.sqrt(total);
    double coef = maxNorm / (total + 1e-6);
    if (coef < 1)
      try (var scope = GradMode.noGrad()) {
        for (Tensor p : withGrad) p.grad().mul_(coef);
      }
    return total;
  }
}
