package org.tessera.train.nnunet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tessera.train.data.Batches;
import org.tessera.train.run.TrainingData;

/** One fold of a preprocessed dataset for the trainer: slice patches of the training cases, fixed validation patches. */
public final class VolumeTrainingData implements TrainingData {
  private final SliceSampler train, val;
  private final int batchSize, channels, valPatches;
  private final long seed;

  public VolumeTrainingData(Path preprocessedCases, Splits.Fold fold, Plan plan, int numClasses, double oversample, int valPatches, long seed, PrintStream out)
      throws IOException {
    List<Preprocessor.Prepared> trainCases = load(preprocessedCases, fold.train(), out, "training"), valCases = load(preprocessedCases, fold.val(), out, "validation");
    this.train = new SliceSampler(trainCases, plan.patchSize(), numClasses, oversample, seed);
    this.val = new SliceSampler(valCases, plan.patchSize(), numClasses, oversample, seed + 1);
    this.batchSize = plan.batchSize();
    this.channels = trainCases.get(0).data().length;
    this.valPatches = valPatches;
    this.seed = seed;
  }

  private static List<Preprocessor.Prepared> load(Path dir, List<String> names, PrintStream out, String what) throws IOException {
    if (names.isEmpty()) throw new IllegalArgumentException(dir + ": the fold has no " + what + " cases");
    List<Preprocessor.Prepared> cases = new ArrayList<>();
    try (var bar = Progress.bar("load " + what, names.size(), " cases", out)) {
      for (String name : names) {
        Path file = dir.resolve(name + ".safetensors");
        if (!java.nio.file.Files.exists(file)) throw new IllegalArgumentException(file + ": case " + name + " of splits_final.json is not preprocessed: run plan-and-preprocess");
        cases.add(Preprocessor.load(file));
        bar.step();
      }
    }
    return cases;
  }

  @Override public int channels() {
    return channels;
  }

  @Override public int batchSize() {
    return batchSize;
  }

  @Override public Batches.Maker trainBatches() {
    return gen -> train.batch(gen, batchSize, true);
  }

  @Override public List<Batches.Batch> validation() {
    return val.validation(valPatches, batchSize, seed + 2);
  }

  @Override public boolean emaBest() {
    return true;
  }
}
