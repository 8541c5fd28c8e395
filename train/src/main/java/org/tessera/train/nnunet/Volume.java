package org.tessera.train.nnunet;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiHeader;
import org.tessera.train.nifti.NiftiImage;

/**
 * A case in memory: channels of (z, y, x) voxels in F32 (z = 1 for a 2-D PNG or TIFF image), the spacing in the same axis order,
 * and the NIfTI header of the first channel (null for PNG), kept to write predictions with the image's geometry.
 */
public record Volume(float[][] channels, int[] shape, double[] spacing, NiftiHeader header) {
  /** Reads the channel files of a case (NIfTI or PNG); every channel must have the first one's shape. */
  public static Volume read(List<Path> files) throws IOException {
    float[][] channels = new float[files.size()][];
    int[] shape = null;
    double[] spacing = null;
    NiftiHeader header = null;
    for (int c = 0; c < files.size(); c++) {
      Path f = files.get(c);
      int[] s;
      if (isImage(f)) {
        BufferedImage img = image(f);
        s = new int[] {1, img.getHeight(), img.getWidth()};
        channels[c] = new float[img.getWidth() * img.getHeight()];
        img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, channels[c]);
        if (spacing == null) spacing = new double[] {1, 1, 1};
      } else {
        NiftiImage img = Nifti.read(f);
        s = zyx(img.header(), f);
        channels[c] = img.floats().toFloatArray();
        if (header == null) {
          header = img.header();
          spacing = zyxSpacing(img.header());
        }
      }
      if (shape == null) shape = s;
      else if (!Arrays.equals(shape, s)) throw new IllegalArgumentException(f + ": shape (z, y, x) " + Arrays.toString(s) + " differs from channel 0's " + Arrays.toString(shape));
    }
    return new Volume(channels, shape, spacing, header);
  }

  /** Reads a label map: integer labels 0..numClasses−1 (anything else is an error naming the file and the value). */
  public static byte[] readLabels(Path file, int[] expectedShape, int numClasses) throws IOException {
    return labels(read(List.of(file)), expectedShape, numClasses, file);
  }

  /** The labels of a label map already read from {@code file}: its shape must be expectedShape (when given). */
  public static byte[] labels(Volume map, int[] expectedShape, int numClasses, Path file) {
    if (expectedShape != null && !Arrays.equals(map.shape(), expectedShape))
      throw new IllegalArgumentException(file + ": label shape (z, y, x) " + Arrays.toString(map.shape()) + " differs from its image's " + Arrays.toString(expectedShape));
    float[] values = map.channels()[0];
    byte[] labels = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (v != Math.rint(v) || v < 0 || v >= numClasses)
        throw new IllegalArgumentException(file + ": label " + v + " at voxel " + i + " is outside the " + numClasses + " classes of dataset.json");
      labels[i] = (byte) v;
    }
    return labels;
  }

  /** A NIfTI file's (z, y, x) shape: 2-D files have one slice; a fourth dimension must be 1. */
  static int[] zyx(NiftiHeader h, Path f) {
    int[] s = h.shape();
    for (int i = 3; i < s.length; i++)
      if (s[i] != 1) throw new IllegalArgumentException(f + ": " + s.length + "-D image " + Arrays.toString(s) + " (one file per channel: 2-D or 3-D only)");
    return new int[] {s.length > 2 ? s[2] : 1, s.length > 1 ? s[1] : 1, s[0]};
  }

  static double[] zyxSpacing(NiftiHeader h) {
    double[] s = h.spacing();
    return new double[] {s.length > 2 ? s[2] : 1, s.length > 1 ? s[1] : 1, s[0]};
  }

  /** A 2-D image file (PNG or TIFF, read by ImageIO) rather than NIfTI. */
  private static boolean isImage(Path f) {
    String n = f.getFileName().toString().toLowerCase();
    return n.endsWith(".png") || n.endsWith(".tif") || n.endsWith(".tiff");
  }

  private static BufferedImage image(Path f) throws IOException {
    BufferedImage img = ImageIO.read(f.toFile());
    if (img == null) throw new IllegalArgumentException(f + ": not a readable image");
    if (img.getRaster().getNumBands() != 1)
      throw new IllegalArgumentException(f + ": a " + img.getRaster().getNumBands() + "-band image; use one grayscale file per channel (CASE_0000.png, CASE_0001.png, …)");
    return img;
  }
}
