package org.tessera.train.nnunet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tessera.train.nifti.Nifti;

/**
 * Per-case, per-class Dice, HD95 and normalised surface Dice between a folder of predicted and a folder of reference
 * label maps (NIfTI, same names), in the reference's spacing; means over cases skip NaN (class absent from the
 * reference) and, for HD95, cases where the class was not predicted at all (counted as missed).
 */
public final class Evaluation {
  /** One case's metrics, [class][dice, hd95, nsd] for classes 1..K−1 (index 0 unused). */
  public record CaseResult(String name, double[][] metrics) {}

  public record Summary(String[] classNames, List<CaseResult> cases, double[][] means, int[] missed, double tolerance) {
    public double meanForegroundDice() {
      double sum = 0;
      int n = 0;
      for (int k = 1; k < classNames.length; k++)
        if (!Double.isNaN(means[k][0])) {
          sum += means[k][0];
          n++;
        }
      return n == 0 ? Double.NaN : sum / n;
    }

    public String table() {
      StringBuilder s = new StringBuilder(String.format("%-6s %-16s %8s %10s %10s%n", "class", "name", "Dice", "HD95 (mm)", "NSD@" + tolerance + "mm"));
      for (int k = 1; k < classNames.length; k++)
        s.append(String.format("%-6d %-16s %8.3f %10.2f %10.3f%s%n", k, classNames[k], means[k][0], means[k][1], means[k][2],
            missed[k] > 0 ? "  (" + missed[k] + " case(s) without any prediction of it: HD95 infinite, left out of its mean)" : ""));
      return s.toString();
    }
  }

  private Evaluation() {}

  public static Summary evaluate(Path predicted, Path reference, String[] classNames, double tolerance) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(reference)) {
      files = s.filter(Nifti::isNifti).sorted().toList();
    }
    if (files.isEmpty()) throw new IllegalArgumentException(reference + ": no .nii.gz / .nii reference label maps");
    int k = classNames.length;
    List<CaseResult> cases = new ArrayList<>();
    double[][] sums = new double[k][3];
    int[][] counts = new int[k][3];
    int[] missed = new int[k];
    try (var bar = Progress.bar("evaluate", files.size(), " cases", System.out)) {
      for (Path ref : files) {
        Path pred = predicted.resolve(ref.getFileName());
        if (!Files.exists(pred)) throw new IllegalArgumentException(pred + ": no prediction for " + ref);
        Volume shapeOf = Volume.read(List.of(ref));
        byte[] truth = Volume.labels(shapeOf, null, k, ref), guess = Volume.readLabels(pred, shapeOf.shape(), k);
        double[][] m = new double[k][];
        for (int c = 1; c < k; c++) {
          boolean[] p = new boolean[truth.length], t = new boolean[truth.length];
          for (int i = 0; i < truth.length; i++) {
            p[i] = guess[i] == c;
            t[i] = truth[i] == c;
          }
          SurfaceMetrics.Result r = SurfaceMetrics.compute(p, t, shapeOf.shape(), shapeOf.spacing(), tolerance);
          m[c] = new double[] {r.dice(), r.hd95(), r.nsd()};
          if (Double.isInfinite(r.hd95())) missed[c]++;
          for (int j = 0; j < 3; j++)
            if (Double.isFinite(m[c][j])) {
              sums[c][j] += m[c][j];
              counts[c][j]++;
            }
        }
        cases.add(new CaseResult(ref.getFileName().toString(), m));
        bar.step();
      }
    }
    double[][] means = new double[k][3];
    for (int c = 1; c < k; c++) for (int j = 0; j < 3; j++) means[c][j] = counts[c][j] == 0 ? Double.NaN : sums[c][j] / counts[c][j];
    return new Summary(classNames, cases, means, missed, tolerance);
  }

  /** summary.json: per case and class, the means per class, and the foreground mean Dice; non-finite values as null. */
  public static void write(Summary s, Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    var perCase = root.putArray("metric_per_case");
    for (CaseResult c : s.cases()) {
      ObjectNode node = perCase.addObject();
      node.put("case", c.name());
      ObjectNode metrics = node.putObject("metrics");
      for (int k = 1; k < s.classNames().length; k++) put(metrics.putObject(String.valueOf(k)), c.metrics()[k]);
    }
    ObjectNode mean = root.putObject("mean");
    for (int k = 1; k < s.classNames().length; k++) put(mean.putObject(String.valueOf(k)).put("name", s.classNames()[k]), s.means()[k]);
    double fg = s.meanForegroundDice();
    if (Double.isFinite(fg)) root.put("foreground_mean_dice", fg);
    else root.putNull("foreground_mean_dice");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  private static void put(ObjectNode o, double[] m) {
    String[] names = {"Dice", "HD95", "NSD"};
    for (int j = 0; j < 3; j++)
      if (Double.isFinite(m[j])) o.put(names[j], m[j]);
      else o.putNull(names[j]);
  }
}
