package org.tessera.train.nnunet;

import java.util.ArrayList;
import java.util.List;
import org.tessera.autograd.GradMode;
import org.tessera.nn.Layer;
import org.tessera.tensor.Tensor;

/**
 * nnU-Net's sliding-window prediction of one 2-D slice (models.md §5.6): the image padded (centred, zeros) up to the
 * patch, tiles at step 0.5 of the patch, each tile's logits weighted by a Gaussian importance map (σ = patch/8, max
 * 10, zeros replaced by the smallest non-zero weight), with mirroring the mean of the logits over the four flips,
 * and the weighted sum divided by the summed weights. Accumulates in F32 where nnU-Net uses F16 buffers.
 */
public final class SlidingWindow {
  private final Layer model;
  private final int[] patch;
  private final boolean mirror;
  private final int tilesPerBatch;
  private final float[] gaussian;

  public SlidingWindow(Layer model, int[] patch, boolean mirror, int tilesPerBatch) {
    this.model = model;
    this.patch = patch.clone();
    this.mirror = mirror;
    this.tilesPerBatch = tilesPerBatch;
    this.gaussian = gaussian(patch);
  }

  /** Tile starts along an axis of size {@code size} ≥ {@code tile}: n = ⌈(size − tile) / (tile·step)⌉ + 1, evenly spread, rounded. */
  static int[] starts(int size, int tile, double step) {
    if (size < tile) throw new IllegalArgumentException("sliding window: image " + size + " is smaller than the tile " + tile + " (pad first)");
    int n = (int) Math.ceil((size - tile) / (tile * step)) + 1;
    if (n == 1) return new int[] {0};
    double stride = (size - tile) / (double) (n - 1);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = (int) Math.round(stride * i);
    return out;
  }

  /** The importance map: scipy's gaussian_filter (truncate 4, constant mode) of a delta at patch // 2, scaled to max 10. */
  static float[] gaussian(int[] patch) {
    double[][] k = new double[2][];
    for (int a = 0; a < 2; a++) {
      int p = patch[a], c = p / 2;
      double sigma = p / 8.0;
      int radius = (int) (4 * sigma + 0.5);
      double sum = 0;
      for (int d = -radius; d <= radius; d++) sum += Math.exp(-0.5 * d * d / (sigma * sigma));
      k[a] = new double[p];
      for (int i = 0; i < p; i++) {
        int d = i - c;
        k[a][i] = Math.abs(d) <= radius ? Math.exp(-0.5 * d * d / (sigma * sigma)) / sum : 0;
      }
    }
    double max = 0;
    float[] g = new float[patch[0] * patch[1]];
    for (int y = 0; y < patch[0]; y++)
      for (int x = 0; x < patch[1]; x++) max = Math.max(max, k[0][y] * k[1][x]);
    float minNonZero = Float.MAX_VALUE;
    for (int y = 0; y < patch[0]; y++)
      for (int x = 0; x < patch[1]; x++) {
        g[y * patch[1] + x] = (float) (k[0][y] * k[1][x] / max * 10);
        if (g[y * patch[1] + x] > 0) minNonZero = Math.min(minNonZero, g[y * patch[1] + x]);
      }
    for (int i = 0; i < g.length; i++) if (g[i] == 0) g[i] = minNonZero;
    return g;
  }

  /** Logits (K, h, w) of one slice given as channels × (h, w). */
  public float[] predict(float[][] slice, int h, int w, int classes) {
    int ph = Math.max(h, patch[0]), pw = Math.max(w, patch[1]), padY = (ph - h) / 2, padX = (pw - w) / 2, channels = slice.length;
    float[] image = new float[channels * ph * pw];
    for (int c = 0; c < channels; c++)
      for (int y = 0; y < h; y++) System.arraycopy(slice[c], y * w, image, (c * ph + y + padY) * pw + padX, w);
    int[] ys = starts(ph, patch[0], 0.5), xs = starts(pw, patch[1], 0.5);
    List<int[]> tiles = new ArrayList<>();
    for (int y : ys) for (int x : xs) tiles.add(new int[] {y, x});
    float[] sum = new float[classes * ph * pw], weight = new float[ph * pw];
    int area = patch[0] * patch[1];
    for (int t0 = 0; t0 < tiles.size(); t0 += tilesPerBatch) {
      List<int[]> chunk = tiles.subList(t0, Math.min(tiles.size(), t0 + tilesPerBatch));
      float[] batch = new float[chunk.size() * channels * area];
      for (int b = 0; b < chunk.size(); b++)
        for (int c = 0; c < channels; c++)
          for (int y = 0; y < patch[0]; y++)
            System.arraycopy(image, (c * ph + chunk.get(b)[0] + y) * pw + chunk.get(b)[1], batch, ((b * channels + c) * patch[0] + y) * patch[1], patch[1]);
      float[] logits = logits(Tensor.of(batch, chunk.size(), channels, patch[0], patch[1]));
      for (int b = 0; b < chunk.size(); b++) {
        int ty = chunk.get(b)[0], tx = chunk.get(b)[1];
        for (int y = 0; y < patch[0]; y++)
          for (int x = 0; x < patch[1]; x++) {
            float g = gaussian[y * patch[1] + x];
            int at = (ty + y) * pw + tx + x;
            weight[at] += g;
            for (int k = 0; k < classes; k++) sum[k * ph * pw + at] += g * logits[((b * classes + k) * patch[0] + y) * patch[1] + x];
          }
      }
    }
    float[] out = new float[classes * h * w];
    for (int k = 0; k < classes; k++)
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
          int at = (y + padY) * pw + x + padX;
          out[(k * h + y) * w + x] = sum[k * ph * pw + at] / weight[at];
        }
    return out;
  }

  /** The model's logits of a batch of tiles; with mirroring, the mean over the identity and the three flips. */
  private float[] logits(Tensor tiles) {
    try (var scope = GradMode.noGrad()) {
      return org.tessera.train.run.Mirroring.logits(model, tiles, mirror).toFloatArray();
    }
  }
}
