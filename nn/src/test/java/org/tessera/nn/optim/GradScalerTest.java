package org.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.Tensor;

/** torch.amp.GradScaler's rules: scaled backward and unscale give the plain step; inf/NaN skips it and backs off; growth after the interval. */
class GradScalerTest {
  private static Sgd sgd(Tensor w) {
    return new Sgd(List.of(new ParamGroup(List.of(w), 0.1, 0)), 0, 0, false);
  }

  @Test
  void aScaledIterationStepsAsAnUnscaledOne() {
    Tensor x = Tensor.of(new float[] {0.3f, -1.7f, 2.2f}, 3);
    Tensor plain = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true), scaled = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    plain.mul(x).square().sum().backward();
    sgd(plain).step();
    GradScaler scaler = new GradScaler();
    Sgd opt = sgd(scaled);
    Tensor loss = scaled.mul(x).square().sum();
    scaler.scale(loss).backward();
    assertEquals(65536 * 2 * 1 * 0.3f * 0.3f, scaled.grad().toFloatArray()[0], 1e-2, "the gradient is scaled before unscale");
    assertTrue(scaler.step(opt));
    scaler.update();
    assertArrayEquals(plain.toFloatArray(), scaled.toFloatArray(), 0, "a power-of-two scale divides back exactly");
    assertEquals(65536, scaler.scale());
  }

  @Test
  void anInfiniteGradientSkipsTheStepAndBacksOffThenGoodStepsGrow() {
    Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    Sgd opt = sgd(w);
    GradScaler scaler = new GradScaler(8, 2, 0.5, 2);
    scaler.scale(w.mul(Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1}, 2)).sum()).backward();
    scaler.unscale(List.of(w));
    assertFalse(scaler.step(opt));
    scaler.update();
    assertArrayEquals(new float[] {1, 2}, w.toFloatArray(), 0, "no step with an inf gradient");
    assertEquals(4, scaler.scale(), "backed off");
    for (int i = 0; i < 2; i++) {
      opt.zeroGrad();
      scaler.scale(w.sum()).backward();
      assertTrue(scaler.step(opt));
      scaler.update();
      assertEquals(i == 0 ? 4 : 8, scaler.scale(), "grows after two good steps");
    }
    assertArrayEquals(new float[] {0.8f, 1.8f}, w.toFloatArray(), 1e-6f);
  }

  @Test
  void aNanGradientIsCaughtToo() {
    Tensor w = Tensor.of(new float[] {1}, 1).requiresGrad(true);
    GradScaler scaler = new GradScaler();
    scaler.scale(w.mul(Float.NaN).sum()).backward();
    assertFalse(scaler.step(sgd(w)));
  }

  @Test
  void callsOutOfOrderAndBadSettingsAreRefused() {
    GradScaler scaler = new GradScaler();
    assertEquals("GradScaler: update before step", assertThrows(IllegalStateException.class, scaler::update).getMessage());
    scaler.unscale(List.of());
    assertEquals("GradScaler: unscale was already called since the last update",
        assertThrows(IllegalStateException.class, () -> scaler.unscale(List.of())).getMessage());
    var e = assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 2, 1.5, 10));
    assertEquals("GradScaler: need scale > 0, growth factor > 1, backoff factor in (0, 1), growth interval >= 1; got 1.0, 2.0, 1.5, 10", e.getMessage());
  }
}
