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

  /**
   * A leaf may take a gradient its node made for it instead of copying it, but never one anything else can see: the
   * caller's upstream tensor (passed on as is, or through views), or another leaf's gradient or data.
   */
  @Test
  void leafGradientsNeverAliasTheUpstreamOtherGradientsOrTheGraph() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true), up = Tensor.of(new float[] {1, 1, 1, 1}, 2, 2);
    x.reshape(4).reshape(2, 2).backward(up); // the gradient is a view of the caller's tensor
    Tensor p = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true), upP = Tensor.of(new float[] {3, 4}, 2);
    p.backward(upP); // a leaf as the root
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true), w = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2).requiresGrad(true);
    a.mul(w).backward(Tensor.of(new float[] {1, 1, 1, 1}, 2, 2)); // a gets up·w, w gets up·a: made for them
    try (var scope = GradMode.noGrad()) {
      up.mul_(100);
      upP.mul_(100);
      a.grad().mul_(10); // neither w nor its gradient may change
    }
    assertArrayEquals(new float[] {1, 1, 1, 1}, x.grad().toFloatArray());
    assertArrayEquals(new float[] {3, 4}, p.grad().toFloatArray());
    assertArrayEquals(new float[] {50, 60, 70, 80}, a.grad().toFloatArray());
    assertArrayEquals(new float[] {1, 2, 3, 4}, w.grad().toFloatArray());
    assertArrayEquals(new float[] {5, 6, 7, 8}, w.toFloatArray());
    assertTrue(a.grad().isContiguous() && w.grad().isContiguous());
  }

  /** What a node's backward returns may be taken only when it shares no storage with anything the engine knows of. */
  @Test
  void aGradientIsUnsharedOnlyWhenNothingElseSeesItsStorage() {
    Tensor in = Tensor.ones(2), kept = Tensor.ones(2), incoming = Tensor.ones(2), fresh = Tensor.ones(2), other = Tensor.ones(2);
    Node node = new Node("op", new Tensor[] {in, in}, new Tensor[] {kept}, g -> null);
    assertTrue(Engine.unshared(new Tensor[] {fresh, other}, 0, incoming, node));
    assertFalse(Engine.unshared(new Tensor[] {fresh, fresh.reshape(1, 2)}, 0, incoming, node), "given to two inputs");
    assertFalse(Engine.unshared(new Tensor[] {incoming.reshape(1, 2), null}, 0, incoming, node), "a view of the incoming gradient");
    assertFalse(Engine.unshared(new Tensor[] {kept, null}, 0, incoming, node), "a saved tensor");
    assertFalse(Engine.unshared(new Tensor[] {in.reshape(2, 1), null}, 0, incoming, node), "an input");
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
