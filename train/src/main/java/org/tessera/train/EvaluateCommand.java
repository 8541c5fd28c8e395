package org.tessera.train;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.tessera.train.run.DiceScore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evaluate PRED GT}: Dice and IoU per class between two folders of label masks with the same file names. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Compare predicted masks with ground-truth masks: Dice and IoU per class, and the mean.")
final class EvaluateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PRED", description = "Folder of predicted label masks (.png).")
  Path predicted;

  @Parameters(index = "1", paramLabel = "GT", description = "Folder of ground-truth label masks (.png), or a dataset folder with masks/.")
  Path truth;

  @Option(names = "--classes", required = true, description = "Number of classes, background included.")
  int classes;

  @Override public Integer call() throws Exception {
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
