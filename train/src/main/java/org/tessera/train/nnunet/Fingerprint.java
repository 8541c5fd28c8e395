package org.tessera.train.nnunet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tessera.tensor.Generator;

/**
 * nnU-Net's dataset fingerprint: per case the spacing and the shape after cropping to the non-zero box; per channel
 * the statistics of the foreground intensities (mean, std with ddof 0, the 0.5 and 99.5 percentiles with NumPy's
 * linear interpolation, min, max, median) that CT normalisation uses. nnU-Net samples 10^8 / cases foreground voxels
 * per case with replacement; we take every foreground voxel up to 10^7 / cases per case (a seeded sample beyond), the
 * population nnU-Net samples from.
 */
public record Fingerprint(List<double[]> spacings, List<int[]> shapesAfterCrop, List<Stats> channels) {
  /** Foreground intensity statistics of one channel. */
  public record Stats(double mean, double std, double p005, double p995, double min, double max, double median) {
    void writeTo(ObjectNode o) {
      o.put("mean", mean).put("std", std).put("percentile_00_5", p005).put("percentile_99_5", p995).put("min", min).put("max", max).put("median", median);
    }

    static Stats from(com.fasterxml.jackson.databind.JsonNode s) {
      return new Stats(s.path("mean").asDouble(), s.path("std").asDouble(1), s.path("percentile_00_5").asDouble(), s.path("percentile_99_5").asDouble(),
          s.path("min").asDouble(), s.path("max").asDouble(), s.path("median").asDouble());
    }
  }

  /** Reads every training case once (one at a time: a dataset need not fit in memory), with a progress bar. */
  public static Fingerprint compute(NnunetDataset ds, java.io.PrintStream out) throws IOException {
    int cases = ds.training().size(), channels = ds.channelNames().size();
    int perCase = Math.max(1, 10_000_000 / Math.max(1, cases));
    List<double[]> spacings = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    List<List<float[]>> samples = new ArrayList<>();
    for (int c = 0; c < channels; c++) samples.add(new ArrayList<>());
    try (var bar = Progress.bar("fingerprint", cases, " cases", out)) {
      for (int i = 0; i < cases; i++) {
        NnunetDataset.Case kase = ds.training().get(i);
        Volume v = Volume.read(kase.images());
        byte[] seg = Volume.readLabels(kase.label(), v.shape(), ds.numClasses());
        spacings.add(v.spacing());
        int[] box = Cropping.nonzeroBox(v);
        shapes.add(new int[] {box[1] - box[0], box[3] - box[2], box[5] - box[4]});
        int fg = 0;
        for (byte b : seg) if (b > 0) fg++;
        int[] at = new int[fg];
        for (int j = 0, k = 0; j < seg.length; j++) if (seg[j] > 0) at[k++] = j;
        if (fg > perCase) { // a seeded sample with replacement, as nnU-Net draws
          Generator gen = new Generator(1234 + i);
          int[] picked = new int[perCase];
          for (int j = 0; j < perCase; j++) picked[j] = at[(int) gen.nextLong(fg)];
          at = picked;
        }
        for (int c = 0; c < channels; c++) {
          float[] values = new float[at.length];
          for (int j = 0; j < at.length; j++) values[j] = v.channels()[c][at[j]];
          samples.get(c).add(values);
        }
        bar.step();
      }
    }
    List<Stats> stats = new ArrayList<>();
    for (int c = 0; c < channels; c++) stats.add(stats(samples.get(c)));
    return new Fingerprint(spacings, shapes, stats);
  }

  static Stats stats(List<float[]> parts) {
    int n = parts.stream().mapToInt(a -> a.length).sum();
    if (n == 0) return new Stats(0, 1, 0, 0, 0, 0, 0);
    double[] all = new double[n];
    int k = 0;
    for (float[] p : parts) for (float f : p) all[k++] = f;
    Arrays.sort(all);
    double sum = 0;
    for (double d : all) sum += d;
    double mean = sum / n, sq = 0;
    for (double d : all) sq += (d - mean) * (d - mean);
    return new Stats(mean, Math.sqrt(sq / n), percentile(all, 0.5), percentile(all, 99.5), all[0], all[n - 1], percentile(all, 50));
  }

  /** NumPy's default (linear) percentile of sorted values, with its two-sided interpolation formula. */
  static double percentile(double[] sorted, double p) {
    double pos = p / 100 * (sorted.length - 1);
    int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
    double t = pos - lo, a = sorted[lo], b = sorted[hi], diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }

  /** {@code dataset_fingerprint.json} with nnU-Net's keys. */
  public void write(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    var sp = root.putArray("spacings");
    spacings.forEach(s -> Arrays.stream(s).forEach(sp.addArray()::add));
    var sh = root.putArray("shapes_after_crop");
    shapesAfterCrop.forEach(s -> Arrays.stream(s).forEach(sh.addArray()::add));
    ObjectNode fg = root.putObject("foreground_intensity_properties_per_channel");
    for (int c = 0; c < channels.size(); c++) channels.get(c).writeTo(fg.putObject(String.valueOf(c)));
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }
}
