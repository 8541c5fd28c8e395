package org.tessera.train.data;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.tessera.tensor.DType;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * Training batches made on a background thread by a {@link Maker}, reproducible from (seed, epoch) so that a resumed
 * run sees the same data; {@link #make} is the maker of image/mask folders (random square crops, flips, 90°
 * rotations, intensity jitter and noise; per-image z-score normalisation).
 */
public final class Batches implements AutoCloseable {
  /** Images (B, C, S, S) and labels (B, S, S) I64. */
  public record Batch(Tensor images, Tensor labels) {}

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4);
  private final Thread worker;

  /** Makes one random batch from a generator (the worker's, seeded per epoch). */
  @FunctionalInterface
  public interface Maker {
    Batch make(Generator gen);
  }

  public Batches(Maker maker, int batches, long seed) {
    worker = Thread.ofPlatform().daemon().name("tessera-batches").start(() -> {
      Generator gen = new Generator(seed);
      try {
        for (int b = 0; b < batches; b++) queue.put(maker.make(gen));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        queue.offer(e);
      }
    });
  }

  public Batch next() throws InterruptedException {
    Object o = queue.take();
    if (o instanceof RuntimeException e) throw e;
    return (Batch) o;
  }

  @Override public void close() {
    worker.interrupt();
  }

  /**
   * A batch: random samples and crops from gen, or (gen null) the first batchSize samples centre-cropped. With
   * augmentation: mirroring, rotation (any angle half of the time, else a multiple of 90°), scaling (0.8–1.25,
   * p 0.3), then intensity scale, shift and noise.
   */
  public static Batch make(List<ImageMaskDataset.Sample> samples, int batchSize, int size, Generator gen, boolean augment) {
    int channels = samples.get(0).channels(), area = size * size;
    float[] images = new float[batchSize * channels * area];
    long[] labels = new long[batchSize * area];
    for (int i = 0; i < batchSize; i++) {
      // without a generator (validation): the samples in order, centre crops
      ImageMaskDataset.Sample s = gen == null ? samples.get(i) : samples.get((int) gen.nextLong(samples.size()));
      int y0 = gen == null ? Math.max(0, (s.height() - size) / 2) : (int) gen.nextLong(Math.max(1, s.height() - size + 1));
      int x0 = gen == null ? Math.max(0, (s.width() - size) / 2) : (int) gen.nextLong(Math.max(1, s.width() - size + 1));
      boolean flipX = augment && gen.nextDouble() < 0.5, flipY = augment && gen.nextDouble() < 0.5;
      double angle = !augment ? 0 : gen.nextDouble() < 0.5 ? 2 * Math.PI * gen.nextDouble() : Math.PI / 2 * gen.nextLong(4);
      double zoom = augment && gen.nextDouble() < 0.3 ? 0.8 + 0.45 * gen.nextDouble() : 1;
      AffinePatch.read(new AffinePatch.Source(s.pixels(), s.labels(), 0, s.height(), s.width()),
          new AffinePatch.Transform(y0 + size / 2, x0 + size / 2, angle, zoom, flipY, flipX), size, size, images, i * channels * area, labels, i * area);
      if (augment) {
        double contrast = 0.85 + 0.3 * gen.nextDouble(), shift = 0.1 * (gen.nextDouble() - 0.5);
        for (int p = i * channels * area; p < (i + 1) * channels * area; p++) images[p] = (float) (images[p] * contrast + shift + 0.02 * gen.nextGaussian());
      }
      normalize(images, i * channels * area, channels * area);
    }
    return new Batch(Tensor.of(images, batchSize, channels, size, size), Tensor.of(labels, batchSize, size, size).to(DType.I64));
  }

  /** z-score one image in place (nnU-Net's default normalisation for non-CT data). */
  public static void normalize(float[] a, int from, int n) {
    double mean = 0, sq = 0;
    for (int i = from; i < from + n; i++) mean += a[i];
    mean /= n;
    for (int i = from; i < from + n; i++) sq += (a[i] - mean) * (a[i] - mean);
    double std = Math.sqrt(sq / n) + 1e-8;
    for (int i = from; i < from + n; i++) a[i] = (float) ((a[i] - mean) / std);
  }
}
