package org.tessera.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tessera.models.SegmentationModels;
import org.tessera.nn.Layer;
import org.tessera.nn.Module;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;
import org.tessera.train.nnunet.SlidingWindow;

/**
 * nnU-Net-style sliding-window prediction of one 512×512 CT slice with a DINOv3 ViT-S/16 + Primus model (4 classes,
 * patch 448: 2×2 tiles at step 0.5), without and with mirroring. Slices/s = 1000 / (ms per slice).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:G1HeapRegionSize=1m", "-Xmx12g", "-Xms12g", "-XX:+AlwaysPreTouch"})
public class SlidingWindowBenchmark {
  @Param({"false", "true"})
  public boolean mirror;

  private SlidingWindow window;
  private float[][] slice;

  @Setup
  public void setup() {
    Layer model = SegmentationModels.create("dinov3", "small", "primus", 4, 1, null, 0);
    ((Module) model).eval();
    window = new SlidingWindow(model, new int[] {448, 448}, mirror, 2);
    slice = new float[][] {Tensor.randn(new Generator(1), 512 * 512).toFloatArray()};
  }

  @Benchmark
  public float[] slice() {
    return window.predict(slice, 512, 512, 4);
  }
}
