package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** The CPU backend's merged-dims copies and binaries on the layouts that break naive merging, against the reference. */
class StridedLayoutsTest {
  private final Generator gen = new Generator(17);

  @Test
  void copiesOfPermutedSlicedAndSize1Layouts() {
    Tensor x = Tensor.randn(gen, 3, 4, 5, 6);
    for (Tensor view : new Tensor[] {x.permute(0, 2, 3, 1), x.transpose(2, 3), x.narrow(3, 1, 1), x.narrow(1, 1, 2).narrow(3, 2, 3), x.permute(3, 2, 1, 0)})
      assertArrayEquals(view.to(Device.REFERENCE).contiguous().toFloatArray(), view.contiguous().toFloatArray(), 0);
  }

  @Test
  void assignIntoAColumnSliceWritesOnlyTheColumn() {
    try (var scope = GradMode.noGrad()) {
      Tensor m = Tensor.zeros(4, 7), ref = m.to(Device.REFERENCE);
      Tensor values = Tensor.of(new float[] {1, 2, 3, 4}, 4, 1);
      m.narrow(1, 3, 1).copy_(values);
      ref.narrow(1, 3, 1).copy_(values.to(Device.REFERENCE));
      assertArrayEquals(ref.toFloatArray(), m.toFloatArray(), 0);
      Tensor t = Tensor.zeros(5, 3, 2);
      Tensor source = Tensor.randn(gen, 3, 5, 2);
      t.copy_(source.transpose(0, 1));
      assertArrayEquals(source.transpose(0, 1).contiguous().toFloatArray(), t.toFloatArray(), 0);
    }
  }

  @Test
  void binariesOverBroadcastAndSize1Dims() {
    Tensor[][] pairs = {{Tensor.randn(gen, 3, 1, 5), Tensor.randn(gen, 1, 4, 1)}, {Tensor.randn(gen, 2, 3, 4, 4), Tensor.randn(gen, 1, 3, 1, 1)},
        {Tensor.randn(gen, 6, 1), Tensor.randn(gen, 6, 1)}, {Tensor.randn(gen, 4, 5).transpose(0, 1), Tensor.randn(gen, 5, 4)},
        {Tensor.randn(gen, 1, 1), Tensor.randn(gen, 1)}};
    for (Tensor[] p : pairs) {
      Tensor want = p[0].to(Device.REFERENCE).mul(p[1].to(Device.REFERENCE)).sub(p[1].to(Device.REFERENCE));
      assertArrayEquals(want.toFloatArray(), p[0].mul(p[1]).sub(p[1]).toFloatArray(), 1e-6f);
    }
  }
}
