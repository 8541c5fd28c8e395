package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;

/** Multi-scale deformable attention: one fused backend op forward, one backward for value, locations and weights. */
interface DeformableAttentionTable extends TensorOps {
  @Override default Tensor msDeformAttn(Tensor value, Tensor spatialShapes, Tensor levelStartIndex, Tensor samplingLocations, Tensor attentionWeights) {
    String op = "ms_deform_attn";
    if (value.dim() != 4 || samplingLocations.dim() != 6 || attentionWeights.dim() != 5)
      throw new IllegalArgumentException(op + ": expected value (N, S, M, D), sampling_locations (N, Lq, M, L, P, 2), attention_weights (N, Lq, M, L, P); got "
          + Shapes.str(value.shape()) + ", " + Shapes.str(samplingLocations.shape()) + ", " + Shapes.str(attentionWeights.shape()));
    int n = value.size(0), m = value.size(2), lq = attentionWeights.size(1), levels = attentionWeights.size(3), points = attentionWeights.size(4);
    int[] locShape = {n, lq, m, levels, points, 2};
    if (!java.util.Arrays.equals(samplingLocations.shape(), locShape) || attentionWeights.size(0) != n || attentionWeights.size(2) != m)
      throw new IllegalArgumentException(op + ": sampling_locations " + Shapes.str(samplingLocations.shape()) + " and attention_weights "
          + Shapes.str(attentionWeights.shape()) + " do not fit value " + Shapes.str(value.shape()));
    long[] shapeValues = spatialShapes.toLongArray(), startValues = levelStartIndex.toLongArray();
    if (spatialShapes.dim() != 2 || spatialShapes.size(0) != levels || spatialShapes.size(1) != 2 || startValues.length != levels)
      throw new IllegalArgumentException(op + ": spatial_shapes " + Shapes.str(spatialShapes.shape()) + " and level_start_index "
          + Shapes.str(levelStartIndex.shape()) + " must describe " + levels + " levels");
    int[] shapes = new int[2 * levels], starts = new int[levels];
    for (int l = 0; l < levels; l++) {
      shapes[2 * l] = (int) shapeValues[2 * l];
      shapes[2 * l + 1] = (int) shapeValues[2 * l + 1];
      starts[l] = (int) startValues[l];
      if (starts[l] < 0 || starts[l] + (long) shapes[2 * l] * shapes[2 * l + 1] > value.size(1))
        throw new IllegalArgumentException(op + ": level " + l + " (" + shapes[2 * l] + "×" + shapes[2 * l + 1] + " from row " + starts[l] + ") lies outside the "
            + value.size(1) + " value rows");
    }
    ElementwiseTable.requireSameDevice(op, value, samplingLocations);
    ElementwiseTable.requireSameDevice(op, value, attentionWeights);
    if (!value.dtype().floating || samplingLocations.dtype() != value.dtype() || attentionWeights.dtype() != value.dtype())
      throw new IllegalArgumentException(op + ": value, locations and weights need one float dtype, got " + value.dtype() + ", " + samplingLocations.dtype()
          + ", " + attentionWeights.dtype());
    Tensor out = value.backend().msDeformAttn(value, shapes, starts, samplingLocations, attentionWeights);
    return record(op, out, of(value, samplingLocations, attentionWeights), of(value, samplingLocations, attentionWeights),
        g -> value.backend().msDeformAttnBackward(value, shapes, starts, samplingLocations, attentionWeights, g));
  }
}
