package org.tessera.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tessera.tensor.Generator;
import org.tessera.train.data.ImageMaskData;
import org.tessera.train.data.ImageMaskDataset;
import org.tessera.train.data.ShapesDataset;
import org.tessera.train.run.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code train [DATASET] [key=value …]}: trains a segmentation model; with no arguments, the built-in default. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a ViT + Primus segmentation model. DATASET is 'shapes' (built in, the default) or a folder with images/ and masks/.")
final class TrainCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "DATASET|key=value", description = "The dataset, then config overrides such as train.epochs=5.")
  List<String> args = new ArrayList<>();

  @Option(names = "--config", description = "A YAML config laid over the built-in defaults.")
  Path configFile;

  @Option(names = "--name", defaultValue = "default", description = "The run's name: it writes to runs/NAME/ (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--resume", description = "Continue runs/NAME/ from its last checkpoint.")
  boolean resume;

  @Override public Integer call() throws Exception {
    List<String> overrides = new ArrayList<>();
    String dataset = null;
    for (String a : args) {
      if (a.contains("=")) overrides.add(a);
      else if (dataset == null) dataset = a;
      else throw new IllegalArgumentException("train: more than one dataset given ('" + dataset + "' and '" + a + "')");
    }
    Config config = Config.load(configFile, overrides);
    if (dataset != null) config.set("data.dataset=" + dataset);
    String source = config.text("data.dataset");
    Path dir;
    String[] names = null;
    if ("shapes".equals(source)) {
      dir = Path.of("runs", "data", "shapes-" + config.integer("train.image_size"));
      if (!Files.isDirectory(dir.resolve("images"))) {
        System.out.println("writing the built-in shapes dataset to " + dir);
        ShapesDataset.generate(dir, config.integer("data.train_images"), config.integer("train.image_size"), 7);
      }
      config.set("data.num_classes=" + ShapesDataset.CLASSES);
      names = ShapesDataset.NAMES;
    } else {
      dir = Path.of(source);
    }
    List<ImageMaskDataset.Sample> all = new ArrayList<>(ImageMaskDataset.load(dir, config.integer("data.num_classes")));
    // a fixed split: shuffled by the seed, the last val_fraction for validation
    Generator gen = new Generator(config.integer("train.seed"));
    for (int i = all.size() - 1; i > 0; i--) java.util.Collections.swap(all, i, (int) gen.nextLong(i + 1));
    int nVal = Math.max(1, (int) Math.round(all.size() * config.number("data.val_fraction")));
    List<ImageMaskDataset.Sample> val = all.subList(all.size() - nVal, all.size()), train = all.subList(0, all.size() - nVal);
    System.out.printf("%s: %d training and %d validation images%n", dir, train.size(), val.size());
    int size = config.integer("train.image_size");
    if (size % 16 != 0) throw new IllegalArgumentException("config: train.image_size must be a multiple of 16 (the patch size), got " + size);
    ImageMaskData data = new ImageMaskData(train, val, config.integer("train.batch_size"), size);
    Trainer.Result r = new Trainer(config, Path.of("runs", name), System.out).run(data, names, resume);
    System.out.printf("run folder: %s (config.yaml, log.csv, progress.png, last.safetensors, best.safetensors)%n", r.runDir());
    System.out.printf("mean foreground Dice: %.3f%n", r.last().meanForeground());
    return 0;
  }
}
