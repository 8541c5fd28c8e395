package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.train.data.ImageMaskDataset;
import org.tessera.train.data.ShapesDataset;
import org.tessera.train.run.DiceScore;

class DataTest {
  @Test
  void theBuiltInDatasetIsDeterministicAndLabelled(@TempDir Path dir) throws IOException {
    ShapesDataset.generate(dir.resolve("a"), 24, 32, 7);
    ShapesDataset.generate(dir.resolve("b"), 24, 32, 7);
    for (String f : List.of("images/case_0003.png", "masks/case_0005.png"))
      assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)), f);
    List<ImageMaskDataset.Sample> samples = ImageMaskDataset.load(dir.resolve("a"), ShapesDataset.CLASSES);
    assertEquals(24, samples.size());
    int[] counts = new int[4];
    for (var s : samples) for (byte l : s.labels()) counts[l]++;
    for (int c = 0; c < 4; c++) assertTrue(counts[c] > 0, "class " + c + " appears");
  }

  @Test
  void datasetFaultsNameTheFile(@TempDir Path dir) throws IOException {
    ShapesDataset.generate(dir, 2, 32, 1);
    var e = assertThrows(IOException.class, () -> ImageMaskDataset.load(dir, 3)); // triangles have label 3
    assertTrue(e.getMessage().contains("masks") && e.getMessage().contains("outside the 3 declared classes"), e.getMessage());
    Files.delete(dir.resolve("masks/case_0001.png"));
    e = assertThrows(IOException.class, () -> ImageMaskDataset.load(dir, 4));
    assertTrue(e.getMessage().startsWith(dir.resolve("images/case_0001.png") + ": no mask"), e.getMessage());
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("masks/case_0001.png").toFile());
    e = assertThrows(IOException.class, () -> ImageMaskDataset.load(dir, 4));
    assertTrue(e.getMessage().contains("mask is 8×8 but its image is 32×32"), e.getMessage());
  }

  @Test
  void diceCountsOverAllPixels() {
    DiceScore d = new DiceScore(3);
    d.add(new long[] {0, 1, 1, 2, 2, 0}, new long[] {0, 1, 2, 2, 2, 1});
    assertEquals(2.0 / 3, d.dice(0), 1e-12);
    assertEquals(0.5, d.dice(1), 1e-12); // tp 1, fp 1, fn 1
    assertEquals(0.8, d.dice(2), 1e-12); // tp 2, fn 1
    assertEquals((0.5 + 0.8) / 2, d.meanForeground(), 1e-12);
    assertEquals(1.0 / 3, d.iou(1), 1e-12);
  }
}
