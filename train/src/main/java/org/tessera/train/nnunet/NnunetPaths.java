package org.tessera.train.nnunet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * nnU-Net's three folders: {@code nnUNet_raw}, {@code nnUNet_preprocessed} and {@code nnUNet_results}, from the
 * environment variables of those names, else {@code runs/nnUNet_raw} and so on; and dataset lookup by id or name.
 */
public record NnunetPaths(Path raw, Path preprocessed, Path results) {
  /** The phantom dataset (id 990): {@code phantom} stands for it wherever a dataset id is asked for. */
  public static final String PHANTOM_NAME = "Dataset990_Phantom";

  public static NnunetPaths fromEnvironment() {
    return new NnunetPaths(folder("nnUNet_raw"), folder("nnUNet_preprocessed"), folder("nnUNet_results"));
  }

  private static Path folder(String variable) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? Path.of("runs", variable) : Path.of(value);
  }

  /** The dataset folder name for an id ("501"), a full name ("Dataset501_Liver") or "phantom". */
  public String datasetName(String idOrName) throws IOException {
    if (idOrName.equalsIgnoreCase("phantom")) return PHANTOM_NAME;
    if (idOrName.matches("Dataset\\d{3}_.+")) return idOrName;
    if (!idOrName.matches("\\d{1,3}")) throw new IllegalArgumentException("dataset '" + idOrName + "': expected an id such as 501, a name such as Dataset501_Liver, or 'phantom'");
    String prefix = String.format("Dataset%03d_", Integer.parseInt(idOrName));
    for (Path root : List.of(raw, preprocessed, results)) {
      if (!Files.isDirectory(root)) continue;
      try (Stream<Path> s = Files.list(root)) {
        List<String> hits = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        if (hits.size() > 1) throw new IllegalArgumentException(root + ": more than one dataset with id " + idOrName + ": " + hits);
        if (hits.size() == 1) return hits.get(0);
      }
    }
    throw new IllegalArgumentException("no dataset with id " + idOrName + " in " + raw + ", " + preprocessed + " or " + results + " (set nnUNet_raw or pass --raw)");
  }
}
