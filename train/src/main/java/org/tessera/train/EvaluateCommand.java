package org.tessera.train;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.tessera.train.nnunet.Evaluation;
import org.tessera.train.nnunet.NnunetDataset;
import org.tessera.train.run.DiceScore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code evaluate PRED GT}: Dice and IoU per class between two folders of PNG label masks with the same file names;
 * for NIfTI label maps, per case and class Dice, HD95 and normalised surface Dice in the reference's spacing, as
 * MedDINOv3's compute_metrics, written to summary.json.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Compare predicted masks with ground-truth masks: Dice and IoU per class (PNG),",
        "or Dice, HD95 and normalised surface Dice per case and class (NIfTI), and the means."})
final class EvaluateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PRED", description = "Folder of predicted label masks (.png, .nii.gz).")
  Path predicted;

  @Parameters(index = "1", paramLabel = "GT", description = "Folder of ground-truth label masks (.png, .nii.gz), or a dataset folder with masks/.")
  Path truth;

  @Option(names = "--classes", description = "Number of classes, background included (or -djfile).")
  Integer classes;

  @Option(names = "-djfile", description = "A dataset.json whose labels name the classes (NIfTI; default: the one beside GT, if any).")
  Path datasetJson;

  @Option(names = "--tolerance", defaultValue = "1.0", description = "Surface Dice tolerance in mm (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = {"-o", "--output"}, description = "summary.json to write (NIfTI; default: PRED/summary.json).")
  Path summary;

  @Override public Integer call() throws Exception {
    boolean nifti;
    try (var s = Files.list(truth)) {
      nifti = s.anyMatch(org.tessera.train.nifti.Nifti::isNifti);
    }
    if (nifti) return evaluateVolumes();
    if (classes == null) throw new IllegalArgumentException("evaluate: --classes N is needed for PNG masks");
    Path gt = Files.isDirectory(truth.resolve("masks")) ? truth.resolve("masks") : truth;
    List<Path> files;
    try (var s = Files.list(gt)) {
      files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    if (files.isEmpty()) throw new IllegalArgumentException(gt + ": no .png masks");
    DiceScore score = new DiceScore(classes);
    for (Path t : files) {
      Path p = predicted.resolve(t.getFileName());
      if (!Files.exists(p)) throw new IllegalArgumentException(p + ": no prediction for " + t);
      score.add(labels(p), labels(t));
    }
    System.out.print(score.table(null));
    System.out.printf("mean foreground Dice: %.3f%n", score.meanForeground());
    return 0;
  }

  private int evaluateVolumes() throws Exception {
    String[] names;
    Path json = datasetJson != null ? datasetJson : truth.toAbsolutePath().getParent().resolve("dataset.json");
    if (Files.exists(json) && (datasetJson != null || classes == null)) names = NnunetDataset.open(json.getParent()).classNames();
    else if (classes != null) names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> i == 0 ? "background" : "class " + i).toArray(String[]::new);
    else throw new IllegalArgumentException("evaluate: give --classes N or -djfile dataset.json (none beside " + truth + ")");
    Evaluation.Summary s = Evaluation.evaluate(predicted, truth, names, tolerance);
    Path out = summary != null ? summary : predicted.resolve("summary.json");
    Evaluation.write(s, out);
    System.out.print(s.table());
    System.out.println("per case: " + out);
    System.out.printf("mean foreground Dice: %.3f%n", s.meanForegroundDice());
    return 0;
  }

  private long[] labels(Path file) throws java.io.IOException {
    BufferedImage img = ImageIO.read(file.toFile());
    if (img == null) throw new IllegalArgumentException(file + ": not a readable image");
    long[] out = new long[img.getWidth() * img.getHeight()];
    for (int y = 0; y < img.getHeight(); y++)
      for (int x = 0; x < img.getWidth(); x++) {
        int v = img.getRaster().getSample(x, y, 0);
        if (v >= classes) throw new IllegalArgumentException(file + ": label " + v + " at (" + x + ", " + y + ") is outside the " + classes + " classes");
        out[y * img.getWidth() + x] = v;
      }
    return out;
  }
}
