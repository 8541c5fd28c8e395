package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.nn.io.Safetensors;
import org.tessera.train.data.ImageMaskData;
import org.tessera.train.data.ImageMaskDataset;
import org.tessera.train.data.ShapesDataset;
import org.tessera.train.run.Trainer;
import picocli.CommandLine;

/** A tiny end-to-end run: the run folder's files, exact resumption, and predict / evaluate on its checkpoint. */
class TrainerTest {
  static final List<String> TINY = List.of("train.image_size=32", "train.batch_size=2", "train.iterations_per_epoch=2", "data.num_classes=4",
      "train.warmup_epochs=0");

  static Trainer.Result train(Path data, Path run, int epochs, boolean resume) throws Exception {
    return train(data, run, epochs, resume, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  static Trainer.Result train(Path data, Path run, int epochs, boolean resume, PrintStream out, String... extra) throws Exception {
    List<String> o = new java.util.ArrayList<>(TINY);
    o.addAll(List.of(extra));
    o.add("train.epochs=" + epochs);
    List<ImageMaskDataset.Sample> s = ImageMaskDataset.load(data, 4);
    return new Trainer(Config.load(null, o), run, out).run(new ImageMaskData(s.subList(0, 6), s.subList(6, 8), 2, 32), ShapesDataset.NAMES, resume);
  }

  /** The crash: output that fails right after the trainer reports epoch 2 (its checkpoint is written by then). */
  static final class CrashAfterEpoch2 extends PrintStream {
    CrashAfterEpoch2() {
      super(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Override public PrintStream printf(String format, Object... args) {
      if (format.startsWith("epoch %d:") && Integer.valueOf(2).equals(args[0])) throw new IllegalStateException("simulated crash");
      return super.printf(format, args);
    }
  }

  @Test
  void aRunWritesItsFolderAndResumesExactly(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 32, 3);
    // A first run lets C2 compile the kernels. The Vector API's EXP/LOG differ in the last ulp between the
    // interpreted fallback and C2's intrinsics, and C2 compiles in the background, so even warm runs can differ by
    // an ulp here and there (seen: 2e-7 relative), which Adam's normalised steps carry on. A state that failed to
    // load (optimizer moments, schedule step, data order) moves parameters by about lr = 2e-3 instead.
    train(data, dir.resolve("warm-up"), 3, false);
    train(data, dir.resolve("straight"), 3, false);
    Path stopped = dir.resolve("stopped");
    assertThrows(IllegalStateException.class, () -> train(data, stopped, 3, false, new CrashAfterEpoch2()));
    for (String f : List.of("config.yaml", "log.csv", "progress.png", "last.safetensors", "best.safetensors")) assertTrue(Files.exists(stopped.resolve(f)), f);
    assertEquals(3, Files.readAllLines(stopped.resolve("log.csv")).size()); // header + 2 epochs
    var atEpoch2 = Safetensors.read(stopped.resolve("last.safetensors")).tensors();
    train(data, stopped, 3, true);
    var a = Safetensors.read(dir.resolve("straight/last.safetensors")).tensors();
    var b = Safetensors.read(stopped.resolve("last.safetensors")).tensors();
    assertEquals(a.keySet(), b.keySet());
    // The resumed run must end where the uninterrupted one did, up to those ulp effects: far closer than the
    // distance epoch 3 itself moved the weights (a lost state would be off by about that much).
    double offResume = 0, moved = 0;
    for (String k : a.keySet()) {
      if (!k.startsWith("model.")) continue;
      double[] x = a.get(k).toDoubleArray(), y = b.get(k).toDoubleArray(), before = atEpoch2.get(k).toDoubleArray();
      for (int i = 0; i < x.length; i++) {
        offResume += Math.abs(x[i] - y[i]);
        moved += Math.abs(x[i] - before[i]);
      }
    }
    assertTrue(offResume < 0.02 * moved, "resumed run off by " + offResume + ", epoch 3 moved the weights by " + moved);
    assertEquals(4, Files.readAllLines(stopped.resolve("log.csv")).size());
  }

  @Test
  void nnunetsSgdWithPolyLrStepsPerEpoch(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 32, 4);
    train(data, dir.resolve("run"), 3, false, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "train.optimizer=sgd",
        "train.schedule=poly", "train.backbone_lr=0.01");
    List<String> rows = Files.readAllLines(dir.resolve("run/log.csv"));
    int column = List.of(rows.get(0).split(",")).indexOf("lr");
    List<Double> lrs = rows.subList(1, rows.size()).stream().map(r -> Double.parseDouble(r.split(",")[column])).toList();
    // nnU-Net's PolyLR: lr0 · (1 − epoch / epochs)^0.9, set at the start of each epoch (log.csv keeps 8 digits)
    assertEquals(0.01, lrs.get(0), 1e-10);
    assertEquals(0.01 * Math.pow(1 - 1 / 3.0, 0.9), lrs.get(1), 1e-10);
    assertEquals(0.01 * Math.pow(1 - 2 / 3.0, 0.9), lrs.get(2), 1e-10);
  }

  @Test
  void predictAndEvaluateUseTheCheckpoint(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 32, 5);
    train(data, dir.resolve("run"), 1, false);
    Path pred = dir.resolve("pred");
    assertEquals(0, new CommandLine(new Main()).execute("predict", "--checkpoint", dir.resolve("run/best.safetensors").toString(), "-i", data.toString(), "-o",
        pred.toString()));
    assertTrue(Files.exists(pred.resolve("case_0000.png")) && Files.exists(pred.resolve("case_0000_overlay.png")));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, new CommandLine(new Main()).execute("evaluate", pred.toString(), data.toString(), "--classes", "4"));
    } finally {
      System.setOut(old);
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("class  name") && printed.contains("mean foreground Dice: "), printed);
  }

  @Test
  void aDinov2BackboneTrainsAndPredictsAtItsPatchSize(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 30, 6); // 30 px: padded to 42 (3 × 14) for prediction
    List<ImageMaskDataset.Sample> s = ImageMaskDataset.load(data, 4);
    List<String> o = List.of("train.batch_size=2", "train.iterations_per_epoch=2", "data.num_classes=4", "train.warmup_epochs=0", "train.epochs=1",
        "model.backbone=dinov2_reg", "train.image_size=28");
    new Trainer(Config.load(null, o), dir.resolve("run"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .run(new ImageMaskData(s.subList(0, 6), s.subList(6, 8), 2, 28), ShapesDataset.NAMES, false);
    var saved = Safetensors.read(dir.resolve("run/last.safetensors")).tensors();
    assertArrayEquals(new int[] {96, 3, 14, 14}, saved.get("model.dino_encoder.patch_embed.proj.weight").shape());
    assertTrue(saved.containsKey("model.dino_encoder.register_tokens"));
    Path pred = dir.resolve("pred");
    assertEquals(0, new CommandLine(new Main()).execute("predict", "--checkpoint", dir.resolve("run/last.safetensors").toString(), "-i", data.toString(), "-o",
        pred.toString()));
    java.awt.image.BufferedImage mask = javax.imageio.ImageIO.read(pred.resolve("case_0000.png").toFile());
    assertEquals(30, mask.getWidth());
    assertEquals(30, mask.getHeight());
  }

  @Test
  void anImageSizeOffThePatchGridIsRefused() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.cli();
    cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    int code = cli.execute("train", "model.backbone=dinov2", "train.image_size=64");
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("config: train.image_size must be a multiple of 14 (the dinov2 patch size), got 64"),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainDeviceRunsTheLoopOnThatBackend(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 32, 7);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    // one iteration: the logged loss is that of the first batch, before any update, so the two backends must agree
    train(data, dir.resolve("cpu"), 1, false, quiet, "train.iterations_per_epoch=1");
    train(data, dir.resolve("ref"), 1, false, quiet, "train.iterations_per_epoch=1", "train.device=ref");
    double cpu = firstLoss(dir.resolve("cpu/log.csv")), ref = firstLoss(dir.resolve("ref/log.csv"));
    assertEquals(ref, cpu, 1e-5 * Math.abs(ref), "loss of the first batch on the cpu and reference backends");
    assertEquals(org.tessera.tensor.Device.CPU, org.tessera.tensor.Tensor.defaultDevice(), "the default device is restored");
  }

  @Test
  void modelDtypeRunsTheProductsUnderAutocastAndFloat16ScalesTheLoss(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 32, 7);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    // one SGD step on the reference backend (Adam would hide a gradient left scaled by 2^16): the update of a
    // LayerScale (its gradient reads the attention output, which autocast computes from BF16/F16 products)
    List<String> step = List.of("train.iterations_per_epoch=1", "train.device=ref", "train.optimizer=sgd", "train.lr=0.01", "train.backbone_lr=0.01");
    train(data, dir.resolve("start"), 1, false, quiet, "train.iterations_per_epoch=1", "train.device=ref", "train.optimizer=sgd", "train.lr=0",
        "train.backbone_lr=0");
    for (String run : new String[] {"f32", "bf16", "f16"}) {
      List<String> o = new java.util.ArrayList<>(step);
      if (!run.equals("f32")) o.add("train.model_dtype=" + (run.equals("bf16") ? "BFLOAT16" : "FLOAT16"));
      train(data, dir.resolve(run), 1, false, quiet, o.toArray(String[]::new));
    }
    String gamma = "model.dino_encoder.blocks.0.ls1.gamma";
    float[] start = Safetensors.read(dir.resolve("start/last.safetensors")).tensors().get(gamma).toFloatArray();
    float[] full = update(Safetensors.read(dir.resolve("f32/last.safetensors")).tensors().get(gamma).toFloatArray(), start);
    double size = 0;
    for (float u : full) size = Math.max(size, Math.abs(u));
    assertTrue(size > 1e-7, "the step moved the LayerScale: " + size);
    for (String run : new String[] {"bf16", "f16"}) {
      float[] low = update(Safetensors.read(dir.resolve(run + "/last.safetensors")).tensors().get(gamma).toFloatArray(), start);
      double diff = 0;
      for (int i = 0; i < full.length; i++) diff = Math.max(diff, Math.abs(low[i] - full[i]));
      assertTrue(diff > 0, run + ": the products ran in lower precision");
      assertTrue(diff < 0.05 * size, run + ": the same step up to rounding (" + diff + " of " + size + ")");
    }
    ByteArrayOutputStream cpuOut = new ByteArrayOutputStream();
    train(data, dir.resolve("cpu"), 1, false, new PrintStream(cpuOut, true, StandardCharsets.UTF_8), "train.iterations_per_epoch=1", "train.model_dtype=BFLOAT16");
    assertTrue(cpuOut.toString(StandardCharsets.UTF_8).contains(
        "train.model_dtype=BFLOAT16: autocast runs on cuda (and ref); the cpu backend has no BF16/F16 kernels, so this run is F32"));
    var e = assertThrows(IllegalArgumentException.class, () -> train(data, dir.resolve("bad"), 1, false, quiet, "train.model_dtype=FP8"));
    assertEquals("config built-in defaults: train.model_dtype is 'FP8', expected one of [BFLOAT16, FLOAT16]", e.getMessage());
  }

  private static float[] update(float[] after, float[] before) {
    float[] u = new float[after.length];
    for (int i = 0; i < u.length; i++) u[i] = after[i] - before[i];
    return u;
  }

  @Test
  void anUnavailableDeviceIsOneLine(@TempDir Path dir) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(org.tessera.tensor.Backends.unavailableReason(org.tessera.tensor.Device.of("cuda:0")) != null,
        "this machine has a CUDA device");
    Path data = dir.resolve("data");
    ShapesDataset.generate(data, 8, 32, 7);
    var e = assertThrows(IllegalArgumentException.class, () -> train(data, dir.resolve("run"), 1, false, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), "train.device=cuda:0"));
    assertTrue(e.getMessage().startsWith("config: train.device=cuda:0: no CUDA device"), e.getMessage());
  }

  private static double firstLoss(Path log) throws IOException {
    List<String> rows = Files.readAllLines(log);
    return Double.parseDouble(rows.get(1).split(",")[List.of(rows.get(0).split(",")).indexOf("train_loss")]);
  }
}
