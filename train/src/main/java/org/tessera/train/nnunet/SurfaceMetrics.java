package org.tessera.train.nnunet;

import java.util.Arrays;

/**
 * Dice, the 95th-percentile Hausdorff distance and the normalised surface Dice of one class, on voxel masks with
 * their spacing, as MedDINOv3's {@code compute_metrics} gets them from MONAI: surfaces are a mask minus its erosion
 * (face neighbours, outside counts as background; in-plane only for a single slice), distances are exact Euclidean
 * distances in mm between surface voxels (a separable distance transform), HD95 = max of the two directed 95th
 * percentiles, NSD = the share of both surfaces within the tolerance of the other.
 */
public final class SurfaceMetrics {
  /** The metrics of one class; NaN when the class is absent from the ground truth, HD95 infinite when absent from the prediction. */
  public record Result(double dice, double hd95, double nsd) {}

  private SurfaceMetrics() {}

  /** Masks are (z, y, x) of {@code shape}; spacing in mm in the same order. */
  public static Result compute(boolean[] pred, boolean[] truth, int[] shape, double[] spacing, double tolerance) {
    long p = 0, g = 0, both = 0;
    for (int i = 0; i < pred.length; i++) {
      if (pred[i]) p++;
      if (truth[i]) g++;
      if (pred[i] && truth[i]) both++;
    }
    if (g == 0) return new Result(Double.NaN, Double.NaN, Double.NaN);
    double dice = 2.0 * both / (p + g);
    if (p == 0) return new Result(0, Double.POSITIVE_INFINITY, 0);
    // everything happens inside the box of both masks: surfaces and their nearest points lie there
    int[] box = box(pred, truth, shape);
    int[] s = {box[1] - box[0], box[3] - box[2], box[5] - box[4]};
    boolean[] cp = Cropping.crop(pred, shape, box), ct = Cropping.crop(truth, shape, box);
    boolean[] ep = edges(cp, s), et = edges(ct, s);
    double[] toTruth = distances(et, s, spacing), toPred = distances(ep, s, spacing);
    double[] dPred = at(toTruth, ep), dTruth = at(toPred, et);
    double hd95 = Math.max(percentile95(dPred), percentile95(dTruth));
    long within = Arrays.stream(dPred).filter(d -> d <= tolerance).count() + Arrays.stream(dTruth).filter(d -> d <= tolerance).count();
    return new Result(dice, hd95, within / (double) (dPred.length + dTruth.length));
  }

  private static int[] box(boolean[] a, boolean[] b, int[] shape) {
    int[] box = {shape[0], 0, shape[1], 0, shape[2], 0};
    for (int z = 0; z < shape[0]; z++)
      for (int y = 0; y < shape[1]; y++)
        for (int x = 0; x < shape[2]; x++) {
          int i = (z * shape[1] + y) * shape[2] + x;
          if (!a[i] && !b[i]) continue;
          box[0] = Math.min(box[0], z);
          box[1] = Math.max(box[1], z + 1);
          box[2] = Math.min(box[2], y);
          box[3] = Math.max(box[3], y + 1);
          box[4] = Math.min(box[4], x);
          box[5] = Math.max(box[5], x + 1);
        }
    return box;
  }

  /** The mask minus its erosion by the face-neighbour cross (scipy's default), outside being background. */
  static boolean[] edges(boolean[] m, int[] s) {
    boolean[] out = new boolean[m.length];
    boolean volume = s[0] > 1;
    for (int z = 0; z < s[0]; z++)
      for (int y = 0; y < s[1]; y++)
        for (int x = 0; x < s[2]; x++) {
          int i = (z * s[1] + y) * s[2] + x;
          if (!m[i]) continue;
          boolean interior = y > 0 && m[i - s[2]] && y < s[1] - 1 && m[i + s[2]] && x > 0 && m[i - 1] && x < s[2] - 1 && m[i + 1];
          if (volume) interior &= z > 0 && m[i - s[1] * s[2]] && z < s[0] - 1 && m[i + s[1] * s[2]];
          out[i] = !interior;
        }
    return out;
  }

  /** Euclidean distance (mm) from every voxel to the nearest feature voxel: squared distances, one axis at a time. */
  static double[] distances(boolean[] feature, int[] s, double[] spacing) {
    double[] d = new double[feature.length];
    for (int i = 0; i < d.length; i++) d[i] = feature[i] ? 0 : Double.POSITIVE_INFINITY;
    int[] strides = {s[1] * s[2], s[2], 1};
    for (int axis = 0; axis < 3; axis++) {
      int n = s[axis], stride = strides[axis];
      double[] f = new double[n], out = new double[n];
      int[] v = new int[n];
      double[] zs = new double[n + 1];
      for (int start = 0; start < d.length; start++) {
        // the first element of each line along this axis
        if ((start / stride) % n != 0) continue;
        for (int k = 0; k < n; k++) f[k] = d[start + k * stride];
        envelope(f, n, spacing[axis], v, zs, out);
        for (int k = 0; k < n; k++) d[start + k * stride] = out[k];
      }
    }
    for (int i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]);
    return d;
  }

  /** Felzenszwalb–Huttenlocher: out[q] = min_p f[p] + ((q − p)·h)², by the lower envelope of parabolas. */
  private static void envelope(double[] f, int n, double h, int[] v, double[] z, double[] out) {
    int k = -1;
    for (int q = 0; q < n; q++) {
      if (f[q] == Double.POSITIVE_INFINITY) continue;
      double s = Double.NEGATIVE_INFINITY;
      while (k >= 0) {
        double xq = q * h, xp = v[k] * h;
        s = ((f[q] + xq * xq) - (f[v[k]] + xp * xp)) / (2 * (xq - xp));
        if (s > z[k]) break;
        k--;
      }
      k++;
      v[k] = q;
      z[k] = k == 0 ? Double.NEGATIVE_INFINITY : s;
      z[k + 1] = Double.POSITIVE_INFINITY;
    }
    if (k < 0) {
      Arrays.fill(out, 0, n, Double.POSITIVE_INFINITY);
      return;
    }
    int j = 0;
    for (int q = 0; q < n; q++) {
      while (z[j + 1] < q * h) j++;
      double dq = (q - v[j]) * h;
      out[q] = f[v[j]] + dq * dq;
    }
  }

  private static double[] at(double[] d, boolean[] where) {
    int n = 0;
    for (boolean b : where) if (b) n++;
    double[] out = new double[n];
    for (int i = 0, k = 0; i < d.length; i++) if (where[i]) out[k++] = d[i];
    return out;
  }

  /** NumPy's linear 95th percentile. */
  private static double percentile95(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return Fingerprint.percentile(s, 95);
  }
}
