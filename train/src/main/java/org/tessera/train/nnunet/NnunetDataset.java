package org.tessera.train.nnunet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A dataset in nnU-Net's raw format: {@code dataset.json}, {@code imagesTr/CASE_XXXX.ENDING} (one file per channel),
 * {@code labelsTr/CASE.ENDING}, optional {@code imagesTs/}. Images are NIfTI ({@code .nii.gz}, {@code .nii}) or, for
 * 2-D datasets, PNG.
 */
public record NnunetDataset(Path dir, List<String> channelNames, Map<String, Integer> labels, String fileEnding, Integer numTraining, List<Case> training) {
  /** One case: its channel files in channel order, its label file (null for test cases), and the channel numbers found. */
  public record Case(String name, List<Path> images, Path label, List<Integer> channelIds) {}

  public static NnunetDataset open(Path dir) throws IOException {
    Path jsonFile = dir.resolve("dataset.json");
    if (!Files.exists(jsonFile)) throw new IllegalArgumentException(dir + ": no dataset.json (is this an nnU-Net raw dataset folder?)");
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(jsonFile.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(jsonFile + ": malformed JSON: " + e.getOriginalMessage());
    }
    JsonNode channels = root.has("channel_names") ? root.get("channel_names") : root.get("modality");
    if (channels == null || !channels.isObject() || channels.isEmpty()) throw new IllegalArgumentException(jsonFile + ": missing 'channel_names'");
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    channels.fields().forEachRemaining(e -> byIndex.put(index(jsonFile, e.getKey()), e.getValue().asText()));
    if (byIndex.firstKey() != 0 || byIndex.lastKey() != byIndex.size() - 1) throw new IllegalArgumentException(jsonFile + ": channel_names must be numbered 0.." + (byIndex.size() - 1));
    JsonNode labelNode = root.get("labels");
    if (labelNode == null || !labelNode.isObject()) throw new IllegalArgumentException(jsonFile + ": missing 'labels'");
    Map<String, Integer> labels = new LinkedHashMap<>();
    labelNode.fields().forEachRemaining(e -> {
      if (!e.getValue().canConvertToInt()) throw new IllegalArgumentException(jsonFile + ": label '" + e.getKey() + "' must be an integer (regions are not supported)");
      labels.put(e.getKey(), e.getValue().asInt());
    });
    List<Integer> values = labels.values().stream().sorted().toList();
    for (int i = 0; i < values.size(); i++)
      if (values.get(i) != i) throw new IllegalArgumentException(jsonFile + ": labels must be consecutive from background 0, got " + values);
    String ending = root.has("file_ending") ? root.get("file_ending").asText() : ".nii.gz";
    List<Case> cases = cases(dir.resolve("imagesTr"), dir.resolve("labelsTr"), ending);
    Integer numTraining = root.has("numTraining") ? root.get("numTraining").asInt() : null;
    return new NnunetDataset(dir, List.copyOf(byIndex.values()), labels, ending, numTraining, cases);
  }

  private static int index(Path file, String key) {
    try {
      return Integer.parseInt(key);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": channel key '" + key + "' is not a number");
    }
  }

  public int numClasses() {
    return labels.size();
  }

  /** Class names by label value. */
  public String[] classNames() {
    String[] names = new String[labels.size()];
    labels.forEach((name, value) -> names[value] = name);
    return names;
  }

  /**
   * The cases of an images folder, channel files grouped by case (the validator checks them), with their label files
   * when a labels folder is given and exists (null: images to predict).
   */
  public static List<Case> cases(Path images, Path labels, String ending) throws IOException {
    if (!Files.isDirectory(images)) return List.of();
    TreeMap<String, TreeMap<Integer, Path>> byCase = new TreeMap<>();
    try (Stream<Path> s = Files.list(images)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (!n.endsWith(ending)) continue;
        String stem = n.substring(0, n.length() - ending.length());
        if (!stem.matches(".+_\\d{4}")) throw new IllegalArgumentException(p + ": an image file must be named CASE_XXXX" + ending + " (XXXX the channel)");
        byCase.computeIfAbsent(stem.substring(0, stem.length() - 5), k -> new TreeMap<>()).put(Integer.parseInt(stem.substring(stem.length() - 4)), p);
      }
    }
    List<Case> out = new ArrayList<>();
    for (var e : byCase.entrySet()) {
      Path label = labels != null && Files.isDirectory(labels) ? labels.resolve(e.getKey() + ending) : null;
      out.add(new Case(e.getKey(), List.copyOf(e.getValue().values()), label, List.copyOf(e.getValue().keySet())));
    }
    return out;
  }
}
