package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiHeader;
import org.tessera.train.nifti.NiftiType;
import picocli.CommandLine;

/** The README's nnU-Net workflow on the phantom, shrunk: plan-and-preprocess, train, predict, evaluate. */
class NnunetWorkflowTest {
  @TempDir Path tmp;

  @Test
  void planTrainPredictEvaluate() throws Exception {
    String raw = tmp.resolve("raw").toString(), pre = tmp.resolve("pre").toString(), results = tmp.resolve("results").toString();
    run("plan-and-preprocess", "-d", "phantom", "--raw", raw, "--preprocessed", pre, "nnunet.batch_size=2");
    Path planned = Path.of(pre, "Dataset990_Phantom");
    for (String f : new String[] {"dataset.json", "dataset_fingerprint.json", "nnUNetPlans.json", "splits_final.json", "nnUNetPlans_2d/phantom_000.safetensors"})
      assertTrue(Files.exists(planned.resolve(f)), f);
    String out = run("train", "phantom", "2d", "0", "--raw", raw, "--preprocessed", pre, "--results", results, "train.epochs=1", "train.iterations_per_epoch=2",
        "nnunet.val_patches=2");
    assertTrue(out.contains("fold 0: 8 training and 2 validation cases, patch 128x128, batch 2"), out);
    Path fold = Path.of(results, "Dataset990_Phantom", TrainCommand.RESULTS_FOLDER, "fold_0");
    assertTrue(Files.exists(fold.resolve("best.safetensors")) && Files.exists(fold.resolve("progress.png")));
    Path images = Path.of(raw, "Dataset990_Phantom", "imagesTs"), labels = Path.of(raw, "Dataset990_Phantom", "labelsTs"), predicted = tmp.resolve("pred");
    run("predict", "-i", images.toString(), "-o", predicted.toString(), "-d", "990", "-c", "2d", "-f", "0", "--disable_tta", "--results", results);
    NiftiHeader image = Nifti.readHeader(images.resolve("phantom_100_0000.nii.gz")), prediction = Nifti.readHeader(predicted.resolve("phantom_100.nii.gz"));
    assertArrayEquals(image.shape(), prediction.shape());
    for (int r = 0; r < 4; r++) assertArrayEquals(image.affine()[r], prediction.affine()[r], 1e-6, "the image's geometry");
    assertEquals(NiftiType.UINT8, prediction.type);
    assertTrue(Files.exists(predicted.resolve("phantom_100_overlay.png")));
    String eval = run("evaluate", predicted.toString(), labels.toString());
    assertTrue(eval.contains("mean foreground Dice: "), eval);
    JsonNode summary = new ObjectMapper().readTree(predicted.resolve("summary.json").toFile());
    assertEquals(2, summary.get("metric_per_case").size());
    assertEquals("spleen", summary.get("mean").get("2").get("name").asText());
  }

  private static String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute(args);
    } finally {
      System.setOut(stdout);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, String.join(" ", args) + "\n" + out);
    return out;
  }
}
