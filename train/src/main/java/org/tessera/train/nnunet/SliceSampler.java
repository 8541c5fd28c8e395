package org.tessera.train.nnunet;

import java.util.ArrayList;
import java.util.List;
import org.tessera.tensor.DType;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;
import org.tessera.train.data.AffinePatch;
import org.tessera.train.data.Batches;

/**
 * 2-D patches from preprocessed volumes, as nnU-Net's 2-D data loader draws them (models.md §5.3): a random case per
 * sample; the last third of each batch (sample j ≥ round(B·(1 − 0.33))) is centred on a voxel of a random class
 * present in the case, the rest on a random point of a random slice. The patch is read through a rotation (±180°,
 * p 0.2) and a scaling (0.7–1.4, p 0.2) about its centre, bilinear for data and nearest for labels, zeros outside;
 * then {@link IntensityAugmentation} and mirroring.
 */
public final class SliceSampler {
  private static final int LOCATIONS_PER_CLASS = 10_000;
  private final List<Preprocessor.Prepared> cases;
  private final int[] patch;
  private final double oversample;
  /** Per case and class: up to 10,000 voxel indices of that class (nnU-Net's class_locations). */
  private final List<int[][]> locations = new ArrayList<>();

  public SliceSampler(List<Preprocessor.Prepared> cases, int[] patch, int numClasses, double oversample, long seed) {
    if (cases.isEmpty()) throw new IllegalArgumentException("no cases to sample from");
    this.cases = cases;
    this.patch = patch.clone();
    this.oversample = oversample;
    Generator gen = new Generator(seed);
    for (Preprocessor.Prepared c : cases) locations.add(classLocations(c.seg(), numClasses, gen));
  }

  private static int[][] classLocations(byte[] seg, int numClasses, Generator gen) {
    int[] counts = new int[numClasses];
    for (byte b : seg) counts[b]++;
    int[][] out = new int[numClasses][];
    for (int k = 1; k < numClasses; k++) {
      int[] all = new int[counts[k]];
      for (int i = 0, n = 0; i < seg.length; i++) if (seg[i] == k) all[n++] = i;
      if (all.length <= LOCATIONS_PER_CLASS) out[k] = all;
      else {
        out[k] = new int[LOCATIONS_PER_CLASS];
        for (int i = 0; i < LOCATIONS_PER_CLASS; i++) out[k][i] = all[(int) gen.nextLong(all.length)];
      }
    }
    return out;
  }

  /** A training batch: random patches, augmented. */
  public Batches.Batch batch(Generator gen, int batchSize, boolean augment) {
    int channels = cases.get(0).data().length, area = patch[0] * patch[1];
    float[] images = new float[batchSize * channels * area];
    long[] labels = new long[batchSize * area];
    int forcedFrom = (int) Math.round(batchSize * (1 - oversample));
    for (int j = 0; j < batchSize; j++) {
      int ci = (int) gen.nextLong(cases.size());
      Preprocessor.Prepared c = cases.get(ci);
      int[] s = c.shape();
      int z, cy, cx;
      int[] present = present(locations.get(ci));
      if (j >= forcedFrom && present.length > 0) {
        int[] voxels = locations.get(ci)[present[(int) gen.nextLong(present.length)]];
        int v = voxels[(int) gen.nextLong(voxels.length)];
        z = v / (s[1] * s[2]);
        cy = v / s[2] % s[1];
        cx = v % s[2];
      } else {
        z = (int) gen.nextLong(s[0]);
        // a random crop: its centre anywhere that keeps the patch over the image (or the image's centre when smaller)
        cy = randomCentre(gen, s[1], patch[0]);
        cx = randomCentre(gen, s[2], patch[1]);
      }
      double angle = 0, scale = 1;
      if (augment && gen.nextDouble() < 0.2) angle = (2 * gen.nextDouble() - 1) * Math.PI;
      if (augment && gen.nextDouble() < 0.2) scale = 0.7 + 0.7 * gen.nextDouble();
      boolean flipY = augment && gen.nextDouble() < 0.5, flipX = augment && gen.nextDouble() < 0.5;
      AffinePatch.read(new AffinePatch.Source(c.data(), c.seg(), z * s[1] * s[2], s[1], s[2]), new AffinePatch.Transform(cy, cx, angle, scale, flipY, flipX),
          patch[0], patch[1], images, j * channels * area, labels, j * area);
      if (augment) IntensityAugmentation.apply(images, j * channels * area, channels, patch[0], patch[1], gen);
    }
    return new Batches.Batch(Tensor.of(images, batchSize, channels, patch[0], patch[1]), Tensor.of(labels, batchSize, patch[0], patch[1]).to(DType.I64));
  }

  private static int[] present(int[][] locations) {
    return java.util.stream.IntStream.range(1, locations.length).filter(k -> locations[k].length > 0).toArray();
  }

  private static int randomCentre(Generator gen, int size, int patchSize) {
    if (size <= patchSize) return size / 2;
    return patchSize / 2 + (int) gen.nextLong(size - patchSize + 1);
  }

  /** Fixed validation patches (seeded, the same every epoch, no augmentation), as nnU-Net's per-epoch pseudo-Dice. */
  public List<Batches.Batch> validation(int patches, int batchSize, long seed) {
    Generator gen = new Generator(seed);
    List<Batches.Batch> out = new ArrayList<>();
    for (int done = 0; done < patches; done += batchSize) out.add(batch(gen, Math.min(batchSize, patches - done), false));
    return out;
  }
}
