package org.tessera.train.nnunet;

import org.tessera.tensor.Generator;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Tensor;

/**
 * nnU-Net's intensity augmentations for one sample, in its order and with its probabilities (models.md §5.3):
 * Gaussian noise (p 0.1, variance 0–0.1), Gaussian blur (p 0.2, σ 0.5–1, each channel p 0.5), multiplicative
 * brightness (p 0.15, 0.75–1.25), contrast (p 0.15, 0.75–1.25, range preserved), low resolution (p 0.25, zoom 0.5–1,
 * each channel p 0.5: nearest down, bicubic up), inverted gamma (p 0.1) and gamma (p 0.3), 0.7–1.5, statistics kept.
 */
final class IntensityAugmentation {
  private IntensityAugmentation() {}

  /** Augments channels × (h, w) floats at {@code at} in place. */
  static void apply(float[] a, int at, int channels, int h, int w, Generator gen) {
    int n = h * w;
    if (gen.nextDouble() < 0.1) {
      double sigma = Math.sqrt(0.1 * gen.nextDouble());
      for (int i = at; i < at + channels * n; i++) a[i] += (float) (sigma * gen.nextGaussian());
    }
    if (gen.nextDouble() < 0.2)
      for (int c = 0; c < channels; c++) if (gen.nextDouble() < 0.5) blur(a, at + c * n, h, w, 0.5 + 0.5 * gen.nextDouble());
    if (gen.nextDouble() < 0.15) {
      float factor = (float) (0.75 + 0.5 * gen.nextDouble());
      for (int i = at; i < at + channels * n; i++) a[i] *= factor;
    }
    if (gen.nextDouble() < 0.15) for (int c = 0; c < channels; c++) contrast(a, at + c * n, n, factor(gen, 0.75, 1.25));
    if (gen.nextDouble() < 0.25)
      for (int c = 0; c < channels; c++) if (gen.nextDouble() < 0.5) lowResolution(a, at + c * n, h, w, 0.5 + 0.5 * gen.nextDouble());
    if (gen.nextDouble() < 0.1) for (int c = 0; c < channels; c++) gamma(a, at + c * n, n, factor(gen, 0.7, 1.5), true);
    if (gen.nextDouble() < 0.3) for (int c = 0; c < channels; c++) gamma(a, at + c * n, n, factor(gen, 0.7, 1.5), false);
  }

  /** batchgenerators' draw of a factor: half the time below 1, half above. */
  private static double factor(Generator gen, double lo, double hi) {
    return gen.nextDouble() < 0.5 && lo < 1 ? lo + (1 - lo) * gen.nextDouble() : Math.max(lo, 1) + (hi - Math.max(lo, 1)) * gen.nextDouble();
  }

  private static void contrast(float[] a, int at, int n, double factor) {
    double mean = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
    for (int i = at; i < at + n; i++) {
      mean += a[i];
      min = Math.min(min, a[i]);
      max = Math.max(max, a[i]);
    }
    mean /= n;
    for (int i = at; i < at + n; i++) a[i] = (float) Math.min(max, Math.max(min, (a[i] - mean) * factor + mean));
  }

  /** Gamma on the range mapped to [0, 1], mean and std restored; inverted: on −x. */
  private static void gamma(float[] a, int at, int n, double gamma, boolean invert) {
    double sign = invert ? -1 : 1, mean = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
    for (int i = at; i < at + n; i++) {
      double v = sign * a[i];
      mean += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    mean /= n;
    for (int i = at; i < at + n; i++) sq += (sign * a[i] - mean) * (sign * a[i] - mean);
    double std = Math.sqrt(sq / n), range = max - min + 1e-7;
    double[] out = new double[n];
    double mean2 = 0, sq2 = 0;
    for (int i = 0; i < n; i++) {
      out[i] = Math.pow((sign * a[at + i] - min) / range, gamma) * range + min;
      mean2 += out[i];
    }
    mean2 /= n;
    for (double v : out) sq2 += (v - mean2) * (v - mean2);
    double std2 = Math.sqrt(sq2 / n);
    for (int i = 0; i < n; i++) a[at + i] = (float) (sign * ((out[i] - mean2) / (std2 + 1e-8) * std + mean));
  }

  /** Separable Gaussian blur, truncated at 4σ, mirrored at the borders (scipy's default 'reflect'). */
  static void blur(float[] a, int at, int h, int w, double sigma) {
    int radius = (int) (4 * sigma + 0.5);
    double[] k = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
    for (int i = 0; i < k.length; i++) k[i] /= sum;
    float[] tmp = new float[h * w];
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double v = 0;
        for (int i = -radius; i <= radius; i++) v += k[i + radius] * a[at + y * w + reflect(x + i, w)];
        tmp[y * w + x] = (float) v;
      }
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double v = 0;
        for (int i = -radius; i <= radius; i++) v += k[i + radius] * tmp[reflect(y + i, h) * w + x];
        a[at + y * w + x] = (float) v;
      }
  }

  /** scipy's 'reflect' (half-sample symmetric): d c b a | a b c d | d c b a. */
  private static int reflect(int i, int n) {
    if (n == 1) return 0;
    int period = 2 * n;
    i = Math.floorMod(i, period);
    return i < n ? i : period - 1 - i;
  }

  private static void lowResolution(float[] a, int at, int h, int w, double zoom) {
    int lh = Math.max(1, (int) Math.round(h * zoom)), lw = Math.max(1, (int) Math.round(w * zoom));
    float[] plane = java.util.Arrays.copyOfRange(a, at, at + h * w);
    Tensor low = Tensor.of(plane, 1, 1, h, w).interpolate(new int[] {lh, lw}, InterpolationMode.NEAREST, false);
    float[] back = low.interpolate(new int[] {h, w}, InterpolationMode.BICUBIC, false).toFloatArray();
    System.arraycopy(back, 0, a, at, h * w);
  }
}
