package org.tessera.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tessera.train.nnunet.DatasetValidator;
import org.tessera.train.nnunet.Fingerprint;
import org.tessera.train.nnunet.NnunetDataset;
import org.tessera.train.nnunet.NnunetPaths;
import org.tessera.train.nnunet.PhantomDataset;
import org.tessera.train.nnunet.Plan;
import org.tessera.train.nnunet.Preprocessor;
import org.tessera.train.nnunet.Splits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plan-and-preprocess -d ID}: validate, fingerprint, plan the 2-D configuration and preprocess, as nnU-Net. */
@Command(name = "plan-and-preprocess", mixinStandardHelpOptions = true,
    description = "Check an nnU-Net raw dataset, compute its fingerprint, plan the 2d configuration and preprocess every training case.")
final class PlanAndPreprocessCommand implements Callable<Integer> {
  @Option(names = {"-d", "--dataset"}, required = true, description = "Dataset id (501), name (Dataset501_Liver) or 'phantom' (built in, written on first use).")
  String dataset;

  @Mixin NnunetFolders folders = new NnunetFolders();

  @Option(names = "--config", description = "A YAML config laid over the built-in defaults (nnunet.patch_size, nnunet.batch_size).")
  Path configFile;

  @Parameters(arity = "0..*", paramLabel = "key=value", description = "Config overrides such as nnunet.patch_size=[96,96].")
  List<String> overrides = new ArrayList<>();

  @Override public Integer call() throws Exception {
    Config config = Config.load(configFile, overrides);
    NnunetPaths paths = folders.paths();
    run(paths, paths.datasetName(dataset), config);
    return 0;
  }

  /** Validates, fingerprints, plans and preprocesses dataset {@code name}; returns its preprocessed folder. */
  static Path run(NnunetPaths paths, String name, Config config) throws java.io.IOException {
    Path rawDir = ensureRaw(paths, name);
    NnunetDataset ds = NnunetDataset.open(rawDir);
    List<String> problems = DatasetValidator.problems(ds);
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("error: " + p));
      throw new IllegalArgumentException(rawDir + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " (listed above)");
    }
    System.out.printf("%s: %d training cases, channels %s, labels %s%n", rawDir, ds.training().size(), ds.channelNames(), ds.labels().keySet());
    Path out = paths.preprocessed().resolve(name);
    Fingerprint fp = Fingerprint.compute(ds, System.out);
    fp.write(out.resolve("dataset_fingerprint.json"));
    Plan plan = Plan.create(name, ds, fp, config.ints("nnunet.patch_size"), config.integer("nnunet.batch_size"));
    plan.write(out.resolve(Plan.FILE));
    Files.copy(rawDir.resolve("dataset.json"), out.resolve("dataset.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.out.printf("2d plan: patch %dx%d, spacing %.4gx%.4g mm, batch %d, normalisation %s%n", plan.patchSize()[0], plan.patchSize()[1], plan.spacing()[0],
        plan.spacing()[1], plan.batchSize(), plan.normalization());
    Preprocessor.run(ds, plan, out.resolve("nnUNetPlans_2d"), System.out);
    Splits.loadOrCreate(out.resolve("splits_final.json"), ds.training().stream().map(NnunetDataset.Case::name).toList());
    System.out.println("wrote " + out + " (dataset_fingerprint.json, nnUNetPlans.json, nnUNetPlans_2d/, splits_final.json)");
    return out;
  }

  /** The raw dataset folder; the phantom is written there on first use. */
  static Path ensureRaw(NnunetPaths paths, String name) throws java.io.IOException {
    Path dir = paths.raw().resolve(name);
    if (name.equals(NnunetPaths.PHANTOM_NAME) && !Files.exists(dir.resolve("dataset.json"))) {
      System.out.println("writing the built-in CT phantom to " + dir);
      PhantomDataset.generate(dir, 10, 2, 1);
    }
    if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such dataset folder");
    return dir;
  }
}
