package org.tessera.train.nnunet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 2-D configuration of a dataset ({@code nnUNetPlans.json}, configuration "2d"): the in-plane target spacing
 * (median of the cases'), the patch size (median in-plane shape at that spacing, up to a multiple of 16 for the ViT,
 * at most 512), the batch size, the normalisation scheme per channel and the foreground intensity statistics.
 *
 * @param spacing (y, x) in mm
 * @param patchSize (y, x) in voxels
 */
public record Plan(String dataset, double[] spacing, int[] patchSize, int batchSize, List<String> normalization, List<Fingerprint.Stats> intensities,
    int[] medianShape) {
  public static final String FILE = "nnUNetPlans.json", CONFIGURATION = "2d";

  /** The plan from a fingerprint; a patch size given by the user rescales the spacing so the patch covers the same field (the seeds' "2d_896"). */
  public static Plan create(String dataset, NnunetDataset ds, Fingerprint fp, int[] patchOverride, int batchSize) {
    int n = fp.spacings().size();
    double[] spacing = {median(fp.spacings().stream().mapToDouble(s -> s[1]).toArray()), median(fp.spacings().stream().mapToDouble(s -> s[2]).toArray())};
    int[] medianShape = new int[2];
    for (int a = 0; a < 2; a++) {
      double[] sizes = new double[n];
      for (int i = 0; i < n; i++) sizes[i] = fp.shapesAfterCrop().get(i)[a + 1] * fp.spacings().get(i)[a + 1] / spacing[a];
      medianShape[a] = (int) Math.round(median(sizes));
    }
    int[] patch = {Math.min(512, roundUp16(medianShape[0])), Math.min(512, roundUp16(medianShape[1]))};
    if (patchOverride != null) {
      if (patchOverride.length != 2 || patchOverride[0] % 16 != 0 || patchOverride[1] % 16 != 0 || patchOverride[0] <= 0 || patchOverride[1] <= 0)
        throw new IllegalArgumentException("plan.patch_size: two positive multiples of 16 (the ViT's patch), got " + Arrays.toString(patchOverride));
      for (int a = 0; a < 2; a++) {
        spacing[a] *= patch[a] / (double) patchOverride[a];
        medianShape[a] = (int) Math.round(medianShape[a] * patchOverride[a] / (double) patch[a]);
      }
      patch = patchOverride.clone();
    }
    List<String> norm = new ArrayList<>();
    for (String channel : ds.channelNames()) norm.add(Normalization.schemeFor(channel));
    return new Plan(dataset, spacing, patch, batchSize, norm, fp.channels(), medianShape);
  }

  private static int roundUp16(int v) {
    return Math.max(16, (v + 15) / 16 * 16);
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  public void write(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("dataset_name", dataset);
    root.put("plans_name", "nnUNetPlans");
    ObjectNode c = root.putObject("configurations").putObject(CONFIGURATION);
    c.put("data_identifier", "nnUNetPlans_2d");
    Arrays.stream(patchSize).forEach(c.putArray("patch_size")::add);
    Arrays.stream(spacing).forEach(c.putArray("spacing")::add);
    Arrays.stream(medianShape).forEach(c.putArray("median_image_size_in_voxels")::add);
    c.put("batch_size", batchSize);
    normalization.forEach(c.putArray("normalization_schemes")::add);
    ObjectNode fg = root.putObject("foreground_intensity_properties_per_channel");
    for (int i = 0; i < intensities.size(); i++) intensities.get(i).writeTo(fg.putObject(String.valueOf(i)));
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  public static Plan read(Path file) throws IOException {
    if (!Files.exists(file)) throw new IllegalArgumentException(file + ": no plans: run plan-and-preprocess first");
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    JsonNode c = root.path("configurations").path(CONFIGURATION);
    if (c.isMissingNode()) throw new IllegalArgumentException(file + ": no '" + CONFIGURATION + "' configuration");
    List<String> norm = new ArrayList<>();
    c.path("normalization_schemes").forEach(n -> norm.add(n.asText()));
    List<Fingerprint.Stats> stats = new ArrayList<>();
    JsonNode fg = root.path("foreground_intensity_properties_per_channel");
    for (int i = 0; i < norm.size(); i++) stats.add(Fingerprint.Stats.from(fg.path(String.valueOf(i))));
    return new Plan(root.path("dataset_name").asText(), doubles(c.path("spacing"), file, "spacing"), ints(c.path("patch_size"), file, "patch_size"),
        c.path("batch_size").asInt(2), norm, stats, ints(c.path("median_image_size_in_voxels"), file, "median_image_size_in_voxels"));
  }

  private static int[] ints(JsonNode a, Path file, String key) {
    if (a.size() != 2) throw new IllegalArgumentException(file + ": configurations.2d." + key + " must have 2 entries");
    return new int[] {a.get(0).asInt(), a.get(1).asInt()};
  }

  private static double[] doubles(JsonNode a, Path file, String key) {
    if (a.size() != 2) throw new IllegalArgumentException(file + ": configurations.2d." + key + " must have 2 entries");
    return new double[] {a.get(0).asDouble(), a.get(1).asDouble()};
  }
}
