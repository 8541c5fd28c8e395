package org.tessera.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An image/mask folder pair, loaded into memory: {@code images/NAME.png} with {@code masks/NAME.png} (or nnU-Net's
 * {@code imagesTr/} and {@code labelsTr/}); grayscale or RGB images, masks of integer labels. Every fault names the
 * file: a missing mask, a size mismatch, a label outside the declared classes.
 */
public final class ImageMaskDataset {
  /** One case: pixels as [channel][y·w + x] in [0, 1], labels per pixel. */
  public record Sample(String name, int channels, int height, int width, float[][] pixels, byte[] labels) {}

  private ImageMaskDataset() {}

  public static List<Sample> load(Path dir, int numClasses) throws IOException {
    Path images = Files.isDirectory(dir.resolve("images")) ? dir.resolve("images") : dir.resolve("imagesTr");
    Path masks = Files.isDirectory(dir.resolve("masks")) ? dir.resolve("masks") : dir.resolve("labelsTr");
    if (!Files.isDirectory(images) || !Files.isDirectory(masks))
      throw new IOException(dir + ": expected images/ and masks/ (or imagesTr/ and labelsTr/) folders");
    List<Path> files;
    try (Stream<Path> s = Files.list(images)) {
      files = s.filter(p -> p.toString().toLowerCase().endsWith(".png")).sorted().toList();
    }
    if (files.isEmpty()) throw new IOException(images + ": no .png images");
    List<Sample> out = new ArrayList<>();
    for (Path f : files) {
      // the same name, or nnU-Net's CASE.png for CASE_0000.png
      Path m = masks.resolve(f.getFileName().toString());
      if (!Files.exists(m)) m = masks.resolve(f.getFileName().toString().replaceFirst("_0000\\.png$", ".png"));
      if (!Files.exists(m)) throw new IOException(f + ": no mask " + masks.resolve(f.getFileName()));
      out.add(read(f, m, numClasses));
    }
    return out;
  }

  /** An image without a mask (for prediction): labels all 0. */
  public static Sample readImage(Path imageFile) throws IOException {
    return read(imageFile, null, Integer.MAX_VALUE);
  }

  static Sample read(Path imageFile, Path maskFile, int numClasses) throws IOException {
    BufferedImage image = ImageIO.read(imageFile.toFile()), mask = maskFile == null ? null : ImageIO.read(maskFile.toFile());
    if (image == null) throw new IOException(imageFile + ": not a readable image");
    if (maskFile != null && mask == null) throw new IOException(maskFile + ": not a readable image");
    int w = image.getWidth(), h = image.getHeight();
    if (mask != null && (mask.getWidth() != w || mask.getHeight() != h))
      throw new IOException(maskFile + ": mask is " + mask.getWidth() + "×" + mask.getHeight() + " but its image is " + w + "×" + h);
    boolean gray = image.getColorModel().getNumColorComponents() == 1;
    int channels = gray ? 1 : 3;
    float[][] pixels = new float[channels][w * h];
    byte[] labels = new byte[w * h];
    var raster = mask == null ? null : mask.getRaster();
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        int rgb = image.getRGB(x, y);
        if (gray) pixels[0][y * w + x] = image.getRaster().getSample(x, y, 0) / 255f;
        else for (int c = 0; c < 3; c++) pixels[c][y * w + x] = ((rgb >> (16 - 8 * c)) & 0xff) / 255f;
        int label = raster == null ? 0 : raster.getSample(x, y, 0);
        if (label >= numClasses) throw new IOException(maskFile + ": label " + label + " at (" + x + ", " + y + ") is outside the " + numClasses + " declared classes");
        labels[y * w + x] = (byte) label;
      }
    return new Sample(imageFile.getFileName().toString(), channels, h, w, pixels, labels);
  }
}
