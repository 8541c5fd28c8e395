package org.tessera.tensor;

/** Fixed position encodings: Mask2Former's 2-D sine embedding and DINOv3's axial rotary embedding. */
public final class PositionEncodings {
  private PositionEncodings() {}

  /**
   * Mask2Former's PositionEmbeddingSine for an (N, ·, H, W) map without mask: (N, 2·numPosFeats, H, W), channels
   * [y | x], each [sin(e/d0), cos(e/d1), sin(e/d2), …] with d_j = temperature^(2·⌊j/2⌋/numPosFeats) and e the
   * 1-based row (column) index, divided by (H + 1e-6) and times {@code scale} when normalising.
   */
  public static Tensor sine(int n, int h, int w, int numPosFeats, double temperature, boolean normalize, double scale, Device device) {
    double[] out = new double[2 * numPosFeats * h * w];
    for (int j = 0; j < numPosFeats; j++) {
      double dim = Math.pow(temperature, 2.0 * (j / 2) / numPosFeats);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
          double ey = y + 1, ex = x + 1;
          if (normalize) {
            ey = ey / (h + 1e-6) * scale;
            ex = ex / (w + 1e-6) * scale;
          }
          out[(j * h + y) * w + x] = j % 2 == 0 ? Math.sin(ey / dim) : Math.cos(ey / dim);
          out[((numPosFeats + j) * h + y) * w + x] = j % 2 == 0 ? Math.sin(ex / dim) : Math.cos(ex / dim);
        }
    }
    return Tensor.of(out, 1, 2 * numPosFeats, h, w).to(DType.F32).to(device).expand(n, -1, -1, -1);
  }

  /** DINOv3's RoPE periods base^(2i/(headDim/2)), i < headDim/4, in F32. */
  public static Tensor ropePeriods(int headDim, double base) {
    int f = headDim / 4;
    float[] p = new float[f];
    for (int i = 0; i < f; i++) p[i] = (float) Math.pow(base, 2.0 * i / (headDim / 2.0));
    return Tensor.of(p, f);
  }

  /**
   * DINOv3's axial RoPE angles for an h×w patch grid ("separate" coordinate normalisation, no jitter): returns
   * {sin, cos}, each (h·w, headDim), tokens row-major; angle block [y·f | x·f] repeated twice.
   */
  public static Tensor[] ropeSinCos(int h, int w, Tensor periods, Device device) {
    float[] per = periods.toFloatArray();
    int f = per.length, d = 4 * f;
    double[] sin = new double[h * w * d], cos = new double[h * w * d];
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double cy = 2 * ((y + 0.5) / h) - 1, cx = 2 * ((x + 0.5) / w) - 1;
        int t = y * w + x;
        for (int half = 0; half < 2; half++)
          for (int i = 0; i < f; i++) {
            double ay = 2 * Math.PI * cy / per[i], ax = 2 * Math.PI * cx / per[i];
            int at = t * d + half * 2 * f;
            sin[at + i] = Math.sin(ay);
            cos[at + i] = Math.cos(ay);
            sin[at + f + i] = Math.sin(ax);
            cos[at + f + i] = Math.cos(ax);
          }
      }
    return new Tensor[] {Tensor.of(sin, h * w, d).to(DType.F32).to(device), Tensor.of(cos, h * w, d).to(DType.F32).to(device)};
  }

  /** t·cos + rotate_half(t)·sin over the last dim, rotate_half([a | b]) = [−b | a] (halves, not interleaved pairs). */
  public static Tensor applyRope(Tensor t, Tensor sin, Tensor cos) {
    int d = t.size(-1);
    Tensor a = t.narrow(-1, 0, d / 2), b = t.narrow(-1, d / 2, d / 2);
    return t.mul(cos).add(Tensor.cat(-1, b.neg(), a).mul(sin));
  }
}
