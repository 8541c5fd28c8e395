package org.tessera.train.nnunet;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.tessera.tensor.Tensor;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiHeader;
import org.tessera.train.nifti.NiftiType;

/** Writes predicted labels: as NIfTI (uint8, the image's header and geometry) or PNG, and an overlay a person can look at. */
public final class VolumeOutput {
  private VolumeOutput() {}

  public static void writeLabels(Path file, Volume v, byte[] labels) throws IOException {
    int[] s = v.shape();
    if (v.header() == null) { // a 2-D PNG or TIFF case
      BufferedImage mask = new BufferedImage(s[2], s[1], BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < s[1]; y++) for (int x = 0; x < s[2]; x++) mask.getRaster().setSample(x, y, 0, labels[y * s[2] + x]);
      String name = file.getFileName().toString().toLowerCase();
      ImageIO.write(mask, name.endsWith(".tif") || name.endsWith(".tiff") ? "tiff" : "png", file.toFile());
      return;
    }
    NiftiHeader h = v.header().copy();
    h.type = NiftiType.UINT8;
    int[] values = new int[labels.length];
    for (int i = 0; i < labels.length; i++) values[i] = labels[i];
    int[] shape = v.header().ndim() == 2 ? new int[] {s[1], s[2]} : s;
    Nifti.write(file, h, Tensor.of(values, shape));
  }

  /** The slice with the most foreground, its first channel windowed to its 1–99 % range, labels blended in colour. */
  public static void writeOverlay(Path file, Volume v, byte[] labels, int[][] colours) throws IOException {
    int[] s = v.shape();
    int plane = s[1] * s[2], bestZ = 0, bestCount = -1;
    for (int z = 0; z < s[0]; z++) {
      int count = 0;
      for (int i = z * plane; i < (z + 1) * plane; i++) if (labels[i] != 0) count++;
      if (count > bestCount) {
        bestCount = count;
        bestZ = z;
      }
    }
    float[] image = java.util.Arrays.copyOfRange(v.channels()[0], bestZ * plane, (bestZ + 1) * plane), sorted = image.clone();
    java.util.Arrays.sort(sorted);
    double lo = sorted[(int) (0.01 * (plane - 1))], hi = Math.max(lo + 1e-6, sorted[(int) (0.99 * (plane - 1))]);
    BufferedImage overlay = new BufferedImage(s[2], s[1], BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < s[1]; y++)
      for (int x = 0; x < s[2]; x++) {
        int label = labels[bestZ * plane + y * s[2] + x];
        double gray = 255 * Math.min(1, Math.max(0, (image[y * s[2] + x] - lo) / (hi - lo))), alpha = label == 0 ? 0 : 0.45;
        int[] col = colours[label % colours.length];
        int rgb = 0;
        for (int c = 0; c < 3; c++) rgb = rgb << 8 | (int) Math.round((1 - alpha) * gray + alpha * col[c]);
        overlay.setRGB(x, y, rgb);
      }
    ImageIO.write(overlay, "png", file.toFile());
  }
}
