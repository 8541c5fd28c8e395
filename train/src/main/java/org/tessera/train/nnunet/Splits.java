package org.tessera.train.nnunet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * nnU-Net's five-fold cross-validation split ({@code splits_final.json}): scikit-learn's
 * {@code KFold(5, shuffle=True, random_state=12345)} over the sorted case names, so a dataset splits exactly as in
 * nnU-Net. Each fold lists its training and validation cases in sorted order.
 */
public final class Splits {
  public record Fold(List<String> train, List<String> val) {}

  private Splits() {}

  public static List<Fold> kFold(List<String> cases, int folds, long seed) {
    List<String> sorted = cases.stream().sorted().toList();
    int n = sorted.size();
    if (n < folds) throw new IllegalArgumentException("splits: " + n + " cases cannot make " + folds + " folds");
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    new NumpyRandomState(seed).shuffle(order);
    List<Fold> out = new ArrayList<>();
    int start = 0;
    for (int f = 0; f < folds; f++) {
      int size = n / folds + (f < n % folds ? 1 : 0);
      boolean[] inVal = new boolean[n];
      for (int i = start; i < start + size; i++) inVal[order[i]] = true;
      List<String> train = new ArrayList<>(), val = new ArrayList<>();
      for (int i = 0; i < n; i++) (inVal[i] ? val : train).add(sorted.get(i));
      out.add(new Fold(train, val));
      start += size;
    }
    return out;
  }

  /** The splits of {@code file}, or (when it does not exist) nnU-Net's default five folds, written there. */
  public static List<Fold> loadOrCreate(Path file, List<String> cases) throws IOException {
    ObjectMapper json = new ObjectMapper();
    if (Files.exists(file)) {
      JsonNode root = json.readTree(file.toFile());
      if (!root.isArray()) throw new IllegalArgumentException(file + ": expected a list of folds with 'train' and 'val'");
      List<Fold> out = new ArrayList<>();
      for (JsonNode fold : root) {
        if (!fold.has("train") || !fold.has("val")) throw new IllegalArgumentException(file + ": fold " + out.size() + " lacks 'train' or 'val'");
        out.add(new Fold(names(fold.get("train")), names(fold.get("val"))));
      }
      return out;
    }
    List<Fold> folds = kFold(cases, 5, 12345);
    ArrayNode root = json.createArrayNode();
    for (Fold f : folds) {
      var node = root.addObject();
      f.train().forEach(node.putArray("train")::add);
      f.val().forEach(node.putArray("val")::add);
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    return folds;
  }

  private static List<String> names(JsonNode array) {
    return Arrays.asList(new ObjectMapper().convertValue(array, String[].class));
  }
}
