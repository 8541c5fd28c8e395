package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bilinear corners of the L·P samples of a (query, head) of deformable attention, computed for all samples at
 * once with the samples as vector lanes: for sample k, corner c (00, 01, 10, 11) is written at {@code c·stride + k}
 * of the query's slot
 * as an offset into the head-major value (N, M, S, D) and the attention weight times its bilinear weight. A corner
 * outside its level (grid_sample's zero padding) gets weight 0 and the offset of the head's first row, so the sum
 * over all corners needs no branches. One instance per worker: it holds the per-sample constants and the output
 * for {@link #QUERIES} queries, which the caller fills before it sums any: reading an offset back right after its
 * vector store would stall on store-to-load forwarding (wide store, narrow load), which cost more than the sums.
 */
final class SampleCorners {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

  private final DeformableAttention.Dims dm;
  static final int QUERIES = 16;
  /** Samples per (query, head), the padded count (the stride between the corners' blocks), and the size of a slot. */
  final int samples, stride, slot;
  /** Per sample: its level's width and height, row stride in floats, and first value row (in floats, head-relative). */
  private final float[] width, height;
  private final int[] rowStride, levelStart;
  /** Scratch: each query's samples' x, y and attention weight, zero past its last sample (where width and height are −1). */
  private final float[] xs, ys;
  final float[] as;
  final int[] offsets;
  final float[] weights;
  /**
   * For the backward only (null otherwise): per corner its bilinear weight alone and 1 or 0 for inside or not (a
   * corner inside can have weight 0, yet its value enters the location gradient); per sample the fractional parts
   * of x and y (at {@code j·stride + k}, like the scratch).
   */
  final float[] bilinear, inside, fracX, fracY;

  SampleCorners(DeformableAttention.Dims dm) {
    this(dm, false);
  }

  SampleCorners(DeformableAttention.Dims dm, boolean forBackward) {
    this.dm = dm;
    samples = dm.levels() * dm.points();
    stride = (samples + F.length() - 1) / F.length() * F.length();
    xs = new float[QUERIES * stride];
    ys = new float[QUERIES * stride];
    as = new float[QUERIES * stride];
    width = new float[stride];
    height = new float[stride];
    rowStride = new int[stride];
    levelStart = new int[stride];
    // a padding lane: −0.5 is not below width −1, so it is never inside
    java.util.Arrays.fill(width, -1f);
    java.util.Arrays.fill(height, -1f);
    for (int k = 0; k < samples; k++) {
      int l = k / dm.points(), h = dm.shapes()[2 * l], w = dm.shapes()[2 * l + 1];
      width[k] = w;
      height[k] = h;
      rowStride[k] = w * dm.d();
      levelStart[k] = dm.starts()[l] * dm.d();
    }
    slot = 4 * stride;
    offsets = new int[QUERIES * slot];
    weights = new float[QUERIES * slot];
    bilinear = forBackward ? new float[QUERIES * slot] : null;
    inside = forBackward ? new float[QUERIES * slot] : null;
    fracX = forBackward ? new float[QUERIES * stride] : null;
    fracY = forBackward ? new float[QUERIES * stride] : null;
  }

  /**
   * Fills slots 0..count−1 of {@link #offsets} and {@link #weights} for queries nq0.. (batch-major) of head m of batch n.
   * The samples are first copied to lane-aligned scratch for all the queries (a scalar copy deinterleaves x and y; a
   * gather or a masked load of the last partial vector is slower), then computed, so no vector load waits on a store.
   */
  void compute(float[] loc, float[] attw, int n, int nq0, int count, int m) {
    for (int j = 0; j < count; j++) {
      int first = ((nq0 + j) * dm.m() + m) * samples, to = j * stride;
      for (int k = 0; k < samples; k++) {
        xs[to + k] = loc[2 * (first + k)];
        ys[to + k] = loc[2 * (first + k) + 1];
      }
      System.arraycopy(attw, first, as, to, samples);
    }
    int headBase = DeformableAttention.HEAD_MAJOR_PAD + (n * dm.m() + m) * dm.s() * dm.d();
    for (int j = 0; j < count; j++)
      for (int k = 0; k < samples; k += F.length()) cornersOf(j, k, headBase);
  }

  /** The corners of the samples in lanes k.. of query j of the scratch arrays. */
  private void cornersOf(int j, int k, int headOffset) {
    // vectors are made here, not passed in: a vector argument of a call that is not inlined is boxed
    IntVector colStride = IntVector.broadcast(I, dm.d()), headBase = IntVector.broadcast(I, headOffset);
    FloatVector w = FloatVector.fromArray(F, width, k), h = FloatVector.fromArray(F, height, k);
    // grid_sample with align_corners = False: pixel coordinate = location · size − 0.5
    FloatVector x = FloatVector.fromArray(F, xs, j * stride + k).mul(w).sub(0.5f);
    FloatVector y = FloatVector.fromArray(F, ys, j * stride + k).mul(h).sub(0.5f);
    FloatVector a = FloatVector.fromArray(F, as, j * stride + k);
    VectorMask<Float> inside = x.compare(VectorOperators.GT, -1f).and(y.compare(VectorOperators.GT, -1f))
        .and(x.compare(VectorOperators.LT, w)).and(y.compare(VectorOperators.LT, h));
    // floor for values above −1: truncation, or −1 below 0
    FloatVector x0 = truncate(x).blend(-1f, x.compare(VectorOperators.LT, 0f));
    FloatVector y0 = truncate(y).blend(-1f, y.compare(VectorOperators.LT, 0f));
    FloatVector lx = x.sub(x0), ly = y.sub(y0), hx = lx.neg().add(1f), hy = ly.neg().add(1f);
    VectorMask<Float> left = inside.and(x0.compare(VectorOperators.GE, 0f)), right = inside.and(x0.add(1f).compare(VectorOperators.LT, w));
    VectorMask<Float> top = y0.compare(VectorOperators.GE, 0f), bottom = y0.add(1f).compare(VectorOperators.LT, h);
    IntVector ix = (IntVector) x0.convert(VectorOperators.F2I, 0), iy = (IntVector) y0.convert(VectorOperators.F2I, 0);
    IntVector rows = IntVector.fromArray(I, rowStride, k);
    IntVector p00 = iy.mul(rows).add(ix.mul(colStride)).add(IntVector.fromArray(I, levelStart, k)).add(headBase);
    int at = j * slot + k;
    // written out per corner, not through a helper taking vectors: C2 did not inline that helper, and its vector
    // arguments went through the Vector API's slow path (a fifth of the forward)
    VectorMask<Float> v00 = top.and(left), v01 = top.and(right), v10 = bottom.and(left), v11 = bottom.and(right);
    FloatVector b00 = hy.mul(hx), b01 = hy.mul(lx), b10 = ly.mul(hx), b11 = ly.mul(lx);
    headBase.blend(p00, v00.cast(I)).intoArray(offsets, at);
    headBase.blend(p00.add(colStride), v01.cast(I)).intoArray(offsets, at + stride);
    headBase.blend(p00.add(rows), v10.cast(I)).intoArray(offsets, at + 2 * stride);
    headBase.blend(p00.add(rows).add(colStride), v11.cast(I)).intoArray(offsets, at + 3 * stride);
    FloatVector zero = FloatVector.zero(F);
    zero.blend(a.mul(b00), v00).intoArray(weights, at);
    zero.blend(a.mul(b01), v01).intoArray(weights, at + stride);
    zero.blend(a.mul(b10), v10).intoArray(weights, at + 2 * stride);
    zero.blend(a.mul(b11), v11).intoArray(weights, at + 3 * stride);
    if (bilinear != null) {
      zero.blend(b00, v00).intoArray(bilinear, at);
      zero.blend(b01, v01).intoArray(bilinear, at + stride);
      zero.blend(b10, v10).intoArray(bilinear, at + 2 * stride);
      zero.blend(b11, v11).intoArray(bilinear, at + 3 * stride);
      zero.blend(1f, v00).intoArray(this.inside, at);
      zero.blend(1f, v01).intoArray(this.inside, at + stride);
      zero.blend(1f, v10).intoArray(this.inside, at + 2 * stride);
      zero.blend(1f, v11).intoArray(this.inside, at + 3 * stride);
      lx.intoArray(fracX, j * stride + k);
      ly.intoArray(fracY, j * stride + k);
    }
  }

  private static FloatVector truncate(FloatVector v) {
    return (FloatVector) v.convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0);
  }

}
