package org.tessera.train.data;

/**
 * Reads a patch of a 2-D image and its labels through mirroring, rotation and scaling about the patch centre, the
 * spatial augmentation of both training samplers: data bilinear, labels nearest, zeros (background) outside. An
 * even patch centred on (cy, cx) covers [c − size/2, c + size/2), an odd one is centred on c; with no rotation or
 * scaling it is a plain crop.
 */
public final class AffinePatch {
  /** The image: channels of (h, w) pixels each starting at {@code at}, and labels from {@code at} likewise. */
  public record Source(float[][] channels, byte[] labels, int at, int h, int w) {}

  /** The transform: centre, angle (radians), scale (> 1 zooms in) and mirroring of the patch axes. */
  public record Transform(int cy, int cx, double angle, double scale, boolean flipY, boolean flipX) {}

  private AffinePatch() {}

  /** Writes channels × (ph, pw) floats at images[imageAt..] and ph × pw labels at labels[labelAt..]. */
  public static void read(Source src, Transform t, int ph, int pw, float[] images, int imageAt, long[] labels, int labelAt) {
    int h = src.h(), w = src.w(), at = src.at(), channels = src.channels().length;
    double cos = Math.cos(t.angle()) / t.scale(), sin = Math.sin(t.angle()) / t.scale();
    boolean identity = t.angle() == 0 && t.scale() == 1;
    double centreY = t.cy() - ph / 2 + (ph - 1) / 2.0, centreX = t.cx() - pw / 2 + (pw - 1) / 2.0;
    for (int y = 0; y < ph; y++)
      for (int x = 0; x < pw; x++) {
        // the patch pixel's offset from the patch centre, mirrored, rotated and scaled into the image
        double py = (t.flipY() ? ph - 1 - y : y) - (ph - 1) / 2.0, px = (t.flipX() ? pw - 1 - x : x) - (pw - 1) / 2.0;
        double sy = centreY + cos * py - sin * px, sx = centreX + sin * py + cos * px;
        int out = y * pw + x;
        int ny = (int) Math.round(sy), nx = (int) Math.round(sx);
        boolean inside = ny >= 0 && ny < h && nx >= 0 && nx < w;
        labels[labelAt + out] = inside ? src.labels()[at + ny * w + nx] : 0;
        if (identity) {
          for (int c = 0; c < channels; c++) images[imageAt + c * ph * pw + out] = inside ? src.channels()[c][at + ny * w + nx] : 0;
          continue;
        }
        int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
        double ly = sy - y0, lx = sx - x0;
        for (int c = 0; c < channels; c++) {
          float[] d = src.channels()[c];
          double v = 0;
          for (int dy = 0; dy <= 1; dy++)
            for (int dx = 0; dx <= 1; dx++) {
              int yy = y0 + dy, xx = x0 + dx;
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              v += (dy == 1 ? ly : 1 - ly) * (dx == 1 ? lx : 1 - lx) * d[at + yy * w + xx];
            }
          images[imageAt + c * ph * pw + out] = (float) v;
        }
      }
  }
}
