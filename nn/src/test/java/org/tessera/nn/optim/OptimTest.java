package org.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.Tensor;

/** Schedules, clipping and groups (the update formulas are checked against torch.optim by the parity fixtures). */
class OptimTest {
  @Test
  void schedulesHaveTheirDefiningValues() {
    assertEquals(1.0, Schedules.poly(1000, 0.9).factor(0));
    assertEquals(Math.pow(0.5, 0.9), Schedules.poly(1000, 0.9).factor(500), 1e-12);
    assertEquals(0.0, Schedules.poly(1000, 0.9).factor(1000));
    assertEquals(0.5, Schedules.linear(10, 0).factor(5), 1e-12);
    Schedules.Schedule wc = Schedules.warmupCosine(10, 110, 0.0);
    assertEquals(0.1, wc.factor(0), 1e-12);
    assertEquals(1.0, wc.factor(10), 1e-12);
    assertEquals(0.5, wc.factor(60), 1e-12);
    assertEquals(0.0, wc.factor(110), 1e-12);
    assertEquals(0.01, Schedules.step(10, 0.1).factor(25), 1e-12);
  }

  @Test
  void groupsKeepTheirOwnLearningRates() {
    Tensor a = Tensor.ones(2).requiresGrad(true), b = Tensor.ones(2).requiresGrad(true);
    Sgd sgd = new Sgd(List.of(new ParamGroup(List.of(a), 0.1, 0), new ParamGroup(List.of(b), 0.01, 0)), 0, 0, false);
    a.add(b).sum().backward();
    sgd.step();
    assertEquals(0.9, a.toFloatArray()[0], 1e-6);
    assertEquals(0.99, b.toFloatArray()[0], 1e-6);
    Schedules.apply(sgd, Schedules.poly(10, 1), 5);
    assertEquals(0.05, sgd.groups().get(0).lr, 1e-12);
    assertEquals(0.005, sgd.groups().get(1).lr, 1e-12);
  }

  @Test
  void clippingScalesToTheGlobalNorm() {
    Tensor a = Tensor.of(new float[] {3}, 1).requiresGrad(true), b = Tensor.of(new float[] {4}, 1).requiresGrad(true);
    a.mul(a).div(2).add(b.mul(b).div(2)).sum().backward(); // grads 3 and 4: norm 5
    assertEquals(5, Optimizer.clipGradNorm(List.of(a, b), 1.0), 1e-6);
    assertEquals(0.6, a.grad().item(), 1e-5);
    assertEquals(0.8, b.grad().item(), 1e-5);
  }
}
