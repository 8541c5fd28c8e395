package org.tessera.nn.optim;

/**
 * Learning-rate schedules as the factor applied to each group's initial lr at a step (per iteration or per epoch,
 * as the caller counts): {@link #apply} sets every group's lr.
 */
public final class Schedules {
  private Schedules() {}

  /** A multiplier of the initial learning rate as a function of the step. */
  @FunctionalInterface
  public interface Schedule {
    double factor(long step);
  }

  /** nnU-Net's PolyLRScheduler: (1 − step / maxSteps)^exponent (0.9 in nnU-Net). */
  public static Schedule poly(long maxSteps, double exponent) {
    return step -> Math.pow(1 - (double) Math.min(step, maxSteps) / maxSteps, exponent);
  }

  /** Linear decay from 1 to {@code end} over maxSteps (torch's LinearLR with start 1). */
  public static Schedule linear(long maxSteps, double end) {
    return step -> 1 + (end - 1) * Math.min(step, maxSteps) / (double) maxSteps;
  }

  /** Linear warmup from 0 over warmupSteps, then cosine decay to {@code minFactor} at totalSteps. */
  public static Schedule warmupCosine(long warmupSteps, long totalSteps, double minFactor) {
    return step -> {
      if (step < warmupSteps) return (step + 1) / (double) warmupSteps;
      double progress = Math.min(1, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
      return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    };
  }

  /** torch's StepLR: multiplied by gamma every {@code stepSize} steps. */
  public static Schedule step(long stepSize, double gamma) {
    return step -> Math.pow(gamma, step / stepSize);
  }

  /** Sets each group's lr to its initial lr times the schedule's factor at this step. */
  public static void apply(Optimizer optimizer, Schedule schedule, long step) {
    double f = schedule.factor(step);
    for (ParamGroup g : optimizer.groups()) g.lr = g.initialLr * f;
  }
}
