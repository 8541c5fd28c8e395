package org.tessera.nn.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tessera.nn.Module;
import org.tessera.nn.optim.GradScaler;
import org.tessera.nn.optim.Optimizer;
import org.tessera.tensor.Tensor;

/**
 * A training checkpoint in one safetensors file: the model (all of it, or only the trainable parameters — the trick
 * for frozen backbones), the optimizer state, and the epoch, schedule step, random state and config as metadata.
 * Written to a temporary file and renamed, so a crash mid-write leaves the previous checkpoint intact.
 */
public final class TrainingCheckpoint {
  /** What a checkpoint records besides tensors. */
  public record Progress(int epoch, long scheduleStep, long rngState, String config) {}

  private TrainingCheckpoint() {}

  public static void save(Path file, Module model, boolean trainableOnly, Optimizer optimizer, Progress progress) throws IOException {
    save(file, model, trainableOnly, optimizer, null, progress);
  }

  /** With the loss scaler of an F16 run (null for none), so that a resumed run continues at its scale. */
  public static void save(Path file, Module model, boolean trainableOnly, Optimizer optimizer, GradScaler scaler, Progress progress) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    model.stateDict().forEach((k, v) -> {
      if (!trainableOnly || v.requiresGrad()) tensors.put("model." + k, v.detach());
    });
    if (optimizer != null) optimizer.stateDict().forEach((k, v) -> tensors.put("optimizer." + k, v.detach()));
    if (scaler != null) scaler.stateDict().forEach((k, v) -> tensors.put("scaler." + k, v));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "tessera-checkpoint-1");
    meta.put("epoch", Integer.toString(progress.epoch()));
    meta.put("schedule_step", Long.toString(progress.scheduleStep()));
    meta.put("rng_state", Long.toString(progress.rngState()));
    meta.put("trainable_only", Boolean.toString(trainableOnly));
    meta.put("config", progress.config() == null ? "" : progress.config());
    Safetensors.write(file, tensors, meta);
  }

  /**
   * Restores a checkpoint into a model of the same architecture (and the optimizer, when given); a file of another
   * architecture or a corrupt file is an error naming the file.
   */
  public static Progress load(Path file, Module model, Optimizer optimizer) throws IOException {
    return load(file, model, optimizer, null);
  }

  /** With the loss scaler of an F16 run (null for none); a checkpoint without one leaves the scaler as it is. */
  public static Progress load(Path file, Module model, Optimizer optimizer, GradScaler scaler) throws IOException {
    Safetensors.Contents c = Safetensors.read(file);
    if (!"tessera-checkpoint-1".equals(c.metadata().get("format"))) throw new IOException(file + ": not a Tessera training checkpoint");
    Map<String, Tensor> modelState = new LinkedHashMap<>(), optimizerState = new LinkedHashMap<>(), scalerState = new LinkedHashMap<>();
    c.tensors().forEach((k, v) -> {
      if (k.startsWith("model.")) modelState.put(k.substring(6), v);
      else if (k.startsWith("optimizer.")) optimizerState.put(k.substring(10), v);
      else if (k.startsWith("scaler.")) scalerState.put(k.substring(7), v);
    });
    boolean trainableOnly = Boolean.parseBoolean(c.metadata().get("trainable_only"));
    Module.LoadResult r = model.loadStateDict(modelState, false);
    if (!r.unexpectedKeys().isEmpty() || !r.shapeMismatches().isEmpty() || (!trainableOnly && !r.missingKeys().isEmpty()))
      throw new IOException(file + ": the checkpoint does not fit this model: " + r);
    if (optimizer != null) optimizer.loadStateDict(optimizerState);
    if (scaler != null && !scalerState.isEmpty()) {
      try {
        scaler.loadStateDict(scalerState);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": " + e.getMessage());
      }
    }
    try {
      return new Progress(Integer.parseInt(c.metadata().get("epoch")), Long.parseLong(c.metadata().get("schedule_step")),
          Long.parseLong(c.metadata().get("rng_state")), c.metadata().get("config"));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IOException(file + ": damaged checkpoint metadata " + c.metadata());
    }
  }
}
