package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.tensor.DType;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** The engine's contract: accumulation on leaves, no-grad scopes, detach, freed graphs and in-place changes. */
class AutogradTest {
  @Test
  void gradientsAccumulateOnLeavesAcrossBackwardCalls() {
    Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    x.mul(x).sum().backward();
    assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
    x.mul(3).sum().backward();
    assertArrayEquals(new float[] {5, 7, 9}, x.grad().toFloatArray());
  }

  @Test
  void aTensorUsedTwiceGetsTheSumOfBothPaths() {
    Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
    Tensor y = x.exp();
    y.mul(y).add(y).sum().backward(); // d/dx (e^2x + e^x) = 2e^2x + e^x
    assertEquals(2 * Math.exp(4) + Math.exp(2), x.grad().item(), 1e-4);
  }

  @Test
  void leafGradientsAreOwnedCopies() {
    Tensor a = Tensor.ones(2, 2).requiresGrad(true), b = Tensor.ones(2, 2).requiresGrad(true);
    a.add(b).sum().backward(); // both receive the same upstream tensor
    try (var scope = GradMode.noGrad()) {
      a.grad().mul_(5);
    }
    assertArrayEquals(new float[] {1, 1, 1, 1}, b.grad().toFloatArray());
    assertTrue(a.grad().isContiguous());
  }

  @Test
  void noGradRecordsNothingAndRestoresTheMode() {
    Tensor x = Tensor.ones(3).requiresGrad(true);
    Tensor y;
    try (var scope = GradMode.noGrad()) {
      y = x.mul(2);
      try (var inner = GradMode.enableGrad()) {
        assertTrue(x.mul(2).requiresGrad());
      }
      assertFalse(GradMode.isEnabled());
    }
    assertTrue(GradMode.isEnabled());
    assertFalse(y.requiresGrad());
    assertNull(y.gradFn());
  }

  @Test
  void detachCutsTheGraphButSharesTheData() {
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor d = x.mul(2).detach();
    assertFalse(d.requiresGrad());
    assertTrue(d.isLeaf());
    Tensor y = x.mul(d).sum();
    y.backward();
    assertArrayEquals(new float[] {2, 2}, x.grad().toFloatArray());
    assertSame(x.storage(), x.detach().storage());
  }

  @Test
  void backwardNeedsAnUpstreamForNonScalars() {
    Tensor y = Tensor.ones(2, 3).requiresGrad(true).mul(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("shape [2, 3]"), e.getMessage());
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3, 2)));
    assertTrue(wrong.getMessage().contains("[3, 2]") && wrong.getMessage().contains("[2, 3]"), wrong.getMessage());
  }

  @Test
  void backwardOfATensorWithoutGradientIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.ones(1).mul(2).sum().backward());
    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
  }

  @Test
  void aSecondBackwardThroughAFreedGraphSaysSo() {
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor y = x.exp().sum();
    y.backward();
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("a second time") && e.getMessage().contains("retainGraph"), e.getMessage());
  }

  @Test
  void retainGraphAllowsASecondBackward() {
    Tensor x = Tensor.of(new float[] {1}, 1).requiresGrad(true);
    Tensor y = x.exp().sum();
    y.backward(Tensor.scalar(1), true);
    y.backward(Tensor.scalar(1), false);
    assertEquals(2 * Math.E, x.grad().item(), 1e-5);
  }

  @Test
  void modifyingASavedTensorInPlaceIsCaughtAtBackward() {
    Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    Tensor c = Tensor.of(new float[] {3, 4}, 2);
    Tensor y = w.mul(c).sum(); // the backward of mul reads c
    c.add_(Tensor.ones(2));
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("backward of mul") && e.getMessage().contains("modified in place"), e.getMessage());
  }

  @Test
  void anOptimizerStepBeforeBackwardIsCaughtToo() {
    Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    Tensor y = w.exp().sum(); // exp saves its input
    try (var scope = GradMode.noGrad()) {
      w.mul_(0.5);
    }
    assertThrows(IllegalStateException.class, y::backward);
  }

  @Test
  void inPlaceWritesOnTensorsInTheGraphAreRefusedOutsideNoGrad() {
    Tensor w = Tensor.ones(2).requiresGrad(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.add_(Tensor.ones(2)));
    assertTrue(e.getMessage().contains("copy_") && e.getMessage().contains("noGrad"), e.getMessage());
  }

  @Test
  void onlyFloatTensorsCanRequireGrad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).requiresGrad(true));
    assertTrue(e.getMessage().contains("I64"), e.getMessage());
  }

  @Test
  void integerAndComparisonResultsCarryNoGradient() {
    Tensor x = Tensor.ones(3).requiresGrad(true);
    assertFalse(x.gt(0).requiresGrad());
    assertFalse(x.argmax().requiresGrad());
    assertTrue(x.to(DType.F64).requiresGrad());
    assertFalse(x.to(DType.I64).requiresGrad());
  }

  @Test
  void deepChainsDoNotOverflowTheStack() {
    Tensor x = Tensor.ones(1).requiresGrad(true);
    Tensor y = x;
    for (int i = 0; i < 20_000; i++) y = y.mul(1.0);
    y.sum().backward();
    assertEquals(1, x.grad().item());
  }

  @Test
  void largeInputsPassTheRandomDirectionCheck() {
    Generator gen = new Generator(3);
    Tensor a = Tensor.randn(gen, 40, 70).to(DType.F64), b = Tensor.randn(gen, 70, 50).to(DType.F64);
    GradCheck.Mismatch m = GradCheck.directional(in -> in[0].matmul(in[1]).gelu().softmax(-1), new Tensor[] {a, b}, 11, 1e-6, 1e-6, 1e-6);
    assertNull(m, () -> String.valueOf(m));
  }

  @Test
  void theGradientCheckCatchesAWrongBackward() {
    // d/dx of x.detach() * x is x, not 2x: treating detach as the identity must be caught
    Tensor x = Tensor.of(new double[] {0.5, -1.5, 2}, 3);
    GradCheck.Mismatch m = GradCheck.elementwise(in -> in[0].mul(in[0].detach()), new Tensor[] {x}, 1, 1e-6, 1e-6, 1e-6);
    assertTrue(m != null, "a backward that ignores one path must fail the check");
  }
}
