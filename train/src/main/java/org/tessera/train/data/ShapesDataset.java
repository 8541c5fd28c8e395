package org.tessera.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.tessera.tensor.Generator;

/**
 * The built-in dataset: grayscale images of textured shapes on a noisy, shaded background, with label masks
 * (0 background, 1 disc, 2 rectangle, 3 triangle). Each class has its own texture and brightness band relative to
 * the background (discs bright and smooth, rectangles dark and striped, triangles mid-bright and checkered),
 * under noise and a random shading gradient. Deterministic by seed.
 */
public final class ShapesDataset {
  public static final int CLASSES = 4;
  public static final String[] NAMES = {"background", "disc", "rectangle", "triangle"};

  private ShapesDataset() {}

  /** Writes {@code count} pairs into dir/images and dir/masks as case_NNNN.png. */
  public static void generate(Path dir, int count, int size, long seed) throws IOException {
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("masks"));
    Generator gen = new Generator(seed);
    for (int i = 0; i < count; i++) {
      byte[] image = new byte[size * size], mask = new byte[size * size];
      draw(gen, size, image, mask);
      String name = String.format("case_%04d.png", i);
      ImageIO.write(gray(image, size), "png", dir.resolve("images").resolve(name).toFile());
      ImageIO.write(gray(mask, size), "png", dir.resolve("masks").resolve(name).toFile());
    }
  }

  private static void draw(Generator gen, int size, byte[] image, byte[] mask) {
    double[] v = new double[size * size];
    double gx = gen.nextGaussian() * 30 / size, gy = gen.nextGaussian() * 30 / size, base = 90 + 40 * gen.nextDouble();
    for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) v[y * size + x] = base + gx * x + gy * y;
    int shapes = 1 + (int) gen.nextLong(3);
    for (int s = 0; s < shapes; s++) {
      int cls = 1 + (int) gen.nextLong(3);
      double cx = size * (0.2 + 0.6 * gen.nextDouble()), cy = size * (0.2 + 0.6 * gen.nextDouble());
      double r = size * (0.15 + 0.13 * gen.nextDouble()), angle = Math.PI * gen.nextDouble();
      double level = base + switch (cls) {
        case 1 -> 60 + 25 * gen.nextDouble();
        case 2 -> -(60 + 25 * gen.nextDouble());
        default -> 28 + 12 * gen.nextDouble();
      };
      double freq = 0.5 + 0.6 * gen.nextDouble();
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
          double u = dx * Math.cos(angle) + dy * Math.sin(angle), w = -dx * Math.sin(angle) + dy * Math.cos(angle);
          boolean inside = switch (cls) {
            case 1 -> dx * dx + dy * dy < r * r;
            case 2 -> Math.abs(u) < r && Math.abs(w) < 0.6 * r;
            default -> w > -0.5 * r && w < r && Math.abs(u) < (r - w) * 0.577;
          };
          if (!inside) continue;
          // textures: discs smooth, rectangles striped, triangles checkered
          double texture = switch (cls) {
            case 1 -> 0;
            case 2 -> 12 * Math.sin(freq * u);
            default -> 12 * Math.signum(Math.sin(freq * u) * Math.sin(freq * w));
          };
          v[y * size + x] = level + texture;
          mask[y * size + x] = (byte) cls;
        }
    }
    for (int i = 0; i < v.length; i++) image[i] = (byte) Math.clamp(Math.round(v[i] + 12 * gen.nextGaussian()), 0, 255);
  }

  private static BufferedImage gray(byte[] values, int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, size, size, values);
    return img;
  }
}
