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

  /** A batch: random samples and crops from gen, or (gen null) the first batchSize samples centre-cropped. */
  public static Batch make(List<ImageMaskDataset.Sample> samples, int batchSize, int size, Generator gen, boolean augment) {
    int channels = samples.get(0).channels();
    float[] images = new float[batchSize * channels * size * size];
    long[] labels = new long[batchSize * size * size];
    for (int i = 0; i < batchSize; i++) {
      // without a generator (validation): the samples in order, centre crops
      ImageMaskDataset.Sample s = gen == null ? samples.get(i) : samples.get((int) gen.nextLong(samples.size()));
      int y0 = gen == null ? Math.max(0, (s.height() - size) / 2) : (int) gen.nextLong(Math.max(1, s.height() - size + 1));
      int x0 = gen == null ? Math.max(0, (s.width() - size) / 2) : (int) gen.nextLong(Math.max(1, s.width() - size + 1));
      boolean flipX = augment && gen.nextDouble() < 0.5, flipY = augment && gen.nextDouble() < 0.5;
      int rot = augment ? (int) gen.nextLong(4) : 0;
      double scale = augment ? 0.85 + 0.3 * gen.nextDouble() : 1, shift = augment ? 0.1 * (gen.nextDouble() - 0.5) : 0;
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          int sx = x, sy = y;
          for (int r = 0; r < rot; r++) {
            int t = sx;
            sx = size - 1 - sy;
            sy = t;
          }
          if (flipX) sx = size - 1 - sx;
          if (flipY) sy = size - 1 - sy;
          int iy = Math.min(y0 + sy, s.height() - 1), ix = Math.min(x0 + sx, s.width() - 1), src = iy * s.width() + ix;
          for (int c = 0; c < channels; c++) {
            double v = s.pixels()[c][src] * scale + shift;
            if (augment) v += 0.02 * gen.nextGaussian();
            images[((i * channels + c) * size + y) * size + x] = (float) v;
          }
          labels[(i * size + y) * size + x] = s.labels()[src];
        }
      normalize(images, i * channels * size * size, channels * size * size);
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
