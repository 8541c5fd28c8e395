package org.tessera.train.run;

/** Dice and IoU per class accumulated over a set of predictions (counts summed over all pixels, then divided). */
public final class DiceScore {
  private final long[] tp, fp, fn;

  public DiceScore(int classes) {
    tp = new long[classes];
    fp = new long[classes];
    fn = new long[classes];
  }

  public void add(long[] predicted, long[] truth) {
    for (int i = 0; i < truth.length; i++) {
      int p = (int) predicted[i], t = (int) truth[i];
      if (p == t) tp[p]++;
      else {
        fp[p]++;
        fn[t]++;
      }
    }
  }

  /** Dice of a class; NaN when the class appears in neither prediction nor truth. */
  public double dice(int c) {
    long d = 2 * tp[c] + fp[c] + fn[c];
    return d == 0 ? Double.NaN : 2.0 * tp[c] / d;
  }

  public double iou(int c) {
    long d = tp[c] + fp[c] + fn[c];
    return d == 0 ? Double.NaN : (double) tp[c] / d;
  }

  /** The mean Dice of the foreground classes (1..C−1) that occur. */
  public double meanForeground() {
    double sum = 0;
    int n = 0;
    for (int c = 1; c < tp.length; c++)
      if (!Double.isNaN(dice(c))) {
        sum += dice(c);
        n++;
      }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** A per-class table: class, name, Dice, IoU. */
  public String table(String[] names) {
    StringBuilder sb = new StringBuilder(String.format("%-6s %-14s %8s %8s%n", "class", "name", "Dice", "IoU"));
    for (int c = 0; c < tp.length; c++)
      sb.append(String.format("%-6d %-14s %8.3f %8.3f%n", c, names != null && c < names.length ? names[c] : "class " + c, dice(c), iou(c)));
    return sb.toString();
  }
}
