package org.tessera.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.tessera.train.nnunet.NnunetDataset;
import org.tessera.train.nnunet.NnunetPaths;
import org.tessera.train.nnunet.Plan;
import org.tessera.train.nnunet.Splits;
import org.tessera.train.nnunet.VolumeTrainingData;
import org.tessera.models.SegmentationModels;
import org.tessera.tensor.Generator;
import org.tessera.train.data.ImageMaskData;
import org.tessera.train.data.ImageMaskDataset;
import org.tessera.train.data.ShapesDataset;
import org.tessera.train.run.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code train [DATASET] [key=value …]}: trains a segmentation model; with no arguments, the built-in default.
 * {@code train ID 2d FOLD}: nnU-Net's form, on a planned and preprocessed dataset (planned first when it is not).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a ViT + Primus segmentation model.",
        "train [DATASET]: DATASET is 'shapes' (built in, the default) or a folder with images/ and masks/.",
        "train ID 2d FOLD: an nnU-Net dataset (id, DatasetXXX_Name or 'phantom'), fold 0-4 of splits_final.json."})
final class TrainCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "DATASET|key=value", description = "The dataset (or ID 2d FOLD), then config overrides such as train.epochs=5.")
  List<String> args = new ArrayList<>();

  @Mixin NnunetFolders folders = new NnunetFolders();

  @Option(names = "--config", description = "A YAML config laid over the built-in defaults.")
  Path configFile;

  @Option(names = "--name", defaultValue = "default", description = "The run's name: it writes to runs/NAME/ (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--resume", description = "Continue runs/NAME/ from its last checkpoint.")
  boolean resume;

  @Override public Integer call() throws Exception {
    List<String> overrides = new ArrayList<>(), positional = new ArrayList<>();
    for (String a : args) (a.contains("=") ? overrides : positional).add(a);
    Config config = Config.load(configFile, overrides);
    if (positional.size() == 3) return trainNnunet(config, positional.get(0), positional.get(1), positional.get(2));
    if (positional.size() > 1) throw new IllegalArgumentException("train: expected DATASET or ID 2d FOLD, got " + positional);
    String dataset = positional.isEmpty() ? null : positional.get(0);
    if (dataset != null) config.set("data.dataset=" + dataset);
    String source = config.text("data.dataset");
    int size = config.integer("train.image_size");
    int patch = SegmentationModels.backbone(config.text("model.backbone"), config.text("model.backbone_size")).patch();
    if (size % patch != 0)
      throw new IllegalArgumentException("config: train.image_size must be a multiple of " + patch + " (the " + config.text("model.backbone") + " patch size), got " + size);
    Path dir;
    String[] names = null;
    if ("shapes".equals(source)) {
      dir = Path.of("runs", "data", "shapes-" + size);
      if (!Files.isDirectory(dir.resolve("images"))) {
        System.out.println("writing the built-in shapes dataset to " + dir);
        ShapesDataset.generate(dir, config.integer("data.train_images"), size, 7);
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
    ImageMaskData data = new ImageMaskData(train, val, config.integer("train.batch_size"), size);
    Trainer.Result r = new Trainer(config, Path.of("runs", name), System.out).run(data, names, resume);
    System.out.printf("run folder: %s (config.yaml, log.csv, progress.png, last.safetensors, best.safetensors)%n", r.runDir());
    System.out.printf("mean foreground Dice: %.3f%n", r.last().meanForeground());
    return 0;
  }

  /** nnU-Net's {@code train ID 2d FOLD}: results in nnUNet_results/DatasetXXX/TesseraTrainer__nnUNetPlans__2d/fold_F/. */
  private int trainNnunet(Config config, String dataset, String configuration, String foldText) throws Exception {
    if (!configuration.equals(Plan.CONFIGURATION)) throw new IllegalArgumentException("train: configuration '" + configuration + "': only '2d' is supported");
    if (!foldText.matches("[0-4]")) throw new IllegalArgumentException("train: fold '" + foldText + "': expected 0 to 4");
    NnunetPaths paths = folders.paths();
    String name = paths.datasetName(dataset);
    Path pre = paths.preprocessed().resolve(name);
    if (!Files.exists(pre.resolve(Plan.FILE))) {
      System.out.println(pre + ": not planned yet: running plan-and-preprocess first");
      PlanAndPreprocessCommand.run(paths, name, config);
    }
    Plan plan = Plan.read(pre.resolve(Plan.FILE));
    NnunetDataset ds = NnunetDataset.open(pre);
    config.set("data.num_classes=" + ds.numClasses());
    config.set("train.batch_size=" + plan.batchSize());
    List<String> cases;
    try (var s = Files.list(pre.resolve("nnUNetPlans_2d"))) {
      cases = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).map(n -> n.replace(".safetensors", "")).sorted().toList();
    }
    Splits.Fold fold = Splits.loadOrCreate(pre.resolve("splits_final.json"), cases).get(Integer.parseInt(foldText));
    Path trainerDir = paths.results().resolve(name).resolve(RESULTS_FOLDER), runDir = trainerDir.resolve("fold_" + foldText);
    Files.createDirectories(runDir);
    Files.copy(pre.resolve(Plan.FILE), trainerDir.resolve("plans.json"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(pre.resolve("dataset.json"), trainerDir.resolve("dataset.json"), StandardCopyOption.REPLACE_EXISTING);
    System.out.printf("%s fold %s: %d training and %d validation cases, patch %dx%d, batch %d%n", name, foldText, fold.train().size(), fold.val().size(),
        plan.patchSize()[0], plan.patchSize()[1], plan.batchSize());
    VolumeTrainingData data = new VolumeTrainingData(pre.resolve("nnUNetPlans_2d"), fold, plan, ds.numClasses(), config.number("nnunet.oversample_foreground"),
        config.integer("nnunet.val_patches"), config.integer("train.seed"), System.out);
    Trainer.Result r = new Trainer(config, runDir, System.out).run(data, ds.classNames(), resume);
    System.out.printf("run folder: %s (config.yaml, log.csv, progress.png, last.safetensors, best.safetensors)%n", r.runDir());
    System.out.printf("mean foreground Dice: %.3f%n", r.last().meanForeground());
    return 0;
  }

  /** The trainer folder of nnU-Net's results layout (trainer__plans__configuration). */
  static final String RESULTS_FOLDER = "TesseraTrainer__nnUNetPlans__2d";
}
