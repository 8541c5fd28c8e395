package org.tessera.train.nnunet;

/**
 * nnU-Net's intensity normalisation per channel, chosen by the channel's name in dataset.json (case-insensitive):
 * "CT" clips to the foreground 0.5–99.5 percentiles and z-scores with the foreground mean and std of the whole
 * dataset; "noNorm" leaves values; "rescale_to_0_1" maps the case's range to [0, 1]; "rgb_to_0_1" divides by 255;
 * anything else z-scores each case. (nnU-Net's z-score over the non-zero mask after a large crop is not used.)
 */
final class Normalization {
  private Normalization() {}

  static String schemeFor(String channelName) {
    return switch (channelName.toLowerCase()) {
      case "ct" -> "CTNormalization";
      case "nonorm" -> "NoNormalization";
      case "rescale_to_0_1" -> "RescaleTo01Normalization";
      case "rgb_to_0_1" -> "RGBTo01Normalization";
      default -> "ZScoreNormalization";
    };
  }

  /** Normalises one channel in place. */
  static void apply(String scheme, float[] x, Fingerprint.Stats stats) {
    switch (scheme) {
      case "CTNormalization" -> {
        double lo = stats.p005(), hi = stats.p995(), mean = stats.mean(), std = Math.max(stats.std(), 1e-8);
        for (int i = 0; i < x.length; i++) x[i] = (float) ((Math.min(hi, Math.max(lo, x[i])) - mean) / std);
      }
      case "NoNormalization" -> {}
      case "RescaleTo01Normalization" -> {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (float v : x) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        double range = Math.max(hi - lo, 1e-8);
        for (int i = 0; i < x.length; i++) x[i] = (float) ((x[i] - lo) / range);
      }
      case "RGBTo01Normalization" -> {
        for (int i = 0; i < x.length; i++) x[i] = x[i] / 255f;
      }
      case "ZScoreNormalization" -> {
        double mean = 0, sq = 0;
        for (float v : x) mean += v;
        mean /= x.length;
        for (float v : x) sq += (v - mean) * (v - mean);
        double std = Math.max(Math.sqrt(sq / x.length), 1e-8);
        for (int i = 0; i < x.length; i++) x[i] = (float) ((x[i] - mean) / std);
      }
      default -> throw new IllegalArgumentException("unknown normalization scheme '" + scheme + "'");
    }
  }
}
