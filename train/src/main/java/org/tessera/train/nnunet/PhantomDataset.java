package org.tessera.train.nnunet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiType;

/**
 * A small CT phantom in nnU-Net's raw format, deterministic by seed: int16 volumes in Hounsfield units (air, a body
 * with a fat layer, a spine, noise) with three labelled "organs" of different shapes and intensities — liver (large,
 * textured), spleen, two kidneys (contrast-enhanced, with a cortex) — on an anisotropic grid (0.75 × 0.75 × 2.5 mm).
 * Organs cover only part of the slices, so foreground oversampling matters, as in real CT.
 */
public final class PhantomDataset {
  public static final int SIZE = 128, SLICES = 40;
  public static final double[] SPACING_XYZ = {0.75, 0.75, 2.5};
  public static final String[] CLASSES = {"background", "liver", "spleen", "kidney"};

  private PhantomDataset() {}

  /** Writes {@code dir} (a Dataset990_Phantom folder): training cases in imagesTr/labelsTr, test cases in imagesTs/labelsTs. */
  public static void generate(Path dir, int trainCases, int testCases, long seed) throws IOException {
    for (String sub : new String[] {"imagesTr", "labelsTr", "imagesTs", "labelsTs"}) Files.createDirectories(dir.resolve(sub));
    double[][] affine = {{-SPACING_XYZ[0], 0, 0, 48}, {0, -SPACING_XYZ[1], 0, 48}, {0, 0, SPACING_XYZ[2], -50}, {0, 0, 0, 1}};
    for (int i = 0; i < trainCases + testCases; i++) {
      boolean test = i >= trainCases;
      String name = String.format("phantom_%03d", test ? 100 + i - trainCases : i);
      Generator gen = new Generator(seed * 7919 + i);
      int[] labels = new int[SLICES * SIZE * SIZE], hu = new int[labels.length];
      draw(gen, labels, hu);
      Nifti.write(dir.resolve((test ? "imagesTs/" : "imagesTr/") + name + "_0000.nii.gz"), Nifti.header(NiftiType.INT16, affine), Tensor.of(hu, SLICES, SIZE, SIZE));
      Nifti.write(dir.resolve((test ? "labelsTs/" : "labelsTr/") + name + ".nii.gz"), Nifti.header(NiftiType.UINT8, affine), Tensor.of(labels, SLICES, SIZE, SIZE));
    }
    Files.writeString(dir.resolve("dataset.json"), """
        {
          "channel_names": {"0": "CT"},
          "labels": {"background": 0, "liver": 1, "spleen": 2, "kidney": 3},
          "numTraining": %d,
          "file_ending": ".nii.gz",
          "name": "Phantom",
          "description": "Tessera's built-in CT phantom: three organs in Hounsfield units, 0.75 x 0.75 x 2.5 mm"
        }
        """.formatted(trainCases));
  }

  /** An organ: an ellipsoid (centre and semi-axes in voxels) turned by an angle in the axial plane. */
  private record Ellipsoid(double cx, double cy, double cz, double ax, double ay, double az, double angle) {
    double radius(int x, int y, int z) {
      double dx = x - cx, dy = y - cy, c = Math.cos(angle), s = Math.sin(angle);
      double u = (c * dx + s * dy) / ax, v = (-s * dx + c * dy) / ay, w = (z - cz) / az;
      return u * u + v * v + w * w;
    }
  }

  private static void draw(Generator gen, int[] labels, int[] hu) {
    double cx = 64 + jitter(gen, 3), cy = 64 + jitter(gen, 3), zc = SLICES / 2.0 + jitter(gen, 3);
    double bodyA = 54 + jitter(gen, 3), bodyB = 42 + jitter(gen, 3);
    Ellipsoid liver = new Ellipsoid(cx - 20 + jitter(gen, 3), cy - 4 + jitter(gen, 3), zc + jitter(gen, 2), scaled(gen, 24), scaled(gen, 19), scaled(gen, 11),
        jitter(gen, 0.3));
    Ellipsoid spleen = new Ellipsoid(cx + 29 + jitter(gen, 2), cy - 8 + jitter(gen, 2), zc + 2 + jitter(gen, 2), scaled(gen, 9), scaled(gen, 13), scaled(gen, 7),
        0.5 + jitter(gen, 0.3));
    Ellipsoid[] kidneys = {
        new Ellipsoid(cx - 22 + jitter(gen, 2), cy + 22 + jitter(gen, 2), zc - 4 + jitter(gen, 2), scaled(gen, 6), scaled(gen, 9), scaled(gen, 5), 0.3),
        new Ellipsoid(cx + 22 + jitter(gen, 2), cy + 22 + jitter(gen, 2), zc - 4 + jitter(gen, 2), scaled(gen, 6), scaled(gen, 9), scaled(gen, 5), -0.3)};
    // low-frequency texture of the liver: a few random cosine waves
    double[] wave = new double[9];
    for (int i = 0; i < wave.length; i++) wave[i] = gen.nextDouble() * 2 * Math.PI;
    for (int z = 0; z < SLICES; z++)
      for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
          int v = (z * SIZE + y) * SIZE + x;
          double bx = (x - cx) / bodyA, by = (y - cy) / bodyB, body = bx * bx + by * by;
          double value;
          int label = 0;
          if (body > 1) value = -1000;
          else if (body > 0.86) value = -95; // subcutaneous fat
          else value = 25;
          double sx = x - cx, sy = y - (cy + 29);
          if (sx * sx + sy * sy < 49) value = sx * sx + sy * sy > 25 ? 900 : 450; // the spine: cortex and marrow
          if (body <= 1) {
            if (liver.radius(x, y, z) <= 1) {
              label = 1;
              value = 62 + 6 * (Math.cos(0.21 * x + wave[0]) + Math.cos(0.17 * y + wave[1]) + Math.cos(0.5 * z + wave[2]));
            }
            if (spleen.radius(x, y, z) <= 1) {
              label = 2;
              value = 48;
            }
            for (Ellipsoid k : kidneys) {
              double r = k.radius(x, y, z);
              if (r <= 1) {
                label = 3;
                value = r > 0.55 ? 185 : 120; // enhanced cortex around the medulla
              }
            }
          }
          labels[v] = label;
          hu[v] = (int) Math.max(-1024, Math.min(3071, Math.round(value + 14 * gen.nextGaussian())));
        }
  }

  private static double jitter(Generator gen, double amplitude) {
    return amplitude * (2 * gen.nextDouble() - 1);
  }

  private static double scaled(Generator gen, double size) {
    return size * (0.85 + 0.3 * gen.nextDouble());
  }
}
