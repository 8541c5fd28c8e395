package org.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.nn.Linear;
import org.tessera.nn.Sequential;
import org.tessera.nn.optim.Adam;
import org.tessera.nn.optim.GradScaler;
import org.tessera.nn.optim.Optimizer;
import org.tessera.nn.optim.ParamGroup;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/** Resuming from a checkpoint continues exactly; a bad file is an error naming it. */
class TrainingCheckpointTest {
  static Sequential model() {
    return new Sequential(new Linear(3, 4, true), new Linear(4, 2, true));
  }

  static void step(Sequential m, Optimizer opt, Tensor x) {
    opt.zeroGrad();
    m.forward(x).square().sum().backward();
    opt.step();
  }

  @Test
  void resumingGivesTheSameNextStepAsNotStopping(@TempDir Path dir) throws IOException {
    Tensor x = Tensor.randn(new Generator(1), 5, 3);
    Sequential a = model();
    Optimizer optA = Adam.adamW(List.of(new ParamGroup(a.parameters(), 0.01, 0.05)));
    step(a, optA, x);
    step(a, optA, x);
    Path file = dir.resolve("last.safetensors");
    TrainingCheckpoint.save(file, a, false, optA, new TrainingCheckpoint.Progress(2, 2, 99, "{\"lr\": 0.01}"));
    assertFalse(Files.exists(dir.resolve("last.safetensors.tmp")));

    Sequential b = model();
    Optimizer optB = Adam.adamW(List.of(new ParamGroup(b.parameters(), 0.01, 0.05)));
    TrainingCheckpoint.Progress p = TrainingCheckpoint.load(file, b, optB);
    assertEquals(new TrainingCheckpoint.Progress(2, 2, 99, "{\"lr\": 0.01}"), p);
    step(a, optA, x);
    step(b, optB, x);
    for (var e : a.stateDict().entrySet()) assertArrayEquals(e.getValue().toFloatArray(), b.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
  }

  @Test
  void anF16RunsLossScalerResumesAtItsScale(@TempDir Path dir) throws IOException {
    GradScaler scaler = new GradScaler(1024, 2, 0.5, 3);
    Tensor w = Tensor.of(new float[] {1}, 1).requiresGrad(true);
    Optimizer opt = Adam.adamW(List.of(new ParamGroup(List.of(w), 0.01, 0)));
    for (float g : new float[] {Float.NaN, 1, 1}) { // a skipped step (scale 512), then two good ones
      opt.zeroGrad();
      scaler.scale(w.mul(g).sum()).backward();
      scaler.step(opt);
      scaler.update();
    }
    Path file = dir.resolve("last.safetensors");
    Sequential m = model();
    TrainingCheckpoint.save(file, m, false, null, scaler, new TrainingCheckpoint.Progress(1, 3, 0, ""));
    GradScaler resumed = new GradScaler(1024, 2, 0.5, 3);
    TrainingCheckpoint.load(file, model(), null, resumed);
    assertEquals(512, resumed.scale());
    for (GradScaler s : new GradScaler[] {scaler, resumed}) { // the third good step since the backoff grows the scale
      opt.zeroGrad();
      s.scale(w.sum()).backward();
      s.step(opt);
      s.update();
    }
    assertEquals(1024, scaler.scale());
    assertEquals(1024, resumed.scale(), "the count of good steps was restored too");
    GradScaler untouched = new GradScaler();
    TrainingCheckpoint.save(file, m, false, null, new TrainingCheckpoint.Progress(1, 3, 0, ""));
    TrainingCheckpoint.load(file, model(), null, untouched);
    assertEquals(65536, untouched.scale(), "a checkpoint without a scaler leaves it as it is");
  }

  @Test
  void trainableOnlyCheckpointsSkipFrozenWeights(@TempDir Path dir) throws IOException {
    Sequential m = model();
    ((Linear) m.children().get("0")).requiresGrad(false);
    Path file = dir.resolve("head.safetensors");
    TrainingCheckpoint.save(file, m, true, null, new TrainingCheckpoint.Progress(0, 0, 0, ""));
    assertEquals(List.of("model.1.weight", "model.1.bias"), List.copyOf(Safetensors.read(file).tensors().keySet()));
    TrainingCheckpoint.load(file, model(), null);
  }

  @Test
  void anotherArchitectureOrACorruptFileIsAnError(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("ckpt.safetensors");
    TrainingCheckpoint.save(file, model(), false, null, new TrainingCheckpoint.Progress(1, 1, 1, ""));
    IOException e = assertThrows(IOException.class, () -> TrainingCheckpoint.load(file, new Sequential(new Linear(3, 5, true)), null));
    assertTrue(e.getMessage().startsWith(file + ": the checkpoint does not fit this model"), e.getMessage());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    e = assertThrows(IOException.class, () -> TrainingCheckpoint.load(file, model(), null));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }
}
